package demo_test

// This file holds the adversarial path test: thousands of generated request targets built from
// the characters of path confusion, sent without credentials through the real Traefik, and a
// reference reading of every path the backend received, written here independently of the
// plugin's code. It also holds rawClient, the keep-alive raw HTTP/1.1 client that the throttle and
// load tests share.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basicauthbypass/basicauthbypass/demo/internal/echo"
)

const (
	// advPrefix is the bypassed prefix of adversarialConfig: every reading of every path that
	// reaches the backend without credentials must start with it.
	advPrefix = "/api/"
	// advCount is how many distinct request targets TestAdversarialPaths generates.
	advCount = 4000
	// advSeed makes the generated targets the same on every run.
	advSeed = 20240604
	// advWorkers is how many keep-alive connections send the targets concurrently.
	advWorkers = 8
	// advMaxReadings bounds the reference closure of one path; a path that reached the backend
	// with more readings than this cannot be checked, and fails the test.
	advMaxReadings = 20000
	// advMinBypassed is the least share (in percent) of generated targets that must be answered
	// 200, so that the test cannot pass by refusing everything.
	advMinBypassed = 15
)

// adversarialConfig protects the whole site and bypasses ^/api/, as the LibreChat scenario does.
const adversarialConfig = `
http:
  routers:
    adv:
      entryPoints: [web]
      rule: "PathPrefix(` + "`/`" + `)"
      middlewares: [adv]
      service: backend
  middlewares:
    adv:
      plugin:
        basicauthbypass:
          users:
            - "demo:` + demoHash + `"
          bypassPaths:
            - "^/api/"
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// advAlphabet is what generated paths are made of: the pieces of path confusion named in the
// issue. advExtras are rarer pieces: other spellings of the same characters, double escapes,
// raw and encoded query and fragment marks, matrix parameters, invalid escapes and overlong UTF-8.
var (
	advAlphabet = []string{"/", ".", "..", "%2e", "%2f", "%5c", "%25", ";", `\`, "api", "admin"}
	advExtras   = []string{
		"%2E", "%2F", "%5C", "%252e", "%252f", "%255c", "%25252e", "//", "%2e%2e", "..;", ";x=1",
		"%3b", "%3B", "%3f", "%23", "?", "#", "%61pi", "API", "x", "%00", "%0a", "%c0%ae", "%u002e",
		"%", "%2", "%%32%65", "%252E%252E",
	}
)

// advControl are targets every configuration bypassing ^/api/ must protect, and advOpen
// targets it must let through: the test checks both, so a misconfigured run cannot pass.
var (
	advControl = []string{
		"/", "/admin", "/admin/", "/api", "/apix", "/API/x", "/admin/api/", "/x/api/",
		"/api/../admin", "/api/%2e%2e/admin", "/api%2f..%2fadmin", "/api/..;/admin", `/api\..\admin`,
		"/api%5c..%5cadmin", "/api/%252e%252e/admin", "//api/../admin", "/admin?/api/", "/%61dmin",
		"/api/%2e%2e%2fadmin", "/api/..%2fadmin", "/api/..%5cadmin", "/api/.%2e/admin",
	}
	advOpen = []string{"/api/chat", "/api/", "/api/x%20y", "/api/admin", "/api/a;b/c"}
)

// TestAdversarialPaths sends thousands of generated request targets without credentials through
// the real Traefik with bypassPaths ["^/api/"], and checks every request the backend received:
// each reading of its path (as escaped, percent-decoded, with backslashes as slashes, without
// ";" parameters, with slashes merged, with dot segments resolved as RFC 3986 and as
// path.Clean do, cut at a decoded "?" or "#", in every combination) must start with /api/. No
// exception is allowed.
func TestAdversarialPaths(t *testing.T) {
	t.Parallel()
	start := time.Now()
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{dynamic: adversarialConfig, routers: []string{"adv"}})
	wantEnabled(t, tr, "adv")
	ready := time.Now()

	targets := adversarialPaths(advSeed, advCount)
	all := append(append(append([]string{}, targets...), advControl...), advOpen...)
	results := sendAll(t, tr.Addr, all, advWorkers)
	sent := time.Now()

	// The backend's side: every request it received came without credentials, so each must be
	// under /api/ in every reading.
	byID := recordsByID(be)
	failures := 0
	for i, res := range results {
		got, forwarded := byID[res.id]
		if forwarded != (res.status == http.StatusOK) {
			t.Errorf("GET %s: got status %d, forwarded to the backend %t", all[i], res.status, forwarded)
			failures++
			continue
		}
		if !forwarded {
			continue
		}
		if err := checkBypassedPath(got); err != nil {
			t.Errorf("GET %s without credentials: answered %d, backend got request URI %q (path %q, raw path %q): %v",
				all[i], res.status, got.RequestURI, got.Path, got.RawPath, err)
			failures++
		}
		var echoed echo.Request
		if err := json.Unmarshal([]byte(res.body), &echoed); err != nil || echoed.RequestURI != got.RequestURI {
			t.Errorf("GET %s: the 200 body is not the backend's echo of %q: %.200q", all[i], got.RequestURI, res.body)
		}
	}
	if len(byID) != len(results) {
		// Each result must account for one record; a record without a request is a retry.
		seen := map[string]bool{}
		for _, res := range results {
			seen[res.id] = true
		}
		for id, got := range byID {
			if !seen[id] {
				t.Errorf("backend got an unexpected request %q (id %q)", got.RequestURI, id)
			}
		}
	}

	// Counts, by status, of the generated targets.
	counts := map[int]int{}
	examples := map[int][]string{}
	for i := range targets {
		s := results[i].status
		counts[s]++
		if len(examples[s]) < 4 {
			examples[s] = append(examples[s], targets[i])
		}
	}
	statuses := make([]int, 0, len(counts))
	for s := range counts {
		statuses = append(statuses, s)
	}
	sort.Ints(statuses)
	var summary strings.Builder
	for _, s := range statuses {
		fmt.Fprintf(&summary, "\n  %3d %-22s %5d  e.g. %q", s, http.StatusText(s), counts[s], examples[s])
	}
	t.Logf("%d generated targets (seed %d), %d workers: traefik ready in %v, sent in %v, checked in %v; by status:%s",
		len(targets), advSeed, advWorkers, ready.Sub(start).Round(time.Millisecond),
		sent.Sub(ready).Round(time.Millisecond), time.Since(sent).Round(time.Millisecond), summary.String())
	tricky := 0
	for i, target := range targets {
		if results[i].status == http.StatusOK && (strings.ContainsAny(target, `%\;`) || strings.Contains(target, "..")) {
			tricky++
		}
	}
	t.Logf("%d of the %d bypassed targets hold an escape, a backslash, a \";\" or \"..\"", tricky, counts[http.StatusOK])

	for _, s := range statuses {
		if s >= 500 || s == 0 {
			t.Errorf("got %d targets answered %d %s (e.g. %q), want none", counts[s], s, http.StatusText(s), examples[s])
		}
	}
	if min := len(targets) * advMinBypassed / 100; counts[http.StatusOK] < min {
		t.Errorf("got %d of %d generated targets bypassed, want at least %d: the test would pass vacuously",
			counts[http.StatusOK], len(targets), min)
	}
	for i, target := range advControl {
		if got := results[len(targets)+i].status; got != http.StatusUnauthorized {
			t.Errorf("control GET %s: got status %d, want %d", target, got, http.StatusUnauthorized)
		}
	}
	for i, target := range advOpen {
		if got := results[len(targets)+len(advControl)+i].status; got != http.StatusOK {
			t.Errorf("open GET %s: got status %d, want %d", target, got, http.StatusOK)
		}
	}
	if lines := tr.logLines(t, "panic"); len(lines) > 0 {
		t.Errorf("traefik logged a panic: %q", lines)
	}
	if failures > 0 {
		t.Errorf("%d requests without credentials reached the backend outside %s", failures, advPrefix)
	}
}

// TestAdversarialReference checks the reference reading against paths whose answer is known, so
// that TestAdversarialPaths relies on a reference that finds what it must find.
func TestAdversarialReference(t *testing.T) {
	tests := []struct {
		name    string
		uri     string
		wantErr bool
	}{
		{name: "plain", uri: "/api/chat"},
		{name: "prefix itself", uri: "/api/"},
		{name: "query ignored", uri: "/api/x?../../admin"},
		{name: "encoded space", uri: "/api/x%20y"},
		{name: "dot inside the prefix", uri: "/api/./x"},
		{name: "dot dot within the prefix", uri: "/api/x/../y"},
		{name: "dot dot", uri: "/api/../admin", wantErr: true},
		{name: "encoded dot dot", uri: "/api/%2e%2e/admin", wantErr: true},
		{name: "encoded slashes", uri: "/api%2f..%2fadmin", wantErr: true},
		{name: "matrix parameter", uri: "/api/..;/admin", wantErr: true},
		{name: "backslashes", uri: `/api\..\admin`, wantErr: true},
		{name: "encoded backslashes", uri: "/api%5c..%5cadmin", wantErr: true},
		{name: "double escape", uri: "/api/%252e%252e/admin", wantErr: true},
		{name: "triple escape", uri: "/api/%25252e%25252e/admin", wantErr: true},
		{name: "double slash", uri: "//api/../admin", wantErr: true},
		{name: "parameter on the prefix", uri: "/api;x/y", wantErr: true},
		{name: "decoded question mark", uri: "/api/x%3f/../../admin", wantErr: true},
		{name: "decoded fragment", uri: "/api%23/x", wantErr: true},
		{name: "prefix without slash", uri: "/api", wantErr: true},
		{name: "escaped letter", uri: "/%61pi/x", wantErr: true},
		{name: "dot dot at the end", uri: "/api/x/..%2f..", wantErr: true},
		{name: "directory by RFC 3986, /api by path.Clean", uri: "/api/x%2f..", wantErr: true},
		{name: "dot by RFC 3986, /api by path.Clean", uri: "/api/%5c.", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, _ := strings.Cut(tt.uri, "?")
			err := checkBypassedPath(echo.Request{RequestURI: tt.uri, Path: p})
			if (err != nil) != tt.wantErr {
				t.Errorf("checkBypassedPath(%q): got error %v, want error %t", tt.uri, err, tt.wantErr)
			}
		})
	}
}

// adversarialPaths returns n distinct request targets generated from seed: most start with /api/,
// /api or /, then up to eight pieces of advAlphabet, and now and then of advExtras.
func adversarialPaths(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	seen := map[string]bool{}
	var out []string
	for attempts := 0; len(out) < n && attempts < 100*n; attempts++ {
		var b strings.Builder
		r := rng.IntN(100)
		if r < 50 {
			b.WriteString("/api/")
		} else if r < 65 {
			b.WriteString("/api")
		} else if r < 92 {
			b.WriteString("/")
		} else {
			// Sometimes no leading slash at all: Go's server refuses those.
			b.WriteString(advAlphabet[rng.IntN(len(advAlphabet))])
		}
		for k := rng.IntN(9); k > 0; k-- {
			if rng.IntN(100) < 12 {
				b.WriteString(advExtras[rng.IntN(len(advExtras))])
			} else {
				b.WriteString(advAlphabet[rng.IntN(len(advAlphabet))])
			}
		}
		if s := b.String(); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// checkBypassedPath returns an error naming the first reading of the path the backend received
// that does not start with advPrefix, with the rewrites that led to it.
func checkBypassedPath(got echo.Request) error {
	wire, _, _ := strings.Cut(got.RequestURI, "?")
	starts := []string{wire, got.Path}
	if got.RawPath != "" {
		starts = append(starts, got.RawPath)
	}
	readings, complete := pathReadings(starts)
	for _, r := range readings {
		if !strings.HasPrefix(r.path, advPrefix) {
			return fmt.Errorf("reading %q (%s) is not under %s", r.path, r.how, advPrefix)
		}
	}
	if !complete {
		return fmt.Errorf("more than %d readings: cannot check", advMaxReadings)
	}
	return nil
}

// reading is one way a backend may read a path, and how it was derived from what arrived.
type reading struct {
	path string
	how  string
}

// pathRewrite is one way backends rewrite a path before serving it.
type pathRewrite struct {
	name string
	fn   func(string) string
}

// pathRewrites are the rewrites the reference closes a path under. They are written here from
// the RFCs and the servers' documented behaviour, not from the plugin's code.
var pathRewrites = []pathRewrite{
	{"decode", func(s string) string { return percentDecode(s, func(byte) bool { return true }) }},
	{"decode-unreserved", func(s string) string { return percentDecode(s, isUnreserved) }},
	{"decode-but-slash", func(s string) string { return percentDecode(s, func(c byte) bool { return c != '/' }) }},
	{"backslashes", func(s string) string { return strings.ReplaceAll(s, `\`, "/") }},
	{"params", stripSegmentParams},
	{"merge-slashes", mergeSlashRuns},
	{"dot-segments", rfc3986RemoveDotSegments},
	{"path-clean", serveMuxClean},
	{"cut-query", func(s string) string {
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			return s[:i]
		}
		return s
	}},
}

// pathReadings returns the closure of starts under pathRewrites; complete is false when it was
// cut at advMaxReadings.
func pathReadings(starts []string) (readings []reading, complete bool) {
	seen := map[string]bool{}
	for _, s := range starts {
		if !seen[s] {
			seen[s] = true
			readings = append(readings, reading{path: s, how: "as received"})
		}
	}
	for i := 0; i < len(readings); i++ {
		for _, rw := range pathRewrites {
			next := rw.fn(readings[i].path)
			if seen[next] {
				continue
			}
			if len(readings) >= advMaxReadings {
				return readings, false
			}
			seen[next] = true
			how := rw.name
			if readings[i].how != "as received" {
				how = readings[i].how + ", " + rw.name
			}
			readings = append(readings, reading{path: next, how: how})
		}
	}
	return readings, true
}

// percentDecode decodes every %XX escape whose byte decode accepts, leniently: an invalid
// escape is kept as it is, as lenient decoders do.
func percentDecode(s string, decode func(byte) bool) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			c := unhex(s[i+1])<<4 | unhex(s[i+2])
			if decode(c) {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// unhex returns the value of the hexadecimal digit c.
func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// isUnreserved reports whether c is an RFC 3986 unreserved character, which normalisers such as
// Traefik's decode.
func isUnreserved(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// stripSegmentParams removes from every segment what follows its first ";", as servlet
// containers do with path parameters.
func stripSegmentParams(s string) string {
	segments := strings.Split(s, "/")
	for i, seg := range segments {
		if j := strings.IndexByte(seg, ';'); j >= 0 {
			segments[i] = seg[:j]
		}
	}
	return strings.Join(segments, "/")
}

// mergeSlashRuns replaces each run of slashes with one, as nginx's merge_slashes does.
func mergeSlashRuns(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i > 0 && s[i-1] == '/' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// rfc3986RemoveDotSegments is the remove_dot_segments algorithm of RFC 3986 section 5.2.4,
// step by step: an input buffer consumed from the left into an output buffer.
func rfc3986RemoveDotSegments(in string) string {
	out := ""
	removeLast := func() {
		if i := strings.LastIndexByte(out, '/'); i >= 0 {
			out = out[:i]
		} else {
			out = ""
		}
	}
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			removeLast()
		case in == "/..":
			in = "/"
			removeLast()
		case in == "." || in == "..":
			in = ""
		default:
			// Move the first segment, with its leading slash if any, to the output.
			j := strings.IndexByte(in[1:], '/')
			if j < 0 {
				out += in
				in = ""
			} else {
				out += in[:j+1]
				in = in[j+1:]
			}
		}
	}
	return out
}

// serveMuxClean reads a path as Go's http.ServeMux does: path.Clean (slashes merged, dot
// segments resolved, a directory left without its slash: /api/x/.. reads as /api), then the
// trailing slash put back only if the path had one.
func serveMuxClean(s string) string {
	if s == "" {
		return s
	}
	c := path.Clean(s)
	if strings.HasSuffix(s, "/") && c != "/" {
		c += "/"
	}
	return c
}

// recordsByID returns the backend's records by their idHeader.
func recordsByID(be *backend) map[string]echo.Request {
	be.mu.Lock()
	defer be.mu.Unlock()
	byID := make(map[string]echo.Request, len(be.seen))
	for _, r := range be.seen {
		byID[r.Header.Get(idHeader)] = r
	}
	return byID
}

// sendResult is what one target got: its id, status (0 when no answer) and body.
type sendResult struct {
	id     string
	status int
	body   string
	err    error
}

// sendAll sends every target as "GET target HTTP/1.1" without credentials over workers
// keep-alive connections and returns the results in the order of targets. A transport error
// fails the test.
func sendAll(t *testing.T, addr string, targets []string, workers int) []sendResult {
	t.Helper()
	results := make([]sendResult, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &rawClient{addr: addr}
			defer c.close()
			for i := range next {
				id := fmt.Sprintf("%s-%d", t.Name(), i)
				resp, err := c.do("GET", targets[i], idHeader+": "+id)
				results[i] = sendResult{id: id, status: resp.Status, body: resp.Body, err: err}
			}
		}()
	}
	for i := range targets {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			t.Errorf("GET %s: %v", targets[i], r.err)
		}
	}
	return results
}

// rawClient sends raw HTTP/1.1 requests on one keep-alive connection, reconnecting when the
// server closed it. It is not safe for concurrent use.
type rawClient struct {
	addr string
	// host is the Host header; the address when empty.
	host string
	conn net.Conn
	br   *bufio.Reader
}

// do sends "method target HTTP/1.1" with the header lines exactly as written, plus Host, and
// reads the response. A request that fails on a reused connection (the server may have closed
// it meanwhile) is sent once more on a new one.
func (c *rawClient) do(method, target string, headers ...string) (response, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	host := c.host
	if host == "" {
		host = c.addr
	}
	b.WriteString("Host: " + host + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	for attempt := 0; ; attempt++ {
		reused := c.conn != nil
		resp, err := c.roundTrip(b.Bytes(), method)
		if err == nil {
			return resp, nil
		}
		c.close()
		if !reused || attempt > 0 {
			return response{}, err
		}
	}
}

// roundTrip writes one request and reads its response on c's connection, dialling when needed.
func (c *rawClient) roundTrip(req []byte, method string) (response, error) {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.addr, requestTimeout)
		if err != nil {
			return response{}, err
		}
		c.conn, c.br = conn, bufio.NewReader(conn)
	}
	_ = c.conn.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := c.conn.Write(req); err != nil {
		return response{}, err
	}
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return response{}, fmt.Errorf("reading response: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return response{}, fmt.Errorf("reading body: %w", err)
	}
	if resp.Close || err != nil {
		c.close()
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, nil
}

// close closes c's connection, if any; the next request dials a new one.
func (c *rawClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.br = nil, nil
	}
}

package basicauthbypass

import (
	"bufio"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for what a client controls in a request: the Authorization header and the
// request target. Each checks properties of ServeHTTP as a whole against a reference written
// here independently of the plugin. `yaegi test` skips Fuzz functions, so their seeds (the
// tables below and the corpus files in testdata/fuzz/<FuzzName>/) also run as plain tests.

// fuzzUsers are the users of FuzzAuthorizationHeader, each made by the command beside it, and
// fuzzPasswords their passwords. The first, the decoy of unknown names, is {SHA} so that the
// fuzzer's mostly unknown names cost little; apr1 brings a password with colons.
var (
	fuzzUsers = []string{
		// htpasswd -nbs alice 'wonderland'
		"alice:{SHA}tiY7sUhYKUwI5L3866kDY+ENcrQ=",
		// htpasswd -nbm bob 'b:o:b'
		"bob:$apr1$BuU3pbVN$IEBZ/RQZR1bZg4GC1fvGq/",
		// htpasswd -nbs 'zoë' 'pässwörd'
		"zoë:{SHA}9Rfd8dMqES/xrVXGbRsSyzjn6Pc=",
	}
	fuzzPasswords = map[string]string{"alice": "wonderland", "bob": "b:o:b", "zoë": "pässwörd"}
)

// fuzzBackend is the next handler of the fuzzed middleware: it records whether it was called,
// and with which user name and escaped path.
type fuzzBackend struct {
	called bool
	user   string
	target string
}

// ServeHTTP records the request and answers 200.
func (f *fuzzBackend) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	f.called = true
	f.user = ""
	if req.URL.User != nil {
		f.user = req.URL.User.Username()
	}
	f.target = req.URL.EscapedPath()
	rw.WriteHeader(http.StatusOK)
}

// newFuzzMiddleware builds the middleware over a fuzzBackend, with fuzzUsers, bypassing
// ^/api/, its log lines discarded.
func newFuzzMiddleware(tb testing.TB) (*basicAuthBypass, *fuzzBackend) {
	tb.Helper()
	backend := &fuzzBackend{}
	m, err := newMiddleware(backend, &Config{Users: fuzzUsers, BypassPaths: []string{"^/api/"}}, discardLogger())
	if err != nil {
		tb.Fatal(err)
	}
	return m, backend
}

// referenceBasicAuth reads Basic credentials as RFC 7617 says, independently of
// Request.BasicAuth: the scheme "Basic" in any case and one space, then base64 (standard
// alphabet, padded) of user, a colon, and password, split at the first colon.
func referenceBasicAuth(header string) (user, password string, ok bool) {
	const scheme = "basic "
	if len(header) < len(scheme) {
		return "", "", false
	}
	for i := 0; i < len(scheme); i++ {
		c := header[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != scheme[i] {
			return "", "", false
		}
	}
	decoded, err := base64.StdEncoding.DecodeString(header[len(scheme):])
	if err != nil {
		return "", "", false
	}
	credentials := string(decoded)
	colon := strings.IndexByte(credentials, ':')
	if colon < 0 {
		return "", "", false
	}
	return credentials[:colon], credentials[colon+1:], true
}

// checkAuthorization sends a request for a protected path with the Authorization header
// value header and checks that it is answered 200, with the backend called as the user, only
// when the header holds a configured user's right password, and 401 with a challenge
// otherwise, without the backend being called.
func checkAuthorization(t *testing.T, m *basicAuthBypass, backend *fuzzBackend, header string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://example.com/private", nil)
	req.RemoteAddr = "192.0.2.1:1234"
	req.Header["Authorization"] = []string{header}
	rec := httptest.NewRecorder()
	backend.called = false
	m.ServeHTTP(rec, req)

	user, password, ok := referenceBasicAuth(header)
	right, known := fuzzPasswords[user]
	if ok && known && password == right {
		if rec.Code != http.StatusOK || !backend.called || backend.user != user {
			t.Errorf("Authorization %q (user %q, right password): got status %d, backend called %v as %q; want 200, true, %q",
				header, user, rec.Code, backend.called, backend.user, user)
		}
		return
	}
	if rec.Code != http.StatusUnauthorized || backend.called {
		t.Errorf("Authorization %q: got status %d, backend called %v; want 401, false", header, rec.Code, backend.called)
	}
	if rec.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("Authorization %q: got status %d without WWW-Authenticate, want a challenge", header, rec.Code)
	}
}

// basicHeader returns the Authorization header value a client sends for user and password.
func basicHeader(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// authorizationSeeds are the seeds of FuzzAuthorizationHeader: a raw header value, and a user
// and password that a client encodes as it should.
var authorizationSeeds = []struct {
	name     string
	header   string
	user     string
	password string
}{
	{name: "empty", header: "", user: "", password: ""},
	{name: "right sha1", header: basicHeader("alice", "wonderland"), user: "alice", password: "wonderland"},
	{name: "right apr1 with colons", header: basicHeader("bob", "b:o:b"), user: "bob", password: "b:o:b"},
	{name: "utf-8 user", header: basicHeader("zoë", "pässwörd"), user: "zoë", password: "pässwörd"},
	{name: "wrong password", header: basicHeader("alice", "wonderland!"), user: "alice", password: "Wonderland"},
	{name: "unknown user", header: basicHeader("mallory", "wonderland"), user: "mallory", password: "b:o:b"},
	{name: "colon moved into the user", header: basicHeader("bob:b", "o:b"), user: "alice:wonder", password: "land"},
	{name: "scheme in lower case", header: "basic " + base64.StdEncoding.EncodeToString([]byte("alice:wonderland")), user: "", password: ""},
	{name: "scheme in upper case", header: "BASIC " + base64.StdEncoding.EncodeToString([]byte("bob:b:o:b")), user: "", password: ""},
	{name: "two spaces", header: "Basic  " + base64.StdEncoding.EncodeToString([]byte("alice:wonderland")), user: "", password: ""},
	{name: "bearer token", header: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", user: "", password: ""},
	{name: "no colon", header: "Basic " + base64.StdEncoding.EncodeToString([]byte("alicewonderland")), user: "", password: ""},
	{name: "unpadded base64", header: "Basic YWxpY2U6d29uZGVybGFuZA", user: "", password: ""},
	{name: "url-safe base64", header: "Basic " + base64.URLEncoding.EncodeToString([]byte("zoë:pässwörd")), user: "", password: ""},
	{name: "nul in password", header: basicHeader("alice", "wonderland\x00"), user: "alice", password: "wonder\x00land"},
	{name: "empty user", header: basicHeader("", "wonderland"), user: "", password: "wonderland"},
	{name: "latin-1 user", header: basicHeader("zo\xeb", "p\xe4ssw\xf6rd"), user: "zo\xeb", password: "p\xe4ssw\xf6rd"},
	{name: "long password", header: basicHeader("bob", strings.Repeat("b:o:b", 400)), user: "alice", password: strings.Repeat("w", 5000)},
	{name: "scheme only", header: "Basic", user: "", password: ""},
	{name: "scheme and space", header: "Basic ", user: "", password: ""},
}

// checkAuthorizationInputs runs checkAuthorization on header, and on the header a client
// makes of user and password.
func checkAuthorizationInputs(t *testing.T, m *basicAuthBypass, backend *fuzzBackend, header, user, password string) {
	t.Helper()
	checkAuthorization(t, m, backend, header)
	checkAuthorization(t, m, backend, basicHeader(user, password))
}

func FuzzAuthorizationHeader(f *testing.F) {
	for _, seed := range authorizationSeeds {
		f.Add(seed.header, seed.user, seed.password)
	}
	m, backend := newFuzzMiddleware(f)
	f.Fuzz(func(t *testing.T, header, user, password string) {
		checkAuthorizationInputs(t, m, backend, header, user, password)
	})
}

func TestAuthorizationHeaderSeeds(t *testing.T) {
	m, backend := newFuzzMiddleware(t)
	for _, seed := range authorizationSeeds {
		checkAuthorizationInputs(t, m, backend, seed.header, seed.user, seed.password)
	}
	for _, args := range readFuzzCorpus(t, "FuzzAuthorizationHeader", 3) {
		checkAuthorizationInputs(t, m, backend, args[0], args[1], args[2])
	}
}

// readRequestTarget parses target the way net/http's server reads a request line, and
// returns the request, or nil when net/http would refuse it.
func readRequestTarget(target string) *http.Request {
	raw := "GET " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n"
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		return nil
	}
	req.RemoteAddr = "192.0.2.1:1234"
	return req
}

// maxReferenceReadings bounds pathReadings, which explores more orders of the rewrites than
// the plugin does and could otherwise grow large on a hostile path.
const maxReferenceReadings = 256

// pathReadings returns the readings a backend might make of the paths given, as the plugin's
// README lists them but computed independently of it: the closure of the paths under
// percent-decoding once (so, repeated, until stable), reading backslashes as slashes,
// removing ";" parameters from segments, path.Clean keeping a trailing slash as Go's ServeMux
// does, and cutting at a "?" or "#". problem is non-empty when a reading is one the README
// says is never bypassed: one with an invalid escape, a control character or invalid UTF-8.
func pathReadings(paths ...string) (readings []string, problem string) {
	seen := make(map[string]bool)
	add := func(s string) {
		if !seen[s] && len(readings) < maxReferenceReadings {
			seen[s] = true
			readings = append(readings, s)
		}
	}
	for _, p := range paths {
		add(p)
	}
	for i := 0; i < len(readings); i++ {
		s := readings[i]
		if !utf8.ValidString(s) {
			problem = "invalid UTF-8 in " + strconv.Quote(s)
		}
		for j := 0; j < len(s); j++ {
			if s[j] < 0x20 || s[j] == 0x7f {
				problem = "a control character in " + strconv.Quote(s)
			}
		}
		decoded, err := url.PathUnescape(s)
		if err != nil {
			problem = "an invalid escape in " + strconv.Quote(s)
		} else {
			add(decoded)
		}
		add(strings.ReplaceAll(s, `\`, "/"))
		add(referenceStripParams(s))
		add(referenceClean(s))
		if cut := strings.IndexAny(s, "?#"); cut >= 0 {
			add(s[:cut])
		}
	}
	return readings, problem
}

// referenceStripParams removes from each "/"-separated segment of p what follows its first
// ";", as servlet containers do.
func referenceStripParams(p string) string {
	segments := strings.Split(p, "/")
	for i, seg := range segments {
		if semi := strings.IndexByte(seg, ';'); semi >= 0 {
			segments[i] = seg[:semi]
		}
	}
	return strings.Join(segments, "/")
}

// referenceClean is path.Clean, keeping a trailing slash as Go's ServeMux does before it
// routes a request.
func referenceClean(p string) string {
	if p == "" {
		return p
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean
}

// checkPath sends a request with target and no credentials and checks that it reaches the
// backend, unchanged and answered 200, only when every reading of its path is under /api/
// and none is one that is never bypassed; and that otherwise it is answered 401. It returns
// the status, 0 when net/http refuses the target.
func checkPath(t *testing.T, m *basicAuthBypass, backend *fuzzBackend, target string) int {
	t.Helper()
	req := readRequestTarget(target)
	if req == nil {
		return 0
	}
	// The path as Traefik forwards it: its proxy writes the request line from the URL, so
	// the backend gets EscapedPath, which is the target as sent when that is a valid encoding
	// and the decoded path escaped afresh when it is not (/api%2F" goes as /api/%22).
	escaped := req.URL.EscapedPath()
	rec := httptest.NewRecorder()
	backend.called = false
	m.ServeHTTP(rec, req)
	if !backend.called {
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("target %q: got status %d without reaching the backend, want 401", target, rec.Code)
		}
		return rec.Code
	}
	if rec.Code != http.StatusOK {
		t.Errorf("target %q: got status %d from the backend, want 200", target, rec.Code)
	}
	if backend.target != escaped {
		t.Errorf("target %q: backend got path %q, want it untouched, %q", target, backend.target, escaped)
	}
	readings, problem := pathReadings(escaped)
	if problem != "" {
		t.Errorf("target %q: bypassed, but its readings hold %s", target, problem)
	}
	for _, r := range readings {
		if !strings.HasPrefix(r, "/api/") {
			t.Errorf("target %q: bypassed, but one reading of its path is %q", target, r)
		}
	}
	return rec.Code
}

// pathSeeds are the seeds of FuzzServeHTTPPath, with the status each must get: 200 when
// bypassed, 401 when authentication is asked for, 0 when net/http refuses the target. A
// regression case is named after the bug it pins.
var pathSeeds = []struct {
	name   string
	target string
	want   int
}{
	{name: "bypassed", target: "/api/chat", want: 200},
	{name: "prefix itself", target: "/api/", want: 200},
	{name: "escaped space", target: "/api/x%20y", want: 200},
	{name: "slow route", target: "/api/a%20b/c", want: 200},
	{name: "query not matched", target: "/admin?x=/api/", want: 401},
	{name: "query kept", target: "/api/x?next=/../admin", want: 200},
	{name: "absolute form", target: "http://example.com/api/x", want: 200},
	{name: "protected", target: "/admin", want: 401},
	{name: "prefix without slash", target: "/api", want: 401},
	{name: "other case", target: "/API/x", want: 401},
	{name: "dot-dot", target: "/api/../admin", want: 401},
	{name: "escaped dots", target: "/api/%2e%2e/admin", want: 401},
	{name: "escaped slashes", target: "/api%2F..%2Fadmin", want: 401},
	{name: "servlet parameter", target: "/api/..;/admin", want: 401},
	{name: "backslashes", target: `/api\..\admin`, want: 401},
	{name: "escaped backslash", target: "/api/..%5cadmin", want: 401},
	{name: "double escape", target: "/api/%252e%252e/admin", want: 401},
	{name: "triple escape", target: "/api/%25252e%25252e/admin", want: 401},
	{name: "merged slashes", target: "//api/../admin", want: 401},
	{name: "escaped question mark", target: "/api/%3f/../../admin", want: 401},
	{name: "escaped hash", target: "/api/x%23/../../admin", want: 401},
	{name: "invalid escape after decoding", target: "/api/100%25", want: 401},
	{name: "nul", target: "/api/%00", want: 401},
	{name: "tab", target: "/api/%09", want: 401},
	{name: "overlong dot", target: "/api/%c0%ae%c0%ae/admin", want: 401},
	{name: "raw utf-8", target: "/api/é", want: 200},
	{name: "dot segment inside", target: "/api/x/./y", want: 200},
	{name: "asterisk", target: "*", want: 401},
	{name: "space in target", target: "/api/a b", want: 0},
	{name: "relative target", target: "api/x", want: 0},
	{name: "raw control character", target: "/api/\x01", want: 0},
	// Regressions found by this target: /api/. and /api/x/.. resolve to /api/ under
	// RFC 3986, which the plugin read, but to /api under path.Clean, as Go's http.FileServer
	// reads them, so a file at /api, which ^/api/ protects, was served without credentials.
	{name: "bug trailing dot segment leaves the prefix", target: "/api/.", want: 401},
	{name: "bug trailing dot-dot segment leaves the prefix", target: "/api/x/..", want: 401},
}

func FuzzServeHTTPPath(f *testing.F) {
	for _, seed := range pathSeeds {
		f.Add(seed.target)
	}
	m, backend := newFuzzMiddleware(f)
	f.Fuzz(func(t *testing.T, target string) {
		checkPath(t, m, backend, target)
	})
}

func TestServeHTTPPathSeeds(t *testing.T) {
	m, backend := newFuzzMiddleware(t)
	for _, seed := range pathSeeds {
		if got := checkPath(t, m, backend, seed.target); got != seed.want {
			t.Errorf("%s: target %q: got status %d, want %d", seed.name, seed.target, got, seed.want)
		}
	}
	for _, args := range readFuzzCorpus(t, "FuzzServeHTTPPath", 1) {
		checkPath(t, m, backend, args[0])
	}
}

// readFuzzCorpus reads the corpus files of the fuzz target name from testdata/fuzz/name, each
// of which must hold arity string arguments in Go's corpus format ("go test fuzz v1", then a
// line string("...") per argument).
func readFuzzCorpus(t *testing.T, name string, arity int) [][]string {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("corpus of %s: %v", name, err)
	}
	var corpus [][]string
	for _, entry := range entries {
		file := filepath.Join(dir, entry.Name())
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("corpus file %s: %v", file, err)
		}
		lines := strings.Split(strings.TrimSpace(string(content)), "\n")
		if len(lines) != arity+1 || lines[0] != "go test fuzz v1" {
			t.Fatalf("corpus file %s: got %d lines, want the header and %d arguments", file, len(lines), arity)
		}
		args := make([]string, 0, arity)
		for _, line := range lines[1:] {
			if !strings.HasPrefix(line, "string(") || !strings.HasSuffix(line, ")") {
				t.Fatalf("corpus file %s: got argument %q, want string(...)", file, line)
			}
			arg, err := strconv.Unquote(line[len("string(") : len(line)-1])
			if err != nil {
				t.Fatalf("corpus file %s: argument %q: %v", file, line, err)
			}
			args = append(args, arg)
		}
		corpus = append(corpus, args)
	}
	if len(corpus) == 0 {
		t.Fatalf("corpus of %s: no files in %s", name, dir)
	}
	return corpus
}

package demo_test

// This file holds the end-to-end tests of issue 6's operational options in the real Traefik:
// bypassMethods, bypassSourceRange over IPv4 and IPv6, ipStrategy with X-Forwarded-For as
// Traefik's entrypoints hand it over (trusted proxy, untrusted client, insecure), a usersFile
// edited while requests run, and the plugin's log lines as they appear in Traefik's output.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// opsEntryPoint is an entrypoint added to the harness's static configuration. Its port is
// picked when the configuration is rendered, so a retried start gets a fresh one.
type opsEntryPoint struct {
	// name is the entrypoint's name; host its IP ("127.0.0.1" or "::1").
	name, host string
	// extra is YAML added under the entrypoint, indented by four spaces.
	extra string
	// addr is host:port once rendered.
	addr string
}

// opsStatic returns the harness's YAML static configuration with eps added to its entrypoints.
func opsStatic(t *testing.T, eps ...*opsEntryPoint) func(staticParams) string {
	t.Helper()
	return func(p staticParams) string {
		var b strings.Builder
		for _, ep := range eps {
			ep.addr = net.JoinHostPort(ep.host, strconv.Itoa(freePortOn(t, ep.host)))
			fmt.Fprintf(&b, "  %s:\n    address: %q\n    transport:\n      lifeCycle:\n        graceTimeOut: 1s\n%s", ep.name, ep.addr, ep.extra)
		}
		s := yamlStatic(p)
		withEPs := strings.Replace(s, "entryPoints:\n", "entryPoints:\n"+b.String(), 1)
		if withEPs == s {
			t.Fatal("opsStatic: the harness's static configuration has no entryPoints section")
		}
		return withEPs
	}
}

// hasIPv6Loopback reports whether this machine can listen on [::1].
func hasIPv6Loopback() bool {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// opsExchange is one request of an ops table and what must come of it.
type opsExchange struct {
	name string
	// addr is the entrypoint to send to; host the Host header.
	addr, host string
	// tls sends the request over TLS, with host as the server name (Traefik's default
	// certificate is not checked).
	tls bool
	// method is the request method, GET when empty.
	method  string
	target  string
	headers []string
	// skip, when not empty, skips the exchange with this reason.
	skip       string
	wantStatus int
	// realm is the realm of a 401, "traefik" when empty; builtin says the 401 comes from
	// Traefik's basicAuth, whose challenge has no charset parameter.
	realm   string
	builtin bool
	// wantForwarded says whether the backend must have received the request.
	wantForwarded bool
	// wantMethod is the method the backend must have received, when not empty.
	wantMethod string
	// wantHeaders are header values the backend must have received ("" means absent).
	wantHeaders map[string]string
}

// runOpsExchanges sends each exchange in a parallel subtest and checks the client's and the
// backend's side. A 401 must be the plugin's challenge (or basicAuth's, for builtin).
func runOpsExchanges(t *testing.T, be *backend, exchanges []opsExchange) {
	t.Helper()
	for i, ex := range exchanges {
		id := fmt.Sprintf("%s-%d", t.Name(), i)
		t.Run(ex.name, func(t *testing.T) {
			if ex.skip != "" {
				t.Skip(ex.skip)
			}
			t.Parallel()
			method := ex.method
			if method == "" {
				method = http.MethodGet
			}
			realm := ex.realm
			if realm == "" {
				realm = "traefik"
			}
			headers := append([]string{"Host: " + ex.host}, ex.headers...)
			var resp response
			if ex.tls {
				resp = tlsRequest(t, ex.addr, ex.host, method, ex.target, id, headers...)
			} else {
				resp = methodRequest(t, ex.addr, method, ex.target, id, headers...)
			}
			if resp.Status == http.StatusUnauthorized {
				got := resp.Header.Get("WWW-Authenticate")
				switch {
				case ex.builtin:
					if want := fmt.Sprintf("Basic realm=%q", realm); got != want {
						t.Errorf("got WWW-Authenticate %q, want %q", got, want)
					}
				case method == http.MethodHead:
					// A HEAD response has no body: check the challenge only.
					if want := challengeFor(realm); got != want {
						t.Errorf("got WWW-Authenticate %q, want %q", got, want)
					}
				default:
					wantChallenge(t, resp, realm)
				}
			}
			if resp.Status != ex.wantStatus {
				t.Errorf("%s %s via %s: got status %d, want %d (body %.200q)", method, ex.target, ex.addr, resp.Status, ex.wantStatus, resp.Body)
			}
			got, forwarded := be.lookup(id)
			if forwarded != ex.wantForwarded {
				t.Fatalf("%s %s via %s: got forwarded to the backend %t, want %t", method, ex.target, ex.addr, forwarded, ex.wantForwarded)
			}
			if !forwarded {
				return
			}
			if ex.wantMethod != "" && got.Method != ex.wantMethod {
				t.Errorf("%s %s: backend got method %q, want %q", method, ex.target, got.Method, ex.wantMethod)
			}
			for name, want := range ex.wantHeaders {
				if vals := got.Header.Values(name); strings.Join(vals, ", ") != want {
					t.Errorf("%s %s: backend got %s %q, want %q", method, ex.target, name, vals, want)
				}
			}
		})
	}
}

// tlsRequest is methodRequest over TLS with serverName, accepting any certificate (Traefik's
// default one, in the tests).
func tlsRequest(t *testing.T, addr, serverName, method, target, id string, headers ...string) response {
	t.Helper()
	return requestOn(t, tlsDial(t, addr, serverName), addr, method, target, id, headers...)
}

// methodsConfig bypasses OPTIONS on every path of one router, and has a second router whose
// middleware writes the method in the wrong case, which New must refuse.
const methodsConfig = `
http:
  routers:
    methods:
      entryPoints: [web]
      rule: "Host(` + "`methods.test`" + `)"
      middlewares: [methods]
      service: backend
    lowercase:
      entryPoints: [web]
      rule: "Host(` + "`lowercase.test`" + `)"
      middlewares: [lowercase]
      service: backend
  middlewares:
    methods:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          bypassMethods: [OPTIONS]
    lowercase:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          bypassMethods: [options]
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// TestBypassMethods checks bypassMethods in the real Traefik: a CORS preflight (OPTIONS) reaches
// the backend without credentials on any path, every other method still needs them, and a
// method name in the wrong case is a configuration error, so its router is disabled.
func TestBypassMethods(t *testing.T) {
	t.Parallel()
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{dynamic: methodsConfig, routers: []string{"methods", "lowercase"}})
	wantEnabled(t, tr, "methods")
	if r := tr.Routers["lowercase"]; r.Status != "disabled" || !strings.Contains(strings.Join(r.Error, "\n"), `write "OPTIONS"`) {
		t.Errorf("router lowercase: got status %q, errors %q; want disabled, with an error saying to write \"OPTIONS\"", r.Status, r.Error)
	}

	preflight := []string{"Origin: https://app.example", "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: authorization, content-type"}
	ex := func(name, method, target string, headers []string, status int, forwarded bool) opsExchange {
		e := opsExchange{name: name, addr: tr.Addr, host: "methods.test", method: method, target: target, headers: headers, wantStatus: status, wantForwarded: forwarded}
		if forwarded {
			e.wantMethod = method
		}
		return e
	}
	runOpsExchanges(t, be, []opsExchange{
		ex("preflight on the root", http.MethodOptions, "/", preflight, 200, true),
		ex("preflight on a deep path", http.MethodOptions, "/admin/settings", preflight, 200, true),
		ex("OPTIONS without CORS headers", http.MethodOptions, "/", nil, 200, true),
		ex("GET needs credentials", http.MethodGet, "/", nil, 401, false),
		ex("GET with the preflight's headers needs credentials", http.MethodGet, "/", preflight, 401, false),
		ex("POST needs credentials", http.MethodPost, "/admin/settings", []string{"Content-Length: 0"}, 401, false),
		ex("HEAD needs credentials", http.MethodHead, "/", nil, 401, false),
		ex("lower-case options is another method", "options", "/", nil, 401, false),
		ex("GET with credentials", http.MethodGet, "/", []string{demoBasic}, 200, true),
		{name: "lowercase router is disabled", addr: tr.Addr, host: "lowercase.test", method: http.MethodOptions, target: "/", wantStatus: 404},
	})
}

// sourceConfig has two routers on the IPv4 entrypoint and, when the machine has one, the IPv6
// one: one bypassing IPv6 loopback (as a CIDR, with another IPv6 range), one IPv4 loopback.
const sourceConfig = `
http:
  routers:
    src6:
      entryPoints: [{{EPS}}]
      rule: "Host(` + "`src6.test`" + `)"
      middlewares: [src6]
      service: backend
    src4:
      entryPoints: [{{EPS}}]
      rule: "Host(` + "`src4.test`" + `)"
      middlewares: [src4]
      service: backend
  middlewares:
    src6:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          bypassSourceRange: ["2001:db8::/32", "::1/128"]
    src4:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          bypassSourceRange: ["127.0.0.1"]
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// TestBypassSourceRange checks bypassSourceRange with the connection's address, over IPv4 and,
// on an entrypoint listening on [::1], over IPv6. The IPv6 cases are skipped on a machine
// without an IPv6 loopback.
func TestBypassSourceRange(t *testing.T) {
	t.Parallel()
	v6 := hasIPv6Loopback()
	var eps []*opsEntryPoint
	names := "web"
	noV6 := ""
	if v6 {
		eps = append(eps, &opsEntryPoint{name: "web6", host: "::1"})
		names = "web, web6"
	} else {
		noV6 = "this machine has no IPv6 loopback ([::1])"
	}
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{
		static: opsStatic(t, eps...), staticExt: ".yml",
		dynamic: strings.ReplaceAll(sourceConfig, "{{EPS}}", names),
		routers: []string{"src6", "src4"},
	})
	wantEnabled(t, tr, "src6", "src4")
	addr6 := ""
	if v6 {
		addr6 = eps[0].addr
	}
	runOpsExchanges(t, be, []opsExchange{
		{name: "IPv6 client in an IPv6 range", addr: addr6, skip: noV6, host: "src6.test", target: "/", wantStatus: 200, wantForwarded: true},
		{name: "IPv4 client not in IPv6 ranges", addr: tr.Addr, host: "src6.test", target: "/", wantStatus: 401},
		{name: "IPv4 client in an IPv4 range", addr: tr.Addr, host: "src4.test", target: "/", wantStatus: 200, wantForwarded: true},
		{name: "IPv6 client not in IPv4 ranges", addr: addr6, skip: noV6, host: "src4.test", target: "/", wantStatus: 401},
		{name: "IPv6 client not in range, with credentials", addr: addr6, skip: noV6, host: "src4.test", target: "/", headers: []string{demoBasic}, wantStatus: 200, wantForwarded: true},
		{name: "forged X-Forwarded-For is not the client", addr: tr.Addr, host: "src6.test", target: "/", headers: []string{"X-Forwarded-For: ::1", "X-Real-Ip: ::1"}, wantStatus: 401},
	})
	if v6 {
		// The plugin's refusal log line names the IPv6 client as Traefik saw it.
		id := "src4-v6-wrong-password"
		resp := methodRequest(t, addr6, http.MethodGet, "/", id, "Host: src4.test", basicAuth(demoUser, "wrong-v6"))
		wantChallenge(t, resp, "traefik")
		waitLogLine(t, tr, `basicauthbypass "src4@file": refused ::1: wrong password for user "demo"`)
	}
}

// xffConfig uses ipStrategy on three entrypoints that treat X-Forwarded-For differently: web
// (Traefik's default: the header of an untrusted client is removed), trusted (127.0.0.1, where
// the tests run, is a trusted proxy) and insecure (every client's header is kept).
const xffConfig = `
http:
  routers:
    xff:
      entryPoints: [web, trusted, insecure]
      rule: "Host(` + "`xff.test`" + `)"
      middlewares: [xff]
      service: backend
    excluded:
      entryPoints: [trusted]
      rule: "Host(` + "`excluded.test`" + `)"
      middlewares: [excluded]
      service: backend
    depth2:
      entryPoints: [trusted]
      rule: "Host(` + "`depth2.test`" + `)"
      middlewares: [depth2]
      service: backend
  middlewares:
    xff:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          bypassSourceRange: ["203.0.113.0/24"]
          ipStrategy:
            depth: 1
    excluded:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          bypassSourceRange: ["203.0.113.0/24"]
          ipStrategy:
            excludedIPs: ["198.51.100.0/24"]
    depth2:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          bypassSourceRange: ["203.0.113.0/24"]
          ipStrategy:
            depth: 2
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// TestIPStrategyForwardedFor checks ipStrategy against X-Forwarded-For as Traefik's entrypoints
// hand it to middlewares. Traefik removes the X-Forwarded-* headers of a client that is not in
// the entrypoint's forwardedHeaders.trustedIPs (pkg/middlewares/forwardedheaders) before any
// middleware runs, and joins several header lines into one; it does not add the connection's
// address (that happens when it forwards to the backend). So behind a trusted proxy the
// rightmost entry is what that proxy saw, and a client forging the header gains nothing: on an
// untrusted entrypoint its header is gone, behind a trusted proxy its forged entries are left of
// the proxy's. Only forwardedHeaders.insecure lets a client choose its address.
func TestIPStrategyForwardedFor(t *testing.T) {
	t.Parallel()
	trusted := &opsEntryPoint{name: "trusted", host: "127.0.0.1", extra: "    forwardedHeaders:\n      trustedIPs: [\"127.0.0.1/32\"]\n"}
	insecure := &opsEntryPoint{name: "insecure", host: "127.0.0.1", extra: "    forwardedHeaders:\n      insecure: true\n"}
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{
		static: opsStatic(t, trusted, insecure), staticExt: ".yml",
		dynamic: xffConfig,
		routers: []string{"xff", "excluded", "depth2"},
	})
	wantEnabled(t, tr, "xff", "excluded", "depth2")

	xff := func(v string) []string { return []string{"X-Forwarded-For: " + v} }
	runOpsExchanges(t, be, []opsExchange{
		// A trusted proxy in front of Traefik says who the client is.
		{name: "trusted proxy: client in range", addr: trusted.addr, host: "xff.test", target: "/", headers: xff("203.0.113.7"), wantStatus: 200, wantForwarded: true},
		{name: "trusted proxy: client not in range", addr: trusted.addr, host: "xff.test", target: "/", headers: xff("198.51.100.1"), wantStatus: 401},
		{name: "trusted proxy: no header", addr: trusted.addr, host: "xff.test", target: "/", wantStatus: 401},
		// A client that forged the header before the proxy: the proxy appended the real address.
		{name: "trusted proxy: forged entry left of the real one", addr: trusted.addr, host: "xff.test", target: "/", headers: xff("203.0.113.7, 198.51.100.1"), wantStatus: 401},
		{
			name: "trusted proxy: forged header line before the real one", addr: trusted.addr, host: "xff.test", target: "/",
			headers: []string{"X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 198.51.100.1"}, wantStatus: 401,
		},
		{name: "trusted proxy: credentials still work", addr: trusted.addr, host: "xff.test", target: "/", headers: append(xff("198.51.100.1"), demoBasic), wantStatus: 200, wantForwarded: true},
		// An untrusted client sending the header straight to Traefik.
		{name: "untrusted client: forged header removed by Traefik", addr: tr.Addr, host: "xff.test", target: "/", headers: xff("203.0.113.7"), wantStatus: 401},
		{name: "untrusted client: forged X-Real-Ip too", addr: tr.Addr, host: "xff.test", target: "/", headers: append(xff("203.0.113.7"), "X-Real-Ip: 203.0.113.7"), wantStatus: 401},
		// forwardedHeaders.insecure trusts every client: the forged header wins. Never use it
		// with ipStrategy.
		{name: "insecure entrypoint: forged header believed", addr: insecure.addr, host: "xff.test", target: "/", headers: xff("203.0.113.7"), wantStatus: 200, wantForwarded: true},
		// excludedIPs: the rightmost entry that is not one of our proxies.
		{name: "excludedIPs: client left of our proxy", addr: trusted.addr, host: "excluded.test", target: "/", headers: xff("203.0.113.7, 198.51.100.1"), wantStatus: 200, wantForwarded: true},
		{name: "excludedIPs: forged entry left of the client", addr: trusted.addr, host: "excluded.test", target: "/", headers: xff("203.0.113.7, 192.0.2.1, 198.51.100.1"), wantStatus: 401},
		{name: "excludedIPs: only our proxies", addr: trusted.addr, host: "excluded.test", target: "/", headers: xff("198.51.100.9, 198.51.100.1"), wantStatus: 401},
		// depth 2: the second entry from the right.
		{name: "depth 2: client two hops away", addr: trusted.addr, host: "depth2.test", target: "/", headers: xff("203.0.113.7, 198.51.100.1"), wantStatus: 200, wantForwarded: true},
		{name: "depth 2: one entry only", addr: trusted.addr, host: "depth2.test", target: "/", headers: xff("203.0.113.7"), wantStatus: 401},
		{name: "depth 2: forged third entry", addr: trusted.addr, host: "depth2.test", target: "/", headers: xff("203.0.113.7, 192.0.2.1, 198.51.100.1"), wantStatus: 401},
	})
}

// usersFileLiveConfig protects the whole site with the users of {{DIR}}/users.
const usersFileLiveConfig = `
http:
  routers:
    live:
      entryPoints: [web]
      rule: "PathPrefix(` + "`/`" + `)"
      middlewares: [live]
      service: backend
  middlewares:
    live:
      plugin:
        basicauthbypass:
          usersFile: "{{DIR}}/users"
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// The users of TestUsersFileLiveEdit, made with htpasswd -nbs NAME PASSWORD.
const (
	aliceLine = "alice:{SHA}g2YDYHBhl9R/ddqtGep+ipAO4aU=" // htpasswd -nbs alice alice-pw
	bobLine   = "bob:{SHA}bOWgjgJew8XNjPXTyFghAc+ha1M="   // htpasswd -nbs bob bob-pw
	carolLine = "carol:{SHA}hsAaMBat8aKiQgxhKhAqvbXOPbw=" // htpasswd -nbs carol carol-pw
	// carolPlain is a plain-text "hash", which the plugin refuses (and must never log).
	carolPlain = "carol:carol-plain-secret"
)

// liveEditBound bounds how long an edit of usersFile may take to be seen: the plugin checks the
// file at most every 3 s, on a request, so a client sending requests sees it within about 3 s.
const liveEditBound = 8 * time.Second

// TestUsersFileLiveEdit edits usersFile while a client keeps sending requests: an added user
// works within seconds, a removed one is refused from then on (its cached verification is
// forgotten), a broken edit keeps the last good users and puts the plugin's error, with file
// and line and without the secret, in Traefik's output, and a fixed file is used again.
func TestUsersFileLiveEdit(t *testing.T) {
	t.Parallel()
	be := startBackend(t)
	var usersPath string
	tr := startTraefik(t, be, traefikConfig{dynamic: usersFileLiveConfig, routers: []string{"live"}, prepare: func(t *testing.T, dir string) {
		usersPath = filepath.Join(dir, "users")
		writeFile(t, usersPath, "# made with htpasswd -nbs\n"+aliceLine+"\n")
	}})
	wantEnabled(t, tr, "live")

	// The background client: alice, every 50 ms, from before the first edit to the end.
	type result struct {
		sent, done time.Time
		status     int
	}
	var (
		mu      sync.Mutex
		results []result
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			sent := time.Now()
			status, err := liveStatus(tr.Addr, "alice", "alice-pw")
			if err != nil {
				status = -1
			}
			mu.Lock()
			results = append(results, result{sent, time.Now(), status})
			mu.Unlock()
		}
	}()
	var stopOnce sync.Once
	stopClient := func() {
		stopOnce.Do(func() {
			close(stop)
			<-done
		})
	}
	defer stopClient()

	waitStatus := func(user, password string, want int) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			status, err := liveStatus(tr.Addr, user, password)
			if err == nil && status == want {
				return time.Since(start)
			}
			if time.Since(start) > liveEditBound {
				t.Fatalf("%s: got status %d (%v) for %v after the edit, want %d within %v", user, status, err, time.Since(start).Round(time.Millisecond), want, liveEditBound)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	wantNow := func(user, password string, want int) {
		t.Helper()
		if status, err := liveStatus(tr.Addr, user, password); err != nil || status != want {
			t.Errorf("%s: got status %d (%v), want %d", user, status, err, want)
		}
	}

	wantNow("alice", "alice-pw", 200)
	wantNow("bob", "bob-pw", 401)

	// Add bob.
	writeFile(t, usersPath, "# made with htpasswd -nbs\n"+aliceLine+"\n"+bobLine+"\n")
	took := waitStatus("bob", "bob-pw", 200)
	t.Logf("added user bob accepted %v after the edit", took.Round(time.Millisecond))
	wantNow("alice", "alice-pw", 200)

	// Remove alice, whose credentials are in the verification cache.
	removedAt := time.Now()
	writeFile(t, usersPath, bobLine+"\n")
	took = waitStatus("alice", "alice-pw", 401)
	t.Logf("removed user alice refused %v after the edit", took.Round(time.Millisecond))
	refusedAt := time.Now()
	wantNow("bob", "bob-pw", 200)

	// A broken edit: carol in plain text on line 2.
	writeFile(t, usersPath, bobLine+"\n"+carolPlain+"\n")
	errLine := fmt.Sprintf(`basicauthbypass "live@file": usersFile %q changed but cannot be used, keeping the users loaded before (1): option usersFile %s:2: user "carol"`, usersPath, usersPath)
	line := waitLogLine(t, tr, errLine)
	t.Logf("broken edit logged: %s", line)
	if strings.Contains(tr.log(t), "carol-plain-secret") {
		t.Errorf("Traefik's output contains carol's plain-text password")
	}
	wantNow("bob", "bob-pw", 200)
	wantNow("carol", "carol-plain-secret", 401)
	wantNow("alice", "alice-pw", 401)

	// Fixed: carol with a hash.
	writeFile(t, usersPath, bobLine+"\n"+carolLine+"\n")
	took = waitStatus("carol", "carol-pw", 200)
	t.Logf("fixed file used %v after the edit", took.Round(time.Millisecond))
	wantNow("bob", "bob-pw", 200)
	waitLogLine(t, tr, fmt.Sprintf(`basicauthbypass "live@file": usersFile %q reloaded: 2 users (sha1 2)`, usersPath))

	// The background client only ever got 200 or 401, never an error; alice was accepted
	// until she was removed, and refused once she had been.
	stopClient()
	mu.Lock()
	defer mu.Unlock()
	if len(results) < 20 {
		t.Errorf("the background client made %d requests, want at least 20", len(results))
	}
	for _, r := range results {
		if r.status != 200 && r.status != 401 {
			t.Errorf("background request sent at %v: got status %d, want 200 or 401", r.sent.Format(time.StampMilli), r.status)
		}
		if r.done.Before(removedAt) && r.status != 200 {
			t.Errorf("background request done at %v, before alice was removed: got status %d, want 200", r.done.Format(time.StampMilli), r.status)
		}
		if r.sent.After(refusedAt) && r.status == 200 {
			t.Errorf("background request sent at %v, after alice was refused: got 200, want 401", r.sent.Format(time.StampMilli))
		}
	}
}

// liveStatus sends GET / with user's credentials on a new connection and returns the status.
func liveStatus(addr, user, password string) (int, error) {
	conn, err := net.DialTimeout("tcp", addr, requestTimeout)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: live.test\r\n%s\r\nConnection: close\r\n\r\n", basicAuth(user, password)); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// waitLogLine waits, bounded, for a line of Traefik's output that starts with prefix, and
// returns it.
func waitLogLine(t *testing.T, tr *traefik, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(liveEditBound)
	for {
		for _, line := range strings.Split(tr.log(t), "\n") {
			if strings.HasPrefix(line, prefix) {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line starting with %q in Traefik's output within %v", prefix, liveEditBound)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// logsConfig is the plugin with the demo user on the whole site, /api/ bypassed, and a usersFile
// that the test removes to make the plugin write to its standard error.
const logsConfig = `
http:
  routers:
    logs:
      entryPoints: [web]
      rule: "PathPrefix(` + "`/`" + `)"
      middlewares: [logs]
      service: backend
  middlewares:
    logs:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          usersFile: "{{DIR}}/users"
          bypassPaths: ["^/api/"]
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// logsWrongPassword is sent as a wrong password; it must never appear in Traefik's output.
const logsWrongPassword = "wrong-password-never-logged"

// pluginLogLines starts Traefik with logsConfig, provokes every kind of refusal and a usersFile
// that cannot be read, and returns the running Traefik once the plugin has written its lines.
func pluginLogLines(t *testing.T) *traefik {
	t.Helper()
	be := startBackend(t)
	var usersPath string
	tr := startTraefik(t, be, traefikConfig{dynamic: logsConfig, routers: []string{"logs"}, prepare: func(t *testing.T, dir string) {
		usersPath = filepath.Join(dir, "users")
		writeFile(t, usersPath, bobLine+"\n")
	}})
	wantEnabled(t, tr, "logs")
	for i, headers := range [][]string{
		{basicAuth(demoUser, logsWrongPassword)},
		{basicAuth("mallory", logsWrongPassword)},
		{"Authorization: Basic !!!"},
		nil, // no credentials: the first step of Basic Auth, not logged
	} {
		wantChallenge(t, rawRequest(t, tr.Addr, "/", fmt.Sprintf("logs-%d", i), headers...), "traefik")
	}
	if err := os.Remove(usersPath); err != nil {
		t.Fatal(err)
	}
	// The next request 3 s after New finds the file gone.
	deadline := time.Now().Add(liveEditBound)
	for !strings.Contains(tr.log(t), "cannot be read") {
		if time.Now().After(deadline) {
			t.Fatalf("the plugin did not report the removed usersFile within %v", liveEditBound)
		}
		time.Sleep(200 * time.Millisecond)
		_ = rawRequest(t, tr.Addr, "/", "logs-poll", demoBasic)
	}
	return tr
}

// TestPluginLogLines checks the plugin's lines in Traefik's output with Traefik's defaults:
// Yaegi gives the plugin the process's own standard output and error (Traefik hands the
// interpreter zerolog writers, which Yaegi uses for os.Stdout and os.Stderr only when
// YAEGI_SPECIAL_STDIO is set), so the lines appear as written, without time or level, at any
// log.level. The start line and the refusals go to standard output; the usersFile error goes to
// standard error. No password or hash appears in them.
func TestPluginLogLines(t *testing.T) {
	t.Parallel()
	tr := pluginLogLines(t)
	const p = `basicauthbypass "logs@file": `
	for _, want := range []string{
		p + `2 users (bcrypt 1, sha1 1); bypassPaths ["^/api/"], bypassMethods [], bypassSourceRange []; maxFailures 0`,
		p + `refused 127.0.0.1: wrong password for user "demo"`,
		p + `refused 127.0.0.1: unknown user`,
		p + `refused 127.0.0.1: malformed Authorization header`,
		p + `usersFile "` + filepath.Join(tr.Dir, "users") + `" cannot be read, keeping the users loaded before (2): `,
	} {
		if line := waitLogLine(t, tr, want); line == "" {
			t.Errorf("no line %q", want)
		}
	}
	log := tr.log(t)
	if n := strings.Count(log, p+"refused"); n != 3 {
		t.Errorf("got %d refusal lines, want 3 (a request without credentials is not logged)", n)
	}
	for _, secret := range []string{logsWrongPassword, "mallory:" + logsWrongPassword} {
		if strings.Contains(log, secret) {
			t.Errorf("Traefik's output contains %q", secret)
		}
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, p) && !strings.HasPrefix(line, p) {
			t.Errorf("plugin line %q has a prefix: with Traefik's defaults it should appear as written", line)
		}
	}
}

// TestPluginLogLinesSpecialStdio checks the plugin's lines with YAEGI_SPECIAL_STDIO=true in
// Traefik's environment: Yaegi then gives the plugin Traefik's zerolog writers, so its standard
// output becomes DBG lines and its standard error ERR lines, with Traefik's time stamp and the
// plugin's module. It sets an environment variable, so it cannot run in parallel.
func TestPluginLogLinesSpecialStdio(t *testing.T) {
	t.Setenv("YAEGI_SPECIAL_STDIO", "true")
	tr := pluginLogLines(t)
	for _, want := range []struct{ level, text string }{
		{" DBG ", `basicauthbypass "logs@file": 2 users (bcrypt 1, sha1 1)`},
		{" DBG ", `basicauthbypass "logs@file": refused 127.0.0.1: wrong password for user "demo"`},
		{" ERR ", `basicauthbypass "logs@file": usersFile "` + filepath.Join(tr.Dir, "users") + `" cannot be read`},
	} {
		lines := tr.logLines(t, want.level, want.text, "module="+pluginModule)
		if len(lines) == 0 {
			t.Errorf("no line with %q, %q and module=%s", want.level, want.text, pluginModule)
		}
		for _, line := range lines {
			t.Logf("%s", line)
		}
	}
}

package demo_test

// This file holds the end-to-end tests of hostile clients that the options test does not cover:
// brute-force throttling (maxFailures, failureWindow) in the real Traefik, and headerField forged
// in every spelling at once, on every kind of bypass and on authenticated requests.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	// throttleUser and throttlePassword are the user of throttleConfig, a {SHA} entry so that
	// failures are cheap and the window's timing is not blurred by slow hashes; throttleHash was
	// made with: htpasswd -nbs thr secret
	throttleUser     = "thr"
	throttlePassword = "secret"
	throttleHash     = "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="
	// throttleMax and throttleWindow are the maxFailures and failureWindow of throttleConfig.
	// The window is long enough for the steps up to the first 429 even on a loaded machine.
	throttleMax    = 3
	throttleWindow = 5 * time.Second
)

// throttleConfig throttles after throttleMax failures within throttleWindow, /api/ bypassed.
var throttleConfig = fmt.Sprintf(`
http:
  routers:
    thr:
      entryPoints: [web]
      rule: "PathPrefix(`+"`/`"+`)"
      middlewares: [thr]
      service: backend
  middlewares:
    thr:
      plugin:
        basicauthbypass:
          users:
            - "%s:%s"
          bypassPaths:
            - "^/api/"
          maxFailures: %d
          failureWindow: %s
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`, throttleUser, throttleHash, throttleMax, throttleWindow)

// throttleStep is one request of TestThrottle, sent in order, and what must come of it.
type throttleStep struct {
	name    string
	target  string
	headers []string
	// wantStatus is the status the client must get.
	wantStatus int
	// wantForwarded says whether the backend must have received the request.
	wantForwarded bool
	// waitWindow makes the step wait, before its request, until the client's window has passed.
	waitWindow bool
}

// TestThrottle checks maxFailures and failureWindow in the real Traefik, from 127.0.0.1: after
// throttleMax failed logins within the window the client gets 429 with Retry-After, even with the
// right password or a forged X-Forwarded-For, and nothing reaches the backend; bypassed paths
// keep answering 200; once the window has passed the right password works, and a password
// checked and found right starts the count over. Credentials verified before (cached) are not
// guesses: they get in even while throttled, and neither count nor start the count over.
func TestThrottle(t *testing.T) {
	t.Parallel()
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{dynamic: throttleConfig, routers: []string{"thr"}})
	wantEnabled(t, tr, "thr")

	right := basicAuth(throttleUser, throttlePassword)
	rightLower := "Authorization: basic " + strings.TrimPrefix(right, "Authorization: Basic ")
	wrong := func(i int) string { return basicAuth(throttleUser, fmt.Sprintf("wrong-%d", i)) }
	steps := []throttleStep{
		{name: "failure 1", target: "/", headers: []string{wrong(1)}, wantStatus: 401},
		{name: "failure 2, unknown user", target: "/", headers: []string{basicAuth("mallory", "x")}, wantStatus: 401},
		{name: "no credentials: the first step of Basic Auth, not a failure", target: "/", wantStatus: 401},
		{name: "bypassed before the limit", target: "/api/chat", wantStatus: 200, wantForwarded: true},
		{name: "failure 3 reaches the limit", target: "/", headers: []string{wrong(3)}, wantStatus: 401},
		{name: "right password while throttled", target: "/", headers: []string{right}, wantStatus: 429},
		{name: "wrong password while throttled", target: "/x", headers: []string{wrong(4)}, wantStatus: 429},
		{
			name: "forged X-Forwarded-For while throttled", target: "/",
			headers:    []string{right, "X-Forwarded-For: 203.0.113.7", "X-Real-Ip: 203.0.113.7", "Forwarded: for=203.0.113.7"},
			wantStatus: 429,
		},
		{name: "no credentials while throttled: challenged, no password to check", target: "/", wantStatus: 401},
		{name: "bypassed while throttled", target: "/api/chat", wantStatus: 200, wantForwarded: true},
		{name: "bypassed with Basic credentials while throttled", target: "/api/x", headers: []string{wrong(5)}, wantStatus: 200, wantForwarded: true},
		{name: "right password once the window has passed", target: "/", headers: []string{right}, wantStatus: 200, wantForwarded: true, waitWindow: true},
		{name: "failure 1 of a new count", target: "/", headers: []string{wrong(6)}, wantStatus: 401},
		{name: "failure 2 of a new count", target: "/", headers: []string{wrong(7)}, wantStatus: 401},
		// The scheme in lower case is a header the cache has not seen: its password is checked.
		{name: "a password checked and found right starts the count over", target: "/", headers: []string{rightLower}, wantStatus: 200, wantForwarded: true},
		{name: "failure 1 after the success", target: "/", headers: []string{wrong(8)}, wantStatus: 401},
		{name: "failure 2 after the success", target: "/", headers: []string{wrong(9)}, wantStatus: 401},
		{name: "cached credentials neither count nor start the count over", target: "/", headers: []string{right}, wantStatus: 200, wantForwarded: true},
		{name: "failure 3 after the success reaches the limit", target: "/", headers: []string{wrong(10)}, wantStatus: 401},
		{name: "cached credentials get in while throttled", target: "/", headers: []string{right}, wantStatus: 200, wantForwarded: true},
		{name: "a new password check is throttled", target: "/", headers: []string{wrong(11)}, wantStatus: 429},
	}
	var throttledUntil time.Time
	for i, st := range steps {
		if st.waitWindow {
			if throttledUntil.IsZero() {
				t.Fatalf("step %q: no 429 gave a Retry-After to wait for", st.name)
			}
			time.Sleep(time.Until(throttledUntil) + 200*time.Millisecond)
		}
		id := fmt.Sprintf("%s-%d", t.Name(), i)
		resp := rawRequest(t, tr.Addr, st.target, id, st.headers...)
		if resp.Status != st.wantStatus {
			t.Fatalf("step %q: GET %s: got status %d, want %d (body %.200q)", st.name, st.target, resp.Status, st.wantStatus, resp.Body)
		}
		if resp.Status == http.StatusUnauthorized {
			wantChallenge(t, resp, "traefik")
		}
		if resp.Status == http.StatusTooManyRequests {
			wait := wantRetryAfter(t, resp, http.StatusTooManyRequests, throttleWindow)
			if until := time.Now().Add(wait); until.After(throttledUntil) {
				throttledUntil = until
			}
		}
		if _, forwarded := be.lookup(id); forwarded != st.wantForwarded {
			t.Fatalf("step %q: GET %s: got forwarded to the backend %t, want %t", st.name, st.target, forwarded, st.wantForwarded)
		}
	}
	if lines := tr.logLines(t, "refused 127.0.0.1: throttled for"); len(lines) == 0 {
		t.Errorf("got no %q line in Traefik's log, want one per 429", "throttled for")
	}
}

// wantRetryAfter checks that resp is the plugin's plain-text answer with status and a
// Retry-After of whole seconds between 1 and max rounded up, and returns that wait.
func wantRetryAfter(t *testing.T, resp response, status int, max time.Duration) time.Duration {
	t.Helper()
	if got, want := resp.Body, fmt.Sprintf("%d %s\n", status, http.StatusText(status)); got != want {
		t.Errorf("got body %q, want %q", got, want)
	}
	if got, want := resp.Header.Get("Content-Type"), "text/plain; charset=utf-8"; got != want {
		t.Errorf("got Content-Type %q, want %q", got, want)
	}
	ra := resp.Header.Get("Retry-After")
	seconds, err := strconv.Atoi(ra)
	maxSeconds := int((max + time.Second - 1) / time.Second)
	if err != nil || seconds < 1 || seconds > maxSeconds {
		t.Fatalf("got Retry-After %q, want whole seconds from 1 to %d", ra, maxSeconds)
	}
	return time.Duration(seconds) * time.Second
}

// forgeConfig has headerField set (written in lower case, as users may) on three middlewares that
// bypass in each of the three ways: by path, by method, and by source address.
const forgeConfig = `
http:
  routers:
    forge:
      entryPoints: [web]
      rule: "Host(` + "`forge.test`" + `)"
      middlewares: [forge]
      service: backend
    forgesrc:
      entryPoints: [web]
      rule: "Host(` + "`src.test`" + `)"
      middlewares: [forgesrc]
      service: backend
  middlewares:
    forge:
      plugin:
        basicauthbypass:
          users:
            - "demo:` + demoHash + `"
          headerField: x-auth-user
          bypassPaths: ["^/api/"]
          bypassMethods: [OPTIONS]
    forgesrc:
      plugin:
        basicauthbypass:
          users:
            - "demo:` + demoHash + `"
          headerField: x-auth-user
          bypassSourceRange: ["127.0.0.1/32", "::1/128"]
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// forgedField is the canonical spelling of forgeConfig's headerField.
const forgedField = "X-Auth-User"

// TestAdversarialHeaderField sends headerField in every spelling at once (every letter in
// either case, every dash as a dash or an underscore: 2048 header lines) and checks that none of
// them reaches the backend, whichever way the request is let through: authenticated (then only
// the plugin's own value arrives), bypassed by path, by method and by source address.
func TestAdversarialHeaderField(t *testing.T) {
	t.Parallel()
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{dynamic: forgeConfig, routers: []string{"forge", "forgesrc"}})
	wantEnabled(t, tr, "forge", "forgesrc")

	forged := forgedSpellings(forgedField)
	if len(forged) != 2048 {
		t.Fatalf("got %d spellings, want 2048", len(forged))
	}
	var lines []string
	for i, name := range forged {
		lines = append(lines, fmt.Sprintf("%s: forged-%d", name, i))
	}
	lines = append(lines, forgedField+":") // an empty value is a value too

	tests := []struct {
		name, method, host, target string
		headers                    []string
		// wantUser is the only value of forgedField the backend may get; "" means none.
		wantUser string
	}{
		{name: "authenticated", method: "GET", host: "forge.test", target: "/", headers: []string{demoBasic}, wantUser: demoUser},
		{name: "bypassed by path", method: "GET", host: "forge.test", target: "/api/chat", headers: []string{"Authorization: Bearer x"}},
		{name: "bypassed by path, wrong Basic credentials", method: "GET", host: "forge.test", target: "/api/chat", headers: []string{basicAuth(demoUser, "wrong")}},
		{name: "bypassed by path after Traefik cleans it", method: "GET", host: "forge.test", target: "/admin/../api/x"},
		{name: "bypassed by method", method: "OPTIONS", host: "forge.test", target: "/admin"},
		{name: "bypassed by source address", method: "GET", host: "src.test", target: "/admin"},
		{name: "bypassed by source address, with credentials", method: "GET", host: "src.test", target: "/", headers: []string{demoBasic}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := fmt.Sprintf("%s-%d", t.Name(), i)
			c := &rawClient{addr: tr.Addr, host: tt.host}
			defer c.close()
			headers := append(append([]string{idHeader + ": " + id, "Connection: close"}, tt.headers...), lines...)
			resp, err := c.do(tt.method, tt.target, headers...)
			if err != nil {
				t.Fatalf("%s %s: %v", tt.method, tt.target, err)
			}
			if resp.Status != http.StatusOK {
				t.Fatalf("%s %s: got status %d, want %d (body %.200q)", tt.method, tt.target, resp.Status, http.StatusOK, resp.Body)
			}
			got, forwarded := be.lookup(id)
			if !forwarded {
				t.Fatalf("%s %s: got forwarded to the backend false, want true", tt.method, tt.target)
			}
			for key, vals := range got.Header {
				if !sameFieldName(key, forgedField) {
					continue
				}
				if key != forgedField || tt.wantUser == "" || len(vals) != 1 || vals[0] != tt.wantUser {
					t.Errorf("%s %s: backend got %s %q, want %s", tt.method, tt.target, key, vals, describeUser(tt.wantUser))
				}
			}
			if vals := got.Header.Values(forgedField); tt.wantUser != "" && (len(vals) != 1 || vals[0] != tt.wantUser) {
				t.Errorf("%s %s: backend got %s %q, want %q", tt.method, tt.target, forgedField, vals, tt.wantUser)
			}
		})
	}

	// Names that Go's server refuses before Traefik routes them, and must never arrive either:
	// a Unicode letter that case-folds to "s" (strings.EqualFold("ſ", "s") is true), and white
	// space before the colon.
	for i, line := range []string{"X-Auth-Uſer: admin", "X-Auth-User : admin", "X-Auth-User\t: admin"} {
		t.Run(fmt.Sprintf("refused spelling %q", line), func(t *testing.T) {
			t.Parallel()
			id := fmt.Sprintf("%s-refused-%d", t.Name(), i)
			c := &rawClient{addr: tr.Addr, host: "forge.test"}
			defer c.close()
			resp, err := c.do("GET", "/api/chat", idHeader+": "+id, "Connection: close", line)
			if err != nil {
				t.Fatalf("GET /api/chat: %v", err)
			}
			got, forwarded := be.lookup(id)
			t.Logf("got status %d, forwarded %t", resp.Status, forwarded)
			for key, vals := range got.Header {
				if sameFieldName(key, forgedField) || strings.EqualFold(strings.TrimSpace(key), forgedField) {
					t.Errorf("backend got %q %q, want no such header", key, vals)
				}
			}
		})
	}
}

// forgedSpellings returns every spelling of name with each ASCII letter in either case and each
// dash as a dash or an underscore.
func forgedSpellings(name string) []string {
	out := []string{""}
	for i := 0; i < len(name); i++ {
		c := name[i]
		var alts []string
		switch {
		case c == '-':
			alts = []string{"-", "_"}
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			alts = []string{strings.ToLower(string(c)), strings.ToUpper(string(c))}
		default:
			alts = []string{string(c)}
		}
		next := make([]string, 0, len(out)*len(alts))
		for _, prefix := range out {
			for _, a := range alts {
				next = append(next, prefix+a)
			}
		}
		out = next
	}
	return out
}

// sameFieldName reports whether a backend could read header key as name: equal ignoring ASCII
// case, with underscores read as dashes (as CGI, PHP and WSGI servers read them).
func sameFieldName(key, name string) bool {
	return strings.EqualFold(strings.ReplaceAll(key, "_", "-"), name)
}

// describeUser is the wanted value of forgedField in a failure message.
func describeUser(user string) string {
	if user == "" {
		return "no such header"
	}
	return fmt.Sprintf("only %s %q", forgedField, user)
}

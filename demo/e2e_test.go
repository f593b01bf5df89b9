// Package demo_test holds the end-to-end tests: each starts the real Traefik v3.6.12 ($TRAEFIK_BIN,
// or bin/traefik, built if missing) with the plugin laid out fresh from the repository root (or
// $PLUGIN_SRC) as a local plugin, in front of a recording echo backend, and asserts on what the
// client got and what the backend received. Requests are written raw on a TCP connection so that
// the paths reach Traefik exactly as a hostile client would send them.
package demo_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

// scenarioConfig returns config/dynamic.yml, the demo's LibreChat scenario, pointed at the backend.
func scenarioConfig(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("config/dynamic.yml")
	if err != nil {
		t.Fatal(err)
	}
	const committed = "http://127.0.0.1:8081"
	if !strings.Contains(string(data), committed) {
		t.Fatalf("config/dynamic.yml no longer points at %s", committed)
	}
	return strings.ReplaceAll(string(data), committed, "{{BACKEND}}")
}

// wantEnabled fails the test unless every router is enabled in Traefik's API.
func wantEnabled(t *testing.T, tr *traefik, names ...string) {
	t.Helper()
	for _, name := range names {
		if r := tr.Routers[name]; r.Status != "enabled" {
			t.Fatalf("router %s: got status %q (errors %q), want enabled", name, r.Status, r.Error)
		}
	}
}

// exchange is one request of a table and what must come of it.
type exchange struct {
	name    string
	target  string
	headers []string
	// wantStatus is the status the client must get.
	wantStatus int
	// wantForwarded says whether the backend must have received the request.
	wantForwarded bool
	// wantHeaders are header values the backend must have received ("" means absent), when
	// wantForwarded.
	wantHeaders map[string]string
	// wantRequestURI is the request target the backend must have received, when not empty.
	wantRequestURI string
}

// runExchanges sends each exchange to addr in a parallel subtest and checks the client's and the
// backend's side. A 401 must be the plugin's challenge for realm.
func runExchanges(t *testing.T, be *backend, addr, realm string, exchanges []exchange) {
	t.Helper()
	for i, ex := range exchanges {
		id := fmt.Sprintf("%s-%d", t.Name(), i)
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			resp := rawRequest(t, addr, ex.target, id, ex.headers...)
			if resp.Status == http.StatusUnauthorized {
				wantChallenge(t, resp, realm)
			}
			if resp.Status != ex.wantStatus {
				t.Errorf("GET %s: got status %d, want %d (body %.200q)", ex.target, resp.Status, ex.wantStatus, resp.Body)
			}
			got, forwarded := be.lookup(id)
			if forwarded != ex.wantForwarded {
				t.Fatalf("GET %s: got forwarded to the backend %t (as %q), want %t", ex.target, forwarded, got.RequestURI, ex.wantForwarded)
			}
			if !forwarded {
				return
			}
			t.Logf("GET %s: backend got request URI %q (path %q)", ex.target, got.RequestURI, got.Path)
			if ex.wantRequestURI != "" && got.RequestURI != ex.wantRequestURI {
				t.Errorf("GET %s: backend got request URI %q, want %q", ex.target, got.RequestURI, ex.wantRequestURI)
			}
			for name, want := range ex.wantHeaders {
				if vals := got.Header.Values(name); strings.Join(vals, ", ") != want {
					t.Errorf("GET %s: backend got %s %q, want %q", ex.target, name, vals, want)
				}
			}
		})
	}
}

// demoBasic is the Authorization header line with the demo credentials, and demoBasicValue its value.
var (
	demoBasic      = basicAuth(demoUser, demoPassword)
	demoBasicValue = "Basic " + base64.StdEncoding.EncodeToString([]byte(demoUser+":"+demoPassword))
)

// TestScenario runs the demo's own configuration (config/dynamic.yml): the whole site behind Basic
// Auth, /api/ bypassed with its Bearer token intact.
func TestScenario(t *testing.T) {
	t.Parallel()
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{dynamic: scenarioConfig(t), routers: []string{"site"}})
	wantEnabled(t, tr, "site")

	t.Run("credentials", func(t *testing.T) {
		runExchanges(t, be, tr.Addr, "traefik", []exchange{
			{name: "no credentials", target: "/", wantStatus: 401},
			{name: "wrong password", target: "/", headers: []string{basicAuth(demoUser, "wrong")}, wantStatus: 401},
			{name: "unknown user", target: "/c/new", headers: []string{basicAuth("mallory", demoPassword)}, wantStatus: 401},
			{name: "empty password", target: "/c/new", headers: []string{basicAuth(demoUser, "")}, wantStatus: 401},
			{name: "bearer token on a protected path", target: "/c/new", headers: []string{"Authorization: Bearer x"}, wantStatus: 401},
			{name: "malformed basic", target: "/", headers: []string{"Authorization: Basic !!!"}, wantStatus: 401},
			{
				name: "right credentials", target: "/c/new?q=1", headers: []string{demoBasic},
				wantStatus: 200, wantForwarded: true, wantRequestURI: "/c/new?q=1",
				wantHeaders: map[string]string{"Authorization": demoBasicValue},
			},
			{
				name: "right credentials, lower-case scheme", target: "/", headers: []string{"authorization: basic " + strings.TrimPrefix(demoBasicValue, "Basic ")},
				wantStatus: 200, wantForwarded: true,
			},
		})
	})

	t.Run("bypass", func(t *testing.T) {
		runExchanges(t, be, tr.Addr, "traefik", []exchange{
			{
				name: "bearer token kept", target: "/api/chat", headers: []string{"Authorization: Bearer x"},
				wantStatus: 200, wantForwarded: true, wantRequestURI: "/api/chat",
				wantHeaders: map[string]string{"Authorization": "Bearer x"},
			},
			{
				name: "no authorization at all", target: "/api/",
				wantStatus: 200, wantForwarded: true, wantRequestURI: "/api/",
				wantHeaders: map[string]string{"Authorization": ""},
			},
			{
				name: "wrong basic credentials passed through untouched", target: "/api/chat", headers: []string{basicAuth(demoUser, "wrong")},
				wantStatus: 200, wantForwarded: true,
				wantHeaders: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("demo:wrong"))},
			},
		})
	})

	// Paths that look like /api/ to a careless check but are not bypassed (path confusion, case,
	// query, boundary): each must need credentials, and get through with them, so the 401 is the
	// plugin's decision and not a path Traefik refuses anyway.
	confusing := []string{
		"/api/../admin",
		"/api/%2e%2e/admin",
		"/api/%2E%2E/admin",
		"/api%2F..%2Fadmin",
		"/api%2f..%2fadmin",
		"/api/..;/admin",
		"/api/%2e%2e;/admin",
		`/api\..\admin`,
		"/api%5C..%5Cadmin",
		"/api/%252e%252e/admin",
		"/api/%25252e%25252e/admin",
		"//api/../admin",
		"/api/./../admin",
		"/API/x",
		"/Api/chat",
		"/%61pi/../admin",
		"/admin?/api/",
		"/api",
		"/apix/y",
	}
	t.Run("path confusion without credentials", func(t *testing.T) {
		var exs []exchange
		for _, target := range confusing {
			exs = append(exs, exchange{name: target, target: target, wantStatus: 401})
		}
		runExchanges(t, be, tr.Addr, "traefik", exs)
	})
	t.Run("path confusion with credentials", func(t *testing.T) {
		var exs []exchange
		for _, target := range confusing {
			exs = append(exs, exchange{
				name: target, target: target, headers: []string{demoBasic},
				wantStatus: 200, wantForwarded: true,
				wantHeaders: map[string]string{"Authorization": demoBasicValue},
			})
		}
		runExchanges(t, be, tr.Addr, "traefik", exs)
	})

	// Never bypassed: an encoded NUL or control character, even under /api/.
	t.Run("control characters", func(t *testing.T) {
		runExchanges(t, be, tr.Addr, "traefik", []exchange{
			{name: "encoded NUL", target: "/api/%00", wantStatus: 401},
			{name: "encoded newline", target: "/api/x%0ay", wantStatus: 401},
			{name: "encoded DEL", target: "/api/x%7f", wantStatus: 401},
		})
	})

	t.Run("pass without credentials", func(t *testing.T) {
		runExchanges(t, be, tr.Addr, "traefik", []exchange{
			{name: "/api/chat", target: "/api/chat", wantStatus: 200, wantForwarded: true, wantRequestURI: "/api/chat"},
			{name: "/api/", target: "/api/", wantStatus: 200, wantForwarded: true, wantRequestURI: "/api/"},
			{name: "/api/x%20y", target: "/api/x%20y", wantStatus: 200, wantForwarded: true, wantRequestURI: "/api/x%20y"},
			{name: "/api/chat?q=..%2F", target: "/api/chat?q=..%2F", wantStatus: 200, wantForwarded: true, wantRequestURI: "/api/chat?q=..%2F"},
		})
	})
}

package basicauthbypass

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// request builds a GET for /private from remote with Basic credentials user:password.
func request(remote, user, password string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "http://example.com/private", nil)
	req.RemoteAddr = remote
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	return req
}

// newTestMiddleware builds the middleware with one user, alice:wonderland.
func newTestMiddleware(t *testing.T, config *Config) *basicAuthBypass {
	t.Helper()
	config.Users = []string{aliceSHA}
	m, err := newMiddleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), config, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestThrottleThroughHandler(t *testing.T) {
	m := newTestMiddleware(t, &Config{MaxFailures: 2, FailureWindow: "90s"})
	steps := []struct {
		name           string
		remote         string
		password       string
		want           int
		wantRetryAfter string
	}{
		{name: "first failure", remote: "192.0.2.1:1000", password: "x", want: 401},
		{name: "second failure", remote: "192.0.2.1:1001", password: "y", want: 401},
		{name: "throttled even with the right password", remote: "192.0.2.1:1002", password: "wonderland", want: 429, wantRetryAfter: "90"},
		{name: "another client is not throttled", remote: "192.0.2.2:1000", password: "wonderland", want: 200},
		{name: "ipv6 client", remote: "[2001:db8::1]:1000", password: "x", want: 401},
	}
	for _, s := range steps {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, request(s.remote, "alice", s.password))
		if rec.Code == 0 || rec.Code == http.StatusOK && s.want != 200 {
			t.Errorf("%s: got status %d, want %d", s.name, rec.Code, s.want)
			continue
		}
		if rec.Code != s.want {
			t.Errorf("%s: got status %d, want %d", s.name, rec.Code, s.want)
		}
		if got := rec.Header().Get("Retry-After"); got != s.wantRetryAfter {
			t.Errorf("%s: got Retry-After %q, want %q", s.name, got, s.wantRetryAfter)
		}
	}
}

func TestCachedCredentialsAreNotThrottled(t *testing.T) {
	m := newTestMiddleware(t, &Config{MaxFailures: 2, FailureWindow: "90s"})
	const remote = "192.0.2.1:1000"
	// The scheme in lower case: the same credentials, in a header the cache has not seen.
	lower := request(remote, "alice", "wonderland")
	lower.Header.Set("Authorization", "basic "+strings.TrimPrefix(lower.Header.Get("Authorization"), "Basic "))
	steps := []struct {
		name string
		req  *http.Request
		want int
	}{
		{name: "verified and cached", req: request(remote, "alice", "wonderland"), want: 200},
		{name: "first failure", req: request(remote, "alice", "x"), want: 401},
		{name: "second failure reaches the limit", req: request(remote, "alice", "y"), want: 401},
		{name: "cached credentials get in while throttled", req: request(remote, "alice", "wonderland"), want: 200},
		{name: "and do not start the count over", req: request(remote, "alice", "z"), want: 429},
		{name: "uncached right credentials are throttled", req: lower, want: 429},
	}
	for _, s := range steps {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, s.req)
		if rec.Code != s.want {
			t.Errorf("%s: got status %d, want %d", s.name, rec.Code, s.want)
		}
	}
}

func TestCachedLoginsAreChangedAsTheFirst(t *testing.T) {
	var got http.Header
	backend := http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) { got = req.Header.Clone() })
	m, err := newMiddleware(backend, &Config{Users: []string{aliceSHA}, HeaderField: "X-User", RemoveHeader: true,
		BypassPaths: []string{"^/api/"}}, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"first, verified", "second, cached", "third, cached"} {
		got = nil
		req := request("192.0.2.1:1", "alice", "wonderland")
		req.Header.Set("X-User", "mallory")
		m.ServeHTTP(httptest.NewRecorder(), req)
		if got == nil {
			t.Fatalf("%s: not forwarded", name)
		}
		if v := got.Values("X-User"); len(v) != 1 || v[0] != "alice" {
			t.Errorf("%s: got X-User %q, want [alice]", name, v)
		}
		if v := got.Get("Authorization"); v != "" {
			t.Errorf("%s: got Authorization %q, want it removed", name, v)
		}
	}
}

func TestThrottleConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		config Config
		want   string
	}{
		{name: "negative max", config: Config{MaxFailures: -1}, want: "maxFailures -1"},
		{name: "window not a duration", config: Config{MaxFailures: 3, FailureWindow: "a minute"}, want: `failureWindow "a minute"`},
		{name: "window without unit", config: Config{MaxFailures: 3, FailureWindow: "60"}, want: `failureWindow "60"`},
		{name: "zero window", config: Config{MaxFailures: 3, FailureWindow: "0s"}, want: `failureWindow "0s"`},
		{name: "bad window while off", config: Config{FailureWindow: "-1m"}, want: `failureWindow "-1m"`},
	}
	for _, tt := range tests {
		config := tt.config
		config.Users = []string{aliceSHA}
		_, err := New(context.Background(), http.NotFoundHandler(), &config, "t")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one naming %s", tt.name, err, tt.want)
		}
	}
}

// discardLogger returns a logger that writes nowhere.
func discardLogger() *logger {
	return &logger{out: io.Discard, errs: io.Discard}
}

// blockingVerifier holds every check until release is closed, counting the checks.
type blockingVerifier struct {
	release chan struct{}
	mu      sync.Mutex
	checks  int
}

func (b *blockingVerifier) verify(password string) bool {
	b.mu.Lock()
	b.checks++
	b.mu.Unlock()
	<-b.release
	return password == "right"
}

func TestBusyAnswers503(t *testing.T) {
	m := newTestMiddleware(t, &Config{})
	slow := &blockingVerifier{release: make(chan struct{})}
	m.users.state.users = &userSet{byName: map[string]verifier{"alice": slow}, decoy: slow}
	m.gate = newVerifyGate(1, 0)
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, request("192.0.2.1:1", "alice", "right"))
		done <- rec.Code
	}()
	waitFor(t, "the first check to start", func() bool {
		slow.mu.Lock()
		defer slow.mu.Unlock()
		return slow.checks == 1
	})
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, request("192.0.2.2:1", "alice", "other"))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("while busy: got status %d, Retry-After %q, want 503 and 1", rec.Code, rec.Header().Get("Retry-After"))
	}
	close(slow.release)
	if got := <-done; got != http.StatusOK {
		t.Errorf("first request: got status %d, want 200", got)
	}
}

func TestCacheSkipsTheHashOnlyForVerifiedCredentials(t *testing.T) {
	m := newTestMiddleware(t, &Config{})
	counting := &blockingVerifier{release: make(chan struct{})}
	close(counting.release)
	m.users.state.users = &userSet{byName: map[string]verifier{"alice": counting}, decoy: counting}
	steps := []struct {
		user, password string
		want, checks   int
	}{
		{"alice", "right", 200, 1},
		{"alice", "right", 200, 1}, // cached
		{"alice", "wrong", 401, 2},
		{"alice", "wrong", 401, 3}, // failures are never cached
		{"bob", "right", 401, 4},   // the decoy is checked, and refused
		{"alice", "right", 200, 4},
	}
	for i, s := range steps {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, request("192.0.2.1:1", s.user, s.password))
		if rec.Code != s.want {
			t.Errorf("step %d: got status %d, want %d", i, rec.Code, s.want)
		}
		if counting.checks != s.checks {
			t.Errorf("step %d: got %d hash checks in all, want %d", i, counting.checks, s.checks)
		}
	}
}

func TestConcurrentRequestsWhileRebuilding(t *testing.T) {
	// Traefik builds new instances on every configuration change while old ones still serve.
	config := &Config{Users: []string{aliceSHA}, BypassPaths: []string{"^/api/"}, MaxFailures: 1000, HeaderField: "X-User"}
	next := http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) { rw.WriteHeader(http.StatusOK) })
	var mu sync.Mutex
	handlers := []http.Handler{}
	build := func() {
		h, err := newMiddleware(next, config, discardLogger())
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		handlers = append(handlers, h)
		mu.Unlock()
	}
	build()
	pick := func(i int) http.Handler {
		mu.Lock()
		defer mu.Unlock()
		return handlers[i%len(handlers)]
	}
	cases := []struct {
		target, user, password string
		want                   int
	}{
		{"/api/x", "", "", 200},
		{"/api/../admin", "", "", 401},
		{"/admin", "alice", "wonderland", 200},
		{"/admin", "alice", "nope", 401},
		{"/admin", "bob", "wonderland", 401},
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				c := cases[(g+i)%len(cases)]
				req := httptest.NewRequest(http.MethodGet, "http://example.com"+c.target, nil)
				req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1", g)
				if c.user != "" {
					req.SetBasicAuth(c.user, c.password)
				}
				rec := httptest.NewRecorder()
				pick(i).ServeHTTP(rec, req)
				if rec.Code != c.want {
					t.Errorf("%s as %q: got status %d, want %d", c.target, c.user, rec.Code, c.want)
				}
			}
		}(g)
	}
	for i := 0; i < 10; i++ {
		build()
	}
	wg.Wait()
}

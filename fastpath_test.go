package basicauthbypass

import (
	"net/http/httptest"
	"testing"
)

// fastPathPatterns are bypassPaths patterns of every shape the fast bypass treats: anchored
// literals with and without a trailing slash (one filter), and the rest (plainPath and the
// pattern), including literals it must not take as prefixes.
var fastPathPatterns = []string{
	`^/api/`,
	`^/api`,
	`^/`,
	`^/api/v1/chat`,
	`^/a.b/`,
	`^/(api|v1)/`,
	`^/api/.*`,
	`/api/`,
	`(?i)^/API/`,
	`^/api/\.well-known`,
	`^/api;x/`,
	`^/api/$`,
	`^api/`,
}

// fastPathTargets are request targets for every branch of ServeHTTP: plain or not, with or
// without the prefix, with a RawPath, and the attacks of pathSeeds.
var fastPathTargets = []string{
	"/", "/api", "/api/", "/apix", "/api/chat", "/api/chat/", "/api/v1/chat", "/api/v1/chatty",
	"/a.b/c", "/aXb/c", "/v1/x", "/API/x", "/Api/x", "/api/.well-known", "/api/.x", "/api//x",
	"/api/x/", "/api/x/.", "/api/x/..", "/api/a%2Fb", "/api%2Fx", "/api/a!b", "/api/a'b",
	"/api/a(b)", "/api/a*b", "/api/a$b&c+d,e:f=g@h~i", "/api;x/y", "/api/a;b", "/x/api/",
	"/private", "/c/new", "/api/é", "/api/a%20b", "*",
}

// checkFastPath asserts that m's ServeHTTP, on target without credentials, reaches the
// backend exactly when the general decision, every reading of the path, bypasses it.
func checkFastPath(t *testing.T, pattern string, m *basicAuthBypass, backend *fuzzBackend, target string) {
	t.Helper()
	req := readRequestTarget(target)
	if req == nil {
		return
	}
	want := m.bypass.allows(req.URL)
	backend.called = false
	m.ServeHTTP(httptest.NewRecorder(), req)
	if backend.called != want {
		t.Errorf("pattern %q, target %q: got forwarded %v without credentials, want %v as the readings decide", pattern, target, backend.called, want)
	}
}

// newFastPathMiddleware returns a middleware bypassing pattern alone, over a recording backend.
func newFastPathMiddleware(tb testing.TB, pattern string) (*basicAuthBypass, *fuzzBackend) {
	tb.Helper()
	backend := &fuzzBackend{}
	m, err := newMiddleware(backend, &Config{Users: fuzzUsers, BypassPaths: []string{pattern}}, discardLogger())
	if err != nil {
		tb.Fatal(err)
	}
	if m.plainFilter == nil {
		tb.Fatalf("pattern %q: got no fast bypass, want one", pattern)
	}
	return m, backend
}

func TestFastPathAgreesWithReadings(t *testing.T) {
	var targets []string
	targets = append(targets, fastPathTargets...)
	for _, s := range pathSeeds {
		targets = append(targets, s.target)
	}
	for _, c := range bypassCases {
		targets = append(targets, c.target)
	}
	for _, pattern := range fastPathPatterns {
		m, backend := newFastPathMiddleware(t, pattern)
		for _, target := range targets {
			checkFastPath(t, pattern, m, backend, target)
		}
	}
}

func TestNewPlainFilter(t *testing.T) {
	tests := []struct {
		pattern     string
		wantLiteral bool // one filter, no pattern to match after it
	}{
		{pattern: `^/api/`, wantLiteral: true},
		{pattern: `^/api`, wantLiteral: true},
		{pattern: `^/`, wantLiteral: true},
		{pattern: `^/a.b/`}, // "." is any character
		{pattern: `^/a\.b/`, wantLiteral: true},
		{pattern: `(?i)^/api/`}, // folds case
		{pattern: `/api/`},      // not anchored
		{pattern: `^/api/$`},    // not a prefix
		{pattern: `^/api/\.x`},  // no plain path has a segment starting with a dot
		{pattern: `^/api;x/`},   // ";" makes a path not plain
		{pattern: `^api/`},      // a plain path starts with "/"
		{pattern: `^/api//`},    // nor has an empty segment
	}
	for _, tt := range tests {
		m, _ := newFastPathMiddleware(t, tt.pattern)
		if gotLiteral := m.plainPattern == nil; gotLiteral != tt.wantLiteral {
			t.Errorf("pattern %q: got literal %v, want %v", tt.pattern, gotLiteral, tt.wantLiteral)
		}
		if !tt.wantLiteral && m.plainFilter != plainPath {
			t.Errorf("pattern %q: got filter %q, want plainPath", tt.pattern, m.plainFilter)
		}
	}
}

func TestFastPathOnlyForOnePatternAlone(t *testing.T) {
	tests := []struct {
		name   string
		config Config
	}{
		{name: "two patterns", config: Config{BypassPaths: []string{"^/api/", "^/v1/"}}},
		{name: "bypassMethods", config: Config{BypassPaths: []string{"^/api/"}, BypassMethods: []string{"OPTIONS"}}},
		{name: "bypassSourceRange", config: Config{BypassPaths: []string{"^/api/"}, BypassSourceRange: []string{"10.0.0.0/8"}}},
		{name: "no pattern", config: Config{}},
	}
	for _, tt := range tests {
		config := tt.config
		config.Users = fuzzUsers
		m, err := newMiddleware(&fuzzBackend{}, &config, discardLogger())
		if err != nil {
			t.Fatal(err)
		}
		if m.plainFilter != nil {
			t.Errorf("%s: got a fast bypass, want every request decided by the general route", tt.name)
		}
	}
}

func FuzzFastPath(f *testing.F) {
	for _, target := range fastPathTargets {
		f.Add(target)
	}
	for _, s := range pathSeeds {
		f.Add(s.target)
	}
	type instance struct {
		pattern string
		m       *basicAuthBypass
		backend *fuzzBackend
	}
	var instances []instance
	for _, pattern := range fastPathPatterns {
		m, backend := newFastPathMiddleware(f, pattern)
		instances = append(instances, instance{pattern: pattern, m: m, backend: backend})
	}
	f.Fuzz(func(t *testing.T, target string) {
		for _, in := range instances {
			checkFastPath(t, in.pattern, in.m, in.backend, target)
		}
	})
}

package basicauthbypass

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"
)

// bypassCases are request targets, as they come on the wire, and whether ^/api/ bypasses them.
var bypassCases = []struct {
	target string
	want   bool
}{
	{"/api/chat", true},
	{"/api/", true},
	{"/api/x%20y", true},
	{"/api/convos?pageSize=25&cursor=a/../b", true},
	{"/api/files/%C3%A9t%C3%A9", true},
	{"/api/a/./b", true},
	{"/api/a/../b", true},
	{"/api/a//b", true},
	{"/api/a;v=1", true},
	{"/api", false},
	{"/", false},
	{"/admin", false},
	{"/apix/", false},
	{"/API/x", false},
	{"/x/api/", false},
	{"/api/../admin", false},
	{"/api/%2e%2e/admin", false},
	{"/api/%2E%2E/admin", false},
	{"/api/.%2e/admin", false},
	{"/api%2F..%2Fadmin", false},
	{"/api%2f..%2fadmin", false},
	{"/api/..;/admin", false},
	{"/api/..;jsessionid=1/admin", false},
	{"/api;x=1/../admin", false},
	{`/api\..\admin`, false},
	{"/api%5C..%5Cadmin", false},
	{"/api/%252e%252e/admin", false},
	{"/api/%25252e%25252e/admin", false},
	{"/api%252F..%252Fadmin", false},
	{"//api/../admin", false},
	{"/api//../admin", false},
	{"/api/..//admin", false},
	{"/api/x/../../admin", false},
	{"/api/%00", false},
	{"/api/x%00/../../admin", false},
	{"/api/%09", false},
	{"/api/%0a", false},
	{"/api/%7f", false},
	{"/api/%c0%ae%c0%ae/admin", false},
	{"/api/%ff", false},
	{"/api/100%25", false},
	{"/api%3F/../admin", false},
	{"/api%23/../admin", false},
	{"/api/%2e%2e%2fadmin", false},
	{"/api/..%2fadmin", false},
	{"/api/..%5cadmin", false},
	{"/api/..%3b/admin", false},
	// Regression: a trailing dot segment reads as /api to path.Clean and Go's ServeMux.
	{"/api/.", false},
	{"/api/x/..", false},
	{"/api/x/.", true},
	{"/api/x/y/..", true},
}

func TestBypassDecision(t *testing.T) {
	b, err := newPathBypass([]string{"^/api/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range bypassCases {
		u, err := url.ParseRequestURI(tt.target)
		if err != nil {
			t.Fatalf("%s: %v", tt.target, err)
		}
		if got := b.allows(u); got != tt.want {
			t.Errorf("%s: got bypassed %v, want %v", tt.target, got, tt.want)
		}
	}
}

func TestBypassThroughHandler(t *testing.T) {
	// The same cases end to end: a bypassed request reaches the next handler without
	// credentials, every other one is answered 401.
	for _, tt := range bypassCases {
		called := false
		next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })
		h, err := New(context.Background(), next, &Config{Users: []string{"u:{SHA}tiY7sUhYKUwI5L3866kDY+ENcrQ="}, BypassPaths: []string{"^/api/"}}, "t")
		if err != nil {
			t.Fatal(err)
		}
		rw := &statusRecorder{header: http.Header{}}
		req, err := http.NewRequest(http.MethodGet, "http://example.com"+tt.target, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.target, err)
		}
		req.Header.Set("Authorization", "Bearer app-token")
		h.ServeHTTP(rw, req)
		if called != tt.want {
			t.Errorf("%s: got next called %v, want %v", tt.target, called, tt.want)
		}
		wantStatus := http.StatusUnauthorized
		if tt.want {
			wantStatus = 0 // the next handler here writes nothing
		}
		if rw.status != wantStatus {
			t.Errorf("%s: got status %d, want %d", tt.target, rw.status, wantStatus)
		}
	}
}

// statusRecorder is the least ResponseWriter that records the status, so the test runs the
// same compiled and under Yaegi.
type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header         { return r.header }
func (r *statusRecorder) Write(p []byte) (int, error) { return len(p), nil }
func (r *statusRecorder) WriteHeader(status int)      { r.status = status }

func TestBypassSeveralPatterns(t *testing.T) {
	b, err := newPathBypass([]string{"^/api/", `(?i)^/health$`, `^/static/[a-z0-9._-]+\.js$`})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		target string
		want   bool
	}{
		{"/api/x", true},
		{"/health", true},
		{"/HEALTH", true},
		{"/health/", false},
		{"/static/app.js", true},
		{"/static/../admin.js", false},
		{"/static/a%2Fb.js", false},
		{"/admin", false},
	}
	for _, tt := range tests {
		u, err := url.ParseRequestURI(tt.target)
		if err != nil {
			t.Fatalf("%s: %v", tt.target, err)
		}
		if got := b.allows(u); got != tt.want {
			t.Errorf("%s: got bypassed %v, want %v", tt.target, got, tt.want)
		}
	}
}

func TestLongPathsAreExploredOnlyUpToALimit(t *testing.T) {
	b, err := newPathBypass([]string{"^/api/"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       bool
	}{
		{name: "long plain path", path: "/api/" + strings.Repeat("a", 4*maxExploredPath), want: true},
		{name: "escaped path at the limit", path: "/api/" + strings.Repeat("%41", (maxExploredPath-5)/3), want: true},
		{name: "escaped path over the limit", path: "/api/" + strings.Repeat("%41", maxExploredPath/3+1), want: false},
		{name: "hostile path", path: "/api/" + strings.Repeat("a%255c;b/./", 6000), want: false},
	}
	for _, tt := range tests {
		u, err := url.ParseRequestURI(tt.path)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := b.allows(u); got != tt.want {
			t.Errorf("%s (%d bytes): got bypassed %v, want %v", tt.name, len(tt.path), got, tt.want)
		}
	}
}

func TestNoPatternsBypassNothing(t *testing.T) {
	b, err := newPathBypass(nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.allows(&url.URL{Path: "/api/"}) {
		t.Errorf("got bypassed true with no patterns, want false")
	}
}

func TestPatternErrors(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		want     string
	}{
		{name: "invalid", patterns: []string{"^/(api"}, want: "bypassPaths[0]"},
		{name: "empty", patterns: []string{""}, want: "every path"},
		{name: "matches empty", patterns: []string{"^/api/|"}, want: "every path"},
		{name: "cut brace", patterns: []string{"^/v{1", "2}/"}, want: `"^/v{1,2}/"`},
		{name: "cut group", patterns: []string{"^/(a", "b)/"}, want: `"^/(a,b)/"`},
		{name: "cut second pair", patterns: []string{"^/x/", "^/v{1", "2}/"}, want: "bypassPaths[1]"},
	}
	for _, tt := range tests {
		_, err := newPathBypass(tt.patterns)
		if !errors.Is(err, errPattern) {
			t.Errorf("%s: got error %v, want errPattern", tt.name, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %q, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestPatternsThatLookCutButAreNot(t *testing.T) {
	// Escaped brackets and brackets in a class are no sign of a cut.
	for _, p := range []string{`^/a\{1`, `^/a[{(]`, `^/a\(`, `^/v{1,2}/`, `^/[,]`} {
		if _, err := newPathBypass([]string{p, "x"}); err != nil {
			t.Errorf("%q: got error %v, want none", p, err)
		}
	}
}

func TestRemoveDotSegments(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"/api/", "/api/"},
		{"/a/b/c/./../../g", "/a/g"},
		{"/api/../admin", "/admin"},
		{"/..", "/"},
		{"/../a", "/a"},
		{"/a/..", "/"},
		{"/a/b/..", "/a/"},
		{"/a/.", "/a/"},
		{"//api/../admin", "//admin"},
		{"/api//../admin", "/api/admin"},
		{"/a/.../b", "/a/.../b"},
		{"/a/..b/c", "/a/..b/c"},
	}
	for _, tt := range tests {
		if got := removeDotSegments(tt.in); got != tt.want {
			t.Errorf("removeDotSegments(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/api/", "/api/"},
		{"/api/.", "/api"},
		{"/api/x/..", "/api"},
		{"/api/./", "/api/"},
		{"//api//x", "/api/x"},
		{"/api//../admin", "/admin"},
		{"/", "/"},
	}
	for _, tt := range tests {
		if got := cleanPath(tt.in); got != tt.want {
			t.Errorf("cleanPath(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStripParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/api/chat", "/api/chat"},
		{"/api/..;/admin", "/api/../admin"},
		{"/a;x=1/b;y=2", "/a/b"},
		{"/a;x/..;y/b", "/a/../b"},
		{"/a;", "/a"},
		{";/a", "/a"},
	}
	for _, tt := range tests {
		if got := stripParams(tt.in); got != tt.want {
			t.Errorf("stripParams(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// referenceReadings gives a few independent normalisations of an escaped path that common
// backends apply; whenever allows says yes, each of them must match too.
func referenceReadings(escaped string) []string {
	decoded := escaped
	for i := 0; i < 8; i++ {
		next, err := url.PathUnescape(decoded)
		if err != nil || next == decoded {
			break
		}
		decoded = next
	}
	var out []string
	for _, s := range []string{escaped, decoded} {
		s2 := strings.ReplaceAll(s, `\`, "/")
		s3 := stripParams(s2)
		out = append(out, s, s2, s3, goClean(s3), goClean(s2))
	}
	return out
}

// goClean is path.Clean keeping a trailing slash, as http.ServeMux reads a path.
func goClean(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

func FuzzBypassDecision(f *testing.F) {
	for _, tt := range bypassCases {
		f.Add(tt.target)
	}
	b, err := newPathBypass([]string{"^/api/"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		if !b.allows(u) {
			return
		}
		for _, r := range referenceReadings(u.EscapedPath()) {
			if !strings.HasPrefix(r, "/api/") {
				t.Errorf("%q bypassed, but one reading is %q", target, r)
			}
		}
	})
}

package basicauthbypass

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBypassByMethodAndSource(t *testing.T) {
	tests := []struct {
		name   string
		config Config
		method string
		remote string
		xff    string
		want   int
	}{
		{name: "preflight bypassed", config: Config{BypassMethods: []string{"OPTIONS"}}, method: "OPTIONS", remote: "198.51.100.1:1", want: 200},
		{name: "other method protected", config: Config{BypassMethods: []string{"OPTIONS"}}, method: "GET", remote: "198.51.100.1:1", want: 401},
		{name: "ipv4 in range", config: Config{BypassSourceRange: []string{"192.0.2.0/24"}}, method: "GET", remote: "192.0.2.77:5", want: 200},
		{name: "ipv4 out of range", config: Config{BypassSourceRange: []string{"192.0.2.0/24"}}, method: "GET", remote: "192.0.3.1:5", want: 401},
		{name: "single ipv4", config: Config{BypassSourceRange: []string{"192.0.2.7"}}, method: "GET", remote: "192.0.2.7:5", want: 200},
		{name: "ipv6 in range", config: Config{BypassSourceRange: []string{"2001:db8::/32"}}, method: "GET", remote: "[2001:db8:1::9]:5", want: 200},
		{name: "ipv6 out of range", config: Config{BypassSourceRange: []string{"2001:db8::/32"}}, method: "GET", remote: "[2001:db9::1]:5", want: 401},
		{name: "single ipv6", config: Config{BypassSourceRange: []string{"::1"}}, method: "GET", remote: "[::1]:5", want: 200},
		{name: "forged forwarded-for ignored by default", config: Config{BypassSourceRange: []string{"10.0.0.0/8"}}, method: "GET", remote: "203.0.113.5:1", xff: "10.1.2.3", want: 401},
		{name: "depth 1 takes the rightmost entry", config: Config{BypassSourceRange: []string{"10.0.0.0/8"}, IPStrategy: IPStrategy{Depth: 1}}, method: "GET", remote: "192.0.2.1:1", xff: "10.9.9.9, 203.0.113.5", want: 401},
		{name: "depth 2 ignores a forged leftmost entry", config: Config{BypassSourceRange: []string{"10.0.0.0/8"}, IPStrategy: IPStrategy{Depth: 2}}, method: "GET", remote: "192.0.2.1:1", xff: "10.9.9.9, 203.0.113.5, 192.0.2.1", want: 401},
		{name: "depth 2 finds the client", config: Config{BypassSourceRange: []string{"10.0.0.0/8"}, IPStrategy: IPStrategy{Depth: 2}}, method: "GET", remote: "192.0.2.1:1", xff: "203.0.113.5, 10.9.9.9, 192.0.2.1", want: 200},
		{name: "depth beyond the header", config: Config{BypassSourceRange: []string{"10.0.0.0/8"}, IPStrategy: IPStrategy{Depth: 3}}, method: "GET", remote: "10.0.0.1:1", xff: "10.9.9.9", want: 401},
		{name: "excluded proxies skipped", config: Config{BypassSourceRange: []string{"10.0.0.0/8"}, IPStrategy: IPStrategy{ExcludedIPs: []string{"192.0.2.0/24"}}}, method: "GET", remote: "192.0.2.1:1", xff: "203.0.113.5, 10.9.9.9, 192.0.2.1, 192.0.2.2", want: 200},
		{name: "excluded proxies and a forged entry", config: Config{BypassSourceRange: []string{"10.0.0.0/8"}, IPStrategy: IPStrategy{ExcludedIPs: []string{"192.0.2.0/24"}}}, method: "GET", remote: "192.0.2.1:1", xff: "10.9.9.9, 203.0.113.5, 192.0.2.1", want: 401},
		{name: "only excluded entries", config: Config{BypassSourceRange: []string{"192.0.2.0/24"}, IPStrategy: IPStrategy{ExcludedIPs: []string{"192.0.2.0/24"}}}, method: "GET", remote: "192.0.2.1:1", xff: "192.0.2.1", want: 401},
		{name: "ipv6 forwarded-for in another spelling", config: Config{BypassSourceRange: []string{"2001:db8::/32"}, IPStrategy: IPStrategy{Depth: 1}}, method: "GET", remote: "10.0.0.1:1", xff: "2001:DB8:0:0::1", want: 200},
		{name: "garbage in forwarded-for", config: Config{BypassSourceRange: []string{"10.0.0.0/8"}, IPStrategy: IPStrategy{Depth: 1}}, method: "GET", remote: "10.0.0.1:1", xff: "not-an-ip", want: 401},
		{name: "any one rule suffices", config: Config{BypassPaths: []string{"^/api/"}, BypassMethods: []string{"OPTIONS"}, BypassSourceRange: []string{"192.0.2.0/24"}}, method: "OPTIONS", remote: "203.0.113.1:1", want: 200},
	}
	for _, tt := range tests {
		config := tt.config
		config.Users = []string{aliceSHA}
		m, err := newMiddleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), &config, discardLogger())
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		req := httptest.NewRequest(tt.method, "http://example.com/private", nil)
		req.RemoteAddr = tt.remote
		if tt.xff != "" {
			req.Header.Set("X-Forwarded-For", tt.xff)
		}
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: got status %d, want %d", tt.name, rec.Code, tt.want)
		}
	}
}

func TestThrottleUsesTheIPStrategy(t *testing.T) {
	m := newTestMiddleware(t, &Config{MaxFailures: 1, IPStrategy: IPStrategy{Depth: 1}})
	send := func(xff, password string) int {
		req := request("192.0.2.1:1", "alice", password)
		req.Header.Set("X-Forwarded-For", xff)
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := send("203.0.113.1", "wrong"); got != 401 {
		t.Errorf("first failure: got status %d, want 401", got)
	}
	if got := send("203.0.113.1", "wonderland"); got != 429 {
		t.Errorf("same client again: got status %d, want 429", got)
	}
	if got := send("203.0.113.2", "wonderland"); got != 200 {
		t.Errorf("other client behind the same proxy: got status %d, want 200", got)
	}
}

func TestForwardedAddressesAreNormalised(t *testing.T) {
	c, err := newClientAddress(IPStrategy{Depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ xff, want string }{
		{"203.0.113.5", "203.0.113.5"},
		{" 2001:DB8::1 ", "2001:db8::1"},
		{"not-an-ip", ""},
		{strings.Repeat("a", 10000), ""},
		{"", ""},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
		req.Header.Set("X-Forwarded-For", tt.xff)
		if got := c.of(req); got != tt.want {
			t.Errorf("X-Forwarded-For %.20q: got client %q, want %q", tt.xff, got, tt.want)
		}
	}
}

func TestThrottleWithoutForwardedForUsesTheConnection(t *testing.T) {
	// Regression: with ipStrategy set and no X-Forwarded-For (Traefik strips it from an
	// untrusted peer), every client shared the key "" and two failures locked out everyone.
	m := newTestMiddleware(t, &Config{MaxFailures: 2, IPStrategy: IPStrategy{Depth: 1}})
	for _, remote := range []string{"198.51.100.1:1", "198.51.100.2:1"} {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, request(remote, "alice", "wrong"))
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("failure from %s: got status %d, want 401", remote, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, request("192.0.2.99:1", "alice", "wonderland"))
	if rec.Code != http.StatusOK {
		t.Errorf("third client with the right password: got status %d, want 200", rec.Code)
	}
}

func TestSourceConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		config Config
		want   error
		where  string
	}{
		{name: "bad range", config: Config{BypassSourceRange: []string{"192.0.2.0/24", "192.0.2.0/33"}}, want: errSourceRange, where: `bypassSourceRange[1] "192.0.2.0/33"`},
		{name: "hostname", config: Config{BypassSourceRange: []string{"localhost"}}, want: errSourceRange, where: `bypassSourceRange[0] "localhost"`},
		{name: "bad excluded ip", config: Config{IPStrategy: IPStrategy{ExcludedIPs: []string{"10.0.0.300"}}}, want: errSourceRange, where: `ipStrategy.excludedIPs[0]`},
		{name: "negative depth", config: Config{IPStrategy: IPStrategy{Depth: -1}}, want: errSourceRange, where: "ipStrategy.depth -1"},
		{name: "lower-case method", config: Config{BypassMethods: []string{"options"}}, want: errMethod, where: `bypassMethods[0] "options"`},
		{name: "method with a space", config: Config{BypassMethods: []string{"GET", "GE T"}}, want: errMethod, where: `bypassMethods[1] "GE T"`},
		{name: "empty method", config: Config{BypassMethods: []string{""}}, want: errMethod, where: "bypassMethods[0]"},
	}
	for _, tt := range tests {
		config := tt.config
		config.Users = []string{aliceSHA}
		_, err := newMiddleware(http.NotFoundHandler(), &config, discardLogger())
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got error %v, want %v", tt.name, err, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.where) {
			t.Errorf("%s: got error %q, want it to name %s", tt.name, err, tt.where)
		}
	}
}

func TestCustomMethodBypass(t *testing.T) {
	set, err := newMethodSet([]string{"PROPFIND", "OPTIONS"})
	if err != nil {
		t.Fatal(err)
	}
	for method, want := range map[string]bool{"PROPFIND": true, "OPTIONS": true, "propfind": false, "GET": false} {
		if got := set[method]; got != want {
			t.Errorf("%s: got bypassed %v, want %v", method, got, want)
		}
	}
}

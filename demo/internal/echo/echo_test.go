package echo_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/basicauthbypass/basicauthbypass/demo/internal/echo"
)

// TestHandler checks that the echo reports the request as received and records it before answering.
func TestHandler(t *testing.T) {
	tests := []struct {
		name        string
		target      string
		header      http.Header
		wantPath    string
		wantRawPath string
	}{
		{name: "plain", target: "/api/chat?x=1", wantPath: "/api/chat"},
		{name: "encoded slash", target: "/api%2F..%2Fadmin", wantPath: "/api/../admin", wantRawPath: "/api%2F..%2Fadmin"},
		{name: "headers", target: "/", header: http.Header{"Authorization": {"Bearer x"}, "X-Two": {"a", "b"}}, wantPath: "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var recorded []echo.Request
			h := echo.Handler{Record: func(r echo.Request) {
				mu.Lock()
				defer mu.Unlock()
				recorded = append(recorded, r)
			}}
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != http.StatusOK {
				t.Fatalf("got status %d, want %d", rec.Code, http.StatusOK)
			}
			if got, want := rec.Header().Get("Content-Type"), "application/json"; got != want {
				t.Errorf("got Content-Type %q, want %q", got, want)
			}
			var got echo.Request
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("decoding %q: %v", rec.Body.String(), err)
			}
			if got.Method != http.MethodGet || got.Path != tt.wantPath || got.RawPath != tt.wantRawPath || got.RequestURI != tt.target {
				t.Errorf("got %+v, want method GET, path %q, raw path %q, request URI %q", got, tt.wantPath, tt.wantRawPath, tt.target)
			}
			for k, v := range tt.header {
				if g := got.Header.Values(k); len(g) != len(v) || g[0] != v[0] {
					t.Errorf("got header %s %q, want %q", k, g, v)
				}
			}
			if len(recorded) != 1 || recorded[0].RequestURI != tt.target {
				t.Errorf("got recorded %+v, want one request for %q", recorded, tt.target)
			}
		})
	}
}

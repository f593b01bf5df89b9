package demo_test

// This file checks that the plugin is ready for Traefik's Plugin Catalog: the manifest
// (../.traefik.yml) has what Traefik and the Catalog read, and its testData configures a working
// middleware when decoded exactly as Traefik decodes a Yaegi plugin's configuration.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/basicauthbypass/basicauthbypass"
	"github.com/mitchellh/mapstructure"
	"gopkg.in/yaml.v3"
)

// catalogManifest mirrors Traefik v3.6.12's plugins.Manifest (pkg/plugins/types.go), which
// Traefik reads from .traefik.yml with gopkg.in/yaml.v3.
type catalogManifest struct {
	DisplayName   string         `yaml:"displayName"`
	Type          string         `yaml:"type"`
	Runtime       string         `yaml:"runtime"`
	WasmPath      string         `yaml:"wasmPath"`
	Import        string         `yaml:"import"`
	BasePkg       string         `yaml:"basePkg"`
	Compatibility string         `yaml:"compatibility"`
	Summary       string         `yaml:"summary"`
	UseUnsafe     bool           `yaml:"useUnsafe"`
	TestData      map[string]any `yaml:"testData"`
}

// readManifest reads ../.traefik.yml as Traefik does.
func readManifest(t *testing.T) (catalogManifest, string) {
	t.Helper()
	data, err := os.ReadFile("../.traefik.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m catalogManifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf(".traefik.yml: %v", err)
	}
	return m, string(data)
}

// decodePluginConfig decodes raw into a fresh plugin configuration exactly as Traefik v3.6.12
// does for a Yaegi plugin (pkg/plugins/middlewareyaegi.go, createConfig): CreateConfig, then
// mapstructure with StringToSliceHookFunc(",") and WeaklyTypedInput, and no decoding at all of
// an empty configuration.
func decodePluginConfig(raw map[string]any) (*basicauthbypass.Config, error) {
	cfg := basicauthbypass.CreateConfig()
	if len(raw) == 0 {
		return cfg, nil
	}
	decoder, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook:       mapstructure.StringToSliceHookFunc(","),
		WeaklyTypedInput: true,
		Result:           cfg,
	})
	if err != nil {
		return nil, err
	}
	if err := decoder.Decode(raw); err != nil {
		return nil, err
	}
	return cfg, nil
}

// catalogNext is the backend of the catalog tests: 200 with the user Traefik's access log would
// show ("-" when none).
var catalogNext = http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
	user := "-"
	if req.URL.User != nil {
		user = req.URL.User.Username()
	}
	rw.Header().Set("X-Next-User", user)
	rw.WriteHeader(http.StatusOK)
})

// TestManifest checks .traefik.yml as Traefik does when it loads the plugin
// (pkg/plugins/plugins.go, checkLocalPluginManifest) and for what the Catalog shows: a
// middleware run by Yaegi, importing the module of ../go.mod, with a display name, a summary,
// and testData with a user and bypassPaths.
func TestManifest(t *testing.T) {
	t.Parallel()
	m, text := readManifest(t)
	goMod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	module := ""
	if first, _, _ := strings.Cut(string(goMod), "\n"); strings.HasPrefix(first, "module ") {
		module = strings.TrimSpace(strings.TrimPrefix(first, "module "))
	}
	if module != pluginModule {
		t.Errorf("../go.mod: got module %q, want %q", module, pluginModule)
	}
	for _, c := range []struct {
		field, got, want string
	}{
		{"type", m.Type, "middleware"},
		{"import", m.Import, module},
		{"runtime", m.Runtime, ""}, // empty means yaegi
		{"basePkg", m.BasePkg, ""}, // empty means the last element of import
	} {
		if c.got != c.want {
			t.Errorf(".traefik.yml %s: got %q, want %q", c.field, c.got, c.want)
		}
	}
	if m.UseUnsafe {
		t.Errorf(".traefik.yml useUnsafe: got true, want false (the plugin uses the standard library only)")
	}
	for field, value := range map[string]string{"displayName": m.DisplayName, "summary": m.Summary} {
		if strings.TrimSpace(value) == "" {
			t.Errorf(".traefik.yml %s is empty", field)
		}
	}
	if len(m.Summary) > 400 {
		t.Errorf(".traefik.yml summary: %d bytes, want a short one for the Catalog's card", len(m.Summary))
	}
	for _, key := range []string{"users", "bypassPaths"} {
		if _, ok := m.TestData[key]; !ok {
			t.Errorf(".traefik.yml testData lacks %s", key)
		}
	}
	// The comment above testData gives the password and the command that made the hash.
	if want := "htpasswd -nbB -C 5 demo demo"; !strings.Contains(text, want) {
		t.Errorf(".traefik.yml does not record the command %q that made its user", want)
	}
	if _, err := os.Stat("../LICENSE"); err != nil {
		t.Errorf("the Catalog wants a licence: %v", err)
	}
}

// TestManifestTestData decodes testData as Traefik does, builds the middleware with New and
// serves a bypassed request, an authenticated one (demo, password demo) and one without
// credentials.
func TestManifestTestData(t *testing.T) {
	t.Parallel()
	m, _ := readManifest(t)
	cfg, err := decodePluginConfig(m.TestData)
	if err != nil {
		t.Fatalf("decoding testData: %v", err)
	}
	if got, want := cfg.Users, []string{"demo:" + demoHash}; !reflect.DeepEqual(got, want) {
		t.Errorf("users: got %q, want %q", got, want)
	}
	if got, want := cfg.BypassPaths, []string{"^/api/"}; !reflect.DeepEqual(got, want) {
		t.Errorf("bypassPaths: got %q, want %q", got, want)
	}
	h := newCatalogMiddleware(t, cfg)
	for _, c := range []struct {
		name       string
		target     string
		user, pass string
		auth       string
		wantStatus int
		wantUser   string
	}{
		{name: "bypassed with a bearer token", target: "/api/chat", auth: "Bearer x", wantStatus: 200, wantUser: "-"},
		{name: "authenticated", target: "/", user: demoUser, pass: demoPassword, wantStatus: 200, wantUser: demoUser},
		{name: "wrong password", target: "/", user: demoUser, pass: "wrong", wantStatus: 401},
		{name: "no credentials", target: "/", wantStatus: 401},
		{name: "path confusion", target: "/api/../admin", wantStatus: 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://example.com"+c.target, nil)
			if c.user != "" {
				req.SetBasicAuth(c.user, c.pass)
			}
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.wantStatus {
				t.Fatalf("got status %d, want %d", rec.Code, c.wantStatus)
			}
			if got := rec.Header().Get("X-Next-User"); got != c.wantUser {
				t.Errorf("got next handler's user %q, want %q", got, c.wantUser)
			}
		})
	}
}

// newCatalogMiddleware calls New with cfg over catalogNext, as Traefik does, and fails the test
// on an error.
func newCatalogMiddleware(t *testing.T, cfg *basicauthbypass.Config) http.Handler {
	t.Helper()
	h, err := basicauthbypass.New(context.Background(), catalogNext, cfg, "catalog@test")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

// TestDecodeLikeTraefik pins what Traefik's decoding does to the plugin's options, whatever the
// provider: keys match case-insensitively, a string given for a list is split at commas (so a
// regex with a comma must be given as a list), and strings are weakly converted to booleans and
// numbers, as labels always give strings.
func TestDecodeLikeTraefik(t *testing.T) {
	t.Parallel()
	user := "demo:" + demoHash
	for _, c := range []struct {
		name string
		raw  map[string]any
		// check inspects the decoded configuration.
		want func(cfg *basicauthbypass.Config) bool
		// wantNewErr is a fragment of New's error, when New must refuse the configuration.
		wantNewErr string
	}{
		{
			name: "keys in any case",
			raw:  map[string]any{"USERS": []any{user}, "BypassPaths": []any{"^/api/"}, "realm": "r", "HEADERFIELD": "X-User", "ipstrategy": map[string]any{"DEPTH": 1}},
			want: func(c *basicauthbypass.Config) bool {
				return reflect.DeepEqual(c.Users, []string{user}) && reflect.DeepEqual(c.BypassPaths, []string{"^/api/"}) &&
					c.Realm == "r" && c.HeaderField == "X-User" && c.IPStrategy.Depth == 1
			},
		},
		{
			name: "a string for a list is split at commas",
			raw:  map[string]any{"users": user, "bypassPaths": "^/api/,^/health$", "bypassMethods": "OPTIONS", "bypassSourceRange": "10.0.0.0/8,::1"},
			want: func(c *basicauthbypass.Config) bool {
				return reflect.DeepEqual(c.Users, []string{user}) && reflect.DeepEqual(c.BypassPaths, []string{"^/api/", "^/health$"}) &&
					reflect.DeepEqual(c.BypassMethods, []string{"OPTIONS"}) && reflect.DeepEqual(c.BypassSourceRange, []string{"10.0.0.0/8", "::1"})
			},
		},
		{
			name: "a list keeps commas",
			raw:  map[string]any{"users": []any{user}, "bypassPaths": []any{"^/v{1,2}/"}},
			want: func(c *basicauthbypass.Config) bool {
				return reflect.DeepEqual(c.BypassPaths, []string{"^/v{1,2}/"})
			},
		},
		{
			name: "a string regex with a comma is cut in two and refused",
			raw:  map[string]any{"users": []any{user}, "bypassPaths": "^/v{1,2}/"},
			want: func(c *basicauthbypass.Config) bool {
				return reflect.DeepEqual(c.BypassPaths, []string{"^/v{1", "2}/"})
			},
			wantNewErr: `was "^/v{1,2}/" meant?`,
		},
		{
			name: "weak typing from strings",
			raw: map[string]any{"users": []any{user}, "removeHeader": "true", "maxFailures": "5", "failureWindow": "30s",
				"ipStrategy": map[string]any{"depth": "2", "excludedIPs": "10.0.0.0/8,192.0.2.1"}},
			want: func(c *basicauthbypass.Config) bool {
				return c.RemoveHeader && c.MaxFailures == 5 && c.FailureWindow == "30s" && c.IPStrategy.Depth == 2 &&
					reflect.DeepEqual(c.IPStrategy.ExcludedIPs, []string{"10.0.0.0/8", "192.0.2.1"})
			},
		},
		{
			name: "weak typing from numbers and booleans",
			raw:  map[string]any{"users": []any{user}, "removeHeader": 1, "maxFailures": 5.0, "realm": 42},
			want: func(c *basicauthbypass.Config) bool {
				return c.RemoveHeader && c.MaxFailures == 5 && c.Realm == "42"
			},
		},
		{
			name: "unknown keys are dropped silently",
			raw:  map[string]any{"users": []any{user}, "bypassPath": []any{"^/api/"}},
			want: func(c *basicauthbypass.Config) bool {
				return len(c.BypassPaths) == 0
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := decodePluginConfig(c.raw)
			if err != nil {
				t.Fatalf("decoding: %v", err)
			}
			if !c.want(cfg) {
				t.Errorf("got configuration %+v, not what Traefik's decoding should give", *cfg)
			}
			_, err = basicauthbypass.New(context.Background(), catalogNext, cfg, "decode@test")
			switch {
			case c.wantNewErr == "" && err != nil:
				t.Errorf("New: got error %v, want none", err)
			case c.wantNewErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantNewErr)):
				t.Errorf("New: got error %v, want one containing %q", err, c.wantNewErr)
			}
		})
	}
}

// TestDecodeEmptyConfig checks that a middleware declared without options (Traefik then skips
// decoding and passes CreateConfig's value as is) is refused, not served unprotected.
func TestDecodeEmptyConfig(t *testing.T) {
	t.Parallel()
	cfg, err := decodePluginConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := basicauthbypass.New(context.Background(), catalogNext, cfg, "empty@test"); err == nil {
		t.Errorf("New with no options: got no error, want one (no users)")
	} else if errors.Unwrap(err) == nil {
		t.Errorf("New with no options: got %v, want a wrapped error", err)
	}
}

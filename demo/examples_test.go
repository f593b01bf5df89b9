package demo_test

// This file exercises every configuration example of the README, kept in examples/ (the README
// includes them byte for byte, which readme_test.go checks): the static ones are decoded as
// Traefik decodes them or run in the real Traefik, the dynamic ones run in the real Traefik's
// file provider, the Docker labels go through Traefik's label parser and the Kubernetes CRD's
// plugin section through the decoding Traefik's CRD provider does, each then serving requests.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/basicauthbypass/basicauthbypass"
	"github.com/basicauthbypass/basicauthbypass/demo/internal/echo"
	"github.com/traefik/paerser/file"
	"github.com/traefik/paerser/flag"
	"gopkg.in/yaml.v3"
)

// examplesDir holds the README's configuration examples.
const examplesDir = "examples"

// exampleRunners maps every file of examplesDir to the test that exercises it. A file without a
// runner, or a runner without a file, fails TestExamples.
var exampleRunners = map[string]func(t *testing.T, content string){
	"intro-plugin.yml":    runIntroPlugin,
	"intro-basicauth.yml": runIntroBasicAuth,
	"install-catalog.yml": runInstallCatalog,
	"install-local.yml":   runInstallLocal,
	"dynamic.yml":         func(t *testing.T, content string) { runDynamic(t, content, ".yml") },
	"dynamic.toml":        func(t *testing.T, content string) { runDynamic(t, content, ".toml") },
	"docker-compose.yml":  runDockerLabels,
	"kubernetes.yml":      runKubernetes,
	"librechat.yml":       runLibreChat,
	"migrate-before.yml":  func(t *testing.T, content string) { runMigration(t, content, true) },
	"migrate-after.yml":   func(t *testing.T, content string) { runMigration(t, content, false) },
}

// TestExamples runs the runner of every example, each in a parallel subtest.
func TestExamples(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		seen[name] = true
		run, ok := exampleRunners[name]
		if !ok {
			t.Errorf("%s/%s has no runner in exampleRunners: every example must be exercised", examplesDir, name)
			continue
		}
		content := readExample(t, name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			run(t, content)
		})
	}
	for name := range exampleRunners {
		if !seen[name] {
			t.Errorf("exampleRunners has %s, which is not in %s/", name, examplesDir)
		}
	}
}

// readExample returns the content of examples/name.
func readExample(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// substitute replaces each old string of pairs (old, new, old, new...) in content, failing the
// test when one is missing: the runners replace only what cannot work here (a host name, a file
// path), and must notice when the example changed under them.
func substitute(t *testing.T, content string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(content, pairs[i]) {
			t.Fatalf("the example no longer contains %q, which its runner replaces", pairs[i])
		}
		content = strings.ReplaceAll(content, pairs[i], pairs[i+1])
	}
	return content
}

// snippetRoutes sends every request of the web entrypoint through the middleware auth@file to
// the backend: the routers and services a middleware-only example lacks.
const snippetRoutes = `
http:
  routers:
    site:
      entryPoints: [web]
      rule: "PathPrefix(` + "`/`" + `)"
      middlewares: [auth]
      service: backend
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// startSnippet starts Traefik whose file provider reads a directory holding the example (as
// given, after substitution of {{DIR}}) and snippetRoutes; prepare, when set, is called with the
// working directory before Traefik starts.
func startSnippet(t *testing.T, be *backend, name, content string, prepare func(t *testing.T, dir string)) *traefik {
	t.Helper()
	static := func(p staticParams) string {
		s := yamlStatic(p)
		dirMode := strings.Replace(s, fmt.Sprintf("filename: %q", p.DynamicFile),
			fmt.Sprintf("directory: %q", filepath.Join(filepath.Dir(p.DynamicFile), "conf.d")), 1)
		if dirMode == s {
			t.Fatal("startSnippet: the harness's static configuration no longer sets providers.file.filename")
		}
		return dirMode
	}
	return startTraefik(t, be, traefikConfig{
		static: static, staticExt: ".yml",
		dynamic: "# unused: the file provider reads conf.d/\n",
		routers: []string{"site"},
		prepare: func(t *testing.T, dir string) {
			confDir := filepath.Join(dir, "conf.d")
			if err := os.MkdirAll(confDir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(confDir, name), strings.ReplaceAll(content, "{{DIR}}", dir))
			writeFile(t, filepath.Join(confDir, "routes.yml"), strings.ReplaceAll(snippetRoutes, "{{BACKEND}}", be.URL))
			if prepare != nil {
				prepare(t, dir)
			}
		},
	})
}

// writeDemoUsers writes an htpasswd file with the demo user at path.
func writeDemoUsers(t *testing.T, path string) {
	t.Helper()
	writeFile(t, path, "# demo:demo, made with: htpasswd -nbB -C 5 demo demo\n"+demoUser+":"+demoHash+"\n")
}

// runIntroPlugin runs the README's first example: the plugin with a usersFile, /api/ bypassed.
func runIntroPlugin(t *testing.T, content string) {
	be := startBackend(t)
	content = substitute(t, content, "/etc/traefik/users", "{{DIR}}/users")
	tr := startSnippet(t, be, "intro-plugin.yml", content, func(t *testing.T, dir string) { writeDemoUsers(t, filepath.Join(dir, "users")) })
	wantEnabled(t, tr, "site")
	host := "app.test"
	runOpsExchanges(t, be, []opsExchange{
		{name: "protected", addr: tr.Addr, host: host, target: "/", wantStatus: 401},
		{name: "protected with credentials", addr: tr.Addr, host: host, target: "/", headers: []string{demoBasic}, wantStatus: 200, wantForwarded: true},
		{
			name: "api with a bearer token", addr: tr.Addr, host: host, target: "/api/chat", headers: []string{"Authorization: Bearer t"},
			wantStatus: 200, wantForwarded: true, wantHeaders: map[string]string{"Authorization": "Bearer t"},
		},
		{name: "path confusion", addr: tr.Addr, host: host, target: "/api/..;/admin", wantStatus: 401},
	})
}

// runIntroBasicAuth runs the README's second example, Traefik's basicAuth with the same users
// file, and shows the problem the plugin solves: the API's bearer token gets a 401.
func runIntroBasicAuth(t *testing.T, content string) {
	be := startBackend(t)
	content = substitute(t, content, "/etc/traefik/users", "{{DIR}}/users")
	tr := startSnippet(t, be, "intro-basicauth.yml", content, func(t *testing.T, dir string) { writeDemoUsers(t, filepath.Join(dir, "users")) })
	wantEnabled(t, tr, "site")
	host := "app.test"
	runOpsExchanges(t, be, []opsExchange{
		{name: "protected", addr: tr.Addr, host: host, target: "/", wantStatus: 401, builtin: true},
		{name: "protected with credentials", addr: tr.Addr, host: host, target: "/", headers: []string{demoBasic}, wantStatus: 200, wantForwarded: true},
		{name: "api with a bearer token is refused", addr: tr.Addr, host: host, target: "/api/chat", headers: []string{"Authorization: Bearer t"}, wantStatus: 401, builtin: true},
	})
}

// staticPlugins mirrors the part of Traefik v3.6.12's static configuration that declares
// plugins (pkg/config/static: Experimental.Plugins and LocalPlugins; pkg/plugins: Descriptor
// and LocalDescriptor). paerser refuses keys a struct does not have, so a misspelt key fails.
type staticPlugins struct {
	Experimental *struct {
		Plugins map[string]struct {
			ModuleName string
			Version    string
			Hash       string
			Settings   *struct {
				Envs      []string
				Mounts    []string
				UseUnsafe bool
			}
		}
		LocalPlugins map[string]struct {
			ModuleName string
			Settings   *struct {
				Envs      []string
				Mounts    []string
				UseUnsafe bool
			}
		}
		AbortOnPluginFailure bool
	}
}

// decodeStaticPlugins decodes a static configuration file's plugin declarations with paerser,
// as Traefik decodes its static configuration file.
func decodeStaticPlugins(t *testing.T, content, ext string) staticPlugins {
	t.Helper()
	var s staticPlugins
	if err := file.DecodeContent(content, ext, &s); err != nil {
		t.Fatalf("decoding as Traefik does: %v", err)
	}
	if s.Experimental == nil {
		t.Fatal("no experimental section")
	}
	return s
}

// catalogVersion is the form of a version in the Plugin Catalog: a Git tag.
var catalogVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)

// runInstallCatalog decodes the Catalog installation as Traefik does: one plugin, named as the
// middleware configurations name it, with the module of .traefik.yml and a tag for version.
// TestCatalogInstall runs it in Traefik, with a stand-in for plugins.traefik.io.
func runInstallCatalog(t *testing.T, content string) {
	s := decodeStaticPlugins(t, content, ".yml")
	m, _ := readManifest(t)
	p, ok := s.Experimental.Plugins[pluginName]
	if !ok || len(s.Experimental.Plugins) != 1 {
		t.Fatalf("got plugins %v, want only %q", s.Experimental.Plugins, pluginName)
	}
	if p.ModuleName != m.Import {
		t.Errorf("got moduleName %q, want .traefik.yml's import %q", p.ModuleName, m.Import)
	}
	if !catalogVersion.MatchString(p.Version) {
		t.Errorf("got version %q, want a tag such as v1.2.3", p.Version)
	}
}

// runInstallLocal decodes the local installation as Traefik does, then runs Traefik with it as
// the whole experimental section of its static configuration, the plugin laid out under
// plugins-local/src as the README says, and the demo's configuration.
func runInstallLocal(t *testing.T, content string) {
	s := decodeStaticPlugins(t, content, ".yml")
	m, _ := readManifest(t)
	p, ok := s.Experimental.LocalPlugins[pluginName]
	if !ok || len(s.Experimental.LocalPlugins) != 1 {
		t.Fatalf("got localPlugins %v, want only %q", s.Experimental.LocalPlugins, pluginName)
	}
	if p.ModuleName != m.Import {
		t.Errorf("got moduleName %q, want .traefik.yml's import %q", p.ModuleName, m.Import)
	}
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{static: staticWithExperimental(t, content), staticExt: ".yml", dynamic: scenarioConfig(t), routers: []string{"site"}})
	wantEnabled(t, tr, "site")
	runOpsExchanges(t, be, []opsExchange{
		{name: "protected", addr: tr.Addr, host: "app.test", target: "/", wantStatus: 401},
		{name: "bypassed", addr: tr.Addr, host: "app.test", target: "/api/chat", wantStatus: 200, wantForwarded: true},
	})
}

// staticWithExperimental returns the harness's YAML static configuration with its experimental
// section replaced by experimental (a whole YAML document holding only that section).
func staticWithExperimental(t *testing.T, experimental string) func(staticParams) string {
	t.Helper()
	return func(p staticParams) string {
		s := yamlStatic(p)
		i := strings.Index(s, "\nexperimental:\n")
		if i < 0 {
			t.Fatal("staticWithExperimental: the harness's static configuration has no experimental section")
		}
		return s[:i+1] + experimental
	}
}

// runDynamic runs the YAML or TOML dynamic configuration example in Traefik's file provider,
// with the plugin installed by install-local.yml; only the service's URL is replaced.
func runDynamic(t *testing.T, content, ext string) {
	be := startBackend(t)
	content = substitute(t, content, "http://app:8080", "{{BACKEND}}")
	tr := startTraefik(t, be, traefikConfig{
		static: staticWithExperimental(t, readExample(t, "install-local.yml")), staticExt: ".yml",
		dynamic: content, dynamicExt: ext, routers: []string{"app"},
	})
	wantEnabled(t, tr, "app")
	runOpsExchanges(t, be, appExchanges(tr.Addr))
}

// appExchanges are the requests every full example (router app, middleware auth, realm "My
// App", /api/ and /health bypassed) must answer alike.
func appExchanges(addr string) []opsExchange {
	host := "app.example.com"
	return []opsExchange{
		{name: "protected", addr: addr, host: host, target: "/", wantStatus: 401, realm: "My App"},
		{name: "wrong password", addr: addr, host: host, target: "/", headers: []string{basicAuth(demoUser, "wrong")}, wantStatus: 401, realm: "My App"},
		{
			name: "protected with credentials", addr: addr, host: host, target: "/settings", headers: []string{demoBasic},
			wantStatus: 200, wantForwarded: true, wantHeaders: map[string]string{"Authorization": demoBasicValue},
		},
		{
			name: "api with a bearer token", addr: addr, host: host, target: "/api/items", headers: []string{"Authorization: Bearer t"},
			wantStatus: 200, wantForwarded: true, wantHeaders: map[string]string{"Authorization": "Bearer t"},
		},
		{name: "health", addr: addr, host: host, target: "/health", wantStatus: 200, wantForwarded: true},
		{name: "health is anchored", addr: addr, host: host, target: "/healthz", wantStatus: 401, realm: "My App"},
		{name: "other host", addr: addr, host: "other.example.com", target: "/api/items", wantStatus: 404},
	}
}

// runDockerLabels checks the Docker Compose example: Traefik's command flags decode to the same
// plugin declaration as install-catalog.yml, and the labels, after Compose's "$$" unescaping,
// decode with Traefik's label parser to the router and middleware of dynamic.yml; the
// middleware's options, decoded as Traefik decodes a plugin's, then serve requests.
func runDockerLabels(t *testing.T, content string) {
	var compose composeFile
	if err := yaml.Unmarshal([]byte(content), &compose); err != nil {
		t.Fatal(err)
	}
	var flags []string
	for _, arg := range compose.Services["traefik"].Command {
		if strings.HasPrefix(arg, "--experimental.") {
			flags = append(flags, arg)
		}
	}
	var fromFlags staticPlugins
	if err := flag.Decode(flags, &fromFlags); err != nil {
		t.Fatalf("decoding the flags %q as Traefik does: %v", flags, err)
	}
	fromFile := decodeStaticPlugins(t, readExample(t, "install-catalog.yml"), ".yml")
	if fromFlags.Experimental == nil || flatten(fromFlags.Experimental.Plugins) != flatten(fromFile.Experimental.Plugins) {
		t.Errorf("plugins from the flags:\n%s\nwant (install-catalog.yml):\n%s", flattenPlugins(fromFlags), flatten(fromFile.Experimental.Plugins))
	}

	fromLabels := decodeLabels(t, compose.Services["app"].Labels)
	var fromDynamic routingConfig
	if err := file.DecodeContent(readExample(t, "dynamic.yml"), ".yml", &fromDynamic); err != nil {
		t.Fatalf("decoding dynamic.yml as Traefik does: %v", err)
	}
	if fromLabels.HTTP == nil || fromDynamic.HTTP == nil {
		t.Fatalf("no http section: labels %v, dynamic.yml %v", fromLabels.HTTP != nil, fromDynamic.HTTP != nil)
	}
	if got, want := flatten(fromLabels.HTTP.Routers), flatten(fromDynamic.HTTP.Routers); got != want {
		t.Errorf("routers: got from labels\n%s\nwant (dynamic.yml)\n%s", got, want)
	}
	if got, want := flatten(fromLabels.HTTP.Middlewares), flatten(fromDynamic.HTTP.Middlewares); got != want {
		t.Errorf("middlewares: got from labels\n%s\nwant (dynamic.yml)\n%s", got, want)
	}
	auth := fromLabels.HTTP.Middlewares["auth"]
	if auth == nil {
		t.Fatal("no middleware auth in the labels")
	}
	serveApp(t, auth.Plugin[pluginName])
}

// flattenPlugins is flatten of the plugins of s, or "(none)".
func flattenPlugins(s staticPlugins) string {
	if s.Experimental == nil {
		return "(none)"
	}
	return flatten(s.Experimental.Plugins)
}

// serveApp decodes a plugin configuration as Traefik does, builds the middleware with New and
// checks the answers of appExchanges' main cases in process.
func serveApp(t *testing.T, raw map[string]any) {
	t.Helper()
	cfg, err := decodePluginConfig(raw)
	if err != nil {
		t.Fatalf("decoding the plugin's options as Traefik does: %v", err)
	}
	h, err := basicauthbypass.New(context.Background(), catalogNext, cfg, "auth@example")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, c := range []struct {
		target, auth string
		wantStatus   int
	}{
		{"/", "", 401},
		{"/", demoBasicValue, 200},
		{"/api/items", "Bearer t", 200},
		{"/health", "", 200},
		{"/healthz", "", 401},
	} {
		req := httptest.NewRequest(http.MethodGet, "http://app.example.com"+c.target, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.wantStatus {
			t.Errorf("GET %s (Authorization %q): got status %d, want %d", c.target, c.auth, rec.Code, c.wantStatus)
		}
		if rec.Code == 401 {
			if got, want := rec.Header().Get("WWW-Authenticate"), challengeFor("My App"); got != want {
				t.Errorf("GET %s: got WWW-Authenticate %q, want %q", c.target, got, want)
			}
		}
	}
}

// k8sObject is the part of a Kubernetes object the test reads.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string `yaml:"name"`
		Namespace string `yaml:"namespace"`
	} `yaml:"metadata"`
	StringData map[string]string `yaml:"stringData"`
	Spec       map[string]any    `yaml:"spec"`
}

// runKubernetes checks the Kubernetes example: the Middleware's spec.plugin goes through what
// Traefik's CRD provider does (pkg/provider/kubernetes/crd/kubernetes.go, createPluginMiddleware:
// JSON into map[string]map[string]any, then every "urn:k8s:secret:<name>:<key>" string replaced
// by the Secret's value), gives the same options as dynamic.yml, and serves requests through
// New; the IngressRoute uses the Middleware.
func runKubernetes(t *testing.T, content string) {
	dec := yaml.NewDecoder(strings.NewReader(content))
	objects := map[string]k8sObject{}
	for {
		var o k8sObject
		if err := dec.Decode(&o); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		objects[o.Kind] = o
	}
	secret, middleware, route := objects["Secret"], objects["Middleware"], objects["IngressRoute"]
	if secret.Kind == "" || middleware.Kind == "" || route.Kind == "" {
		t.Fatalf("want a Secret, a Middleware and an IngressRoute, got %v", k8sKinds(objects))
	}
	for _, o := range []k8sObject{middleware, route} {
		if o.APIVersion != "traefik.io/v1alpha1" {
			t.Errorf("%s: got apiVersion %q, want traefik.io/v1alpha1", o.Kind, o.APIVersion)
		}
	}
	if secret.Metadata.Namespace != middleware.Metadata.Namespace || route.Metadata.Namespace != middleware.Metadata.Namespace {
		t.Errorf("the Secret, Middleware and IngressRoute must share a namespace (secrets are read from the Middleware's)")
	}

	data, err := json.Marshal(middleware.Spec["plugin"])
	if err != nil {
		t.Fatal(err)
	}
	var plugins map[string]map[string]any
	if err := json.Unmarshal(data, &plugins); err != nil {
		t.Fatal(err)
	}
	conf, ok := plugins[pluginName]
	if !ok {
		t.Fatalf("spec.plugin has no %q", pluginName)
	}
	for key := range conf {
		conf[key] = resolveSecrets(t, conf[key], secret)
	}

	var fromDynamic routingConfig
	if err := file.DecodeContent(readExample(t, "dynamic.yml"), ".yml", &fromDynamic); err != nil {
		t.Fatal(err)
	}
	if got, want := flatten(conf), flatten(fromDynamic.HTTP.Middlewares["auth"].Plugin[pluginName]); got != want {
		t.Errorf("options: got from the CRD\n%s\nwant (dynamic.yml)\n%s", got, want)
	}
	serveApp(t, conf)

	if got, want := flatten(route.Spec["routes"]), "[0].kind = Rule\n[0].match = Host(`app.example.com`)\n[0].middlewares[0].name = "+middleware.Metadata.Name; !strings.HasPrefix(got, want) {
		t.Errorf("IngressRoute routes:\n%s\nwant them to start with\n%s", got, want)
	}
}

// resolveSecrets replaces, as Traefik's CRD provider does (loadSecretKeys), every string of v
// of the form urn:k8s:secret:<name>:<key> by that key of secret, the only Secret here.
func resolveSecrets(t *testing.T, v any, secret k8sObject) any {
	t.Helper()
	switch x := v.(type) {
	case string:
		if !strings.HasPrefix(x, "urn:k8s:secret:") {
			return x
		}
		parts := strings.Split(x, ":")
		if len(parts) != 5 || parts[3] != secret.Metadata.Name {
			t.Fatalf("secret reference %q: want urn:k8s:secret:%s:<key>", x, secret.Metadata.Name)
		}
		value, ok := secret.StringData[parts[4]]
		if !ok {
			t.Fatalf("secret reference %q: no key %q in the Secret", x, parts[4])
		}
		return value
	case []any:
		for i := range x {
			x[i] = resolveSecrets(t, x[i], secret)
		}
	case map[string]any:
		for k := range x {
			x[k] = resolveSecrets(t, x[k], secret)
		}
	}
	return v
}

// k8sKinds returns the kinds of objects, sorted.
func k8sKinds(m map[string]k8sObject) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// libreChatStream is the path of the server-sent-events stream the LibreChat recipe's backend
// serves, as LibreChat's chat streams are under /api/.
const libreChatStream = "/api/agents/chat/stream"

// runLibreChat runs the LibreChat recipe in Traefik over TLS (Traefik's default certificate):
// pages need the Basic login, LibreChat's own API calls (login, token refresh, bearer calls)
// pass untouched, and a server-sent-events stream under /api/ reaches the client event by event.
func runLibreChat(t *testing.T, content string) {
	// The backend: echo for every path, and an event stream that sends its second event only
	// once the client has received the first, so a buffered stream would never finish.
	be := &backend{}
	firstSeen := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/", echo.Handler{Record: be.record})
	mux.HandleFunc(libreChatStream, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		fmt.Fprint(w, "event: message\ndata: first\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-firstSeen:
		case <-time.After(requestTimeout):
			return
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, "event: message\ndata: second\n\n")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	be.URL = srv.URL

	content = substitute(t, content, "http://librechat:3080", "{{BACKEND}}", "/etc/traefik/librechat.htpasswd", "{{DIR}}/librechat.htpasswd")
	websecure := &opsEntryPoint{name: "websecure", host: "127.0.0.1"}
	tr := startTraefik(t, be, traefikConfig{
		static: opsStatic(t, websecure), staticExt: ".yml",
		dynamic: content, routers: []string{"librechat"},
		prepare: func(t *testing.T, dir string) { writeDemoUsers(t, filepath.Join(dir, "librechat.htpasswd")) },
	})
	wantEnabled(t, tr, "librechat")
	host := "chat.example.com"
	ex := func(e opsExchange) opsExchange {
		e.addr, e.host, e.tls = websecure.addr, host, true
		return e
	}
	bearer := "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.librechat-token"
	t.Run("requests", func(t *testing.T) {
		runOpsExchanges(t, be, []opsExchange{
			ex(opsExchange{name: "the app needs the Basic login", target: "/", wantStatus: 401}),
			ex(opsExchange{name: "a conversation page needs it too", target: "/c/new", wantStatus: 401}),
			ex(opsExchange{name: "pages with the Basic login", target: "/c/new", headers: []string{demoBasic}, wantStatus: 200, wantForwarded: true}),
			ex(opsExchange{name: "assets with the Basic login", target: "/assets/index.js", headers: []string{demoBasic}, wantStatus: 200, wantForwarded: true}),
			ex(opsExchange{
				name: "LibreChat's login", method: http.MethodPost, target: "/api/auth/login", headers: []string{"Content-Type: application/json", "Content-Length: 0"},
				wantStatus: 200, wantForwarded: true, wantMethod: http.MethodPost,
			}),
			ex(opsExchange{name: "token refresh with its cookie", method: http.MethodPost, target: "/api/auth/refresh", headers: []string{"Cookie: refreshToken=r", "Content-Length: 0"}, wantStatus: 200, wantForwarded: true}),
			ex(opsExchange{
				name: "API call with LibreChat's bearer token", target: "/api/convos?pageSize=25", headers: []string{bearer},
				wantStatus: 200, wantForwarded: true, wantHeaders: map[string]string{"Authorization": strings.TrimPrefix(bearer, "Authorization: ")},
			}),
			ex(opsExchange{name: "path confusion out of /api/", target: "/api/%2e%2e/c/new", wantStatus: 401}),
		})
		// The router has tls: {}, so the plain-HTTP entrypoint has no route to it.
		runOpsExchanges(t, be, []opsExchange{{name: "plain HTTP on web is not routed", addr: tr.Addr, host: host, target: "/api/convos", wantStatus: 404}})
	})
	t.Run("event stream under /api/", func(t *testing.T) {
		conn := tlsDial(t, websecure.addr, host)
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(2 * requestTimeout))
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n%s\r\nConnection: close\r\n\r\n", libreChatStream, host, bearer)
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got status %d, want 200", resp.StatusCode)
		}
		events := bufio.NewReader(resp.Body)
		var got bytes.Buffer
		for !strings.Contains(got.String(), "data: first\n\n") {
			line, err := events.ReadString('\n')
			if err != nil {
				t.Fatalf("reading the first event: %v (got %q): the stream is buffered", err, got.String())
			}
			got.WriteString(line)
		}
		close(firstSeen)
		rest, err := io.ReadAll(events)
		if err != nil {
			t.Fatalf("reading the rest of the stream: %v", err)
		}
		if !strings.Contains(string(rest), "data: second\n\n") {
			t.Errorf("got rest of stream %q, want the second event", rest)
		}
	})
}

// runMigration runs the migration example before (Traefik's basicAuth) or after (the plugin):
// both answer the same to the same requests, except the bypassed API after.
func runMigration(t *testing.T, content string, before bool) {
	be := startBackend(t)
	name := "migrate-after.yml"
	if before {
		name = "migrate-before.yml"
	}
	tr := startSnippet(t, be, name, content, nil)
	wantEnabled(t, tr, "site")
	host := "app.test"
	apiStatus, apiForwarded := 200, true
	if before {
		apiStatus, apiForwarded = 401, false
	}
	runOpsExchanges(t, be, []opsExchange{
		{name: "protected", addr: tr.Addr, host: host, target: "/", wantStatus: 401, realm: "My App", builtin: before},
		{name: "wrong password", addr: tr.Addr, host: host, target: "/", headers: []string{basicAuth(demoUser, "wrong")}, wantStatus: 401, realm: "My App", builtin: before},
		{
			name: "with credentials: user forwarded, Authorization removed", addr: tr.Addr, host: host, target: "/", headers: []string{demoBasic, "X-WebAuth-User: forged"},
			wantStatus: 200, wantForwarded: true, wantHeaders: map[string]string{"X-Webauth-User": demoUser, "Authorization": ""},
		},
		{name: "the API's bearer token", addr: tr.Addr, host: host, target: "/api/chat", headers: []string{"Authorization: Bearer t"}, wantStatus: apiStatus, wantForwarded: apiForwarded, realm: "My App", builtin: before},
	})
}

// tlsDial opens a TLS connection to addr for serverName, accepting Traefik's default certificate.
func tlsDial(t *testing.T, addr, serverName string) *tls.Conn {
	t.Helper()
	dialer := &net.Dialer{Timeout: requestTimeout}
	conn, err := tls.DialWithDialer(dialer, "tcp", addr, &tls.Config{ServerName: serverName, InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS to %s: %v", addr, err)
	}
	return conn
}

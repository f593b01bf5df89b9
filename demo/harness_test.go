package demo_test

// This file holds the end-to-end harness: it builds (when missing) and starts the real Traefik
// v3.6.12 with the plugin laid out fresh from the repository root, an in-process echo backend that
// records what it received, and clients that speak raw HTTP/1.1 so that no path is cleaned before
// Traefik sees it.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/basicauthbypass/basicauthbypass/demo/internal/echo"
)

const (
	// traefikVersion is the Traefik the demo module pins as a tool.
	traefikVersion = "v3.6.12"
	// pluginModule is the plugin's module path, which is also its directory under plugins-local/src.
	pluginModule = "github.com/basicauthbypass/basicauthbypass"
	// pluginName is the plugin's key in experimental.localPlugins and in middleware configurations.
	pluginName = "basicauthbypass"
	// readyTimeout bounds the wait for Traefik to load the plugin and publish the routers.
	readyTimeout = 60 * time.Second
	// requestTimeout bounds every request a test sends.
	requestTimeout = 10 * time.Second
	// idHeader carries a unique id per test request, so the backend's record can be searched.
	idHeader = "X-E2e-Id"

	// demoUser and demoPassword are the demo credentials; demoHash is their entry in
	// config/dynamic.yml and ../.traefik.yml (htpasswd -nbB -C 5 demo demo).
	demoUser     = "demo"
	demoPassword = "demo"
	demoHash     = "$2y$05$AYaNaZrTAGCIgb6ut29QJeeBYEWouZdOyzHcnOz/unHgcb/Vb/xZa"
)

var (
	traefikBinOnce sync.Once
	traefikBinPath string
	traefikBinErr  error
)

// traefikBinary returns the Traefik binary to test: $TRAEFIK_BIN, or bin/traefik, built with the
// version ldflag if it is missing (a cold build takes minutes; make e2e builds it beforehand).
func traefikBinary(t *testing.T) string {
	t.Helper()
	traefikBinOnce.Do(func() {
		if p := os.Getenv("TRAEFIK_BIN"); p != "" {
			traefikBinPath, traefikBinErr = filepath.Abs(p)
			return
		}
		p, err := filepath.Abs(filepath.Join("bin", "traefik"))
		if err != nil {
			traefikBinErr = err
			return
		}
		traefikBinPath = p
		if _, err := os.Stat(p); err == nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", p,
			"-ldflags", "-X github.com/traefik/traefik/v3/pkg/version.Version="+traefikVersion,
			"github.com/traefik/traefik/v3/cmd/traefik")
		out, err := cmd.CombinedOutput()
		if err != nil {
			traefikBinErr = fmt.Errorf("building traefik: %w\n%s", err, out)
		}
	})
	if traefikBinErr != nil {
		t.Fatalf("traefik binary: %v", traefikBinErr)
	}
	return traefikBinPath
}

// pluginSource is the directory the plugin is copied from: $PLUGIN_SRC, or the repository root.
func pluginSource() string {
	if dir := os.Getenv("PLUGIN_SRC"); dir != "" {
		return dir
	}
	return ".."
}

// pluginDirIn is where Traefik, started in dir, looks for the plugin's code.
func pluginDirIn(dir string) string {
	return filepath.Join(dir, "plugins-local", "src", filepath.FromSlash(pluginModule))
}

// layoutPlugin copies the plugin (its non-test *.go files, go.mod and .traefik.yml) from
// pluginSource to pluginDirIn(dir), where Traefik's local plugin loader looks.
func layoutPlugin(t testing.TB, dir string) {
	t.Helper()
	dst := pluginDirIn(dir)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	src := pluginSource()
	sources, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(src, "go.mod"), filepath.Join(src, ".traefik.yml")}
	for _, src := range sources {
		if !strings.HasSuffix(src, "_test.go") {
			files = append(files, src)
		}
	}
	for _, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatalf("plugin layout: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(src)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	return freePortOn(t, "127.0.0.1")
}

// freePortOn returns a TCP port on host that was free a moment ago.
func freePortOn(t *testing.T, host string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// backend is the in-process echo backend: echo.Handler on 127.0.0.1 that records every request.
type backend struct {
	// URL is the backend's base URL, for the dynamic configuration.
	URL  string
	mu   sync.Mutex
	seen []echo.Request
}

// startBackend starts a recording echo backend, stopped when the test ends.
func startBackend(t *testing.T) *backend {
	t.Helper()
	b := &backend{}
	srv := httptest.NewServer(echo.Handler{Record: b.record})
	t.Cleanup(srv.Close)
	b.URL = srv.URL
	return b
}

// record stores r; echo.Handler calls it before it answers.
func (b *backend) record(r echo.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seen = append(b.seen, r)
}

// lookup returns the request the backend received with idHeader id. The handler records before it
// answers, so once a client has a response, a request that reached the backend is recorded.
func (b *backend) lookup(id string) (echo.Request, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.seen {
		if r.Header.Get(idHeader) == id {
			return r, true
		}
	}
	return echo.Request{}, false
}

// traefikConfig describes one Traefik instance.
type traefikConfig struct {
	// static renders the static configuration; staticExt is its extension (".yml" or ".toml").
	static    func(staticParams) string
	staticExt string
	// dynamic is the dynamic configuration, with {{BACKEND}} for the backend URL and {{DIR}} for
	// the working directory; dynamicExt is its extension (".yml" or ".toml").
	dynamic    string
	dynamicExt string
	// abortOnPluginFailure sets experimental.abortOnPluginFailure.
	abortOnPluginFailure bool
	// routers are the routers (without @file) to wait for in Traefik's API.
	routers []string
	// prepare, when set, is called with Traefik's working directory once the plugin is laid out
	// (in pluginDirIn(dir)) and before Traefik starts.
	prepare func(t *testing.T, dir string)
	// expectExit makes start wait for Traefik to exit instead of becoming ready.
	expectExit bool
}

// staticParams are the values a static configuration is rendered with.
type staticParams struct {
	WebPort, APIPort     int
	DynamicFile          string
	AbortOnPluginFailure bool
}

// yamlStatic renders the static configuration the tests use in YAML: the web entrypoint, Traefik's
// API on its own entrypoint (for readiness and router status), the file provider, DEBUG logs on
// standard output and the plugin as a local plugin.
func yamlStatic(p staticParams) string {
	return fmt.Sprintf(`global:
  checkNewVersion: false
  sendAnonymousUsage: false
entryPoints:
  web:
    address: "127.0.0.1:%d"
    transport:
      lifeCycle:
        graceTimeOut: 1s
  traefik:
    address: "127.0.0.1:%d"
    transport:
      lifeCycle:
        graceTimeOut: 1s
api:
  insecure: true
providers:
  file:
    filename: %q
log:
  level: DEBUG
  noColor: true
experimental:
  abortOnPluginFailure: %t
  localPlugins:
    %s:
      moduleName: %s
`, p.WebPort, p.APIPort, p.DynamicFile, p.AbortOnPluginFailure, pluginName, pluginModule)
}

// tomlStatic is yamlStatic in TOML.
func tomlStatic(p staticParams) string {
	return fmt.Sprintf(`[global]
  checkNewVersion = false
  sendAnonymousUsage = false
[entryPoints.web]
  address = "127.0.0.1:%d"
  [entryPoints.web.transport.lifeCycle]
    graceTimeOut = "1s"
[entryPoints.traefik]
  address = "127.0.0.1:%d"
  [entryPoints.traefik.transport.lifeCycle]
    graceTimeOut = "1s"
[api]
  insecure = true
[providers.file]
  filename = %q
[log]
  level = "DEBUG"
  noColor = true
[experimental]
  abortOnPluginFailure = %t
  [experimental.localPlugins.%s]
    moduleName = %q
`, p.WebPort, p.APIPort, p.DynamicFile, p.AbortOnPluginFailure, pluginName, pluginModule)
}

// traefik is a running (or, with expectExit, exited) Traefik.
type traefik struct {
	// Addr is the web entrypoint, host:port.
	Addr string
	// APIURL is the base URL of Traefik's API.
	APIURL string
	// Dir is Traefik's working directory.
	Dir string
	// LogPath is the file holding Traefik's standard output and error.
	LogPath string
	// PID is the process id of Traefik.
	PID int
	// Routers holds the API's view of each router in traefikConfig.routers, by name.
	Routers map[string]routerInfo
	// ExitErr is the exit status of a Traefik started with expectExit.
	ExitErr error
}

// routerInfo is the part of Traefik's /api/http/routers answer the tests read.
type routerInfo struct {
	Name   string   `json:"name"`
	Status string   `json:"status"`
	Error  []string `json:"error"`
}

// startTraefik lays out a working directory in t.TempDir() and starts Traefik in it. Unless
// cfg.expectExit, it returns once Traefik's API lists every router in cfg.routers, and stops
// Traefik when the test ends. Traefik's log is printed if the test fails.
func startTraefik(t *testing.T, be *backend, cfg traefikConfig) *traefik {
	t.Helper()
	bin := traefikBinary(t)
	// A port picked by freePort may be taken by the time Traefik binds it: try again then.
	for attempt := 1; ; attempt++ {
		tr, retry := tryStartTraefik(t, bin, be, cfg)
		if !retry || attempt == 3 {
			return tr
		}
		t.Logf("traefik could not bind its ports (attempt %d), retrying", attempt)
	}
}

// tryStartTraefik is one attempt of startTraefik; retry reports a port already in use.
func tryStartTraefik(t *testing.T, bin string, be *backend, cfg traefikConfig) (tr *traefik, retry bool) {
	t.Helper()
	dir := t.TempDir()
	layoutPlugin(t, dir)
	if cfg.prepare != nil {
		cfg.prepare(t, dir)
	}
	static, staticExt := cfg.static, cfg.staticExt
	if static == nil {
		static, staticExt = yamlStatic, ".yml"
	}
	dynamicExt := cfg.dynamicExt
	if dynamicExt == "" {
		dynamicExt = ".yml"
	}
	backendURL := "http://127.0.0.1:1"
	if be != nil {
		backendURL = be.URL
	}
	dynamic := strings.NewReplacer("{{BACKEND}}", backendURL, "{{DIR}}", dir).Replace(cfg.dynamic)
	dynamicFile := filepath.Join(dir, "dynamic"+dynamicExt)
	writeFile(t, dynamicFile, dynamic)
	params := staticParams{
		WebPort:              freePort(t),
		APIPort:              freePort(t),
		DynamicFile:          dynamicFile,
		AbortOnPluginFailure: cfg.abortOnPluginFailure,
	}
	staticFile := filepath.Join(dir, "traefik"+staticExt)
	writeFile(t, staticFile, static(params))

	tr = &traefik{
		Addr:    fmt.Sprintf("127.0.0.1:%d", params.WebPort),
		APIURL:  fmt.Sprintf("http://127.0.0.1:%d", params.APIPort),
		Dir:     dir,
		LogPath: filepath.Join(dir, "traefik.log"),
		Routers: map[string]routerInfo{},
	}
	logFile, err := os.Create(tr.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--configFile="+staticFile)
	cmd.Dir = dir
	cmd.Env = traefikEnv()
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("starting traefik: %v", err)
	}
	tr.PID = cmd.Process.Pid
	exited := make(chan struct{})
	go func() {
		tr.ExitErr = cmd.Wait()
		logFile.Close()
		close(exited)
	}()

	if cfg.expectExit {
		select {
		case <-exited:
		case <-time.After(readyTimeout):
			_ = cmd.Process.Kill()
			<-exited
			t.Fatalf("traefik did not exit within %v\n%s", readyTimeout, tr.log(t))
		}
		t.Cleanup(func() { tr.dumpLogOnFailure(t) })
		return tr, false
	}

	t.Cleanup(func() {
		stopProcess(cmd, exited)
		tr.dumpLogOnFailure(t)
	})

	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-exited:
			log := tr.log(t)
			if strings.Contains(log, "address already in use") {
				return tr, true
			}
			t.Fatalf("traefik exited before it was ready: %v\n%s", tr.ExitErr, log)
		default:
		}
		if tr.fetchRouters(cfg.routers) {
			return tr, false
		}
		if time.Now().After(deadline) {
			t.Fatalf("traefik did not publish routers %v within %v\n%s", cfg.routers, readyTimeout, tr.log(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// traefikEnv is the test's environment without TRAEFIK_* variables, which Traefik would read as
// configuration.
func traefikEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(strings.ToUpper(kv), "TRAEFIK_") {
			env = append(env, kv)
		}
	}
	return env
}

// stopProcess sends SIGTERM, waits up to 10 s for the exit, then kills.
func stopProcess(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// fetchRouters asks Traefik's API for its HTTP routers and reports whether all names are listed,
// storing what it found in tr.Routers. The API is served by the same router build as the
// entrypoints, so once it lists a router, that router's handler (or its error) is in place.
func (tr *traefik) fetchRouters(names []string) bool {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(tr.APIURL + "/api/http/routers?per_page=100")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	var routers []routerInfo
	if err := json.NewDecoder(resp.Body).Decode(&routers); err != nil {
		return false
	}
	byName := map[string]routerInfo{}
	for _, r := range routers {
		byName[r.Name] = r
	}
	for _, name := range names {
		r, ok := byName[name+"@file"]
		if !ok {
			return false
		}
		tr.Routers[name] = r
	}
	return true
}

// log returns Traefik's log so far.
func (tr *traefik) log(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(tr.LogPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(data)
}

// logLines returns the lines of Traefik's log that contain every one of parts.
func (tr *traefik) logLines(t *testing.T, parts ...string) []string {
	t.Helper()
	var found []string
	for _, line := range strings.Split(tr.log(t), "\n") {
		all := true
		for _, p := range parts {
			if !strings.Contains(line, p) {
				all = false
				break
			}
		}
		if all {
			found = append(found, line)
		}
	}
	return found
}

// dumpLogOnFailure prints Traefik's log when the test failed.
func (tr *traefik) dumpLogOnFailure(t *testing.T) {
	t.Helper()
	if t.Failed() {
		t.Logf("traefik log (%s):\n%s", tr.LogPath, tr.log(t))
	}
}

// response is what a raw request got back.
type response struct {
	Status int
	Header http.Header
	Body   string
}

// rawRequest sends "GET target HTTP/1.1" with the given header lines exactly as written (no
// cleaning of the target, no canonicalisation of header names) to addr, and reads the response.
// It adds Host (unless headers has one), Connection: close and idHeader: id.
func rawRequest(t *testing.T, addr, target, id string, headers ...string) response {
	t.Helper()
	return methodRequest(t, addr, http.MethodGet, target, id, headers...)
}

// methodRequest is rawRequest with any method: it sends "method target HTTP/1.1" with the header
// lines exactly as written to addr (an IPv6 address in brackets works), adding Host unless given,
// Connection: close and idHeader: id, and reads the response.
func methodRequest(t *testing.T, addr, method, target, id string, headers ...string) response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, requestTimeout)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	return requestOn(t, conn, addr, method, target, id, headers...)
}

// requestOn sends one request on conn, as methodRequest describes, reads the response and
// closes conn.
func requestOn(t *testing.T, conn net.Conn, addr, method, target, id string, headers ...string) response {
	t.Helper()
	defer conn.Close()
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	hasHost := false
	for _, h := range headers {
		if strings.HasPrefix(strings.ToLower(h), "host:") {
			hasHost = true
		}
		b.WriteString(h + "\r\n")
	}
	if !hasHost {
		b.WriteString("Host: " + addr + "\r\n")
	}
	fmt.Fprintf(&b, "%s: %s\r\nConnection: close\r\n\r\n", idHeader, id)
	_ = conn.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: reading response: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("%s %s: reading body: %v", method, target, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

// basicAuth returns the Authorization header line for user and password.
func basicAuth(user, password string) string {
	req := &http.Request{Header: http.Header{}}
	req.SetBasicAuth(user, password)
	return "Authorization: " + req.Header.Get("Authorization")
}

// writeFile writes content to path or fails the test.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// challengeFor is the WWW-Authenticate value the plugin sends for realm.
func challengeFor(realm string) string {
	return fmt.Sprintf("Basic realm=%q, charset=\"UTF-8\"", realm)
}

// wantChallenge checks that resp is the plugin's 401 for realm.
func wantChallenge(t *testing.T, resp response, realm string) {
	t.Helper()
	if resp.Status != http.StatusUnauthorized {
		t.Fatalf("got status %d, want %d (body %q)", resp.Status, http.StatusUnauthorized, resp.Body)
	}
	if got, want := resp.Header.Get("WWW-Authenticate"), challengeFor(realm); got != want {
		t.Errorf("got WWW-Authenticate %q, want %q", got, want)
	}
	if got, want := resp.Header.Get("Content-Type"), "text/plain; charset=utf-8"; got != want {
		t.Errorf("got Content-Type %q, want %q", got, want)
	}
	if got, want := resp.Body, "401 Unauthorized\n"; got != want {
		t.Errorf("got body %q, want %q", got, want)
	}
}

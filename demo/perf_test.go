package demo_test

// This file holds the load comparison of issue 5, through the real Traefik: one Traefik with a
// router per route on one entrypoint, all to the same minimal in-process backend; routes with no
// middleware, with Traefik's own basicAuth, and with this plugin (bypassed, and authenticated with
// a warm cache for every hash format), measured in alternation; then the latency of a first
// verification per format, against compiled references. It measures rather than tests, and takes
// minutes, so it runs only when LOADCOMPARE=1 (make bench), never in make test.

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basicauthbypass/basicauthbypass"
	"golang.org/x/crypto/bcrypt"
)

// perfEnv enables TestLoadCompare; perfEnv+"_DURATION", "_ROUNDS", "_CONNS" and "_FRESH" tune it.
const perfEnv = "LOADCOMPARE"

// perfSettings are the knobs of the comparison.
type perfSettings struct {
	// duration is the length of one throughput run of one route.
	duration time.Duration
	// rounds is how many times every route is run, each time between two runs of the baseline.
	rounds int
	// conns is the number of client goroutines, each with its own keep-alive connection.
	conns int
	// fresh is the number of never-verified users per format for the first-verification latency.
	fresh int
}

// perfSettingsFromEnv reads the settings, with their defaults.
func perfSettingsFromEnv(t *testing.T) perfSettings {
	t.Helper()
	s := perfSettings{duration: time.Second, rounds: 5, conns: 8, fresh: 3}
	if v := os.Getenv(perfEnv + "_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > time.Minute {
			t.Fatalf("%s_DURATION %q: want a duration up to 1m", perfEnv, v)
		}
		s.duration = d
	}
	for _, knob := range []struct {
		name string
		dst  *int
		max  int
	}{{"_ROUNDS", &s.rounds, 50}, {"_CONNS", &s.conns, 256}, {"_FRESH", &s.fresh, 20}} {
		if v := os.Getenv(perfEnv + knob.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > knob.max {
				t.Fatalf("%s%s %q: want 1 to %d", perfEnv, knob.name, v, knob.max)
			}
			*knob.dst = n
		}
	}
	return s
}

// perfFormat is one hash format and how its entries are made.
type perfFormat struct {
	// name is the format's name in the tables and in router names.
	name string
	// command is the command that makes an entry, for the report.
	command string
	// entry returns the htpasswd line "user:hash" for user and password.
	entry func(t testing.TB, user, password string) string
	// load says whether the format has a route in the throughput comparison (bcrypt at cost
	// 10 is only measured for its first verification).
	load bool
	// xcrypto says whether golang.org/x/crypto/bcrypt is a compiled reference for it.
	xcrypto bool
}

// perfFormats are every format the plugin supports, bcrypt at cost 5 (htpasswd's default) and 10.
var perfFormats = []perfFormat{
	{name: "bcrypt-cost5", command: "htpasswd -nbB -C 5 USER PASSWORD", entry: htpasswdEntry("-nbB", "-C", "5"), load: true, xcrypto: true},
	{name: "bcrypt-cost10", command: "htpasswd -nbB -C 10 USER PASSWORD", entry: htpasswdEntry("-nbB", "-C", "10"), xcrypto: true},
	{name: "apr1", command: "htpasswd -nbm USER PASSWORD", entry: htpasswdEntry("-nbm"), load: true},
	{name: "md5-crypt", command: "openssl passwd -1 PASSWORD", entry: opensslEntry("-1"), load: true},
	{name: "sha256-crypt", command: "openssl passwd -5 PASSWORD", entry: opensslEntry("-5"), load: true},
	{name: "sha512-crypt", command: "openssl passwd -6 PASSWORD", entry: opensslEntry("-6"), load: true},
	{name: "sha1", command: "htpasswd -nbs USER PASSWORD", entry: htpasswdEntry("-nbs"), load: true},
	{name: "ssha", command: "{SSHA}base64(sha1(PASSWORD salt) salt), 8 random salt bytes", entry: sshaEntry, load: true},
}

// htpasswdEntry returns an entry maker running htpasswd with flags, then user and password.
func htpasswdEntry(flags ...string) func(t testing.TB, user, password string) string {
	return func(t testing.TB, user, password string) string {
		t.Helper()
		out, err := exec.Command("htpasswd", append(flags, user, password)...).Output()
		if err != nil {
			t.Fatalf("htpasswd %v: %v", flags, err)
		}
		return strings.TrimSpace(string(out))
	}
}

// opensslEntry returns an entry maker running openssl passwd with flag and the password.
func opensslEntry(flag string) func(t testing.TB, user, password string) string {
	return func(t testing.TB, user, password string) string {
		t.Helper()
		out, err := exec.Command("openssl", "passwd", flag, password).Output()
		if err != nil {
			t.Fatalf("openssl passwd %s: %v", flag, err)
		}
		return user + ":" + strings.TrimSpace(string(out))
	}
}

// sshaEntry makes a salted SHA-1 entry as slappasswd does: {SSHA} and the base64 of the SHA-1 of
// the password and the salt, followed by the salt.
func sshaEntry(t testing.TB, user, password string) string {
	t.Helper()
	salt := make([]byte, 8)
	if _, err := rand.Read(salt); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(append([]byte(password), salt...))
	return user + ":{SSHA}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
}

// perfUser is a user of a format with its password and htpasswd entry.
type perfUser struct {
	name, password, entry string
}

// perfUsers are the users of one format: warm, whose password the warm-cache runs send, and
// fresh, each sent once for a first verification.
type perfUsers struct {
	format perfFormat
	warm   perfUser
	fresh  []perfUser
}

// makePerfUsers makes the users of every format with the real htpasswd and openssl.
func makePerfUsers(t testing.TB, fresh int) []perfUsers {
	t.Helper()
	var all []perfUsers
	for _, f := range perfFormats {
		u := perfUsers{format: f}
		pw := "warm-" + f.name + "-" + randomToken(t)
		u.warm = perfUser{name: "warm", password: pw, entry: f.entry(t, "warm", pw)}
		for i := 0; i < fresh; i++ {
			name := fmt.Sprintf("fresh%d", i)
			pw := name + "-" + randomToken(t)
			u.fresh = append(u.fresh, perfUser{name: name, password: pw, entry: f.entry(t, name, pw)})
		}
		all = append(all, u)
	}
	return all
}

// randomToken returns 12 random base64url characters.
func randomToken(t testing.TB) string {
	t.Helper()
	b := make([]byte, 9)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// perfRoute is one router of the comparison: its host, the middleware YAML (under the
// middleware's name, empty for none) and the request sent to it.
type perfRoute struct {
	name       string
	middleware string
	target     string
	headers    []string
	// users is the format of a plugin route that authenticates, nil otherwise.
	users *perfUsers
}

// host is the route's Host header.
func (r perfRoute) host() string {
	return r.name + ".perf.test"
}

// perfRoutes builds the routes: no middleware (the baseline, first), a no-op Yaegi plugin,
// Traefik's headers middleware setting one header, Traefik's basicAuth with apr1 and with
// bcrypt, the plugin on a bypassed path, and the plugin authenticating each format.
func perfRoutes(users []perfUsers) []perfRoute {
	byName := map[string]*perfUsers{}
	for i := range users {
		byName[users[i].format.name] = &users[i]
	}
	// yamlList renders entries as a YAML list whose items are indented by indent spaces.
	yamlList := func(indent int, entries ...string) string {
		var b strings.Builder
		for _, e := range entries {
			fmt.Fprintf(&b, "\n%s- %q", strings.Repeat(" ", indent), e)
		}
		return b.String()
	}
	builtin := func(u *perfUsers) string {
		return "      basicAuth:\n        users:" + yamlList(10, u.warm.entry)
	}
	plugin := func(u *perfUsers) string {
		entries := []string{u.warm.entry}
		for _, f := range u.fresh {
			entries = append(entries, f.entry)
		}
		return "      plugin:\n        basicauthbypass:\n          users:" + yamlList(12, entries...) +
			"\n          bypassPaths: [\"^/api/\"]"
	}
	warmAuth := func(u *perfUsers) []string {
		return []string{basicAuth(u.warm.name, u.warm.password)}
	}

	routes := []perfRoute{
		{name: "none", target: "/c/new"},
		{name: "yaegi-noop", middleware: "      plugin:\n        " + perfNoopName + ":\n          unused: true", target: "/c/new"},
		// A compiled middleware doing next to nothing: what any middleware costs in Traefik.
		{name: "builtin-headers", middleware: "      headers:\n        customRequestHeaders:\n          X-Perf: \"1\"", target: "/c/new"},
		{name: "builtin-apr1", middleware: builtin(byName["apr1"]), target: "/c/new", headers: warmAuth(byName["apr1"])},
		{name: "builtin-bcrypt-cost5", middleware: builtin(byName["bcrypt-cost5"]), target: "/c/new", headers: warmAuth(byName["bcrypt-cost5"])},
		{name: "plugin-bypassed", middleware: plugin(byName["bcrypt-cost5"]), target: "/api/chat", headers: []string{"Authorization: Bearer perf-token"}},
	}
	for i := range users {
		u := &users[i]
		routes = append(routes, perfRoute{
			name: "plugin-" + u.format.name, middleware: plugin(u), target: "/c/new", headers: warmAuth(u), users: u,
		})
	}
	return routes
}

// perfDynamic renders the dynamic configuration of routes, all to backendURL on the web entrypoint.
func perfDynamic(routes []perfRoute, backendURL string) string {
	var b strings.Builder
	b.WriteString("http:\n  routers:\n")
	for _, r := range routes {
		fmt.Fprintf(&b, "    %s:\n      entryPoints: [web]\n      rule: \"Host(`%s`)\"\n      service: backend\n", r.name, r.host())
		if r.middleware != "" {
			fmt.Fprintf(&b, "      middlewares: [%s]\n", r.name)
		}
	}
	b.WriteString("  middlewares:\n")
	for _, r := range routes {
		if r.middleware != "" {
			fmt.Fprintf(&b, "    %s:\n%s\n", r.name, r.middleware)
		}
	}
	fmt.Fprintf(&b, "  services:\n    backend:\n      loadBalancer:\n        servers:\n          - url: %q\n", backendURL)
	return b.String()
}

// perfStatic is the harness's static configuration with Traefik logging errors only (at DEBUG,
// Traefik writes lines for every request, which would measure its logging) and the no-op plugin
// declared beside this one.
func perfStatic(p staticParams) string {
	s := yamlStatic(p)
	quiet := strings.Replace(s, "level: DEBUG", "level: ERROR", 1)
	if quiet == s || !strings.HasSuffix(s, "      moduleName: "+pluginModule+"\n") {
		panic("perfStatic: the harness's static configuration no longer ends with the local plugin at level DEBUG")
	}
	return quiet + fmt.Sprintf("    %s:\n      moduleName: %s\n", perfNoopName, perfNoopModule)
}

// perfNoopName and perfNoopModule name a Yaegi plugin that only calls the next handler: the
// floor of any interpreted middleware, against which the plugin's own cost shows.
const (
	perfNoopName   = "noop"
	perfNoopModule = "github.com/basicauthbypass/noop"
)

// perfNoopSource is the no-op plugin's code, in the shape of traefik/plugindemo.
const perfNoopSource = `// Package noop is a Traefik middleware plugin that only calls the next handler.
package noop

import (
	"context"
	"net/http"
)

// Config is empty: the plugin has no options.
type Config struct{}

// CreateConfig returns the empty configuration.
func CreateConfig() *Config {
	return &Config{}
}

// noop calls next.
type noop struct {
	next http.Handler
}

// New returns the middleware.
func New(_ context.Context, next http.Handler, _ *Config, _ string) (http.Handler, error) {
	return &noop{next: next}, nil
}

// ServeHTTP calls the next handler.
func (n *noop) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	n.next.ServeHTTP(rw, req)
}
`

// layoutNoopPlugin writes the no-op plugin where Traefik, started in dir, looks for local plugins.
func layoutNoopPlugin(t testing.TB, dir string) {
	t.Helper()
	dst := filepath.Join(dir, "plugins-local", "src", filepath.FromSlash(perfNoopModule))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dst, "go.mod"), "module "+perfNoopModule+"\n\ngo 1.20\n")
	writeFile(t, filepath.Join(dst, ".traefik.yml"), "displayName: No-op\ntype: middleware\nimport: "+perfNoopModule+
		"\nsummary: Calls the next handler, nothing else.\ntestData: {}\n")
	writeFile(t, filepath.Join(dst, "noop.go"), perfNoopSource)
}

// perfRun is the outcome of one throughput run.
type perfRun struct {
	rps float64
	// cpuPerReq is Traefik's CPU time (user and system) per request, 0 when unknown.
	cpuPerReq time.Duration
}

// TestLoadCompare runs the load comparison and prints its tables (Markdown) on standard output.
func TestLoadCompare(t *testing.T) {
	if os.Getenv(perfEnv) != "1" {
		t.Skipf("a measurement, not a test: %s=1 (make -C demo bench) runs it", perfEnv)
	}
	for _, tool := range []string{"htpasswd", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install apache2-utils and openssl", tool)
		}
	}
	settings := perfSettingsFromEnv(t)
	users := makePerfUsers(t, settings.fresh)
	routes := perfRoutes(users)

	// The backend does the least a backend can: the comparison is about what lies in front of it.
	backendSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	}))
	defer backendSrv.Close()

	names := make([]string, len(routes))
	for i, r := range routes {
		names[i] = r.name
	}
	digest := perfSourceDigest(t)
	tr := startTraefik(t, nil, traefikConfig{
		static: perfStatic, staticExt: ".yml", dynamic: perfDynamic(routes, backendSrv.URL), routers: names, prepare: func(t *testing.T, dir string) { layoutNoopPlugin(t, dir) },
	})
	wantEnabled(t, tr, names...)
	// Traefik's CPU time is read from /proc, where there is one.
	pid := 0
	if _, err := os.Stat("/proc"); err == nil {
		pid = tr.PID
	}

	pinning := perfPin(t, tr.PID)

	// Warm up every route: connections to the backend, and the plugin's cache (one slow
	// verification per route), which the throughput runs must not measure.
	for _, r := range routes {
		if _, err := perfThroughput(tr.Addr, r, settings.conns, 300*time.Millisecond, 0); err != nil {
			t.Fatalf("warming up %s: %v", r.name, err)
		}
	}

	// Rounds of baseline, A, baseline, B, ..., baseline: every route runs between two baseline
	// runs, and its ratio is to their mean, so drift of the machine hits both sides alike. Odd
	// rounds go through the routes backwards.
	othersBefore, wallBefore := perfOtherCPU(pid), time.Now()
	base := routes[0]
	var others []perfRoute
	for _, r := range routes[1:] {
		if r.users == nil || r.users.format.load {
			others = append(others, r)
		}
	}
	ratios := make(map[string][]float64)
	rpsOf := make(map[string][]float64)
	cpuOf := make(map[string][]time.Duration)
	for round := 0; round < settings.rounds; round++ {
		order := append([]perfRoute(nil), others...)
		if round%2 == 1 {
			for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
				order[i], order[j] = order[j], order[i]
			}
		}
		prev, err := perfThroughput(tr.Addr, base, settings.conns, settings.duration, pid)
		if err != nil {
			t.Fatalf("round %d, %s: %v", round, base.name, err)
		}
		rpsOf[base.name] = append(rpsOf[base.name], prev.rps)
		cpuOf[base.name] = append(cpuOf[base.name], prev.cpuPerReq)
		for _, r := range order {
			got, err := perfThroughput(tr.Addr, r, settings.conns, settings.duration, pid)
			if err != nil {
				t.Fatalf("round %d, %s: %v", round, r.name, err)
			}
			next, err := perfThroughput(tr.Addr, base, settings.conns, settings.duration, pid)
			if err != nil {
				t.Fatalf("round %d, %s: %v", round, base.name, err)
			}
			ratios[r.name] = append(ratios[r.name], got.rps/((prev.rps+next.rps)/2))
			rpsOf[r.name] = append(rpsOf[r.name], got.rps)
			cpuOf[r.name] = append(cpuOf[r.name], got.cpuPerReq)
			rpsOf[base.name] = append(rpsOf[base.name], next.rps)
			cpuOf[base.name] = append(cpuOf[base.name], next.cpuPerReq)
			prev = next
		}
	}

	foreign := perfOtherCPUSince(othersBefore, pid)
	wall := time.Since(wallBefore)

	first := perfFirstVerifications(t, tr.Addr, routes, settings.fresh)
	compiled := perfCompiledReferences(t, users)

	out := os.Stdout
	fmt.Fprintf(out, "\n### Throughput through Traefik %s\n\n", traefikVersion)
	fmt.Fprintf(out, "Plugin source: %s (sha256 of its non-test .go files when Traefik started).\n\n", digest)
	fmt.Fprintf(out, "%s/%s, %d CPUs (GOMAXPROCS %d); client, backend and Traefik on this machine (127.0.0.1). "+
		"%d keep-alive connections, %v per run, %d rounds; each route runs between two runs of `none`, "+
		"and its ratio is to their mean (median, min-max over the rounds). CPU/req is Traefik's CPU time per request.\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), settings.conns, settings.duration, settings.rounds)
	fmt.Fprintf(out, "%s\n\n", pinning)
	if pid != 0 {
		disturbed := ""
		if foreign > wall/10 {
			disturbed = ": the machine was not quiet, the ratios are disturbed"
		}
		fmt.Fprintf(out, "Other processes used at least %.1f CPU-seconds during the %.0f s of runs (%.0f%% of one CPU)%s.\n\n",
			foreign.Seconds(), wall.Seconds(), 100*foreign.Seconds()/wall.Seconds(), disturbed)
	}
	noopRatio := perfMedian(ratios["yaegi-noop"])
	fmt.Fprintln(out, "| route | req/s (median) | ratio to none | min-max | ratio to yaegi-noop | Traefik CPU/req | added CPU/req | target |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---|")
	baseCPU := perfMedianDuration(cpuOf[base.name])
	fmt.Fprintf(out, "| none | %.0f | 1.00 | | | %s | | |\n", perfMedian(rpsOf[base.name]), perfCPU(cpuOf[base.name]))
	failed := false
	for _, r := range others {
		target, verdict := "", ""
		switch {
		case r.name == "plugin-bypassed":
			target = ">= 0.95"
			verdict = perfVerdict(perfMedian(ratios[r.name]) >= 0.95, &failed)
		case r.users != nil:
			target = ">= 0.90"
			verdict = perfVerdict(perfMedian(ratios[r.name]) >= 0.90, &failed)
		}
		lo, hi := perfMinMax(ratios[r.name])
		added := "?"
		if c := perfMedianDuration(cpuOf[r.name]); c > 0 && baseCPU > 0 {
			added = fmt.Sprintf("%+.0f µs", float64(c-baseCPU)/float64(time.Microsecond))
		}
		fmt.Fprintf(out, "| %s | %.0f | %.2f | %.2f-%.2f | %.2f | %s | %s | %s %s |\n", r.name, perfMedian(rpsOf[r.name]), perfMedian(ratios[r.name]), lo, hi,
			perfMedian(ratios[r.name])/noopRatio, perfCPU(cpuOf[r.name]), added, target, verdict)
	}

	fmt.Fprintf(out, "\n### Password verification under Traefik %s's Yaegi\n\n", traefikVersion)
	fmt.Fprintf(out, "Each request timed alone on an open connection. first: median over %d fresh users of their first request; "+
		"wrong: median of wrong-password requests (never cached, so each verifies); warm: median of 20 cached requests; "+
		"Yaegi = wrong - warm, the verification alone. Compiled: the same plugin code compiled (a wrong password through "+
		"ServeHTTP) and golang.org/x/crypto/bcrypt.CompareHashAndPassword, with testing.Benchmark in this process.\n\n", settings.fresh)
	fmt.Fprintln(out, "| format | first (ms) | wrong (ms, n) | warm (ms) | Yaegi (ms) | plugin compiled (ms) | x/crypto (ms) | Yaegi / plugin compiled | Yaegi / x/crypto | target |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, u := range users {
		f := first[u.format.name]
		yaegi := f.uncached - f.warm
		c := compiled[u.format.name]
		vsPlugin := "below noise"
		if yaegi > 50*time.Microsecond {
			vsPlugin = fmt.Sprintf("%.1fx", float64(yaegi)/float64(c.plugin))
		}
		row := fmt.Sprintf("| %s | %.2f | %.2f, %d | %.2f | %.2f | %.3f | ", u.format.name, perfMS(f.first), perfMS(f.uncached), f.samples,
			perfMS(f.warm), perfMS(yaegi), perfMS(c.plugin))
		switch {
		case u.format.xcrypto:
			vsX := float64(yaegi) / float64(c.xcrypto)
			row += fmt.Sprintf("%.3f | %s | %.1fx | <= 30x x/crypto %s |", perfMS(c.xcrypto), vsPlugin, vsX, perfVerdict(vsX <= 30, &failed))
		case u.format.name == "apr1" || u.format.name == "sha512-crypt":
			row += fmt.Sprintf(" | %s | | <= 8x compiled %s |", vsPlugin, perfVerdict(float64(yaegi) <= 8*float64(c.plugin), &failed))
		default:
			row += fmt.Sprintf(" | %s | | |", vsPlugin)
		}
		fmt.Fprintln(out, row)
	}
	fmt.Fprintln(out, "\nEntries made by:")
	for _, f := range perfFormats {
		fmt.Fprintf(out, "- %s: `%s`\n", f.name, f.command)
	}
	if failed {
		// A measurement, not a test: a missed target is reported, not failed, as the
		// numbers depend on the machine. The tables say which.
		t.Logf("some targets were missed; see the tables")
	}
}

// perfSourceDigest returns the first 12 hex digits of the SHA-256 of the plugin's non-test .go
// files (names and contents, in name order), so that a table can be tied to the code it measured.
func perfSourceDigest(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(pluginSource(), "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// perfVerdict returns "met" or "MISSED", and records a miss in failed.
func perfVerdict(ok bool, failed *bool) string {
	if ok {
		return "met"
	}
	*failed = true
	return "MISSED"
}

// perfCPU formats the median CPU time per request in microseconds, or "?" when unknown.
func perfCPU(ds []time.Duration) string {
	var f []float64
	for _, d := range ds {
		if d > 0 {
			f = append(f, float64(d)/float64(time.Microsecond))
		}
	}
	if len(f) == 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f µs", perfMedian(f))
}

// perfMedianDuration returns the median of the known (positive) durations of ds, 0 for none.
func perfMedianDuration(ds []time.Duration) time.Duration {
	var f []float64
	for _, d := range ds {
		if d > 0 {
			f = append(f, float64(d))
		}
	}
	if len(f) == 0 {
		return 0
	}
	return time.Duration(perfMedian(f))
}

// perfOtherCPU returns the CPU time (user and system, their reaped children's included) of every
// process but this one and Traefik's (pid), by process id, from /proc.
func perfOtherCPU(pid int) map[int]time.Duration {
	cpu := map[int]time.Duration{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return cpu
	}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil || p == pid || p == os.Getpid() {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 15 {
			continue
		}
		var ticks int64
		for _, f := range fields[11:15] { // utime stime cutime cstime
			n, _ := strconv.ParseInt(f, 10, 64)
			ticks += n
		}
		cpu[p] = time.Duration(ticks) * (time.Second / 100)
	}
	return cpu
}

// perfOtherCPUSince returns how much CPU time other processes used since before was taken: the
// growth of those still running and all of those started since. Processes that started and
// ended in between without a parent to reap them escape it: a lower bound.
func perfOtherCPUSince(before map[int]time.Duration, pid int) time.Duration {
	var total time.Duration
	for p, now := range perfOtherCPU(pid) {
		if was, ok := before[p]; ok {
			if now > was {
				total += now - was
			}
			continue
		}
		total += now
	}
	return total
}

// perfThroughput runs conns client goroutines against route r for d, each sending its request
// in a loop on its own keep-alive connection, and returns the completed requests per second.
// Every response must be 200. When pid is not 0, Traefik's CPU time is read around the run.
func perfThroughput(addr string, r perfRoute, conns int, d time.Duration, pid int) (perfRun, error) {
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\n", r.target, r.host())
	for _, h := range r.headers {
		req.WriteString(h + "\r\n")
	}
	req.WriteString("\r\n")
	raw := []byte(req.String())

	clients := make([]net.Conn, conns)
	for i := range clients {
		c, err := net.DialTimeout("tcp", addr, requestTimeout)
		if err != nil {
			return perfRun{}, err
		}
		defer c.Close()
		clients[i] = c
	}
	cpuBefore := perfProcessCPU(pid)
	start := time.Now()
	end := start.Add(d)
	var total atomic.Int64
	var stop atomic.Bool
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			_ = c.SetDeadline(end.Add(requestTimeout))
			br := bufio.NewReader(c)
			n := int64(0)
			defer func() { total.Add(n) }()
			for !stop.Load() {
				if _, err := c.Write(raw); err != nil {
					errs <- err
					return
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					errs <- err
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					errs <- err
					return
				}
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("got status %d, want 200", resp.StatusCode)
					return
				}
				if time.Now().Before(end) {
					n++
				}
			}
		}(c)
	}
	time.Sleep(time.Until(end))
	stop.Store(true)
	wg.Wait()
	cpuAfter := perfProcessCPU(pid)
	close(errs)
	if err := <-errs; err != nil {
		return perfRun{}, err
	}
	run := perfRun{rps: float64(total.Load()) / d.Seconds()}
	if n := total.Load(); n > 0 && cpuBefore >= 0 && cpuAfter > cpuBefore {
		run.cpuPerReq = (cpuAfter - cpuBefore) / time.Duration(n)
	}
	return run, nil
}

// perfProcessCPU returns the user and system CPU time of process pid from /proc, or -1.
func perfProcessCPU(pid int) time.Duration {
	if pid == 0 {
		return -1
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The command name, in parentheses, may hold spaces: count fields after its end.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	// Linux reports these in clock ticks of USER_HZ, 100 on every common platform.
	return time.Duration(utime+stime) * (time.Second / 100)
}

// perfFirst is the latency of requests to one route: a first verification (a fresh user's
// first request), a verification of a wrong password (never cached, so every one verifies), and
// a cached request.
type perfFirst struct {
	first, uncached, warm time.Duration
	// samples is the number of wrong-password requests.
	samples int
}

// perfFirstVerifications times, for every plugin route that authenticates, 20 cached requests,
// one request per fresh user and wrong-password requests (20, or fresh for bcrypt, which takes
// seconds under Yaegi at cost 10), each alone on a connection opened beforehand.
func perfFirstVerifications(t *testing.T, addr string, routes []perfRoute, fresh int) map[string]perfFirst {
	t.Helper()
	results := map[string]perfFirst{}
	for _, r := range routes {
		if r.users == nil {
			continue
		}
		var warm, first, uncached []float64
		for i := 0; i < 20; i++ {
			warm = append(warm, float64(perfOneRequest(t, addr, r, r.headers, http.StatusOK)))
		}
		for _, u := range r.users.fresh {
			first = append(first, float64(perfOneRequest(t, addr, r, []string{basicAuth(u.name, u.password)}, http.StatusOK)))
		}
		n := 20
		if r.users.format.xcrypto {
			n = fresh
		}
		for i := 0; i < n; i++ {
			wrong := []string{basicAuth(r.users.warm.name, fmt.Sprintf("%s-wrong-%d", r.users.warm.password, i))}
			uncached = append(uncached, float64(perfOneRequest(t, addr, r, wrong, http.StatusUnauthorized)))
		}
		results[r.users.format.name] = perfFirst{
			first: time.Duration(perfMedian(first)), uncached: time.Duration(perfMedian(uncached)),
			warm: time.Duration(perfMedian(warm)), samples: n,
		}
	}
	return results
}

// perfOneRequest times one request to route r with headers, sent on a connection opened
// beforehand, and checks that it gets status want.
func perfOneRequest(t *testing.T, addr string, r perfRoute, headers []string, want int) time.Duration {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, requestTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\n", r.target, r.host())
	for _, h := range headers {
		req.WriteString(h + "\r\n")
	}
	req.WriteString("\r\n")
	br := bufio.NewReader(conn)
	start := time.Now()
	if _, err := io.WriteString(conn, req.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("%s: %v", r.name, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if resp.StatusCode != want {
		t.Fatalf("%s: got status %d, want %d", r.name, resp.StatusCode, want)
	}
	return elapsed
}

// perfCompiled is the time of one verification by compiled code.
type perfCompiled struct {
	// plugin is the plugin's own code, compiled: ServeHTTP with a wrong password, which is
	// never cached, so every call verifies.
	plugin time.Duration
	// xcrypto is golang.org/x/crypto/bcrypt.CompareHashAndPassword, for bcrypt.
	xcrypto time.Duration
}

// perfCompiledReferences measures every format's verification compiled, with testing.Benchmark.
func perfCompiledReferences(t *testing.T, users []perfUsers) map[string]perfCompiled {
	t.Helper()
	// The plugin logs one line per refused request on standard output: send its lines to
	// /dev/null for the measurement (its logger keeps the os.Stdout that New saw).
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	results := map[string]perfCompiled{}
	for _, u := range users {
		stdout := os.Stdout
		os.Stdout = devnull
		h, err := basicauthbypass.New(context.Background(), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
			&basicauthbypass.Config{Users: []string{u.warm.entry}}, "compiled-"+u.format.name)
		os.Stdout = stdout
		if err != nil {
			t.Fatalf("%s: New: %v", u.format.name, err)
		}
		req := httptest.NewRequest(http.MethodGet, "/c/new", nil)
		req.SetBasicAuth(u.warm.name, u.warm.password+"-wrong")
		res := testing.Benchmark(func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusUnauthorized {
					b.Fatalf("got status %d, want 401", rec.Code)
				}
			}
		})
		c := perfCompiled{plugin: time.Duration(res.NsPerOp())}
		if u.format.xcrypto {
			hash := []byte(strings.TrimPrefix(u.warm.entry, u.warm.name+":"))
			res := testing.Benchmark(func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if err := bcrypt.CompareHashAndPassword(hash, []byte(u.warm.password)); err != nil {
						b.Fatal(err)
					}
				}
			})
			c.xcrypto = time.Duration(res.NsPerOp())
		}
		results[u.format.name] = c
	}
	return results
}

// perfMedian returns the median of xs, NaN for none.
func perfMedian(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// perfMinMax returns the least and the greatest of xs.
func perfMinMax(xs []float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// perfMS returns d in milliseconds.
func perfMS(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// perfPin gives Traefik (pid) CPU 0 to itself and this process (the load client and the
// backend) the other CPUs, with taskset, when there are 4 CPUs or more or LOADCOMPARE_PIN=1,
// and not with LOADCOMPARE_PIN=0. A route's throughput is then what its cost leaves of one CPU
// for Traefik, rather than a share of CPUs that the client and the backend contend for. With 2
// CPUs, measured here, the client and the backend on one CPU saturate about where Traefik does
// on the route without middleware, which then hides the cost of a cheap middleware. It returns
// a sentence for the report.
func perfPin(t *testing.T, pid int) string {
	t.Helper()
	shared := "Not pinned: Traefik, the client and the backend share the CPUs."
	switch os.Getenv(perfEnv + "_PIN") {
	case "0":
		return shared
	case "1":
		if runtime.NumCPU() < 2 {
			return shared
		}
	default:
		if runtime.NumCPU() < 4 {
			return shared
		}
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return shared
	}
	all := fmt.Sprintf("0-%d", runtime.NumCPU()-1)
	rest := fmt.Sprintf("1-%d", runtime.NumCPU()-1)
	self := strconv.Itoa(os.Getpid())
	if out, err := exec.Command("taskset", "-a", "-p", "-c", "0", strconv.Itoa(pid)).CombinedOutput(); err != nil {
		t.Logf("taskset on Traefik: %v: %s", err, out)
		return shared
	}
	if out, err := exec.Command("taskset", "-a", "-p", "-c", rest, self).CombinedOutput(); err != nil {
		t.Logf("taskset on the client: %v: %s", err, out)
		return shared
	}
	t.Cleanup(func() { _ = exec.Command("taskset", "-a", "-p", "-c", all, self).Run() })
	return fmt.Sprintf("Pinned with taskset: Traefik on CPU 0 alone, the client and the backend on CPUs %s (%s_PIN=0 turns it off).", rest, perfEnv)
}

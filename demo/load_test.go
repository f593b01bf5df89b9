package demo_test

// This file holds the load test, run only with LOAD=1 (it takes one to two minutes and its
// numbers mean little under the race detector): a flood of random credentials against a bcrypt
// user while other clients use a bypassed path and a cached session, and Traefik's memory across
// 100k requests with distinct wrong credentials.

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	// loadUser and loadPassword are the bcrypt user of the load test, made at test time with
	// htpasswd -nbB -C 10 load <loadPassword>.
	loadUser     = "load"
	loadPassword = "load-password"
	// loadSHAUser is the {SHA} user of phase C; loadSHAHash was made with:
	// htpasswd -nbs flood flood-password
	loadSHAUser = "flood"
	loadSHAHash = "{SHA}cFcJZJ35rUFuCKBi2Feacxs96hA="
	// loadMaxRSSGrowth bounds how much Traefik's resident memory may grow over phase C.
	loadMaxRSSGrowth = 64 << 20
	// loadMaxP99 bounds the 99th percentile latency of bypassed and cached requests while the
	// gate's checks take the CPUs it allows (phase B'): far above what a healthy run shows (about
	// 10 ms on 2 CPUs), far below a starved one. loadMaxP99Flooded is the bound under the flood of
	// phase B, where 128 connections share Traefik with the measured ones (0.1-0.6 s on 2 CPUs).
	loadMaxP99        = time.Second
	loadMaxP99Flooded = 3 * time.Second
)

// loadConfig has two routers by host: bcrypt.test with the bcrypt user, and sha.test with the
// {SHA} user, maxFailures and the client address taken from X-Forwarded-For, so that phase C
// fills the failure table from many addresses. Both bypass ^/api/.
const loadConfig = `
http:
  routers:
    bcrypt:
      entryPoints: [web]
      rule: "Host(` + "`bcrypt.test`" + `)"
      middlewares: [bcrypt]
      service: backend
    sha:
      entryPoints: [web]
      rule: "Host(` + "`sha.test`" + `)"
      middlewares: [sha]
      service: backend
  middlewares:
    bcrypt:
      plugin:
        basicauthbypass:
          users:
            - "{{BCRYPT}}"
          bypassPaths: ["^/api/"]
    sha:
      plugin:
        basicauthbypass:
          users:
            - "` + loadSHAUser + `:` + loadSHAHash + `"
          bypassPaths: ["^/api/"]
          maxFailures: 3
          failureWindow: 10m
          ipStrategy:
            depth: 1
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// loadStatic is yamlStatic for the load test: INFO logs, as in production (the plugin's
// per-refusal lines are debug-level), and X-Forwarded-For trusted from 127.0.0.1 so that phase C
// can give every request its own client address.
func loadStatic(p staticParams) string {
	return fmt.Sprintf(`global:
  checkNewVersion: false
  sendAnonymousUsage: false
entryPoints:
  web:
    address: "127.0.0.1:%d"
    forwardedHeaders:
      trustedIPs: ["127.0.0.1/32"]
    transport:
      lifeCycle:
        graceTimeOut: 1s
  traefik:
    address: "127.0.0.1:%d"
api:
  insecure: true
providers:
  file:
    filename: %q
log:
  level: INFO
  noColor: true
experimental:
  abortOnPluginFailure: %t
  localPlugins:
    %s:
      moduleName: %s
`, p.WebPort, p.APIPort, p.DynamicFile, p.AbortOnPluginFailure, pluginName, pluginModule)
}

// loadSettings are the test's sizes, from the environment.
type loadSettings struct {
	phase    time.Duration // LOAD_SECONDS: length of phases A and B
	flooders int           // LOAD_FLOOD: goroutines flooding in phase B, more than the gate holds
	// smallFlood is how many goroutines flood in phase B': fewer than the gate holds (one
	// running check a CPU pair, 64 waiting), so none is refused.
	smallFlood int
	requests   int           // LOAD_REQUESTS: requests of phase C
	cWorkers   int           // concurrent connections of phase C
	cLimit     time.Duration // LOAD_C_TIMEOUT: phase C stops here even if not all requests are sent
}

// envInt returns the environment variable name as a positive int, or def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// TestLoadFlood measures, through the real Traefik, what a flood of random credentials against a
// bcrypt (cost 10) user does to a bypassed path and to a cached session (phases A and B), and
// what 100k requests with distinct wrong credentials from distinct addresses do to Traefik's
// memory (phase C). Run with LOAD=1; LOAD_SECONDS, LOAD_FLOOD and LOAD_REQUESTS change its sizes.
func TestLoadFlood(t *testing.T) {
	if os.Getenv("LOAD") != "1" {
		t.Skip("a measurement of a minute or two: set LOAD=1 to run it")
	}
	htpasswd, err := exec.LookPath("htpasswd")
	if err != nil {
		t.Skip("htpasswd not found: install apache2-utils to run the load test")
	}
	cfg := loadSettings{
		phase:      time.Duration(envInt(t, "LOAD_SECONDS", 5)) * time.Second,
		flooders:   envInt(t, "LOAD_FLOOD", 128),
		smallFlood: 16,
		requests:   envInt(t, "LOAD_REQUESTS", 100000),
		cWorkers:   8,
		cLimit:     time.Duration(envInt(t, "LOAD_C_TIMEOUT", 180)) * time.Second,
	}
	// htpasswd -nbB -C 10 load load-password
	out, err := exec.Command(htpasswd, "-nbB", "-C", "10", loadUser, loadPassword).Output()
	if err != nil {
		t.Fatalf("htpasswd: %v", err)
	}
	bcryptLine := strings.TrimSpace(string(out))

	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{
		static: loadStatic, staticExt: ".yml",
		dynamic: strings.ReplaceAll(loadConfig, "{{BCRYPT}}", bcryptLine),
		routers: []string{"bcrypt", "sha"},
	})
	wantEnabled(t, tr, "bcrypt", "sha")
	if _, err := os.Stat("/proc"); err != nil {
		t.Skipf("no /proc to read Traefik's memory from: %v", err)
	}
	pid := tr.PID
	var mem []memSample
	mem = append(mem, sampleMemory(t, pid, "ready"))

	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: cfg.flooders + 16, DisableCompression: true},
	}
	defer client.CloseIdleConnections()
	base := "http://" + tr.Addr
	bypassed := func(ctx context.Context) (int, error) {
		return loadGet(ctx, client, base+"/api/chat", "bcrypt.test", "", "")
	}
	cached := func(ctx context.Context) (int, error) {
		return loadGet(ctx, client, base+"/", "bcrypt.test", loadUser, loadPassword)
	}

	// Warm-up: one bcrypt verification puts the session in the cache.
	warm := time.Now()
	if status, err := cached(context.Background()); err != nil || status != http.StatusOK {
		t.Fatalf("warm-up login: got status %d, error %v, want %d", status, err, http.StatusOK)
	}
	bcryptTime := time.Since(warm)

	// Phase A: the bypassed path and the cached session, each from one sequential client.
	a := runClients(cfg.phase, bypassed, cached)
	mem = append(mem, sampleMemory(t, pid, "after A"))

	// Phase B: the same, while flooders send random passwords for the bcrypt user. A bcrypt
	// check under Yaegi takes seconds: the phase lasts at least three of them, so that some
	// checks end within it. Phase B' floods with fewer goroutines than the gate holds, so that
	// nothing is refused and the cost is the checks' CPU alone.
	phaseB := cfg.phase
	if min := 3 * bcryptTime; phaseB < min {
		phaseB = min.Round(time.Second)
	}
	if phaseB > 30*time.Second {
		phaseB = 30 * time.Second
	}
	flooding := func(flooders int) ([]latencies, *floodCounts) {
		return floodPhase(client, base, flooders, phaseB, bypassed, cached)
	}
	b, flood := flooding(cfg.flooders)
	mem = append(mem, sampleMemory(t, pid, "after B"))
	time.Sleep(bcryptTime + time.Second) // let the last check end
	b2, flood2 := flooding(cfg.smallFlood)
	mem = append(mem, sampleMemory(t, pid, "after B'"))

	// Phase C: distinct wrong credentials, each from its own X-Forwarded-For address, for the
	// {SHA} user (unknown users and wrong passwords alternately).
	time.Sleep(bcryptTime + time.Second)
	mem = append(mem, sampleMemory(t, pid, "before C"))
	c := runDistinct(client, base, cfg)
	mem = append(mem, sampleMemory(t, pid, "after C"))

	// The report.
	var r strings.Builder
	fmt.Fprintf(&r, "\nTraefik %s, plugin under Yaegi, %d CPUs; bcrypt cost 10 login (warm-up) took %v\n",
		traefikVersion, runtime.NumCPU(), bcryptTime.Round(time.Millisecond))
	fmt.Fprintf(&r, "phase A: %v, no flood; phase B: %v with %d flooders (random passwords for %q); phase B': %v with %d\n\n",
		cfg.phase, phaseB, cfg.flooders, loadUser, phaseB, cfg.smallFlood)
	fmt.Fprintf(&r, "%-28s %8s %7s %9s %9s %9s %9s\n", "client", "requests", "errors", "p50", "p95", "p99", "max")
	for _, row := range []struct {
		name string
		s    latencies
	}{
		{"bypassed /api/chat, A", a[0]}, {"bypassed /api/chat, B", b[0]}, {"bypassed /api/chat, B'", b2[0]},
		{"cached session, A", a[1]}, {"cached session, B", b[1]}, {"cached session, B'", b2[1]},
	} {
		fmt.Fprintf(&r, "%-28s %8d %7d %9v %9v %9v %9v\n", row.name, len(row.s.ok), row.s.failed,
			row.s.pct(50), row.s.pct(95), row.s.pct(99), row.s.pct(100))
	}
	fmt.Fprintf(&r, "\nflood, phase B:  %s\n", flood.String())
	fmt.Fprintf(&r, "flood, phase B': %s\n", flood2.String())
	fmt.Fprintf(&r, "phase C: %d of %d requests sent in %v (%d connections, %.0f req/s): %s\n",
		c.sent, cfg.requests, c.took.Round(time.Millisecond), cfg.cWorkers, float64(c.sent)/c.took.Seconds(), c.counts.String())
	fmt.Fprintf(&r, "\n%-10s %10s %10s\n", "Traefik", "VmRSS", "VmHWM")
	for _, m := range mem {
		fmt.Fprintf(&r, "%-10s %7.1f MiB %7.1f MiB\n", m.label, mib(m.rss), mib(m.hwm))
	}
	refusals, logBytes := pluginLogVolume(t, tr)
	fmt.Fprintf(&r, "Traefik's log (level INFO): %.1f MiB, %d lines of the plugin's refusals (Traefik writes a plugin's stdout at every level)\n",
		mib(logBytes), refusals)
	growth := mem[len(mem)-1].rss - mem[len(mem)-2].rss
	fmt.Fprintf(&r, "RSS growth over phase C: %+.1f MiB (bound %d MiB)\n", mib(growth), loadMaxRSSGrowth>>20)
	t.Log(r.String())

	// What must hold.
	for _, row := range []struct {
		name string
		s    latencies
		max  time.Duration
	}{
		{"bypassed, phase B", b[0], loadMaxP99Flooded}, {"cached, phase B", b[1], loadMaxP99Flooded},
		{"bypassed, phase B'", b2[0], loadMaxP99}, {"cached, phase B'", b2[1], loadMaxP99},
	} {
		if row.s.failed > 0 || len(row.s.ok) == 0 {
			t.Errorf("%s: got %d failed and %d good requests, want none failed", row.name, row.s.failed, len(row.s.ok))
		}
		if p := row.s.pct(99); p > row.max {
			t.Errorf("%s: got p99 %v, want at most %v", row.name, p, row.max)
		}
	}
	if a[0].failed > 0 || a[1].failed > 0 {
		t.Errorf("phase A: got %d and %d failed requests, want none", a[0].failed, a[1].failed)
	}
	if flood.get(http.StatusOK) > 0 {
		t.Errorf("flood: got %d random passwords accepted, want none", flood.get(http.StatusOK))
	}
	if flood.get(http.StatusUnauthorized) == 0 || flood.get(http.StatusServiceUnavailable) == 0 {
		t.Errorf("flood: got %s, want both 401s (checked) and 503s (the gate was full)", flood.String())
	}
	if other := flood.total() - flood.get(http.StatusUnauthorized) - flood.get(http.StatusServiceUnavailable); other > 0 {
		t.Errorf("flood: got %d answers other than 401 and 503 (%s)", other, flood.String())
	}
	if flood2.total() != flood2.get(http.StatusUnauthorized) {
		t.Errorf("flood of %d: got %s, want only 401s (the gate holds them all)", cfg.smallFlood, flood2.String())
	}
	if c.counts.get(http.StatusUnauthorized) != c.sent {
		t.Errorf("phase C: got %s, want all %d answered 401", c.counts.String(), c.sent)
	}
	if c.sent < cfg.requests {
		t.Errorf("phase C: sent %d of %d requests within %v", c.sent, cfg.requests, cfg.cLimit)
	}
	if growth > loadMaxRSSGrowth {
		t.Errorf("phase C: Traefik's RSS grew by %.1f MiB, want at most %d MiB", mib(growth), loadMaxRSSGrowth>>20)
	}
}

// floodPhase runs clients for d while flooders goroutines send random passwords for loadUser,
// and returns the clients' latencies and the flood's answers. Flood requests still waiting
// when the phase ends are cancelled and not counted.
func floodPhase(client *http.Client, base string, flooders int, d time.Duration, clients ...func(context.Context) (int, error)) ([]latencies, *floodCounts) {
	ctx, stop := context.WithCancel(context.Background())
	flood := &floodCounts{}
	var wg sync.WaitGroup
	for i := 0; i < flooders; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), uint64(flooders)))
			for ctx.Err() == nil {
				password := fmt.Sprintf("guess-%016x", rng.Uint64())
				status, err := loadGet(ctx, client, base+"/", "bcrypt.test", loadUser, password)
				if ctx.Err() != nil {
					return
				}
				flood.add(status, err)
			}
		}(i)
	}
	time.Sleep(500 * time.Millisecond) // let the gate fill up before measuring
	out := runClients(d, clients...)
	stop()
	wg.Wait()
	return out, flood
}

// loadGet sends GET url with Host host, with Basic credentials when user is set, and returns the
// status. The body is read to the end so that the connection is reused.
func loadGet(ctx context.Context, client *http.Client, url, host, user, password string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Host = host
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// latencies are the durations of one client's successful (200) requests, and its failures.
type latencies struct {
	ok     []time.Duration
	failed int
}

// pct returns the q-th percentile of the durations (100 is the maximum), rounded for display.
func (l latencies) pct(q int) time.Duration {
	if len(l.ok) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), l.ok...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	d := s[(len(s)-1)*q/100]
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// runClients runs each client sequentially, all at once, for d, and returns their latencies.
func runClients(d time.Duration, clients ...func(context.Context) (int, error)) []latencies {
	out := make([]latencies, len(clients))
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i, do := range clients {
		wg.Add(1)
		go func(i int, do func(context.Context) (int, error)) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				start := time.Now()
				status, err := do(context.Background())
				if err != nil || status != http.StatusOK {
					out[i].failed++
					continue
				}
				out[i].ok = append(out[i].ok, time.Since(start))
			}
		}(i, do)
	}
	wg.Wait()
	return out
}

// floodCounts counts answers by status; status 0 counts transport errors.
type floodCounts struct {
	mu sync.Mutex
	n  map[int]int
}

// add counts one answer.
func (f *floodCounts) add(status int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[int]int{}
	}
	if err != nil {
		status = 0
	}
	f.n[status]++
}

// get returns the count of status.
func (f *floodCounts) get(status int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n[status]
}

// total returns the count of all answers.
func (f *floodCounts) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.n {
		n += v
	}
	return n
}

// String lists the counts by status.
func (f *floodCounts) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	statuses := make([]int, 0, len(f.n))
	total := 0
	for s, v := range f.n {
		statuses = append(statuses, s)
		total += v
	}
	sort.Ints(statuses)
	parts := []string{fmt.Sprintf("%d requests", total)}
	for _, s := range statuses {
		name := http.StatusText(s)
		if s == 0 {
			name = "transport errors"
		}
		parts = append(parts, fmt.Sprintf("%d %d %s", f.n[s], s, name))
	}
	return strings.Join(parts, ", ")
}

// distinctRun is what phase C did.
type distinctRun struct {
	sent   int
	took   time.Duration
	counts floodCounts
}

// runDistinct sends cfg.requests requests to sha.test, each with credentials and an
// X-Forwarded-For address used by no other, over cfg.cWorkers keep-alive connections, stopping
// at cfg.cLimit.
func runDistinct(client *http.Client, base string, cfg loadSettings) *distinctRun {
	run := &distinctRun{}
	var next atomic.Int64
	deadline := time.Now().Add(cfg.cLimit)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < cfg.cWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				i := int(next.Add(1)) - 1
				if i >= cfg.requests {
					return
				}
				user, password := loadSHAUser, fmt.Sprintf("wrong-%d", i)
				if i%2 == 1 {
					user, password = fmt.Sprintf("nobody-%d", i), "x"
				}
				req, err := http.NewRequest(http.MethodGet, base+"/", nil)
				if err != nil {
					run.counts.add(0, err)
					continue
				}
				req.Host = "sha.test"
				req.SetBasicAuth(user, password)
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
				resp, err := client.Do(req)
				if err != nil {
					run.counts.add(0, err)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				run.counts.add(resp.StatusCode, nil)
			}
		}()
	}
	wg.Wait()
	run.took = time.Since(start)
	run.sent = run.counts.total()
	return run
}

// memSample is Traefik's resident memory at one moment: VmRSS and its peak VmHWM, in bytes.
type memSample struct {
	label    string
	rss, hwm int64
}

// sampleMemory reads VmRSS and VmHWM of pid from /proc/<pid>/status.
func sampleMemory(t *testing.T, pid int, label string) memSample {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("reading Traefik's memory: %v", err)
	}
	m := memSample{label: label}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			continue
		}
		switch fields[0] {
		case "VmRSS:":
			m.rss = kb << 10
		case "VmHWM:":
			m.hwm = kb << 10
		}
	}
	return m
}

// pluginLogVolume returns how many lines of Traefik's log are the plugin's refusals, and the
// log's size in bytes.
func pluginLogVolume(t *testing.T, tr *traefik) (refusals int, size int64) {
	t.Helper()
	data, err := os.ReadFile(tr.LogPath)
	if err != nil {
		t.Fatalf("reading Traefik's log: %v", err)
	}
	return strings.Count(string(data), ": refused "), int64(len(data))
}

// mib converts bytes to MiB.
func mib(n int64) float64 {
	return float64(n) / (1 << 20)
}

package basicauthbypass

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"testing"
)

// A flood of distinct wrong credentials, as a brute-force attack sends, must leave memory
// flat: a wrong password is never cached, the failure table stays within its cap, and no
// check is left in the gate's table of checks in flight.

// floodUser is the only configured user. {SHA} keeps a wrong password cheap to check, so
// that many requests fit in a test.
//
// htpasswd -nbs alice 'wonderland'
const floodUser = "alice:{SHA}tiY7sUhYKUwI5L3866kDY+ENcrQ="

// floodRequest returns the i-th request of a flood: alice with a wrong password on even i, an
// unknown user on odd i, each password different, from client address client.
func floodRequest(i int, client string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, "http://example.com/private", nil)
	if err != nil {
		panic(err)
	}
	req.RemoteAddr = client + ":40000"
	user := "alice"
	if i%2 == 1 {
		user = "mallory" + strconv.Itoa(i)
	}
	credentials := user + ":guess-" + strconv.Itoa(i)
	req.Header["Authorization"] = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(credentials))}
	return req
}

// floodClient returns a distinct IPv4 address for each i below 2^24.
func floodClient(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255)
}

// floodMiddleware builds the middleware with floodUser and maxFailures 5.
func floodMiddleware(tb testing.TB) *basicAuthBypass {
	tb.Helper()
	m, err := newMiddleware(http.NotFoundHandler(), &Config{Users: []string{floodUser}, MaxFailures: 5}, discardLogger())
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// flood sends the requests first to first+n-1 through m, each from the client that
// clientOf returns, and counts the answers by status.
func flood(m *basicAuthBypass, first, n int, clientOf func(int) string) map[int]int {
	statuses := make(map[int]int)
	w := &benchWriter{header: make(http.Header)}
	for i := first; i < first+n; i++ {
		w.status = 0
		m.ServeHTTP(w, floodRequest(i, clientOf(i)))
		statuses[w.status]++
	}
	return statuses
}

// heapAfterGC returns, after a full collection, the bytes of live heap objects (HeapAlloc)
// and of the heap spans holding them (HeapInuse).
func heapAfterGC() (live, inUse uint64) {
	runtime.GC()
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc, stats.HeapInuse
}

// floodTables returns the number of entries in each of the middleware's tables.
func floodTables(m *basicAuthBypass) (cached, throttled, inFlight int) {
	m.gate.mu.Lock()
	inFlight = len(m.gate.flights) + m.gate.waiting
	m.gate.mu.Unlock()
	return m.cache.size(), m.throttle.size(), inFlight
}

// floodHeapGrowthFloor is the growth of the live heap always allowed, for the collector's own
// noise.
const floodHeapGrowthFloor = 16 << 10

// TestWrongCredentialFloodLeavesMemoryFlat fills the failure table to its cap with failed
// logins from distinct clients, then sends several times as many: the live heap (HeapAlloc after a
// collection) may grow by at most a quarter of what the full table takes, or
// floodHeapGrowthFloor. HeapInuse, the spans holding live objects, is logged but not checked:
// churning a full table scatters its live keys over more spans, which is fragmentation that
// the table's cap bounds.
func TestWrongCredentialFloodLeavesMemoryFlat(t *testing.T) {
	// The first requests fill the failure table to its cap; the measured ones after them
	// must not grow the live heap. The cap is lowered so that the test stays quick under
	// Yaegi and the race detector; BenchmarkWrongCredentialFlood floods the real one.
	capacity := 2000
	measured := 8000
	if testing.Short() {
		capacity = 1000
		measured = 3000
	}
	tests := []struct {
		name     string
		clientOf func(int) string
		// want are the statuses of the measured requests: 401 for every checked password,
		// 429 for a client over maxFailures.
		want map[int]int
		// wantThrottled is the size of the failure table after the flood, -1 for any size
		// within the cap.
		wantThrottled int
	}{
		{
			name:          "a client per request",
			clientOf:      floodClient,
			want:          map[int]int{http.StatusUnauthorized: measured},
			wantThrottled: -1,
		},
		{
			name:          "one client",
			clientOf:      func(int) string { return "192.0.2.7" },
			want:          map[int]int{http.StatusTooManyRequests: measured},
			wantThrottled: 1,
		},
	}
	for _, tt := range tests {
		m := floodMiddleware(t)
		m.throttle.capacity = capacity
		liveEmpty, _ := heapAfterGC()
		flood(m, 0, capacity, tt.clientOf)
		liveFull, inUseFull := heapAfterGC()
		got := flood(m, capacity, measured, tt.clientOf)
		liveAfter, inUseAfter := heapAfterGC()
		cached, throttled, inFlight := floodTables(m)
		t.Logf("%s: live heap %d bytes, %d after %d requests, %d after %d more (heap in use %d -> %d); tables: %d cached, %d clients, %d checks in flight",
			tt.name, liveEmpty, liveFull, capacity, liveAfter, measured, inUseFull, inUseAfter, cached, throttled, inFlight)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got statuses %v, want %v", tt.name, got, tt.want)
		}
		limit := uint64(floodHeapGrowthFloor)
		if liveFull > liveEmpty && (liveFull-liveEmpty)/4 > limit {
			limit = (liveFull - liveEmpty) / 4
		}
		if liveAfter > liveFull && liveAfter-liveFull > limit {
			t.Errorf("%s: got live heap growth %d bytes over %d requests with full tables, want at most %d", tt.name, liveAfter-liveFull, measured, limit)
		}
		if cached != 0 {
			t.Errorf("%s: got %d cached credentials, want 0: a wrong password is never cached", tt.name, cached)
		}
		if throttled > capacity {
			t.Errorf("%s: got %d clients in the failure table, want at most %d", tt.name, throttled, capacity)
		}
		if tt.wantThrottled >= 0 && throttled != tt.wantThrottled {
			t.Errorf("%s: got %d clients in the failure table, want %d", tt.name, throttled, tt.wantThrottled)
		}
		if inFlight != 0 {
			t.Errorf("%s: got %d checks left in the gate, want 0", tt.name, inFlight)
		}
	}
}

// BenchmarkWrongCredentialFlood sends b.N requests with distinct wrong credentials, each from
// a distinct client, after enough requests to fill the failure table, and reports how the heap
// in use and the tables grew. Run it with -benchtime 100000x for the flood of the issue.
func BenchmarkWrongCredentialFlood(b *testing.B) {
	m := floodMiddleware(b)
	flood(m, 0, maxThrottledClients, floodClient)
	liveBefore, inUseBefore := heapAfterGC()
	b.ReportAllocs()
	b.ResetTimer()
	got := flood(m, maxThrottledClients, b.N, floodClient)
	b.StopTimer()
	liveAfter, inUseAfter := heapAfterGC()
	cached, throttled, inFlight := floodTables(m)
	if got[http.StatusUnauthorized] != b.N {
		b.Fatalf("got statuses %v, want %d answers 401", got, b.N)
	}
	if cached != 0 || throttled > maxThrottledClients || inFlight != 0 {
		b.Fatalf("got tables %d cached, %d clients, %d checks in flight; want 0, at most %d, 0", cached, throttled, inFlight, maxThrottledClients)
	}
	b.ReportMetric(float64(int64(liveAfter)-int64(liveBefore)), "live-heap-growth-B")
	b.ReportMetric(float64(int64(inUseAfter)-int64(inUseBefore)), "heap-inuse-growth-B")
	b.ReportMetric(float64(throttled), "clients")
}

package basicauthbypass

import (
	"sync"
	"time"
)

// maxThrottledClients bounds the failure table. When it is full, expired records are dropped
// and, if that freed less than an eighth of it, arbitrary records too until an eighth is free:
// memory stays bounded under a flood from many addresses, each sweep is paid for by the inserts
// it makes room for, and the price is forgetting some clients early.
const maxThrottledClients = 10000

// failureThrottle counts failed attempts per client within a fixed window that starts at the
// client's first failure. After max failures in the window the client is refused, without any
// password being checked, until the window has passed. Records expire lazily: no goroutine
// or timer outlives a request.
type failureThrottle struct {
	max      int
	window   time.Duration
	capacity int

	mu      sync.Mutex
	clients map[string]failureRecord
}

// failureRecord is one client's failures in its current window.
type failureRecord struct {
	count int
	since time.Time
}

// newFailureThrottle returns a throttle that refuses a client after max failures within
// window, or nil (which refuses nobody) when max is 0.
func newFailureThrottle(max int, window time.Duration) *failureThrottle {
	if max <= 0 {
		return nil
	}
	return &failureThrottle{
		max:      max,
		window:   window,
		capacity: maxThrottledClients,
		clients:  make(map[string]failureRecord),
	}
}

// retryAfter returns how long client must still wait, or 0 when it may try now.
func (t *failureThrottle) retryAfter(client string, now time.Time) time.Duration {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	r, ok := t.clients[client]
	t.mu.Unlock()
	if !ok || r.count < t.max {
		return 0
	}
	left := r.since.Add(t.window).Sub(now)
	if left <= 0 {
		return 0
	}
	return left
}

// fail records a failed attempt by client.
func (t *failureThrottle) fail(client string, now time.Time) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.clients[client]
	if !ok || now.Sub(r.since) >= t.window {
		if !ok && len(t.clients) >= t.capacity {
			t.makeRoom(now)
		}
		t.clients[client] = failureRecord{count: 1, since: now}
		return
	}
	r.count++
	t.clients[client] = r
}

// succeed forgets client's failures: a user who finally types the right password starts over.
func (t *failureThrottle) succeed(client string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	delete(t.clients, client)
	t.mu.Unlock()
}

// makeRoom keeps the unexpired records, up to seven eighths of the table, in a fresh map.
// Copying rather than deleting in place matters: Go's maps keep growing under a steady churn of
// deletes and inserts, so a flood from many addresses would grow memory without bound.
// t.mu is held.
func (t *failureThrottle) makeRoom(now time.Time) {
	target := t.capacity - t.capacity/8
	kept := make(map[string]failureRecord, t.capacity)
	for client, r := range t.clients {
		if len(kept) >= target {
			break
		}
		if now.Sub(r.since) < t.window {
			kept[client] = r
		}
	}
	t.clients = kept
}

// size returns the number of clients with a record.
func (t *failureThrottle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.clients)
}

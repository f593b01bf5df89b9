package basicauthbypass

import (
	"context"
	"errors"
	"sync"
)

// errBusy is returned when too many password checks are already waiting for a slot.
var errBusy = errors.New("too many password checks in progress")

// verifyGate runs password checks with two bounds on the CPU a flood of credentials can take:
// identical concurrent checks (same user and password, same key) are done once and share the
// answer, as Traefik's basicAuth does with singleflight; and at most `slots` checks run at once,
// with at most `queue` more waiting. Beyond that a check fails fast with errBusy instead of
// piling up goroutines. Bypassed and cached requests never pass through the gate.
type verifyGate struct {
	slots chan struct{}
	queue int

	mu      sync.Mutex
	waiting int
	flights map[string]*flight
}

// flight is one check in progress, which later identical checks wait for.
type flight struct {
	done chan struct{}
	ok   bool
	err  error
	// followers counts the callers that wait for this check instead of making their own.
	followers int
}

// newVerifyGate returns a gate running at most slots checks at once, with queue more waiting.
func newVerifyGate(slots, queue int) *verifyGate {
	return &verifyGate{
		slots:   make(chan struct{}, slots),
		queue:   queue,
		flights: make(map[string]*flight),
	}
}

// do runs check once for all concurrent callers with the same key, within the bounds. It
// returns ctx's error if ctx ends while the caller waits for a slot or for the check.
func (g *verifyGate) do(ctx context.Context, key string, check func() bool) (bool, error) {
	g.mu.Lock()
	if f, ok := g.flights[key]; ok {
		f.followers++
		g.mu.Unlock()
		select {
		case <-f.done:
			return f.ok, f.err
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	if g.waiting >= cap(g.slots)+g.queue {
		g.mu.Unlock()
		return false, errBusy
	}
	g.waiting++
	f := &flight{done: make(chan struct{})}
	g.flights[key] = f
	g.mu.Unlock()

	f.ok, f.err = g.run(ctx, check)

	g.mu.Lock()
	g.waiting--
	delete(g.flights, key)
	g.mu.Unlock()
	close(f.done)
	return f.ok, f.err
}

// state returns how many checks are running or waiting, and how many callers wait for the
// check with key, for tests.
func (g *verifyGate) state(key string) (waiting, followers int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.flights[key]; ok {
		followers = f.followers
	}
	return g.waiting, followers
}

// run waits for a slot, then runs check.
func (g *verifyGate) run(ctx context.Context, check func() bool) (bool, error) {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	ok := check()
	<-g.slots
	return ok, nil
}

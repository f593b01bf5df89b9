package basicauthbypass

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestVerifyGateCoalescesIdenticalChecks(t *testing.T) {
	g := newVerifyGate(1, 100)
	var mu sync.Mutex
	calls := 0
	release := make(chan struct{})
	check := func() bool {
		mu.Lock()
		calls++
		mu.Unlock()
		<-release
		return true
	}
	var wg sync.WaitGroup
	results := make([]bool, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ok, err := g.do(context.Background(), "same-key", check)
			results[i] = ok && err == nil
		}(i)
	}
	waitFor(t, "nine callers to follow the first", func() bool {
		_, followers := g.state("same-key")
		return followers == 9
	})
	close(release)
	wg.Wait()
	if calls != 1 {
		t.Errorf("got %d checks for 10 identical concurrent calls, want 1", calls)
	}
	for i, ok := range results {
		if !ok {
			t.Errorf("caller %d: got false, want the shared true", i)
		}
	}
}

func TestVerifyGateBoundsWork(t *testing.T) {
	g := newVerifyGate(1, 1)
	release := make(chan struct{})
	check := func() bool {
		<-release
		return false
	}
	var wg sync.WaitGroup
	for _, key := range []string{"a", "b"} {
		wg.Add(1)
		go func(key string) {
			defer wg.Done()
			_, _ = g.do(context.Background(), key, check)
		}(key)
	}
	waitFor(t, "one check running and one waiting", func() bool {
		waiting, _ := g.state("")
		return waiting == 2
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := g.do(ctx, "c", check); !errors.Is(err, errBusy) {
		t.Errorf("third distinct check: got error %v, want errBusy", err)
	}
	close(release)
	wg.Wait()
	if ok, err := g.do(context.Background(), "d", func() bool { return true }); !ok || err != nil {
		t.Errorf("after the flood: got %v, %v, want true, nil", ok, err)
	}
}

func TestVerifyGateHonoursContext(t *testing.T) {
	g := newVerifyGate(1, 5)
	release := make(chan struct{})
	go func() { _, _ = g.do(context.Background(), "a", func() bool { <-release; return true }) }()
	waitFor(t, "the first check to hold the slot", func() bool { return len(g.slots) == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.do(ctx, "b", func() bool { return true }); !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
	close(release)
}

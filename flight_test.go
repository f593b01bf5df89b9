package basicauthbypass

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

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
	// Let the goroutines queue up behind the first check, then finish it.
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if calls < 1 || calls > 2 {
		t.Errorf("got %d checks for 10 identical concurrent calls, want 1 (2 if one came late)", calls)
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
	started := make(chan struct{}, 2)
	check := func() bool {
		started <- struct{}{}
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
	<-started // one runs, the other waits in the queue
	time.Sleep(20 * time.Millisecond)
	if _, err := g.do(context.Background(), "c", check); !errors.Is(err, errBusy) {
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
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.do(ctx, "b", func() bool { return true }); !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
	close(release)
}

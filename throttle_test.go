package basicauthbypass

import (
	"fmt"
	"testing"
	"time"
)

func TestFailureThrottle(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		fails []time.Duration // offsets of failures from start
		at    time.Duration   // when the client asks again
		want  time.Duration   // how long it must still wait
	}{
		{name: "no failures", fails: nil, at: 0, want: 0},
		{name: "below the limit", fails: []time.Duration{0, time.Second}, at: 2 * time.Second, want: 0},
		{name: "at the limit", fails: []time.Duration{0, time.Second, 2 * time.Second}, at: 3 * time.Second, want: 57 * time.Second},
		{name: "window passed", fails: []time.Duration{0, time.Second, 2 * time.Second}, at: time.Minute, want: 0},
		{name: "old failures start a new window", fails: []time.Duration{0, time.Second, 61 * time.Second}, at: 62 * time.Second, want: 0},
	}
	for _, tt := range tests {
		th := newFailureThrottle(3, time.Minute)
		for _, d := range tt.fails {
			th.fail("192.0.2.1", start.Add(d))
		}
		if got := th.retryAfter("192.0.2.1", start.Add(tt.at)); got != tt.want {
			t.Errorf("%s: got retry after %v, want %v", tt.name, got, tt.want)
		}
		if got := th.retryAfter("192.0.2.2", start.Add(tt.at)); got != 0 {
			t.Errorf("%s: another client got retry after %v, want 0", tt.name, got)
		}
	}
}

func TestFailureThrottleSuccessForgets(t *testing.T) {
	now := time.Now()
	th := newFailureThrottle(2, time.Minute)
	th.fail("c", now)
	th.succeed("c")
	th.fail("c", now)
	if got := th.retryAfter("c", now); got != 0 {
		t.Errorf("got retry after %v, want 0", got)
	}
}

func TestFailureThrottleOff(t *testing.T) {
	th := newFailureThrottle(0, time.Minute)
	if th != nil {
		t.Fatalf("got a throttle for maxFailures 0, want nil")
	}
	th.fail("c", time.Now())
	if got := th.retryAfter("c", time.Now()); got != 0 {
		t.Errorf("got retry after %v, want 0", got)
	}
}

func TestFailureThrottleIsBounded(t *testing.T) {
	now := time.Now()
	th := newFailureThrottle(1, time.Hour)
	th.capacity = 80
	for i := 0; i < 1000; i++ {
		th.fail(fmt.Sprintf("client-%d", i), now)
		if th.size() > th.capacity {
			t.Fatalf("after %d clients: got %d records, want at most %d", i+1, th.size(), th.capacity)
		}
	}
	// The newest client is always remembered.
	if got := th.retryAfter("client-999", now); got != time.Hour {
		t.Errorf("newest client: got retry after %v, want %v", got, time.Hour)
	}
}

func TestFailureThrottleSweepsExpired(t *testing.T) {
	now := time.Now()
	th := newFailureThrottle(1, time.Minute)
	th.capacity = 10
	for i := 0; i < 10; i++ {
		th.fail(fmt.Sprintf("old-%d", i), now)
	}
	th.fail("new", now.Add(2*time.Minute))
	if got := th.size(); got != 1 {
		t.Errorf("got %d records after the sweep, want 1", got)
	}
}

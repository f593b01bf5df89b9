package basicauthbypass

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"time"
)

// errFailureLimit is wrapped by maxFailures and failureWindow configuration errors.
var errFailureLimit = errors.New("invalid failure limit")

// defaultFailureWindow is the window of maxFailures when failureWindow is not set.
const defaultFailureWindow = time.Minute

// verifyQueue is how many password checks may wait for a slot beyond those running.
const verifyQueue = 64

// verifySlots is how many password checks run at once: half the CPUs Go may use, at least
// one, so that a flood of slow hashes leaves CPU for bypassed and cached requests.
func verifySlots() int {
	n := runtime.GOMAXPROCS(0) / 2
	if n < 1 {
		return 1
	}
	return n
}

// newThrottleFromConfig validates maxFailures and failureWindow and returns the throttle they
// ask for, nil when maxFailures is 0.
func newThrottleFromConfig(config *Config) (*failureThrottle, error) {
	if config.MaxFailures < 0 {
		return nil, fmt.Errorf("option maxFailures %d: %w: want 0 (off) or more", config.MaxFailures, errFailureLimit)
	}
	window := defaultFailureWindow
	if config.FailureWindow != "" {
		d, err := time.ParseDuration(config.FailureWindow)
		if err != nil {
			return nil, fmt.Errorf("option failureWindow %q: %w: %v", config.FailureWindow, errFailureLimit, err)
		}
		if d <= 0 {
			return nil, fmt.Errorf("option failureWindow %q: %w: want a positive duration", config.FailureWindow, errFailureLimit)
		}
		window = d
	}
	return newFailureThrottle(config.MaxFailures, window), nil
}

// authenticate checks Basic credentials and reports whether the request may go on. When it
// may not, it has answered the request: 401, 429 or 503.
func (m *basicAuthBypass) authenticate(rw http.ResponseWriter, req *http.Request, user, password string) bool {
	client := ""
	var now time.Time
	if m.throttle != nil {
		client = clientAddress(req)
		now = time.Now()
		if wait := m.throttle.retryAfter(client, now); wait > 0 {
			answer(rw, http.StatusTooManyRequests, wait)
			return false
		}
	}
	digest := m.cache.digest(user, password)
	if !m.cache.has(digest) {
		ok, err := m.gate.do(req.Context(), digest, func() bool { return m.users.verify(user, password) })
		if err != nil {
			answer(rw, http.StatusServiceUnavailable, time.Second)
			return false
		}
		if !ok {
			if m.throttle != nil {
				m.throttle.fail(client, now)
			}
			m.challenge.ServeHTTP(rw, req)
			return false
		}
		m.cache.add(digest)
	}
	if m.throttle != nil {
		m.throttle.succeed(client)
	}
	return true
}

// clientAddress is the IP address of the connection the request came on.
func clientAddress(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}

// answer writes a plain-text status with a Retry-After of wait, rounded up to seconds.
func answer(rw http.ResponseWriter, status int, wait time.Duration) {
	seconds := int64((wait + time.Second - 1) / time.Second)
	h := rw.Header()
	h.Set("Retry-After", strconv.FormatInt(seconds, 10))
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(status)
	_, _ = fmt.Fprintf(rw, "%d %s\n", status, http.StatusText(status))
}

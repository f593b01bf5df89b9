package basicauthbypass

import (
	"crypto/sha256"
	"errors"
	"fmt"
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

// authenticate checks the request's Basic credentials and returns the user name. When the
// request may not go on, it has answered it (401, 429 or 503) and returns false. A header
// whose credentials were verified before is found in the cache: the common case, kept to a
// few calls into compiled code because every interpreted call costs microseconds.
func (m *basicAuthBypass) authenticate(rw http.ResponseWriter, req *http.Request) (string, bool) {
	header := req.Header.Get("Authorization")
	if header == "" {
		m.challenge.ServeHTTP(rw, req)
		return "", false
	}
	client := ""
	var now time.Time
	if m.throttle != nil {
		client = m.client.key(req)
		now = time.Now()
		if wait := m.throttle.retryAfter(client, now); wait > 0 {
			m.log.refusef("refused %s: throttled for %v after %d failures", client, wait.Round(time.Second), m.throttle.max)
			answer(rw, http.StatusTooManyRequests, wait)
			return "", false
		}
	}
	state := m.users.state
	if m.users.file != "" {
		state = m.users.current()
	}
	// The cache lookup, inlined: see credentialCache.lookup.
	cache := state.cache
	sum := sha256.Sum256([]byte(cache.key + header))
	digest := string(sum[:])
	cache.mu.RLock()
	user, ok := cache.entries[digest]
	cache.mu.RUnlock()
	if !ok {
		if user, ok = m.verify(rw, req, state, digest, client, now); !ok {
			return "", false
		}
	}
	if m.throttle != nil {
		m.throttle.succeed(client)
	}
	return user, true
}

// verify checks credentials that are not in the cache, through the gate, and caches them if
// they are right. When they are not, it has answered the request, and counted a wrong user or
// password (not a malformed header, nor a busy gate) against client.
func (m *basicAuthBypass) verify(rw http.ResponseWriter, req *http.Request, state *userState, digest, client string, now time.Time) (string, bool) {
	user, password, ok := req.BasicAuth()
	if !ok {
		m.log.refusef("refused %s: malformed Authorization header", m.client.key(req))
		m.challenge.ServeHTTP(rw, req)
		return "", false
	}
	ok, err := m.gate.do(req.Context(), digest, func() bool { return state.users.verify(user, password) })
	if err != nil {
		m.log.refusef("refused %s: %v", m.client.key(req), err)
		answer(rw, http.StatusServiceUnavailable, time.Second)
		return "", false
	}
	if !ok {
		if m.throttle != nil {
			m.throttle.fail(client, now)
		}
		if state.users.has(user) {
			m.log.refusef("refused %s: wrong password for user %q", m.client.key(req), user)
		} else {
			m.log.refusef("refused %s: unknown user", m.client.key(req))
		}
		m.challenge.ServeHTTP(rw, req)
		return "", false
	}
	state.cache.add(digest, user)
	return user, true
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

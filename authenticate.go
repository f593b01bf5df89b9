package basicauthbypass

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// authenticate checks the request's Basic credentials and returns the user. When the request
// may not go on, it has answered it (401, 429 or 503) and returns nil. Credentials found in
// the cache were verified before: they are neither throttled nor counted, as no password is
// checked, and a client cannot get a guess into the cache without it being right.
func (m *basicAuthBypass) authenticate(rw http.ResponseWriter, req *http.Request) *url.Userinfo {
	header := req.Header.Get("Authorization")
	if header == "" {
		m.challenge.ServeHTTP(rw, req)
		return nil
	}
	state := m.users.current()
	digest, user := m.cache.lookup(header)
	if user != nil {
		return user
	}
	client := ""
	var now time.Time
	if m.throttle != nil {
		client = m.client.key(req)
		now = time.Now()
		if wait := m.throttle.retryAfter(client, now); wait > 0 {
			m.log.refusef("refused %s: throttled for %v after %d failures", client, wait.Round(time.Second), m.throttle.max)
			answer(rw, http.StatusTooManyRequests, wait)
			return nil
		}
	}
	if user = m.verify(rw, req, state, digest, client, now); user == nil {
		return nil
	}
	if m.throttle != nil {
		m.throttle.succeed(client)
	}
	return user
}

// verify checks credentials that are not in the cache, through the gate, and caches them if
// they are right. When they are not, it has answered the request and returns nil, and it has
// counted a wrong user or password (not a malformed header, nor a busy gate) against client.
func (m *basicAuthBypass) verify(rw http.ResponseWriter, req *http.Request, state *userState, digest [sha256.Size]byte, client string, now time.Time) *url.Userinfo {
	name, password, ok := req.BasicAuth()
	if !ok {
		m.log.refusef("refused %s: malformed Authorization header", m.client.key(req))
		m.challenge.ServeHTTP(rw, req)
		return nil
	}
	ok, err := m.gate.do(req.Context(), string(digest[:]), func() bool { return state.users.verify(name, password) })
	if err != nil {
		m.log.refusef("refused %s: %v", m.client.key(req), err)
		answer(rw, http.StatusServiceUnavailable, time.Second)
		return nil
	}
	if !ok {
		if m.throttle != nil {
			m.throttle.fail(client, now)
		}
		if state.users.has(name) {
			m.log.refusef("refused %s: wrong password for user %q", m.client.key(req), name)
		} else {
			m.log.refusef("refused %s: unknown user", m.client.key(req))
		}
		m.challenge.ServeHTTP(rw, req)
		return nil
	}
	return m.cache.add(digest, name, state.generation)
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

// Package basicauthbypass is a Traefik middleware plugin: HTTP Basic Auth (RFC 7617) for the
// whole router, except requests whose path matches one of the configured regular expressions,
// which reach the backend untouched, their own Authorization header included.
//
// It exists for applications such as LibreChat whose own JavaScript calls /api/... with
// "Authorization: Bearer <token>": Traefik's basicAuth would answer those with 401. Configured
// as
//
//	middlewares:
//	  auth:
//	    plugin:
//	      basicauthbypass:
//	        usersFile: /etc/traefik/users
//	        bypassPaths: ["^/api/"]
//
// every path asks for a password except those under /api/. A request is bypassed only when
// every reading a backend might make of its path matches (see pathBypass), so that
// /api/../admin, /api%2F..%2Fadmin or /api/..;/admin still need credentials.
//
// The plugin runs in Traefik's Yaegi interpreter and uses only the standard library.
package basicauthbypass

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Config is the plugin's configuration. Field names are the keys users write, matched
// case-insensitively by Traefik; the options shared with Traefik's basicAuth behave alike.
type Config struct {
	// Users lists htpasswd entries, "name:hash". Merged with UsersFile; a name defined twice is
	// an error. Default: none.
	Users []string `json:"users,omitempty" yaml:"users,omitempty" toml:"users,omitempty"`
	// UsersFile is the path of an htpasswd file: one "name:hash" a line, blank lines and lines
	// starting with "#" skipped, surrounding white space trimmed. Edits are picked up without a
	// restart, within usersFileCheckInterval; a broken edit keeps the last good users. Default:
	// none.
	UsersFile string `json:"usersFile,omitempty" yaml:"usersFile,omitempty" toml:"usersFile,omitempty"`
	// Realm is sent in the WWW-Authenticate challenge. Default: "traefik".
	Realm string `json:"realm,omitempty" yaml:"realm,omitempty" toml:"realm,omitempty"`
	// HeaderField, when set, names the request header that carries the authenticated user name
	// to the backend. Any value a client sent in it is removed first, whatever its spelling,
	// on bypassed requests too. Default: none.
	HeaderField string `json:"headerField,omitempty" yaml:"headerField,omitempty" toml:"headerField,omitempty"`
	// RemoveHeader removes the Authorization header from authenticated requests before they
	// are forwarded. Bypassed requests keep theirs. Default: false.
	RemoveHeader bool `json:"removeHeader,omitempty" yaml:"removeHeader,omitempty" toml:"removeHeader,omitempty"`
	// BypassPaths lists RE2 regular expressions; a request whose path matches one of them, in
	// every reading of it, skips authentication. Anchor them: "^/api/", not "/api". Default:
	// none, so every request is authenticated.
	BypassPaths []string `json:"bypassPaths,omitempty" yaml:"bypassPaths,omitempty" toml:"bypassPaths,omitempty"`
	// MaxFailures, when above 0, is how many failed logins one client may make within
	// FailureWindow; then it is answered 429 Too Many Requests, with Retry-After and without any
	// password being checked, until the window has passed. Credentials verified before (and
	// cached) are not guesses: they are let through, and neither counted nor throttled.
	// Default: 0 (off).
	MaxFailures int `json:"maxFailures,omitempty" yaml:"maxFailures,omitempty" toml:"maxFailures,omitempty"`
	// FailureWindow is a Go duration ("1m", "30s"): the window of MaxFailures, counted from a
	// client's first failure. Default: "1m".
	FailureWindow string `json:"failureWindow,omitempty" yaml:"failureWindow,omitempty" toml:"failureWindow,omitempty"`
	// BypassMethods lists HTTP methods, case-sensitive, whose requests skip authentication on
	// every path, such as OPTIONS for CORS preflight. Default: none.
	BypassMethods []string `json:"bypassMethods,omitempty" yaml:"bypassMethods,omitempty" toml:"bypassMethods,omitempty"`
	// BypassSourceRange lists IPs and CIDRs, IPv4 or IPv6, whose requests skip authentication.
	// The client address is chosen by IPStrategy. Default: none.
	BypassSourceRange []string `json:"bypassSourceRange,omitempty" yaml:"bypassSourceRange,omitempty" toml:"bypassSourceRange,omitempty"`
	// IPStrategy chooses the client address for BypassSourceRange and MaxFailures, as in
	// Traefik's ipAllowList. Default: the connection's address.
	IPStrategy IPStrategy `json:"ipStrategy,omitempty" yaml:"ipStrategy,omitempty" toml:"ipStrategy,omitempty"`
}

// CreateConfig returns the default configuration, which Traefik fills in from the dynamic
// configuration before calling New.
func CreateConfig() *Config {
	return &Config{}
}

// basicAuthBypass is the middleware. New prepares all its state; ServeHTTP only reads it, but
// for the users, which follow edits of usersFile, and the caches and counters.
type basicAuthBypass struct {
	next         http.Handler
	users        *userStore
	bypass       *pathBypass
	methods      map[string]bool
	sources      *ipRanges
	client       *clientAddress
	challenge    *challenge
	headerField  string
	removeHeader bool
	gate         *verifyGate
	throttle     *failureThrottle
	log          *logger
	cache        *credentialCache
	// plainFilter and plainPattern, when there is one bypassPaths pattern and no other
	// bypass rule, decide a request with a plain path: see newPlainFilter.
	plainFilter  *regexp.Regexp
	plainPattern *regexp.Regexp
	// decorates is set when an authenticated request is changed: headerField, removeHeader.
	decorates bool
}

// New validates config and returns the middleware. Any option it cannot honour is an error
// naming the option and the value, so that Traefik never serves the router unprotected.
func New(_ context.Context, next http.Handler, config *Config, name string) (http.Handler, error) {
	m, err := newMiddleware(next, config, newLogger(name))
	if err != nil {
		return nil, fmt.Errorf("basicauthbypass %q: %w", name, err)
	}
	m.log.notef("%d users (%s); bypassPaths %q, bypassMethods %q, bypassSourceRange %q; maxFailures %d",
		len(m.users.state.users.byName), describeFormats(m.users.state.users.formats),
		config.BypassPaths, config.BypassMethods, config.BypassSourceRange, config.MaxFailures)
	return m, nil
}

// newMiddleware builds the middleware from config, writing its logs to log.
func newMiddleware(next http.Handler, config *Config, log *logger) (*basicAuthBypass, error) {
	if config == nil {
		config = CreateConfig()
	}
	m := &basicAuthBypass{next: next, removeHeader: config.RemoveHeader, log: log}
	var err error
	if m.users, err = newUserStore(config.Users, config.UsersFile, log); err != nil {
		return nil, err
	}
	if m.bypass, err = newPathBypass(config.BypassPaths); err != nil {
		return nil, err
	}
	if m.methods, err = newMethodSet(config.BypassMethods); err != nil {
		return nil, err
	}
	if m.sources, err = newIPRanges("bypassSourceRange", config.BypassSourceRange); err != nil {
		return nil, err
	}
	if m.sources.empty() {
		m.sources = nil
	}
	if m.client, err = newClientAddress(config.IPStrategy); err != nil {
		return nil, err
	}
	if m.challenge, err = newChallenge(config.Realm); err != nil {
		return nil, err
	}
	if m.throttle, err = newThrottleFromConfig(config); err != nil {
		return nil, err
	}
	headerField := strings.TrimSpace(config.HeaderField)
	if headerField != "" && !isToken(headerField) {
		return nil, fmt.Errorf("option headerField %q: %w", config.HeaderField, errHeaderField)
	}
	m.headerField = http.CanonicalHeaderKey(headerField)
	m.gate = newVerifyGate(verifySlots(), verifyQueue)
	m.cache = m.users.cache
	if m.methods == nil && m.sources == nil && m.bypass.only != nil {
		m.plainFilter, m.plainPattern = newPlainFilter(m.bypass.only)
	}
	m.decorates = m.headerField != "" || m.removeHeader
	return m, nil
}

// ServeHTTP forwards a bypassed request as it came (less any forged HeaderField) and a
// request with valid Basic credentials. It answers every other request itself, without
// calling the next handler: 401 Unauthorized with a WWW-Authenticate challenge; 429 Too Many
// Requests with Retry-After for a client over MaxFailures; 503 Service Unavailable with
// Retry-After when too many password checks are already waiting.
//
// Under Yaegi, each call of an interpreted function costs a few microseconds, as it
// allocates every variable and intermediate value of the callee, used or not, and each call
// into compiled code about half a microsecond. So ServeHTTP serves the usual requests itself,
// in few steps: a plain path (see newPlainFilter) under the bypass pattern, and a plain path
// outside it with no credentials or cached ones. serveSlow and serveProtected take the rest.
func (m *basicAuthBypass) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	// Read once: under Yaegi every selector expression is a value of its own.
	u := req.URL
	if m.plainFilter == nil || u.RawPath != "" {
		m.serveSlow(rw, req)
		return
	}
	p := u.Path
	if m.plainFilter.MatchString(p) {
		if m.plainPattern == nil || m.plainPattern.MatchString(p) {
			if m.headerField != "" {
				removeHeader(req.Header, m.headerField)
			}
			m.next.ServeHTTP(rw, req)
			return
		}
	} else if m.plainPattern != nil || !plainPath.MatchString(p) {
		m.serveSlow(rw, req)
		return
	}
	// A plain path that the pattern does not match: protected. Go's server stores header
	// names canonically, as Header.Get looks them up.
	values := req.Header["Authorization"]
	if len(values) == 0 {
		m.challenge.ServeHTTP(rw, req)
		return
	}
	if m.users.file != "" {
		m.users.followEdits()
	}
	// The cache lookup, inlined: see credentialCache.lookup.
	c := m.cache
	user := c.entries.Load().(map[[sha256.Size]byte]*url.Userinfo)[sha256.Sum256([]byte(c.key+values[0]))]
	if user == nil {
		m.serveProtected(rw, req)
		return
	}
	// Traefik's access log reads the user name from here, as for its own basicAuth.
	u.User = user
	if m.decorates {
		m.decorate(req, user)
	}
	m.next.ServeHTTP(rw, req)
}

// serveSlow serves a request whose path is not plain, and every request when the bypass rules
// are not one bypassPaths pattern alone: it decides the bypass from every reading of the path
// and the other rules.
func (m *basicAuthBypass) serveSlow(rw http.ResponseWriter, req *http.Request) {
	if m.bypassed(req) {
		if m.headerField != "" {
			removeHeader(req.Header, m.headerField)
		}
		m.next.ServeHTTP(rw, req)
		return
	}
	m.serveProtected(rw, req)
}

// serveProtected forwards a request that is not bypassed if it has valid credentials, and
// answers it otherwise.
func (m *basicAuthBypass) serveProtected(rw http.ResponseWriter, req *http.Request) {
	user := m.authenticate(rw, req)
	if user == nil {
		return
	}
	// Traefik's access log reads the user name from here, as for its own basicAuth.
	req.URL.User = user
	if m.decorates {
		m.decorate(req, user)
	}
	m.next.ServeHTTP(rw, req)
}

// decorate applies headerField and removeHeader to an authenticated request.
func (m *basicAuthBypass) decorate(req *http.Request, user *url.Userinfo) {
	if m.headerField != "" {
		removeHeader(req.Header, m.headerField)
		req.Header[m.headerField] = []string{user.Username()}
	}
	if m.removeHeader {
		req.Header.Del("Authorization")
	}
}

// bypassed reports whether req skips authentication: its method is in bypassMethods, its
// client in bypassSourceRange, or its path matches bypassPaths.
func (m *basicAuthBypass) bypassed(req *http.Request) bool {
	if m.bypass.allows(req.URL) {
		return true
	}
	if m.methods != nil && m.methods[req.Method] {
		return true
	}
	return m.sources != nil && m.sources.contains(m.client.of(req))
}

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
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Config is the plugin's configuration. Field names are the keys users write, matched
// case-insensitively by Traefik; the options shared with Traefik's basicAuth behave alike.
type Config struct {
	// Users lists htpasswd entries, "name:hash". Merged with UsersFile; a name defined twice is
	// an error. Default: none.
	Users []string `json:"users,omitempty" yaml:"users,omitempty" toml:"users,omitempty"`
	// UsersFile is the path of an htpasswd file: one "name:hash" a line, blank lines and lines
	// starting with "#" skipped, surrounding white space trimmed. Default: none.
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
	// password being checked, until the window has passed. Default: 0 (off).
	MaxFailures int `json:"maxFailures,omitempty" yaml:"maxFailures,omitempty" toml:"maxFailures,omitempty"`
	// FailureWindow is a Go duration ("1m", "30s"): the window of MaxFailures, counted from a
	// client's first failure. Default: "1m".
	FailureWindow string `json:"failureWindow,omitempty" yaml:"failureWindow,omitempty" toml:"failureWindow,omitempty"`
}

// CreateConfig returns the default configuration, which Traefik fills in from the dynamic
// configuration before calling New.
func CreateConfig() *Config {
	return &Config{}
}

// basicAuthBypass is the middleware. New prepares all its state; ServeHTTP only reads it.
type basicAuthBypass struct {
	next         http.Handler
	name         string
	users        *userSet
	bypass       *pathBypass
	challenge    *challenge
	headerField  string
	removeHeader bool
	cache        *credentialCache
	gate         *verifyGate
	throttle     *failureThrottle
}

// New validates config and returns the middleware. Any option it cannot honour is an error
// naming the option and the value, so that Traefik never serves the router unprotected.
func New(_ context.Context, next http.Handler, config *Config, name string) (http.Handler, error) {
	if config == nil {
		config = CreateConfig()
	}
	users, err := loadUsers(config.Users, config.UsersFile)
	if err != nil {
		return nil, fmt.Errorf("basicauthbypass %q: %w", name, err)
	}
	bypass, err := newPathBypass(config.BypassPaths)
	if err != nil {
		return nil, fmt.Errorf("basicauthbypass %q: %w", name, err)
	}
	challenge, err := newChallenge(config.Realm)
	if err != nil {
		return nil, fmt.Errorf("basicauthbypass %q: %w", name, err)
	}
	headerField := strings.TrimSpace(config.HeaderField)
	if headerField != "" && !isToken(headerField) {
		return nil, fmt.Errorf("basicauthbypass %q: option headerField %q: %w", name, config.HeaderField, errHeaderField)
	}
	throttle, err := newThrottleFromConfig(config)
	if err != nil {
		return nil, fmt.Errorf("basicauthbypass %q: %w", name, err)
	}
	cache, err := newCredentialCache()
	if err != nil {
		return nil, fmt.Errorf("basicauthbypass %q: %w", name, err)
	}
	return &basicAuthBypass{
		next:         next,
		name:         name,
		users:        users,
		bypass:       bypass,
		challenge:    challenge,
		headerField:  http.CanonicalHeaderKey(headerField),
		removeHeader: config.RemoveHeader,
		cache:        cache,
		gate:         newVerifyGate(verifySlots(), verifyQueue),
		throttle:     throttle,
	}, nil
}

// ServeHTTP forwards a bypassed request as it came (less any forged HeaderField) and a
// request with valid Basic credentials. It answers every other request itself, without
// calling the next handler: 401 Unauthorized with a WWW-Authenticate challenge; 429 Too Many
// Requests with Retry-After for a client over MaxFailures; 503 Service Unavailable with
// Retry-After when too many password checks are already waiting.
func (m *basicAuthBypass) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	if m.bypass.allows(req.URL) {
		if m.headerField != "" {
			removeHeader(req.Header, m.headerField)
		}
		m.next.ServeHTTP(rw, req)
		return
	}
	user, password, ok := req.BasicAuth()
	if !ok {
		m.challenge.ServeHTTP(rw, req)
		return
	}
	if !m.authenticate(rw, req, user, password) {
		return
	}
	// Traefik's access log reads the user name from here, as for its own basicAuth.
	req.URL.User = url.User(user)
	if m.headerField != "" {
		removeHeader(req.Header, m.headerField)
		req.Header[m.headerField] = []string{user}
	}
	if m.removeHeader {
		req.Header.Del("Authorization")
	}
	m.next.ServeHTTP(rw, req)
}

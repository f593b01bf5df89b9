package basicauthbypass

import (
	"errors"
	"fmt"
	"net/http"
)

// errRealm is wrapped by every realm configuration error.
var errRealm = errors.New("invalid realm")

// defaultRealm is the realm sent when none is configured, as in Traefik's basicAuth.
const defaultRealm = "traefik"

// unauthorizedBody is the body of every 401 answer.
const unauthorizedBody = "401 Unauthorized\n"

// challenge is the prepared 401 answer that asks the client for Basic credentials.
type challenge struct {
	wwwAuthenticate string
}

// newChallenge prepares the answer for realm, which must fit in a quoted string as is: a
// double quote, a backslash or a control character is refused rather than escaped, so that
// what the browser shows is exactly what was configured.
func newChallenge(realm string) (*challenge, error) {
	if realm == "" {
		realm = defaultRealm
	}
	for i := 0; i < len(realm); i++ {
		c := realm[i]
		if c == '"' || c == '\\' || c < 0x20 || c == 0x7f {
			return nil, fmt.Errorf("option realm %q: %w: byte %d is %q; quotes, backslashes and control characters are not allowed", realm, errRealm, i, c)
		}
	}
	return &challenge{
		wwwAuthenticate: `Basic realm="` + realm + `", charset="UTF-8"`,
	}, nil
}

// ServeHTTP answers 401 Unauthorized with the WWW-Authenticate challenge (RFC 7617) and a
// plain-text body.
func (c *challenge) ServeHTTP(rw http.ResponseWriter, _ *http.Request) {
	h := rw.Header()
	h.Set("WWW-Authenticate", c.wwwAuthenticate)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(http.StatusUnauthorized)
	_, _ = rw.Write([]byte(unauthorizedBody))
}

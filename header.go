package basicauthbypass

import (
	"errors"
	"net/http"
)

// errHeaderField is wrapped by the headerField configuration error.
var errHeaderField = errors.New("not a valid header name")

// isToken reports whether s is an RFC 9110 token, the syntax of a header name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			continue
		}
		if c >= 'A' && c <= 'Z' {
			continue
		}
		if c >= '0' && c <= '9' {
			continue
		}
		if c < 0x80 && c > ' ' && c != 0x7f && !isSeparator(c) {
			continue
		}
		return false
	}
	return true
}

// isSeparator reports whether c is one of the delimiters a token cannot hold.
func isSeparator(c byte) bool {
	for i := 0; i < len(`"(),/:;<=>?@[\]{}`); i++ {
		if c == `"(),/:;<=>?@[\]{}`[i] {
			return true
		}
	}
	return false
}

// removeHeader deletes every header that a backend could take for the one named canonical:
// the same name in any letter case, and with underscores for dashes, since CGI, PHP and
// WSGI servers read X-User and X_User alike.
func removeHeader(h http.Header, canonical string) {
	delete(h, canonical)
	for key := range h {
		if len(key) == len(canonical) && sameHeaderName(key, canonical) {
			delete(h, key)
		}
	}
}

// sameHeaderName compares two header names of equal length ignoring case and treating "_"
// and "-" as one.
func sameHeaderName(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == '_' {
			x = '-'
		}
		if y == '_' {
			y = '-'
		}
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

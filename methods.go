package basicauthbypass

import (
	"errors"
	"fmt"
	"strings"
)

// errMethod is wrapped by bypassMethods configuration errors.
var errMethod = errors.New("invalid method")

// standardMethods are the methods of RFC 9110 and RFC 5789, to catch a name in the wrong case.
var standardMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

// newMethodSet validates bypassMethods. Method names are case-sensitive, so "options" would
// never match a browser's preflight: a standard method in the wrong case is refused with the
// right spelling.
func newMethodSet(methods []string) (map[string]bool, error) {
	if len(methods) == 0 {
		return nil, nil
	}
	set := make(map[string]bool)
	for i, m := range methods {
		if !isToken(m) {
			return nil, fmt.Errorf("option bypassMethods[%d] %q: %w: not an HTTP method name", i, m, errMethod)
		}
		for _, standard := range standardMethods {
			if m != standard && strings.EqualFold(m, standard) {
				return nil, fmt.Errorf("option bypassMethods[%d] %q: %w: method names are case-sensitive, write %q", i, m, errMethod, standard)
			}
		}
		set[m] = true
	}
	return set, nil
}

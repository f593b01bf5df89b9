package basicauthbypass

import (
	"regexp"
	"regexp/syntax"
)

// The fast bypass decides the usual request, a plain path under the one bypassPaths pattern,
// in one call into compiled code: under Yaegi each such call costs about half a microsecond,
// and each interpreted call several. Every other request takes the general route, through
// every reading of its path (pathBypass.allows), and the tests hold the two to the same
// answers.

// Character classes of a plain path: the characters url.URL never escapes in a path, but ";"
// which starts a parameter; the second without ".", for a segment's first character.
const (
	plainChar      = `[A-Za-z0-9$&+,\-._:=@~]`
	plainFirstChar = `[A-Za-z0-9$&+,\-_:=@~]`
	// plainSegments is any number of "/"-led segments, none empty nor starting with a dot,
	// and an optional trailing slash.
	plainSegments = `(?:/` + plainFirstChar + plainChar + `*)*/?`
)

// plainPath matches a decoded path that is its own escaped form and has a single reading:
// with an empty RawPath, such a path is exactly what EscapedPath returns, and notPlain does
// not match it, so pathBypass.allows decides it by the patterns alone.
var plainPath = regexp.MustCompile(`^` + plainSegments + `$`)

// newPlainFilter returns the regular expressions the fast bypass matches a plain path
// against: both must match (pattern may be nil) for the path to be bypassed. For a pattern
// that is "^" and a literal that can start a plain path, such as "^/api/", filter matches
// exactly the plain paths that start with it, and pattern is nil; for any other, filter is
// plainPath and pattern the bypassPaths pattern.
func newPlainFilter(bypass *regexp.Regexp) (filter, pattern *regexp.Regexp) {
	prefix := anchoredLiteral(bypass.String())
	if prefix == "" || !plainPath.MatchString(prefix) {
		return plainPath, bypass
	}
	// What may follow the prefix in a plain path depends on whether it ends a segment.
	rest := plainChar + `*` + plainSegments
	if prefix[len(prefix)-1] == '/' {
		rest = `(?:` + plainFirstChar + plainChar + `*` + plainSegments + `)?`
	}
	return regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + rest + `$`), nil
}

// anchoredLiteral returns the literal of a pattern that is only "^" and a case-sensitive
// literal, such as "^/api/", and "" for any other pattern.
func anchoredLiteral(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	if re.Op != syntax.OpConcat || len(re.Sub) != 2 {
		return ""
	}
	begin := re.Sub[0]
	literal := re.Sub[1]
	if begin.Op != syntax.OpBeginText || literal.Op != syntax.OpLiteral || literal.Flags&syntax.FoldCase != 0 {
		return ""
	}
	return string(literal.Rune)
}

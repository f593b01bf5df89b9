package basicauthbypass

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// errPattern is wrapped by every bypassPaths configuration error.
var errPattern = errors.New("invalid bypass pattern")

// maxExploredPath bounds the length of an escaped path whose readings are explored. Every
// client can send paths, without credentials, so a long path full of escapes and dot segments
// must not cost a great deal of CPU: a path longer than this that is not plain is
// authenticated instead (legitimate API paths are far shorter).
const maxExploredPath = 2048

// maxReadings bounds how many readings of one path are checked. A path with more distinct
// readings than this is hostile or absurd, and is authenticated rather than explored further.
const maxReadings = 64

// pathBypass decides which requests skip authentication, from the bypassPaths patterns.
//
// A request is bypassed only when every reading a backend might make of its path matches one
// of the patterns. The readings are the closure of the escaped path under these rewrites:
// percent-decoding once (repeatedly, so until stable), reading backslashes as slashes,
// removing ";" parameters from segments, merging slashes, resolving "." and ".." segments as
// RFC 3986 does and as path.Clean does, and cutting at a decoded "?" or "#". A path whose readings hold an invalid escape, a control
// character or invalid UTF-8 is never bypassed. So /api/../admin, /api%2F..%2Fadmin and
// /api/..;/admin all need credentials under ^/api/, because one of their readings is /admin.
type pathBypass struct {
	patterns []*regexp.Regexp
	// only is the pattern when there is exactly one, the usual case, which the fast path
	// matches without a loop: under Yaegi every interpreted statement costs.
	only *regexp.Regexp
}

// notPlain matches an escaped path that has more than one reading: one with an escape, a
// backslash, a parameter, a query or fragment mark, an empty segment or a dot segment. An
// escaped path holds no control character or non-ASCII byte: url.URL escapes those.
var notPlain = regexp.MustCompile(`[%\\;?#]|//|/\.`)

// newPathBypass compiles the bypassPaths patterns. It refuses an empty pattern and one that
// matches the empty string, since either would bypass every request, and it names patterns
// that look cut in two by Traefik's splitting of list values at commas.
func newPathBypass(patterns []string) (*pathBypass, error) {
	b := &pathBypass{}
	for i, p := range patterns {
		re, err := compilePattern(patterns, i)
		if err != nil {
			return nil, fmt.Errorf("option bypassPaths[%d] %q: %w", i, p, err)
		}
		b.patterns = append(b.patterns, re)
	}
	if len(b.patterns) == 1 {
		b.only = b.patterns[0]
	}
	return b, nil
}

// compilePattern compiles patterns[i], with a hint when it and its neighbour look like one
// regular expression cut at a comma.
func compilePattern(patterns []string, i int) (*regexp.Regexp, error) {
	p := patterns[i]
	if p == "" {
		return nil, fmt.Errorf("%w: empty pattern would bypass every path", errPattern)
	}
	hint := ""
	if i+1 < len(patterns) && hasOpenGroup(p) {
		joined := p + "," + patterns[i+1]
		if _, err := regexp.Compile(joined); err == nil {
			hint = fmt.Sprintf(" (it looks cut at a comma by Traefik's list splitting: was %q meant? Give the list as separate entries, e.g. indexed labels bypassPaths[0]=...)", joined)
		}
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v%s", errPattern, err, hint)
	}
	if hint != "" {
		return nil, fmt.Errorf("%w: unbalanced brackets%s", errPattern, hint)
	}
	if re.MatchString("") {
		return nil, fmt.Errorf("%w: matches the empty string, so it would bypass every path", errPattern)
	}
	return re, nil
}

// hasOpenGroup reports whether p leaves a "(", "[" or "{" open, ignoring escaped characters,
// which is what a regular expression cut at one of its commas looks like.
func hasOpenGroup(p string) bool {
	depth := 0
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' {
			i++
			continue
		}
		if inClass {
			if c == ']' {
				inClass = false
			}
			continue
		}
		if c == '[' {
			inClass = true
		}
		if c == '(' {
			depth++
		}
		if c == ')' {
			depth--
		}
		if c == '{' {
			depth++
		}
		if c == '}' {
			depth--
		}
	}
	return inClass || depth > 0
}

// allows reports whether a request for u skips authentication.
func (b *pathBypass) allows(u *url.URL) bool {
	if len(b.patterns) == 0 {
		return false
	}
	escaped := u.EscapedPath()
	if b.only != nil {
		// The fast path, shaped for the interpreter: two calls into compiled code.
		if !b.only.MatchString(escaped) {
			return false
		}
	} else if !b.matchesAll(escaped) {
		return false
	}
	if !notPlain.MatchString(escaped) {
		// A plain path has a single reading, and it matched.
		return true
	}
	if len(escaped) > maxExploredPath {
		return false
	}
	readings := make([]string, 1, 8)
	readings[0] = escaped
	readings = addReading(readings, u.Path)
	for i := 0; i < len(readings); i++ {
		s := readings[i]
		if !isReadable(s) || !b.matchesAll(s) {
			return false
		}
		decoded, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		readings = addReading(readings, decoded)
		readings = addReading(readings, strings.ReplaceAll(s, `\`, "/"))
		readings = addReading(readings, stripParams(s))
		readings = addReading(readings, mergeSlashes(s))
		readings = addReading(readings, removeDotSegments(s))
		readings = addReading(readings, cleanPath(s))
		readings = addReading(readings, cutQuery(s))
		if len(readings) > maxReadings {
			return false
		}
	}
	return true
}

// matchesAll reports whether one of the patterns matches s.
func (b *pathBypass) matchesAll(s string) bool {
	for _, re := range b.patterns {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// isReadable reports whether a reading is free of control characters and invalid UTF-8,
// which backends disagree about too much for a bypass to be safe.
func isReadable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}

// addReading appends s to readings unless it is there already.
func addReading(readings []string, s string) []string {
	for _, r := range readings {
		if r == s {
			return readings
		}
	}
	return append(readings, s)
}

// stripParams removes ";" parameters from every segment, as Tomcat and other servlet
// containers do: /api/..;x=1/admin reads as /api/../admin.
func stripParams(p string) string {
	if !strings.Contains(p, ";") {
		return p
	}
	var sb strings.Builder
	for p != "" {
		semi := strings.IndexByte(p, ';')
		if semi < 0 {
			sb.WriteString(p)
			break
		}
		sb.WriteString(p[:semi])
		p = p[semi:]
		slash := strings.IndexByte(p, '/')
		if slash < 0 {
			break
		}
		p = p[slash:]
	}
	return sb.String()
}

// mergeSlashes replaces every run of slashes with one, as nginx's merge_slashes does.
func mergeSlashes(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

// cutQuery cuts p at a "?" or "#", which a backend that decodes the path before parsing it
// would read as the start of the query or fragment.
func cutQuery(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		return p[:i]
	}
	return p
}

// cleanPath reads p as Go's http.ServeMux and path.Clean do: dot segments resolved after
// slashes are merged, and a trailing slash kept only if p had one, so /api/. reads as /api.
func cleanPath(p string) string {
	if !strings.Contains(p, "/.") && !strings.Contains(p, "//") {
		return p
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean
}

// removeDotSegments resolves "." and ".." segments as RFC 3986 section 5.2.4 does. Unlike
// path.Clean it keeps empty segments and a trailing slash, so /api/ stays /api/.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segments := strings.Split(p, "/")
	out := make([]string, 0, len(segments))
	for i, seg := range segments {
		last := i == len(segments)-1
		if seg == "." || seg == ".." {
			if seg == ".." && len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				// A final dot segment leaves a directory: /a/b/.. reads as /a/.
				out = append(out, "")
			}
			continue
		}
		out = append(out, seg)
	}
	if len(out) == 1 && out[0] == "" {
		return "/"
	}
	return strings.Join(out, "/")
}

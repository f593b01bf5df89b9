package basicauthbypass

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// logger writes the plugin's log lines. Traefik turns what a plugin writes to stdout into
// debug-level lines and what it writes to stderr into error-level lines, so notes go to out
// and problems an operator must see go to errs. No line holds a password or a hash.
type logger struct {
	prefix string
	out    io.Writer
	errs   io.Writer
}

// newLogger returns a logger for the middleware instance called name.
func newLogger(name string) *logger {
	return &logger{prefix: fmt.Sprintf("basicauthbypass %q: ", name), out: os.Stdout, errs: os.Stderr}
}

// notef writes a debug-level line.
func (l *logger) notef(format string, args ...interface{}) {
	fmt.Fprintf(l.out, l.prefix+format+"\n", args...)
}

// errorf writes an error-level line.
func (l *logger) errorf(format string, args ...interface{}) {
	fmt.Fprintf(l.errs, l.prefix+format+"\n", args...)
}

// describeFormats summarises how many users each hash format has, e.g. "bcrypt 2, apr1 1".
func describeFormats(formats map[string]int) string {
	names := make([]string, 0, len(formats))
	for name := range formats {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, fmt.Sprintf("%s %d", name, formats[name]))
	}
	return strings.Join(parts, ", ")
}

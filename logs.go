package basicauthbypass

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// maxRefusalLinesPerSecond bounds the lines about refused attempts. Traefik v3.6 prints a
// plugin's stdout whatever its log level, so a flood of bad credentials must not become a
// flood of log lines that fills the operator's disk.
const maxRefusalLinesPerSecond = 10

// logger writes the plugin's log lines. Traefik labels what a plugin writes to stdout as
// debug and what it writes to stderr as error, so notes go to out and problems an operator
// must act on go to errs. No line holds a password or a hash.
type logger struct {
	prefix string
	out    io.Writer
	errs   io.Writer

	mu         sync.Mutex
	second     int64 // the Unix second refusal lines are being counted in
	lines      int   // refusal lines written in that second
	suppressed int   // refusal lines left out in that second
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

// refusef writes a note about a refused attempt, unless maxRefusalLinesPerSecond were
// written in this second already. The first refusal of a later second reports how many were
// left out.
func (l *logger) refusef(format string, args ...interface{}) {
	now := time.Now().Unix()
	l.mu.Lock()
	if now != l.second {
		if l.suppressed > 0 {
			fmt.Fprintf(l.out, "%s%d more refused attempts not logged (at most %d lines a second)\n", l.prefix, l.suppressed, maxRefusalLinesPerSecond)
		}
		l.second, l.lines, l.suppressed = now, 0, 0
	}
	if l.lines >= maxRefusalLinesPerSecond {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	l.lines++
	l.mu.Unlock()
	l.notef(format, args...)
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

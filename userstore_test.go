package basicauthbypass

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// htpasswd -nbs bob builder
const bobSHA = "bob:{SHA}9SMYoF5RilWWASry7TjeaKwmpGg="

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// statusFor sends GET /private as user:password through m and returns the status.
func statusFor(m http.Handler, user, password string) int {
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, request("192.0.2.1:1", user, password))
	return rec.Code
}

// rewrite replaces the users file and moves its modification time on, as an editor would a
// moment later.
func rewrite(t *testing.T, file, content string, step int) {
	t.Helper()
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	stamp := time.Now().Add(time.Duration(step) * time.Second)
	if err := os.Chtimes(file, stamp, stamp); err != nil {
		t.Fatal(err)
	}
}

func TestUsersFileFollowsEdits(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users")
	rewrite(t, file, aliceSHA+"\n", 0)
	errs := &syncBuffer{}
	notes := &syncBuffer{}
	m, err := newMiddleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		&Config{UsersFile: file}, &logger{out: notes, errs: errs})
	if err != nil {
		t.Fatal(err)
	}
	m.users.interval, m.users.nextCheck = 0, 0 // check on every request

	steps := []struct {
		name    string
		content string // "" leaves the file as it is
		user    string
		pass    string
		want    int
		wantErr string // in the error log after this step
	}{
		{name: "initial user", user: "alice", pass: "wonderland", want: 200},
		{name: "added user works", content: aliceSHA + "\n" + bobSHA + "\n", user: "bob", pass: "builder", want: 200},
		{name: "removed user is refused at once, cached or not", content: bobSHA + "\n", user: "alice", pass: "wonderland", want: 401},
		{name: "broken edit keeps the last good users", content: bobSHA + "\nmallory:plain\n", user: "bob", pass: "builder", want: 200, wantErr: file + ":2"},
		{name: "broken file does not bring back removed users", user: "alice", pass: "wonderland", want: 401},
		{name: "fixed edit is taken", content: aliceSHA + "\n", user: "alice", pass: "wonderland", want: 200},
		{name: "and the old user is gone", user: "bob", pass: "builder", want: 401},
	}
	for i, s := range steps {
		if s.content != "" {
			rewrite(t, file, s.content, i+1)
		}
		if got := statusFor(m, s.user, s.pass); got != s.want {
			t.Errorf("%s: got status %d, want %d", s.name, got, s.want)
		}
		if s.wantErr != "" && !strings.Contains(errs.String(), s.wantErr) {
			t.Errorf("%s: got error log %q, want it to name %s", s.name, errs.String(), s.wantErr)
		}
	}
	if strings.Contains(errs.String(), "plain") {
		t.Errorf("error log %q shows a hash", errs.String())
	}
	if n := strings.Count(errs.String(), "cannot be used"); n != 1 {
		t.Errorf("got %d error lines for one broken edit, want 1: %q", n, errs.String())
	}
	if !strings.Contains(notes.String(), "reloaded") {
		t.Errorf("got notes %q, want a reload line", notes.String())
	}
}

func TestUsersFileEditEndsCachedLogins(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users")
	rewrite(t, file, aliceSHA+"\n", 0)
	m, err := newMiddleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		&Config{UsersFile: file, BypassPaths: []string{"^/api/"}}, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	m.users.interval, m.users.nextCheck = 0, 0 // check on every request
	if got := statusFor(m, "alice", "wonderland"); got != 200 {
		t.Fatalf("before the edit: got status %d, want 200", got)
	}
	// Only alice's cached login comes next: it alone must notice the edit.
	rewrite(t, file, bobSHA+"\n", 1)
	if got := statusFor(m, "alice", "wonderland"); got != 401 {
		t.Fatalf("cached login of a removed user: got status %d, want 401", got)
	}
}

func TestUsersFileCheckedAtMostEveryInterval(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users")
	rewrite(t, file, aliceSHA+"\n", 0)
	m, err := newMiddleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), &Config{UsersFile: file}, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	m.users.interval = time.Hour
	m.users.nextCheck = time.Now().Add(time.Hour).UnixNano()
	rewrite(t, file, bobSHA+"\n", 1)
	if got := statusFor(m, "alice", "wonderland"); got != 200 {
		t.Errorf("before the interval has passed: got status %d, want 200 (old users)", got)
	}
	m.users.nextCheck = time.Now().UnixNano()
	if got := statusFor(m, "alice", "wonderland"); got != 401 {
		t.Errorf("after the interval: got status %d, want 401 (file reloaded)", got)
	}
}

func TestUsersFileDeletedKeepsUsers(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users")
	rewrite(t, file, aliceSHA+"\n", 0)
	errs := &syncBuffer{}
	m, err := newMiddleware(http.NotFoundHandler(), &Config{UsersFile: file}, &logger{out: &syncBuffer{}, errs: errs})
	if err != nil {
		t.Fatal(err)
	}
	m.users.interval, m.users.nextCheck = 0, 0
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if got := statusFor(m, "alice", "wonderland"); got == http.StatusUnauthorized {
			t.Errorf("request %d after the file was deleted: got status %d, want the old users kept", i, got)
		}
	}
	if n := strings.Count(errs.String(), "cannot be read"); n != 1 {
		t.Errorf("got %d error lines for one deletion, want 1: %q", n, errs.String())
	}
}

func TestRefusalsAreLogged(t *testing.T) {
	notes := &syncBuffer{}
	m, err := newMiddleware(http.NotFoundHandler(), &Config{Users: []string{aliceSHA}, MaxFailures: 2},
		&logger{out: notes, errs: &syncBuffer{}})
	if err != nil {
		t.Fatal(err)
	}
	statusFor(m, "alice", "secret-guess-1")
	statusFor(m, "nobody", "secret-guess-2")
	statusFor(m, "alice", "secret-guess-3")
	req := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
	req.RemoteAddr = "192.0.2.9:1"
	req.Header.Set("Authorization", "Basic !!!")
	m.ServeHTTP(httptest.NewRecorder(), req)
	log := notes.String()
	for _, want := range []string{
		`refused 192.0.2.1: wrong password for user "alice"`,
		"refused 192.0.2.1: unknown user",
		"refused 192.0.2.1: throttled",
		"refused 192.0.2.9: malformed Authorization header",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("got log %q, want a line with %q", log, want)
		}
	}
	if strings.Contains(log, "secret-guess") || strings.Contains(log, "nobody") || strings.Contains(log, "{SHA}") {
		t.Errorf("log %q shows a password, an unknown name or a hash", log)
	}
}

func TestRefusalLinesAreRateLimited(t *testing.T) {
	notes := &syncBuffer{}
	l := &logger{out: notes, errs: &syncBuffer{}}
	for i := 0; i < 100; i++ {
		l.refusef("refused %d", i)
	}
	if got := strings.Count(notes.String(), "\n"); got > 2*maxRefusalLinesPerSecond+1 {
		t.Errorf("got %d lines for 100 refusals, want at most %d (two seconds' worth and a summary)", got, 2*maxRefusalLinesPerSecond+1)
	}
	// A refusal in a later second reports the ones left out.
	l.mu.Lock()
	l.second--
	l.mu.Unlock()
	l.refusef("refused later")
	if !strings.Contains(notes.String(), "more refused attempts not logged") {
		t.Errorf("got log %q, want a line counting the refusals left out", notes.String())
	}
}

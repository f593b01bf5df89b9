package basicauthbypass_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basicauthbypass/basicauthbypass"
)

// Users of these tests, each made by the command beside it.
const (
	// htpasswd -nbs alice 'wonderland'
	alice = "alice:{SHA}tiY7sUhYKUwI5L3866kDY+ENcrQ="
	// htpasswd -nbm bob 'b:o:b'
	bob = "bob:$apr1$BuU3pbVN$IEBZ/RQZR1bZg4GC1fvGq/"
	// htpasswd -nbB -C 4 carol 'carol-pw'
	carol = "carol:$2y$04$XmStVvh4ZxHHpS/WNP0KzeRtGTfd7fZ4FtQm.ty51z1pwYs/LlHuC"
	// htpasswd -nbs 'zoë' 'pässwörd'
	zoe = "zoë:{SHA}9Rfd8dMqES/xrVXGbRsSyzjn6Pc="
)

// seen records what the next handler received.
type seen struct {
	called bool
	header http.Header
	user   string
}

// newRecordingHandler builds the middleware over a next handler that records what it saw.
func newRecordingHandler(t *testing.T, config *basicauthbypass.Config) (http.Handler, *seen) {
	t.Helper()
	s := &seen{}
	next := http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		s.called = true
		s.header = req.Header.Clone()
		if req.URL.User != nil {
			s.user = req.URL.User.Username()
		}
		rw.WriteHeader(http.StatusOK)
	})
	h, err := basicauthbypass.New(context.Background(), next, config, "test")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h, s
}

// basic returns an Authorization header value for user and password.
func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// serve sends a GET for target with the given headers through h.
func serve(h http.Handler, target string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "http://example.com"+target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAuthentication(t *testing.T) {
	config := &basicauthbypass.Config{Users: []string{alice, zoe}, BypassPaths: []string{"^/api/"}}
	tests := []struct {
		name          string
		authorization string
		want          int
	}{
		{name: "no credentials", authorization: "", want: http.StatusUnauthorized},
		{name: "right password", authorization: basic("alice", "wonderland"), want: http.StatusOK},
		{name: "scheme in lower case", authorization: "basic " + base64.StdEncoding.EncodeToString([]byte("alice:wonderland")), want: http.StatusOK},
		{name: "scheme in upper case", authorization: "BASIC " + base64.StdEncoding.EncodeToString([]byte("alice:wonderland")), want: http.StatusOK},
		{name: "utf-8 name and password", authorization: basic("zoë", "pässwörd"), want: http.StatusOK},
		{name: "wrong password", authorization: basic("alice", "wonderlan"), want: http.StatusUnauthorized},
		{name: "password with a suffix", authorization: basic("alice", "wonderland "), want: http.StatusUnauthorized},
		{name: "unknown user", authorization: basic("mallory", "wonderland"), want: http.StatusUnauthorized},
		{name: "empty user", authorization: basic("", "wonderland"), want: http.StatusUnauthorized},
		{name: "name in other case", authorization: basic("Alice", "wonderland"), want: http.StatusUnauthorized},
		{name: "bearer token", authorization: "Bearer abc", want: http.StatusUnauthorized},
		{name: "invalid base64", authorization: "Basic !!!", want: http.StatusUnauthorized},
		{name: "no colon", authorization: "Basic " + base64.StdEncoding.EncodeToString([]byte("alice")), want: http.StatusUnauthorized},
		{name: "scheme only", authorization: "Basic", want: http.StatusUnauthorized},
		{name: "digest scheme", authorization: `Digest username="alice"`, want: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		h, s := newRecordingHandler(t, config)
		header := map[string]string{}
		if tt.authorization != "" {
			header["Authorization"] = tt.authorization
		}
		rec := serve(h, "/admin", header)
		if rec.Code != tt.want {
			t.Errorf("%s: got status %d, want %d", tt.name, rec.Code, tt.want)
		}
		if s.called != (tt.want == http.StatusOK) {
			t.Errorf("%s: next handler called = %v, want %v", tt.name, s.called, tt.want == http.StatusOK)
		}
	}
}

func TestPasswordWithColons(t *testing.T) {
	h, _ := newRecordingHandler(t, &basicauthbypass.Config{Users: []string{bob}})
	tests := []struct {
		name     string
		password string
		want     int
	}{
		{name: "whole password", password: "b:o:b", want: http.StatusOK},
		{name: "cut at the second colon", password: "b:o", want: http.StatusUnauthorized},
		{name: "cut at the first colon", password: "b", want: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		rec := serve(h, "/", map[string]string{"Authorization": basic("bob", tt.password)})
		if rec.Code != tt.want {
			t.Errorf("%s: got status %d, want %d", tt.name, rec.Code, tt.want)
		}
	}
}

func TestChallenge(t *testing.T) {
	tests := []struct {
		name  string
		realm string
		want  string
	}{
		{name: "default realm", realm: "", want: `Basic realm="traefik", charset="UTF-8"`},
		{name: "configured realm", realm: "LibreChat", want: `Basic realm="LibreChat", charset="UTF-8"`},
		{name: "realm with spaces and utf-8", realm: "Zoë's chat", want: `Basic realm="Zoë's chat", charset="UTF-8"`},
	}
	for _, tt := range tests {
		h, s := newRecordingHandler(t, &basicauthbypass.Config{Users: []string{alice}, Realm: tt.realm})
		rec := serve(h, "/", nil)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: got status %d, want %d", tt.name, rec.Code, http.StatusUnauthorized)
		}
		if got := rec.Header().Values("WWW-Authenticate"); len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s: got WWW-Authenticate %q, want %q", tt.name, got, tt.want)
		}
		if got, want := rec.Header().Get("Content-Type"), "text/plain; charset=utf-8"; got != want {
			t.Errorf("%s: got Content-Type %q, want %q", tt.name, got, want)
		}
		if got, want := rec.Body.String(), "401 Unauthorized\n"; got != want {
			t.Errorf("%s: got body %q, want %q", tt.name, got, want)
		}
		if s.called {
			t.Errorf("%s: next handler called on a 401", tt.name)
		}
	}
}

func TestBypassLeavesRequestUntouched(t *testing.T) {
	h, s := newRecordingHandler(t, &basicauthbypass.Config{
		Users: []string{alice}, BypassPaths: []string{"^/api/"}, RemoveHeader: true,
	})
	rec := serve(h, "/api/chat", map[string]string{"Authorization": "Bearer token-123", "X-Other": "kept"})
	if rec.Code != http.StatusOK {
		t.Fatalf("got status %d, want %d", rec.Code, http.StatusOK)
	}
	if got, want := s.header.Get("Authorization"), "Bearer token-123"; got != want {
		t.Errorf("got Authorization %q at the backend, want %q", got, want)
	}
	if got, want := s.header.Get("X-Other"), "kept"; got != want {
		t.Errorf("got X-Other %q at the backend, want %q", got, want)
	}
	if len(s.header) != 2 {
		t.Errorf("got headers %v at the backend, want only the two sent", s.header)
	}
	if s.user != "" {
		t.Errorf("got user %q in the URL of a bypassed request, want none", s.user)
	}
}

func TestRemoveHeader(t *testing.T) {
	tests := []struct {
		name         string
		removeHeader bool
		want         string
	}{
		{name: "kept by default", removeHeader: false, want: basic("alice", "wonderland")},
		{name: "removed when asked", removeHeader: true, want: ""},
	}
	for _, tt := range tests {
		h, s := newRecordingHandler(t, &basicauthbypass.Config{Users: []string{alice}, RemoveHeader: tt.removeHeader})
		rec := serve(h, "/", map[string]string{"Authorization": basic("alice", "wonderland")})
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: got status %d, want %d", tt.name, rec.Code, http.StatusOK)
		}
		if got := s.header.Get("Authorization"); got != tt.want {
			t.Errorf("%s: got Authorization %q at the backend, want %q", tt.name, got, tt.want)
		}
		if s.user != "alice" {
			t.Errorf("%s: got URL user %q, want %q", tt.name, s.user, "alice")
		}
	}
}

func TestHeaderField(t *testing.T) {
	config := &basicauthbypass.Config{Users: []string{alice}, HeaderField: "X-WebAuth-User", BypassPaths: []string{"^/api/"}}
	tests := []struct {
		name   string
		target string
		header map[string]string
		want   []string
	}{
		{name: "set on success", target: "/", header: map[string]string{"Authorization": basic("alice", "wonderland")}, want: []string{"alice"}},
		{name: "forged value replaced", target: "/", header: map[string]string{"Authorization": basic("alice", "wonderland"), "X-Webauth-User": "admin"}, want: []string{"alice"}},
		{name: "forged with underscores replaced", target: "/", header: map[string]string{"Authorization": basic("alice", "wonderland"), "X_WEBAUTH_USER": "admin"}, want: []string{"alice"}},
		{name: "forged on a bypassed path removed", target: "/api/x", header: map[string]string{"x-webauth-user": "admin"}, want: nil},
		{name: "forged with underscores on a bypassed path removed", target: "/api/x", header: map[string]string{"X_Webauth_User": "admin"}, want: nil},
	}
	for _, tt := range tests {
		h, s := newRecordingHandler(t, config)
		rec := serve(h, tt.target, tt.header)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: got status %d, want %d", tt.name, rec.Code, http.StatusOK)
		}
		var got []string
		for key, values := range s.header {
			if strings.EqualFold(strings.ReplaceAll(key, "_", "-"), "X-WebAuth-User") {
				got = append(got, values...)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: got user header values %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEveryHashFormat(t *testing.T) {
	// Vectors for each format; the verifiers' own tests hold many more.
	tests := []struct {
		name     string
		user     string
		password string
	}{
		{name: "sha1", user: alice, password: "wonderland"},
		{name: "apr1", user: bob, password: "b:o:b"},
		{name: "bcrypt", user: carol, password: "carol-pw"},
		// openssl passwd -1 -salt saltsalt 'md5-pw'
		{name: "md5-crypt", user: "u:$1$saltsalt$e78r986ZkPTVusZhQh1NA/", password: "md5-pw"},
		// openssl passwd -5 -salt saltsaltsaltsalt 'sha256-pw'
		{name: "sha256-crypt", user: "u:$5$saltsaltsaltsalt$hVeFFpwgL7fZm7WkXUkmoxxO4b5NIzZ5QnuvTvGvcD9", password: "sha256-pw"},
		// openssl passwd -6 -salt saltsaltsaltsalt 'sha512-pw'
		{name: "sha512-crypt", user: "u:$6$saltsaltsaltsalt$SHXx3KXZWe/nQMMlrJYG6uF91EEzb1dk51VFUVGuPsweKtKafZEzR4rtK2qGSCSHslx.pp4.yhoZq7.D8WVHF1", password: "sha512-pw"},
	}
	for _, tt := range tests {
		h, _ := newRecordingHandler(t, &basicauthbypass.Config{Users: []string{tt.user}})
		name := tt.user[:strings.IndexByte(tt.user, ':')]
		if rec := serve(h, "/", map[string]string{"Authorization": basic(name, tt.password)}); rec.Code != http.StatusOK {
			t.Errorf("%s: right password: got status %d, want %d", tt.name, rec.Code, http.StatusOK)
		}
		if rec := serve(h, "/", map[string]string{"Authorization": basic(name, tt.password+"x")}); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: wrong password: got status %d, want %d", tt.name, rec.Code, http.StatusUnauthorized)
		}
	}
}

func TestUsersFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "users")
	content := "# team\n\n  " + bob + "  \r\n" + carol + "\n\t# end\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	h, _ := newRecordingHandler(t, &basicauthbypass.Config{Users: []string{alice}, UsersFile: file})
	tests := []struct {
		name, user, password string
		want                 int
	}{
		{name: "inline user", user: "alice", password: "wonderland", want: http.StatusOK},
		{name: "file user with white space around", user: "bob", password: "b:o:b", want: http.StatusOK},
		{name: "file user after a CRLF line", user: "carol", password: "carol-pw", want: http.StatusOK},
		{name: "commented name", user: "# team", password: "", want: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		rec := serve(h, "/", map[string]string{"Authorization": basic(tt.user, tt.password)})
		if rec.Code != tt.want {
			t.Errorf("%s: got status %d, want %d", tt.name, rec.Code, tt.want)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	dir := t.TempDir()
	badFile := filepath.Join(dir, "users")
	if err := os.WriteFile(badFile, []byte("# ok\n"+alice+"\nbob:plaintext\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dupFile := filepath.Join(dir, "dup")
	if err := os.WriteFile(dupFile, []byte("\n"+alice+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		config *basicauthbypass.Config
		want   []string // substrings of the error
		absent []string // never in the error
	}{
		{name: "no users", config: &basicauthbypass.Config{}, want: []string{"no users"}},
		{name: "nil config", config: nil, want: []string{"no users"}},
		{name: "invalid regex", config: &basicauthbypass.Config{Users: []string{alice}, BypassPaths: []string{"^/api/", "^/(x"}}, want: []string{"bypassPaths[1]", `"^/(x"`}},
		{name: "regex cut at a comma", config: &basicauthbypass.Config{Users: []string{alice}, BypassPaths: []string{"^/v{1", "2}/"}}, want: []string{"bypassPaths[0]", `"^/v{1,2}/"`, "comma"}},
		{name: "class cut at a comma", config: &basicauthbypass.Config{Users: []string{alice}, BypassPaths: []string{"^/[ab", "c]/"}}, want: []string{"bypassPaths[0]", `"^/[ab,c]/"`, "comma"}},
		{name: "empty regex", config: &basicauthbypass.Config{Users: []string{alice}, BypassPaths: []string{"^/api/", ""}}, want: []string{"bypassPaths[1]", "every path"}},
		{name: "regex matching everything", config: &basicauthbypass.Config{Users: []string{alice}, BypassPaths: []string{".*"}}, want: []string{"bypassPaths[0]", "every path"}},
		{name: "unreadable users file", config: &basicauthbypass.Config{UsersFile: filepath.Join(dir, "missing")}, want: []string{"usersFile", "missing"}},
		{name: "plain-text hash in file", config: &basicauthbypass.Config{UsersFile: badFile}, want: []string{badFile + ":3", `"bob"`, "unsupported"}, absent: []string{"plaintext"}},
		{name: "des crypt hash inline", config: &basicauthbypass.Config{Users: []string{"bob:rl0uE6ypPK9ps"}}, want: []string{"users[0]", `"bob"`, "unsupported"}, absent: []string{"rl0uE6ypPK9ps"}},
		{name: "truncated bcrypt", config: &basicauthbypass.Config{Users: []string{carol[:40]}}, want: []string{"users[0]", `"carol"`, "malformed"}, absent: []string{carol[10:40]}},
		{name: "line without colon", config: &basicauthbypass.Config{Users: []string{"alice"}}, want: []string{"users[0]", "colon"}},
		{name: "empty name", config: &basicauthbypass.Config{Users: []string{":{SHA}tiY7sUhYKUwI5L3866kDY+ENcrQ="}}, want: []string{"users[0]", "empty user name"}},
		{name: "duplicate inline", config: &basicauthbypass.Config{Users: []string{alice, alice}}, want: []string{"users[1]", `"alice"`, "users[0]"}},
		{name: "duplicate across file", config: &basicauthbypass.Config{Users: []string{alice}, UsersFile: dupFile}, want: []string{dupFile + ":2", "users[0]", `"alice"`}},
		{name: "realm with a quote", config: &basicauthbypass.Config{Users: []string{alice}, Realm: `a"b`}, want: []string{"realm", `a\"b`}},
		{name: "realm with a newline", config: &basicauthbypass.Config{Users: []string{alice}, Realm: "a\nb"}, want: []string{"realm"}},
		{name: "header field with a space", config: &basicauthbypass.Config{Users: []string{alice}, HeaderField: "X User"}, want: []string{"headerField", `"X User"`}},
		{name: "header field with a colon", config: &basicauthbypass.Config{Users: []string{alice}, HeaderField: "X-User:"}, want: []string{"headerField"}},
	}
	for _, tt := range tests {
		h, err := basicauthbypass.New(context.Background(), http.NotFoundHandler(), tt.config, "mw")
		if err == nil {
			t.Errorf("%s: got handler %v and no error, want an error", tt.name, h)
			continue
		}
		if h != nil {
			t.Errorf("%s: got a handler along with the error", tt.name)
		}
		for _, want := range tt.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: got error %q, want it to contain %q", tt.name, err, want)
			}
		}
		for _, absent := range tt.absent {
			if strings.Contains(err.Error(), absent) {
				t.Errorf("%s: got error %q, which shows the secret %q", tt.name, err, absent)
			}
		}
	}
}

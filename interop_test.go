package basicauthbypass

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// interopCommands make a hash of the password appended to their arguments. htpasswd prints
// "user:hash", openssl passwd the bare hash.
var interopCommands = []struct {
	name string
	args []string
}{
	{"htpasswd apr1", []string{"htpasswd", "-nbm", "user"}},
	{"htpasswd sha1", []string{"htpasswd", "-nbs", "user"}},
	{"htpasswd sha256-crypt", []string{"htpasswd", "-nb2", "user"}},
	{"htpasswd sha512-crypt", []string{"htpasswd", "-nb5", "user"}},
	{"htpasswd sha512-crypt rounds", []string{"htpasswd", "-nb5", "-r", "1500", "user"}},
	{"htpasswd bcrypt", []string{"htpasswd", "-nbB", "-C", "4", "user"}},
	{"openssl md5-crypt", []string{"openssl", "passwd", "-1"}},
	{"openssl apr1", []string{"openssl", "passwd", "-apr1"}},
	{"openssl sha256-crypt", []string{"openssl", "passwd", "-5"}},
	{"openssl sha512-crypt", []string{"openssl", "passwd", "-6"}},
}

// interopRunes are what the random passwords are made of: ASCII letters and digits, the
// characters that shells and htpasswd files treat specially, and multi-byte UTF-8.
var interopRunes = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 :$\\\"'!#%&*-_é€ß😀")

// randomPassword returns a random password of 1 to 40 characters and at most 64 bytes that
// starts with a letter, so that no command takes it for an option and bcrypt does not cut it
// at 72 bytes. openssl passwd cannot hash an empty password with -5 or -6; the known-answer
// tests cover empty passwords.
func randomPassword(t *testing.T) string {
	t.Helper()
	b := make([]byte, 41)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("got error %v reading random bytes, want none", err)
	}
	n := 1 + int(b[0])%40
	var sb strings.Builder
	sb.WriteRune(interopRunes[int(b[1])%26])
	for i := 1; i < n && sb.Len() <= 60; i++ {
		sb.WriteRune(interopRunes[int(b[i+1])%len(interopRunes)])
	}
	return sb.String()
}

// errToolFailed is returned by runTool when the tool exits unsuccessfully.
var errToolFailed = errors.New("tool failed")

// lookPath finds an executable named name in the directories of $PATH, as exec.LookPath does.
// os/exec is not among the packages that Yaegi offers by default (yaegi test needs
// -unrestricted for it), so these tests use os directly and run in both worlds.
func lookPath(name string) (string, error) {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		path := filepath.Join(dir, name)
		info, err := os.Stat(path)
		if err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return path, nil
		}
	}
	return "", os.ErrNotExist
}

// runTool runs the executable at path with args and returns what it wrote to standard output.
// Its standard error goes to the test's, its standard input is empty.
func runTool(path string, args []string) (string, error) {
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		return "", err
	}
	defer stdin.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	argv := append([]string{path}, args...)
	proc, err := os.StartProcess(path, argv, &os.ProcAttr{Files: []*os.File{stdin, w, os.Stderr}})
	w.Close()
	if err != nil {
		return "", err
	}
	out, readErr := io.ReadAll(r)
	state, err := proc.Wait()
	if err != nil {
		return "", err
	}
	if readErr != nil {
		return "", readErr
	}
	if !state.Success() {
		return "", fmt.Errorf("%w: %s", errToolFailed, state)
	}
	return string(out), nil
}

// TestInteropWithTools hashes fresh random passwords with the real htpasswd and openssl
// passwd, and checks that parseHash accepts every hash and that it verifies the password and
// no other. CI installs both tools (make tools: apt-get install apache2-utils openssl); where
// they are missing the test is skipped.
func TestInteropWithTools(t *testing.T) {
	paths := make(map[string]string)
	for _, tool := range []string{"htpasswd", "openssl"} {
		path, err := lookPath(tool)
		if err != nil {
			t.Skipf("%s is not on PATH (Debian: apt-get install apache2-utils openssl; CI installs both)", tool)
		}
		paths[tool] = path
	}
	for _, tt := range interopCommands {
		for i := 0; i < 3; i++ {
			password := randomPassword(t)
			args := append(append([]string(nil), tt.args[1:]...), password)
			out, err := runTool(paths[tt.args[0]], args)
			if err != nil {
				t.Fatalf("%s: got error %v running %s, want none", tt.name, err, strings.Join(tt.args, " "))
			}
			hash := strings.TrimSpace(out)
			hash = strings.TrimPrefix(hash, "user:")
			v, err := parseHash(hash)
			if err != nil {
				t.Errorf("%s: got error %v parsing the hash of %q, want none", tt.name, err, password)
				continue
			}
			if got := v.verify(password); !got {
				t.Errorf("%s: got verify %v for %q, want true", tt.name, got, password)
			}
			wrong := []string{password + "x", password[:len(password)-1], strings.ToUpper(password) + "!", randomPassword(t) + "?"}
			for _, w := range wrong {
				if got := v.verify(w); got {
					t.Errorf("%s: got verify %v for %q, the hash of %q, want false", tt.name, got, w, password)
				}
			}
		}
	}
}

package basicauthbypass

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// htpasswd -nbs alice 'wonderland'
const aliceSHA = "alice:{SHA}tiY7sUhYKUwI5L3866kDY+ENcrQ="

func TestLoadUsersErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "users")
	if err := os.WriteFile(file, []byte("#c\n\nbob\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		inline []string
		file   string
		want   error
		where  string
	}{
		{name: "nothing", want: errNoUsers},
		{name: "only comments", inline: nil, file: writeFile(t, dir, "comments", "# a\n\n  # b\n"), want: errNoUsers},
		{name: "no colon", inline: []string{"alice"}, want: errUserLine, where: "users[0]"},
		{name: "no colon in file", file: file, want: errUserLine, where: file + ":3"},
		{name: "empty name", inline: []string{":{SHA}x"}, want: errUserLine, where: "users[0]"},
		{name: "empty hash", inline: []string{aliceSHA, "bob:"}, want: errUnsupportedHash, where: "users[1]"},
		{name: "plain text", inline: []string{"bob:secret"}, want: errUnsupportedHash, where: "users[0]"},
		{name: "duplicate", inline: []string{aliceSHA, " " + aliceSHA}, want: errDuplicateUser, where: "users[1]"},
	}
	for _, tt := range tests {
		_, err := loadUsers(tt.inline, tt.file)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got error %v, want %v", tt.name, err, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.where) {
			t.Errorf("%s: got error %q, want it to name %q", tt.name, err, tt.where)
		}
	}
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUnknownUserChecksTheDecoy(t *testing.T) {
	decoy := &countingVerifier{}
	set := &userSet{byName: map[string]verifier{}, decoy: decoy}
	if set.verify("nobody", "pw") {
		t.Errorf("got true for an unknown user, want false")
	}
	if decoy.checks != 1 {
		t.Errorf("got %d decoy checks for an unknown user, want 1", decoy.checks)
	}
}

// countingVerifier accepts every password and counts the checks.
type countingVerifier struct{ checks int }

func (c *countingVerifier) verify(password string) bool {
	c.checks++
	return true
}

// userLineSeeds are htpasswd lines, good and bad, for the fuzz target and its plain run.
var userLineSeeds = []string{
	aliceSHA,
	"bob:$apr1$BuU3pbVN$IEBZ/RQZR1bZg4GC1fvGq/",
	"carol:$2y$04$XmStVvh4ZxHHpS/WNP0KzeRtGTfd7fZ4FtQm.ty51z1pwYs/LlHuC",
	"u:$5$rounds=1000$salt$x",
	"u:$6$",
	"u:{SSHA}",
	":",
	"a:b:c",
	"\x00:\x00",
	"u:$2y$99$",
	// Regression: a "hash" equal to the user name is shown as the name, not as the hash.
	"00000000:00000000",
}

func TestUserLineSeeds(t *testing.T) {
	for _, line := range userLineSeeds {
		checkUserLine(t, line)
	}
}

func FuzzUserLine(f *testing.F) {
	for _, line := range userLineSeeds {
		f.Add(line)
	}
	f.Fuzz(checkUserLine)
}

// checkUserLine loads one line: it must either fail with an error that does not show the hash,
// or give a user whose verifier answers without panicking.
func checkUserLine(t *testing.T, line string) {
	set, err := loadUsers([]string{line}, "")
	if err != nil {
		// Every real hash holds a "$" or a "{"; a hash that is part of the user name is shown
		// with the name, which is fine.
		if colon := strings.IndexByte(line, ':'); colon >= 0 {
			name, hash := line[:colon], line[colon+1:]
			if len(hash) > 8 && strings.ContainsAny(hash, "${") && !strings.Contains(name, hash) && strings.Contains(err.Error(), hash) {
				t.Errorf("%q: error %q shows the hash", line, err)
			}
		}
		return
	}
	name := strings.TrimSpace(line)
	name = name[:strings.IndexByte(name, ':')]
	set.verify(name, "password")
	set.verify(name+"x", "password")
}

package basicauthbypass

import (
	"crypto/md5"
	"strings"
	"testing"
)

// md5CryptVectors were made by the commands beside them (Debian apache2-utils 2.4 htpasswd,
// OpenSSL 3.0 openssl passwd); "user:" is cut from htpasswd's output.
var md5CryptVectors = []hashVector{
	{"htpasswd apr1", "htpasswd -nbm user pw", "pw", "$apr1$6pGgkCFR$.fsI3r8ZWO5b51NzqFNvD1"},
	{"htpasswd apr1 empty password", "htpasswd -nbm user ''", "", "$apr1$Eq1f47Qn$/Pit7hp9VZont8OybgT2W1"},
	{"htpasswd apr1 utf-8 password", "htpasswd -nbm user 'pässwörd'", "pässwörd", "$apr1$zj9TZXnt$U4hYGq5OWJIqVbkBvqaAA0"},
	{"htpasswd apr1 password with colons", "htpasswd -nbm user 'a:b:c'", "a:b:c", "$apr1$ONwwol1T$4yNiaTziLx2POAVZM04qn0"},
	{
		"htpasswd apr1 66-byte password", "htpasswd -nbm user 'correct horse battery staple, twice: correct horse battery staple'",
		"correct horse battery staple, twice: correct horse battery staple", "$apr1$hPyk4htM$lv16hNO8cM4dbsisn.Yek/",
	},
	{"openssl apr1", "openssl passwd -apr1 pw", "pw", "$apr1$fe69scwF$QJveFUJ301zsd/XdNvudq0"},
	{"openssl apr1 salt", "openssl passwd -apr1 -salt 12345678 'pässwörd'", "pässwörd", "$apr1$12345678$0NJU6izOW5MGH4BL2C/sK/"},
	{"openssl apr1 16-byte password", "openssl passwd -apr1 -salt 'x.y/Z09a' '0123456789abcdef'", "0123456789abcdef", "$apr1$x.y/Z09a$YE3a2HK0CVj5tQSX9zD4L."},
	{"openssl apr1 17-byte password", "openssl passwd -apr1 -salt 'x.y/Z09a' '0123456789abcdefg'", "0123456789abcdefg", "$apr1$x.y/Z09a$dyNsMLxWwq5pMQpCIxHrI."},
	// openssl, like C, truncates a longer salt to 8 bytes and writes the truncated one.
	{"openssl apr1 salt truncated to 8", "openssl passwd -apr1 -salt abcdefghij pw", "pw", "$apr1$abcdefgh$5VEbMkemELfbhC5ck.U.z1"},
	{"openssl md5", "openssl passwd -1 pw", "pw", "$1$bskhc73t$BUZqQrgZmNEi9mSUotTKR1"},
	{"openssl md5 salt", "openssl passwd -1 -salt X pw", "pw", "$1$X$cVCRz773kZlpIlgDZ.0PV."},
	{"openssl md5 empty password", "openssl passwd -1 -salt X ''", "", "$1$X$MPXYdPKcq7fc7wlY4/ENW/"},
	{"openssl md5 empty salt", "openssl passwd -1 -salt '' pw", "pw", "$1$$F0Fc2lbYpzr3KKdKkM0Wj."},
	// Also in FreeBSD's MD5-crypt regression tests.
	{"openssl md5 empty salt and password", "openssl passwd -1 -salt '' ''", "", "$1$$qRPK7m23GJusamGpoGLby/"},
	{"openssl md5 same apr1 salt", "openssl passwd -1 -salt ONwwol1T 'a:b:c'", "a:b:c", "$1$ONwwol1T$O9OkLQPgb071I5dZ5jV.d0"},
}

func TestMD5CryptVectors(t *testing.T) {
	checkVectors(t, parseMD5Crypt, md5CryptVectors)
}

func TestMD5CryptWrongPasswords(t *testing.T) {
	tests := []wrongPassword{
		{"empty", "$apr1$6pGgkCFR$.fsI3r8ZWO5b51NzqFNvD1", ""},
		{"other case", "$apr1$6pGgkCFR$.fsI3r8ZWO5b51NzqFNvD1", "PW"},
		{"prefix", "$apr1$6pGgkCFR$.fsI3r8ZWO5b51NzqFNvD1", "p"},
		{"trailing space", "$apr1$6pGgkCFR$.fsI3r8ZWO5b51NzqFNvD1", "pw "},
		// C would stop at the NUL and accept this; Go strings do not stop there.
		{"trailing nul", "$apr1$6pGgkCFR$.fsI3r8ZWO5b51NzqFNvD1", "pw\x00"},
		{"doubled", "$apr1$6pGgkCFR$.fsI3r8ZWO5b51NzqFNvD1", "pwpw"},
		{"not empty", "$apr1$Eq1f47Qn$/Pit7hp9VZont8OybgT2W1", "x"},
		{"utf-8 decomposed", "$apr1$zj9TZXnt$U4hYGq5OWJIqVbkBvqaAA0", "pa\u0308sswo\u0308rd"},
		{"latin-1", "$apr1$zj9TZXnt$U4hYGq5OWJIqVbkBvqaAA0", "p\xe4ssw\xf6rd"},
		{"before the colon", "$apr1$ONwwol1T$4yNiaTziLx2POAVZM04qn0", "a"},
		{"after the colon", "$apr1$ONwwol1T$4yNiaTziLx2POAVZM04qn0", "b:c"},
		{"one byte short of 66", "$apr1$hPyk4htM$lv16hNO8cM4dbsisn.Yek/", "correct horse battery staple, twice: correct horse battery stapl"},
		{"16 bytes for the 17-byte hash", "$apr1$x.y/Z09a$dyNsMLxWwq5pMQpCIxHrI.", "0123456789abcdef"},
		// The magic is hashed too: an apr1 digest does not verify under $1$, nor the reverse.
		{"apr1 digest under $1$", "$1$ONwwol1T$4yNiaTziLx2POAVZM04qn0", "a:b:c"},
		{"$1$ digest under apr1", "$apr1$ONwwol1T$O9OkLQPgb071I5dZ5jV.d0", "a:b:c"},
		{"other salt", "$1$Y$cVCRz773kZlpIlgDZ.0PV.", "pw"},
	}
	checkWrongPasswords(t, parseMD5Crypt, tests)
}

// md5CryptMalformed are hashes parseMD5Crypt must refuse.
var md5CryptMalformed = []malformedHash{
	{"magic only", "$1$"},
	{"apr1 magic only", "$apr1$"},
	{"no dollar after the salt", "$1$cVCRz773kZlpIlgDZ.0PV."},
	{"salt of 9 bytes", "$apr1$abcdefghi$5VEbMkemELfbhC5ck.U.z1"},
	{"salt of 9 bytes, the c code would truncate", "$apr1$abcdefghij$5VEbMkemELfbhC5ck.U.z1"},
	{"empty digest", "$1$X$"},
	{"digest of 21", "$1$X$cVCRz773kZlpIlgDZ.0PV"},
	{"digest of 23", "$1$X$cVCRz773kZlpIlgDZ.0PV.."},
	{"digest of 43", "$1$X$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"trailing newline", "$1$X$cVCRz773kZlpIlgDZ.0PV.\n"},
	{"trailing space", "$1$X$cVCRz773kZlpIlgDZ.0PV. "},
	{"plus sign in digest", "$1$X$cVCRz773kZlp+lgDZ.0PV."},
	{"equals sign in digest", "$1$X$cVCRz773kZlpIlgDZ.0PV="},
	{"non-ascii in digest", "$1$X$cVCRz773kZlpIlgDZ.0P\xc3\xa9"},
	{"padding bits set", "$1$X$cVCRz773kZlpIlgDZ.0PVz"},
	{"extra field", "$1$X$cVCRz773kZlpIlgDZ.0PV.$extra"},
	{"extra field before digest", "$apr1$ab$cd$5VEbMkemELfbhC5ck.U.z1"},
	{"dollar ending the digest", "$1$X$cVCRz773kZlpIlgDZ.0PV.$"},
}

func TestParseMD5CryptMalformed(t *testing.T) {
	checkMalformed(t, parseMD5Crypt, md5CryptMalformed)
}

// md5CryptReference is MD5-crypt written as the C code does it, one hash context update at a
// time, to check the interpreter-shaped verify against.
func md5CryptReference(password, magic, salt string) []byte {
	pw := []byte(password)
	h := md5.New()
	h.Write(pw)
	h.Write([]byte(salt))
	h.Write(pw)
	final := h.Sum(nil)
	h.Reset()
	h.Write(pw)
	h.Write([]byte(magic))
	h.Write([]byte(salt))
	for pl := len(pw); pl > 0; pl -= 16 {
		if pl > 16 {
			h.Write(final)
		} else {
			h.Write(final[:pl])
		}
	}
	for i := range final {
		final[i] = 0
	}
	for i := len(pw); i != 0; i >>= 1 {
		if i&1 != 0 {
			h.Write(final[:1])
		} else {
			h.Write(pw[:1])
		}
	}
	final = h.Sum(nil)
	for i := 0; i < 1000; i++ {
		h.Reset()
		if i&1 != 0 {
			h.Write(pw)
		} else {
			h.Write(final)
		}
		if i%3 != 0 {
			h.Write([]byte(salt))
		}
		if i%7 != 0 {
			h.Write(pw)
		}
		if i&1 != 0 {
			h.Write(final)
		} else {
			h.Write(pw)
		}
		final = h.Sum(nil)
	}
	return final
}

// md5CryptHash formats a hash of password with md5CryptReference.
func md5CryptHash(password, magic, salt string) string {
	return magic + salt + "$" + crypt64Encode(md5CryptReference(password, magic, salt), md5CryptOrder)
}

func TestMD5CryptMatchesReference(t *testing.T) {
	// Lengths around the 16-byte digest and the 64-byte block, and salts of every length.
	for _, n := range []int{0, 1, 2, 15, 16, 17, 31, 32, 33, 55, 56, 63, 64, 65, 128, 200, 255} {
		password := strings.Repeat("pässwörd:", 30)[:n]
		for _, magic := range []string{md5CryptMagic, md5CryptAPR1Magic} {
			salt := "./09AZaz"[:n%9]
			hash := md5CryptHash(password, magic, salt)
			v, err := parseMD5Crypt(hash)
			if err != nil {
				t.Errorf("length %d %s: got error %v, want none", n, magic, err)
				continue
			}
			if got := v.verify(password); !got {
				t.Errorf("length %d %s: got verify %v, want true", n, magic, got)
			}
			if got := v.verify(password + "x"); got {
				t.Errorf("length %d %s: got verify %v for a longer password, want false", n, magic, got)
			}
		}
	}
}

func TestMD5CryptRefusesOverlongPassword(t *testing.T) {
	tests := []struct {
		name   string
		length int
		want   bool
	}{
		{"at the limit", cryptMaxPassword, true},
		{"over the limit", cryptMaxPassword + 1, false},
	}
	for _, tt := range tests {
		password := strings.Repeat("x", tt.length)
		v, err := parseMD5Crypt(md5CryptHash(password, md5CryptAPR1Magic, "salt"))
		if err != nil {
			t.Fatalf("%s: got error %v, want none", tt.name, err)
		}
		if got := v.verify(password); got != tt.want {
			t.Errorf("%s: got verify %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMD5CryptVerifyConcurrently(t *testing.T) {
	checkVerifyConcurrently(t, parseMD5Crypt, "$apr1$6pGgkCFR$.fsI3r8ZWO5b51NzqFNvD1", "pw")
}

// md5CryptFuzzSeeds are the vectors and the malformed hashes, with their password or "pw".
func md5CryptFuzzSeeds() []wrongPassword {
	var seeds []wrongPassword
	for _, tt := range md5CryptVectors {
		seeds = append(seeds, wrongPassword{tt.name, tt.hash, tt.password})
	}
	for _, tt := range md5CryptMalformed {
		seeds = append(seeds, wrongPassword{tt.name, tt.hash, "pw"})
	}
	return seeds
}

// checkMD5CryptFuzz checks the fuzz properties: parseMD5Crypt never panics, nor does verify
// on what it parses, and what it parses is the one way of writing its salt and digest.
func checkMD5CryptFuzz(t *testing.T, hash, password string) {
	t.Helper()
	checkParseNeverPanics(t, parseMD5Crypt, hash, password)
	v, err := parseMD5Crypt(hash)
	if err != nil {
		return
	}
	m := v.(*md5CryptVerifier)
	if got := string(m.magic) + string(m.salt) + "$" + crypt64Encode(m.digest, md5CryptOrder); got != hash {
		t.Errorf("got %q written back, want the hash parsed, %q", got, hash)
	}
}

func FuzzParseMD5Crypt(f *testing.F) {
	for _, seed := range md5CryptFuzzSeeds() {
		f.Add(seed.hash, seed.password)
	}
	f.Fuzz(checkMD5CryptFuzz)
}

// TestParseMD5CryptFuzzSeeds runs the fuzz seeds as a plain test, which yaegi test also runs.
func TestParseMD5CryptFuzzSeeds(t *testing.T) {
	for _, seed := range md5CryptFuzzSeeds() {
		checkMD5CryptFuzz(t, seed.hash, seed.password)
	}
}

func BenchmarkMD5CryptVerify(b *testing.B) {
	// htpasswd -nbm user pw
	v, err := parseMD5Crypt("$apr1$6pGgkCFR$.fsI3r8ZWO5b51NzqFNvD1")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if !v.verify("pw") {
			b.Fatal("got verify false, want true")
		}
	}
}

// BenchmarkMD5CryptReference times md5CryptReference, the straight port of the C code, as
// the baseline that BenchmarkMD5CryptVerify's interpreter-shaped rounds are measured against.
func BenchmarkMD5CryptReference(b *testing.B) {
	for i := 0; i < b.N; i++ {
		md5CryptReference("pw", md5CryptAPR1Magic, "6pGgkCFR")
	}
}

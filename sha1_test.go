package basicauthbypass

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
)

// sha1Vectors were made by the commands beside them (Debian apache2-utils 2.4 htpasswd, whose
// output has "user:" cut, OpenSSL 3.0 and GNU coreutils base64, run by bash).
var sha1Vectors = []hashVector{
	{"htpasswd sha1", "htpasswd -nbs user pw", "pw", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM="},
	{"htpasswd sha1 empty password", "htpasswd -nbs user ''", "", "{SHA}2jmj7l5rSw0yVb/vlWAYkK/YBwk="},
	{"htpasswd sha1 utf-8 password", "htpasswd -nbs user 'pässwörd'", "pässwörd", "{SHA}9Rfd8dMqES/xrVXGbRsSyzjn6Pc="},
	{"htpasswd sha1 password with colons", "htpasswd -nbs user 'a:b:c'", "a:b:c", "{SHA}cLzgnoJ6mP5qz3w+mwvPE2vDgu0="},
	{
		"ssha 4-byte salt", "(printf 'secret'; printf 'salt') | openssl dgst -sha1 -binary | (cat; printf 'salt') | base64",
		"secret", "{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0",
	},
	{
		"ssha binary salt utf-8 password", `(printf 'pässwörd'; printf '\x8a\x01\xff\x00') | openssl dgst -sha1 -binary | (cat; printf '\x8a\x01\xff\x00') | base64`,
		"pässwörd", "{SSHA}4ez+824JWOr+Ge+WXmFqPVzKh+GKAf8A",
	},
	{
		"ssha 16-byte salt password with colons", "(printf 'a:b:c'; printf '0123456789abcdef') | openssl dgst -sha1 -binary | (cat; printf '0123456789abcdef') | base64",
		"a:b:c", "{SSHA}m+KkRTR7onhG1LFeL1trhwr9wigwMTIzNDU2Nzg5YWJjZGVm",
	},
	{
		"ssha 1-byte salt empty password", "(printf ''; printf 'x') | openssl dgst -sha1 -binary | (cat; printf 'x') | base64",
		"", "{SSHA}EfatjsUqKYSrqv18O1FlA3hcIHJ4",
	},
}

func TestSHA1Vectors(t *testing.T) {
	checkVectors(t, parseSHA1, sha1Vectors)
}

func TestSHA1WrongPasswords(t *testing.T) {
	tests := []wrongPassword{
		{"sha1 empty", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=", ""},
		{"sha1 other case", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=", "Pw"},
		{"sha1 trailing nul", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=", "pw\x00"},
		{"sha1 not empty", "{SHA}2jmj7l5rSw0yVb/vlWAYkK/YBwk=", " "},
		{"sha1 utf-8 decomposed", "{SHA}9Rfd8dMqES/xrVXGbRsSyzjn6Pc=", "pa\u0308sswo\u0308rd"},
		{"sha1 before the colon", "{SHA}cLzgnoJ6mP5qz3w+mwvPE2vDgu0=", "a"},
		// The salt is part of the hash, not of the password.
		{"ssha password with the salt", "{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0", "secretsalt"},
		{"ssha other case", "{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0", "Secret"},
		{"ssha latin-1", "{SSHA}4ez+824JWOr+Ge+WXmFqPVzKh+GKAf8A", "p\xe4ssw\xf6rd"},
		{"ssha after the colon", "{SSHA}m+KkRTR7onhG1LFeL1trhwr9wigwMTIzNDU2Nzg5YWJjZGVm", "b:c"},
		{"ssha not empty", "{SSHA}EfatjsUqKYSrqv18O1FlA3hcIHJ4", "x"},
	}
	checkWrongPasswords(t, parseSHA1, tests)
}

// sha1Malformed are hashes parseSHA1 must refuse.
var sha1Malformed = []malformedHash{
	{"sha1 empty", "{SHA}"},
	{"sha1 no padding", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM"},
	{"sha1 extra padding", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=="},
	{"sha1 padding bits set", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHN="},
	{"sha1 url alphabet", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYH_="},
	{"sha1 bad character", "{SHA}GpHWL3ymc5liWkNop*tdSjuqYHM="},
	{"sha1 line break", "{SHA}GpHWL3ymc5liWk\nNopqtdSjuqYHM="},
	{"sha1 trailing newline", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=\n"},
	{"sha1 leading space", "{SHA} GpHWL3ymc5liWkNopqtdSjuqYHM="},
	{"sha1 19 bytes", "{SHA}" + base64.StdEncoding.EncodeToString(make([]byte, 19))},
	{"sha1 21 bytes", "{SHA}" + base64.StdEncoding.EncodeToString(make([]byte, 21))},
	{"sha1 with a salt", "{SHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0"},
	{"sha256 digest", "{SHA}" + base64.StdEncoding.EncodeToString(make([]byte, 32))},
	{"ssha empty", "{SSHA}"},
	{"ssha no salt", "{SSHA}GpHWL3ymc5liWkNopqtdSjuqYHM="},
	{"ssha 19 bytes", "{SSHA}" + base64.StdEncoding.EncodeToString(make([]byte, 19))},
	{"ssha 65-byte salt", "{SSHA}" + base64.StdEncoding.EncodeToString(make([]byte, sha1.Size+65))},
	{"ssha no padding", "{SSHA}m+KkRTR7onhG1LFeL1trhwr9wigwMTIzNDU2Nzg5YWJjZGV"},
	// 22 zero bytes are 29 "A"s and "A==": "B" sets a bit that padding must leave zero.
	{"ssha padding bits set", "{SSHA}" + strings.Repeat("A", 29) + "B=="},
	{"ssha line break", "{SSHA}gVK8WC9YyFT1gMsQHTGCgT3s\r\nSv5zYWx0"},
}

func TestParseSHA1Malformed(t *testing.T) {
	checkMalformed(t, parseSHA1, sha1Malformed)
}

func TestParseSHA1AcceptsSaltLengths(t *testing.T) {
	for _, n := range []int{1, 4, 8, 16, sha1MaxSalt} {
		salt := []byte(strings.Repeat("s", n))
		sum := sha1.Sum(append([]byte("pw"), salt...))
		hash := "{SSHA}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
		v, err := parseSHA1(hash)
		if err != nil {
			t.Errorf("salt of %d bytes: got error %v, want none", n, err)
			continue
		}
		if got := v.verify("pw"); !got {
			t.Errorf("salt of %d bytes: got verify %v, want true", n, got)
		}
	}
}

func TestSHA1VerifyConcurrently(t *testing.T) {
	checkVerifyConcurrently(t, parseSHA1, "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=", "pw")
	checkVerifyConcurrently(t, parseSHA1, "{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0", "secret")
}

// sha1FuzzSeeds are the vectors and the malformed hashes, with their password or "pw".
func sha1FuzzSeeds() []wrongPassword {
	var seeds []wrongPassword
	for _, tt := range sha1Vectors {
		seeds = append(seeds, wrongPassword{tt.name, tt.hash, tt.password})
	}
	for _, tt := range sha1Malformed {
		seeds = append(seeds, wrongPassword{tt.name, tt.hash, "pw"})
	}
	return seeds
}

func FuzzParseSHA1(f *testing.F) {
	for _, seed := range sha1FuzzSeeds() {
		f.Add(seed.hash, seed.password)
	}
	f.Fuzz(func(t *testing.T, hash, password string) {
		checkParseNeverPanics(t, parseSHA1, hash, password)
	})
}

// TestParseSHA1FuzzSeeds runs the fuzz seeds as a plain test, which yaegi test also runs.
func TestParseSHA1FuzzSeeds(t *testing.T) {
	for _, seed := range sha1FuzzSeeds() {
		checkParseNeverPanics(t, parseSHA1, seed.hash, seed.password)
	}
}

func BenchmarkSHA1Verify(b *testing.B) {
	// htpasswd -nbs user pw
	v, err := parseSHA1("{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if !v.verify("pw") {
			b.Fatal("got verify false, want true")
		}
	}
}

func BenchmarkSSHAVerify(b *testing.B) {
	// (printf 'secret'; printf 'salt') | openssl dgst -sha1 -binary | (cat; printf 'salt') | base64
	v, err := parseSHA1("{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if !v.verify("secret") {
			b.Fatal("got verify false, want true")
		}
	}
}

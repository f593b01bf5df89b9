package basicauthbypass

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// Test helpers shared by the tests of the hash families in md5crypt.go, shacrypt.go and
// sha1.go.

// hashVector is a known-answer vector: a hash, the password it was made from, and the exact
// command that made it.
type hashVector struct {
	name     string
	command  string
	password string
	hash     string
}

// wrongPassword is a hash with a password that must not match it.
type wrongPassword struct {
	name     string
	hash     string
	password string
}

// malformedHash is a hash that its parser must refuse with errMalformedHash.
type malformedHash struct {
	name string
	hash string
}

// checkVectors checks that parse accepts each vector's hash and that it verifies the
// vector's password.
func checkVectors(t *testing.T, parse func(string) (verifier, error), vectors []hashVector) {
	t.Helper()
	for _, tt := range vectors {
		v, err := parse(tt.hash)
		if err != nil {
			t.Errorf("%s (%s): got error %v, want none", tt.name, tt.command, err)
			continue
		}
		if got := v.verify(tt.password); !got {
			t.Errorf("%s (%s): got verify %v, want true", tt.name, tt.command, got)
		}
	}
}

// checkWrongPasswords checks that each hash parses and does not verify its wrong password.
func checkWrongPasswords(t *testing.T, parse func(string) (verifier, error), tests []wrongPassword) {
	t.Helper()
	for _, tt := range tests {
		v, err := parse(tt.hash)
		if err != nil {
			t.Errorf("%s: got error %v, want none", tt.name, err)
			continue
		}
		if got := v.verify(tt.password); got {
			t.Errorf("%s: got verify %v, want false", tt.name, got)
		}
	}
}

// checkMalformed checks that parse refuses each hash with an error that wraps
// errMalformedHash and shows no part of the hash after its prefix.
func checkMalformed(t *testing.T, parse func(string) (verifier, error), tests []malformedHash) {
	t.Helper()
	for _, tt := range tests {
		v, err := parse(tt.hash)
		if !errors.Is(err, errMalformedHash) {
			t.Errorf("%s: got error %v, want errMalformedHash", tt.name, err)
			continue
		}
		if v != nil {
			t.Errorf("%s: got a verifier along with the error", tt.name)
		}
		if field := hashFieldIn(err.Error(), tt.hash); field != "" {
			t.Errorf("%s: got error %q, which shows the hash field %q", tt.name, err, field)
		}
	}
}

// hashFieldIn returns the first salt or digest field of hash, split at '$' and '}', of five
// bytes or more that message contains, or "" if none does. Shorter fields could be words of
// the message, "{SSHA" is the scheme's name and "rounds=N" a cost, not a secret.
func hashFieldIn(message, hash string) string {
	fields := strings.FieldsFunc(hash, func(r rune) bool { return r == '$' || r == '}' })
	for _, field := range fields {
		if strings.HasPrefix(field, "{") || strings.HasPrefix(field, shaCryptRoundsPrefix) {
			continue
		}
		if len(field) >= 5 && strings.Contains(message, field) {
			return field
		}
	}
	return ""
}

// checkParseNeverPanics is the property every fuzz target checks: parse returns either a
// verifier or an error wrapping errMalformedHash or errUnsupportedHash, never panics, and a
// parsed verifier never panics on password.
func checkParseNeverPanics(t *testing.T, parse func(string) (verifier, error), hash, password string) {
	t.Helper()
	v, err := parse(hash)
	if err != nil {
		if !errors.Is(err, errMalformedHash) && !errors.Is(err, errUnsupportedHash) {
			t.Errorf("got error %v, want errMalformedHash or errUnsupportedHash", err)
		}
		if v != nil {
			t.Errorf("got a verifier along with the error")
		}
		return
	}
	if v == nil {
		t.Errorf("got no verifier and no error")
		return
	}
	v.verify(password)
}

// checkVerifyConcurrently runs verify from several goroutines at once, so that the race
// detector sees any state that verify shares between calls.
func checkVerifyConcurrently(t *testing.T, parse func(string) (verifier, error), hash, password string) {
	t.Helper()
	v, err := parse(hash)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	const goroutines = 4
	results := make(chan bool, 2*goroutines)
	var wg sync.WaitGroup
	for i := 0; i < goroutines; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- v.verify(password)
			results <- !v.verify(password + "x")
		}()
	}
	wg.Wait()
	close(results)
	for ok := range results {
		if !ok {
			t.Errorf("got a wrong answer from a concurrent verify, want right ones")
		}
	}
}

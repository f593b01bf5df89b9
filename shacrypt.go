package basicauthbypass

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"hash"
	"strings"
)

// SHA-crypt is Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512" (2007,
// https://www.akkadia.org/drepper/SHA-crypt.txt), as in glibc: "$5$" for SHA-256 and "$6$"
// for SHA-512, then an optional "rounds=N$", the salt, '$' and the digest.
const (
	shaCrypt256Magic = "$5$"
	shaCrypt512Magic = "$6$"
	// shaCryptRoundsPrefix introduces an explicit number of rounds.
	shaCryptRoundsPrefix = "rounds="
	// shaCryptDefaultRounds is the number of rounds when the hash does not say.
	shaCryptDefaultRounds = 5000
	// shaCryptMinRounds and shaCryptMaxRounds bound the rounds: the specification clamps
	// any other number to them.
	shaCryptMinRounds = 1000
	shaCryptMaxRounds = 999999999
	// shaCryptMaxSalt is the longest salt the C code uses.
	shaCryptMaxSalt = 16
	// shaCryptChunk is roughly how many bytes verify hands the hash at once when it hashes
	// the password over and over for the P sequence.
	shaCryptChunk = 4096
)

// shaCrypt256Order and shaCrypt512Order list the digest bytes in the order SHA-crypt's
// b64_from_24bit calls pack them into 24-bit groups: compatibility with C.
var (
	shaCrypt256Order = []int{
		0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26,
		27, 7, 17, 18, 28, 8, 9, 19, 29, -1, 31, 30,
	}
	shaCrypt512Order = []int{
		0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48,
		28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10, 53, 11, 32, 12, 33, 54, 34, 55, 13,
		56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41,
		-1, -1, 63,
	}
)

// shaCryptVerifier checks passwords against one parsed SHA-crypt hash.
type shaCryptVerifier struct {
	// size is the digest size: sha256.Size for "$5$", sha512.Size for "$6$".
	size int
	// rounds is the number of rounds, already clamped as the specification says.
	rounds int
	// salt is the salt as written in the hash, at most shaCryptMaxSalt bytes.
	salt []byte
	// digest is the decoded digest, size bytes.
	digest []byte
}

// parseSHACrypt parses "$5$[rounds=N$]salt$digest" (digest 43 characters) and
// "$6$[rounds=N$]salt$digest" (86 characters).
//
// N is decimal digits, and as in glibc a number below 1000 counts as 1000 and one above
// 999,999,999 as 999,999,999 (compatibility with C): "rounds=10" hashes with 1000 rounds,
// exactly as Drepper's own test vector has it. glibc's strtoul would also take signs, spaces
// and no digits at all; no tool writes those, so they are refused. Rounds are not capped
// below the maximum: the configuration is trusted, and its author chose the cost. That cost
// is paid on every verify, including every wrong password any client sends for the user:
// under Yaegi a round takes about 0.5 µs for SHA-256 and 0.75 µs for SHA-512 (compiled, 0.1
// and 0.25 µs), so the default 5000 rounds take 2.5 to 4 ms and the maximum over ten minutes.
//
// The salt is every byte up to the next '$' and has at most 16 of them. glibc would hash with
// the first 16 bytes of a longer salt but write only those into its result, which callers
// compare with the stored hash as strings, so a stored hash with a longer salt can never
// match; it is refused as malformed instead of silently locking its user out. Errors wrap
// errMalformedHash (or errUnsupportedHash for another prefix) and never quote the hash.
func parseSHACrypt(hash string) (verifier, error) {
	v := &shaCryptVerifier{rounds: shaCryptDefaultRounds}
	var name string
	var order []int
	if strings.HasPrefix(hash, shaCrypt256Magic) {
		v.size, name, order = sha256.Size, "sha256-crypt", shaCrypt256Order
	} else if strings.HasPrefix(hash, shaCrypt512Magic) {
		v.size, name, order = sha512.Size, "sha512-crypt", shaCrypt512Order
	} else {
		return nil, fmt.Errorf("%w: sha-crypt: want prefix $5$ or $6$", errUnsupportedHash)
	}
	rest := hash[len(shaCrypt256Magic):] // Both magics are three bytes long.
	if strings.HasPrefix(rest, shaCryptRoundsPrefix) {
		rest = rest[len(shaCryptRoundsPrefix):]
		end := strings.IndexByte(rest, '$')
		if end < 0 {
			return nil, fmt.Errorf("%w: %s: no '$' after the rounds", errMalformedHash, name)
		}
		rounds, err := parseSHACryptRounds(name, rest[:end])
		if err != nil {
			return nil, err
		}
		v.rounds = rounds
		rest = rest[end+1:]
	}
	end := strings.IndexByte(rest, '$')
	if end < 0 {
		return nil, fmt.Errorf("%w: %s: no '$' after the salt", errMalformedHash, name)
	}
	salt, encoded := rest[:end], rest[end+1:]
	if len(salt) > shaCryptMaxSalt {
		return nil, fmt.Errorf("%w: %s: salt is %d bytes long, more than the %d that C uses, so no password can match", errMalformedHash, name, len(salt), shaCryptMaxSalt)
	}
	if strings.IndexByte(encoded, '$') >= 0 {
		return nil, fmt.Errorf("%w: %s: more '$'-separated fields than $N$rounds=R$salt$digest", errMalformedHash, name)
	}
	v.digest = make([]byte, v.size)
	if err := crypt64Decode(name, v.digest, encoded, order); err != nil {
		return nil, err
	}
	v.salt = []byte(salt)
	return v, nil
}

// parseSHACryptRounds parses the N of "rounds=N" in a hash of the named algorithm and
// clamps it to the range the specification allows. Numbers too large for any integer type
// clamp like any other, as strtoul's saturation makes them do in C. Errors wrap
// errMalformedHash and never quote the text.
func parseSHACryptRounds(name, text string) (int, error) {
	if text == "" {
		return 0, fmt.Errorf("%w: %s: rounds= has no number", errMalformedHash, name)
	}
	var n int64
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %s: rounds character %d is not a decimal digit", errMalformedHash, name, i+1)
		}
		if n <= shaCryptMaxRounds {
			n = n*10 + int64(c-'0')
		}
	}
	if n < shaCryptMinRounds {
		return shaCryptMinRounds, nil
	}
	if n > shaCryptMaxRounds {
		return shaCryptMaxRounds, nil
	}
	return int(n), nil
}

// verify reports whether password hashes to the stored digest, following Drepper's
// specification step by step; the rounds run on inputs laid out by cryptRoundInputs, one
// sha256.Sum256 or sha512.Sum512 call each. Passwords longer than cryptMaxPassword never match.
func (v *shaCryptVerifier) verify(password string) bool {
	if len(password) > cryptMaxPassword {
		return false
	}
	pw := []byte(password)
	n := len(pw)
	var h hash.Hash
	if v.size == sha512.Size {
		h = sha512.New()
	} else {
		h = sha256.New()
	}

	// Digest B: password, salt, password.
	h.Write(pw)
	h.Write(v.salt)
	h.Write(pw)
	b := h.Sum(nil)

	// Digest A: password, salt, as many bytes of B as the password is long, then for each
	// bit of the length, from the lowest, B for a one and the password for a zero.
	h.Reset()
	h.Write(pw)
	h.Write(v.salt)
	left := n
	for ; left > v.size; left -= v.size {
		h.Write(b)
	}
	h.Write(b[:left])
	for bits := n; bits > 0; bits >>= 1 {
		if bits&1 != 0 {
			h.Write(b)
		} else {
			h.Write(pw)
		}
	}
	a := h.Sum(nil)

	// Digest DP: the password as many times as it is long, written in chunks of about
	// shaCryptChunk bytes so that neither the buffer nor the number of calls grows with the
	// square of the length. The P sequence is DP repeated to the password's length.
	h.Reset()
	if n > 0 {
		per := shaCryptChunk / n
		if per < 1 {
			per = 1
		}
		if per > n {
			per = n
		}
		chunk := bytes.Repeat(pw, per)
		left = n
		for ; left >= per; left -= per {
			h.Write(chunk)
		}
		h.Write(chunk[:left*n])
	}
	p := bytes.Repeat(h.Sum(nil), n/v.size+1)[:n]

	// Digest DS: the salt 16 + A[0] times. The S sequence is its first len(salt) bytes.
	h.Reset()
	h.Write(bytes.Repeat(v.salt, 16+int(a[0])))
	s := h.Sum(nil)[:len(v.salt)]

	ins, outs := cryptRoundInputs(p, s, v.size)
	copy(outs[cryptRoundCycle-1], a)
	if v.size == sha512.Size {
		shaCrypt512Rounds(&ins, &outs, v.rounds)
	} else {
		shaCrypt256Rounds(&ins, &outs, v.rounds)
	}
	final := outs[(v.rounds+cryptRoundCycle-1)%cryptRoundCycle]
	return subtle.ConstantTimeCompare(final, v.digest) == 1
}

// shaCrypt256Rounds runs SHA-256-crypt's rounds on inputs laid out by cryptRoundInputs, a
// whole cycle at a time so that no round pays for a modulo or a branch.
func shaCrypt256Rounds(ins, outs *[cryptRoundCycle][]byte, rounds int) {
	in := *ins
	var dst [cryptRoundCycle]*[sha256.Size]byte
	for k := 0; k < cryptRoundCycle; k++ {
		dst[k] = (*[sha256.Size]byte)(outs[k])
	}
	r := rounds
	for ; r >= cryptRoundCycle; r -= cryptRoundCycle {
		for k := 0; k < cryptRoundCycle; k++ {
			*dst[k] = sha256.Sum256(in[k])
		}
	}
	for k := 0; k < r; k++ {
		*dst[k] = sha256.Sum256(in[k])
	}
}

// shaCrypt512Rounds runs SHA-512-crypt's rounds on inputs laid out by cryptRoundInputs, a
// whole cycle at a time so that no round pays for a modulo or a branch.
func shaCrypt512Rounds(ins, outs *[cryptRoundCycle][]byte, rounds int) {
	in := *ins
	var dst [cryptRoundCycle]*[sha512.Size]byte
	for k := 0; k < cryptRoundCycle; k++ {
		dst[k] = (*[sha512.Size]byte)(outs[k])
	}
	r := rounds
	for ; r >= cryptRoundCycle; r -= cryptRoundCycle {
		for k := 0; k < cryptRoundCycle; k++ {
			*dst[k] = sha512.Sum512(in[k])
		}
	}
	for k := 0; k < r; k++ {
		*dst[k] = sha512.Sum512(in[k])
	}
}

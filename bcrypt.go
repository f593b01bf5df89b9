package basicauthbypass

// This file verifies bcrypt hashes (Provos and Mazières, "A Future-Adaptable Password
// Scheme", USENIX 1999), the $2y$ hashes of `htpasswd -B` and the $2a$ and $2b$ hashes of
// OpenBSD, Openwall's crypt_blowfish, libxcrypt and golang.org/x/crypto/bcrypt. The C
// original is OpenBSD's lib/libc/crypt/bcrypt.c.
//
// The minor versions differ only for passwords that are not UTF-8 or are 255 bytes or longer:
//   - $2a$ (1997) specified what $2$ had left open: the password is UTF-8 and the key
//     includes its terminating NUL. In 2011 Openwall's crypt_blowfish (used by PHP, Apache's
//     apr-util and libxcrypt) was found to sign-extend bytes ≥ 0x80; it renamed its buggy
//     output $2x$, its fixed output $2y$, and for $2a$ added a countermeasure that changes
//     the hash of some passwords containing the byte 0xff, which UTF-8 never contains. $2x$
//     is refused here; the countermeasure is not reproduced (OpenBSD and x/crypto do not
//     have it either).
//   - $2b$ (2014) is OpenBSD's fix for passwords of 255 bytes or more, whose length its $2a$
//     kept in a byte, so that OpenBSD's $2a$ of a 300-byte password hashes only its first 45
//     bytes. Openwall, Apache and x/crypto never had that bug, and neither does this file.
//
// Compatibility with C: passwords are truncated to 72 bytes, as OpenBSD, crypt_blowfish and
// htpasswd do (golang.org/x/crypto/bcrypt refuses to hash longer ones but truncates them
// when comparing), and the key includes the terminating NUL of the C string. One deliberate
// difference: a password containing a NUL byte is hashed whole, as x/crypto does, where C
// stops at the NUL, so "pass\x00anything" does not match the hash of "pass" ("pass\x00pass"
// does, in both, as the key is read in a cycle: only someone who knows "pass" can send it).

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
)

// bcryptAlphabet is bcrypt's base64 alphabet. It differs from RFC 4648's in order and in
// using '.' and '/', and bcrypt writes it without padding.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// bcryptEncoding decodes bcrypt's base64. Strict mode refuses non-zero bits in the unused
// low bits of the last character, which no bcrypt implementation writes.
var bcryptEncoding = base64.NewEncoding(bcryptAlphabet).WithPadding(base64.NoPadding).Strict()

// The layout of a bcrypt hash: "$2y$", two decimal digits of cost, "$", 22 characters of
// salt and 31 characters of checksum.
const (
	bcryptCostOffset = 4
	bcryptSaltOffset = 7
	bcryptSumOffset  = bcryptSaltOffset + 22
	bcryptHashLen    = bcryptSumOffset + 31
)

// bcryptMinCost and bcryptMaxCost bound the base-2 logarithm of the number of key expansion
// rounds, as in OpenBSD. Each step doubles the time: cost 10 takes about 60 ms compiled and
// 4 s under Yaegi, cost 31 a day and a half compiled. Refusing high costs, if wanted,
// belongs to whoever loads the configuration.
const (
	bcryptMinCost = 4
	bcryptMaxCost = 31
)

// bcryptMaxPassword is the number of password bytes bcrypt uses; the rest is ignored.
const bcryptMaxPassword = 72

// bcryptMagic is the plaintext bcrypt encrypts 64 times with the expensive key.
const bcryptMagic = "OrpheanBeholderScryDoubt"

// bcryptHash is a parsed bcrypt hash. Its fields are read-only after parseBcrypt, so one
// value may verify passwords from many goroutines.
type bcryptHash struct {
	// cost is the base-2 logarithm of the number of key expansion rounds.
	cost uint
	// salt is the 16-byte salt as the 4 words XORed into the blocks of the first expansion.
	salt []uint32
	// saltKey is the salt as the 18 words of a Blowfish key, for ExpandKey(state, 0, salt).
	saltKey []uint32
	// sum is the 23-byte checksum: bcrypt's 24-byte ciphertext without its last byte.
	sum []byte
}

// parseBcrypt parses a $2a$, $2b$ or $2y$ bcrypt hash. Its error wraps errMalformedHash and
// says what is wrong without quoting the hash.
func parseBcrypt(hash string) (verifier, error) {
	if !strings.HasPrefix(hash, "$2a$") && !strings.HasPrefix(hash, "$2b$") && !strings.HasPrefix(hash, "$2y$") {
		return nil, fmt.Errorf("%w: bcrypt hash does not start with $2a$, $2b$ or $2y$", errMalformedHash)
	}
	if len(hash) != bcryptHashLen {
		return nil, fmt.Errorf("%w: bcrypt hash is %d bytes long, want %d", errMalformedHash, len(hash), bcryptHashLen)
	}
	tens := hash[bcryptCostOffset]
	units := hash[bcryptCostOffset+1]
	if tens < '0' || tens > '9' || units < '0' || units > '9' {
		return nil, fmt.Errorf("%w: bcrypt cost is not two decimal digits", errMalformedHash)
	}
	cost := int(tens-'0')*10 + int(units-'0')
	if cost < bcryptMinCost || cost > bcryptMaxCost {
		return nil, fmt.Errorf("%w: bcrypt cost %d out of range %d-%d", errMalformedHash, cost, bcryptMinCost, bcryptMaxCost)
	}
	if hash[bcryptSaltOffset-1] != '$' {
		return nil, fmt.Errorf("%w: bcrypt cost is not followed by $", errMalformedHash)
	}
	salt, err := bcryptDecode(hash, bcryptSaltOffset, bcryptSumOffset, "salt")
	if err != nil {
		return nil, err
	}
	sum, err := bcryptDecode(hash, bcryptSumOffset, bcryptHashLen, "checksum")
	if err != nil {
		return nil, err
	}
	saltKey := blowfishStreamWords(salt)
	return &bcryptHash{
		cost:    uint(cost),
		salt:    saltKey[:4],
		saltKey: saltKey,
		sum:     sum,
	}, nil
}

// bcryptDecode decodes hash[start:end], the part of a bcrypt hash called name, from
// bcrypt's base64. Its error gives the offset of a bad character, never the character.
func bcryptDecode(hash string, start, end int, name string) ([]byte, error) {
	for i := start; i < end; i++ {
		if strings.IndexByte(bcryptAlphabet, hash[i]) < 0 {
			return nil, fmt.Errorf("%w: bcrypt %s has a character outside bcrypt's base64 alphabet at offset %d", errMalformedHash, name, i)
		}
	}
	decoded, err := bcryptEncoding.DecodeString(hash[start:end])
	if err != nil {
		// Every character is in the alphabet, so the last one has bits no encoder sets. C
		// bcrypt would re-encode the salt and checksum and never match: refuse it now rather
		// than lock the user out silently.
		return nil, fmt.Errorf("%w: bcrypt %s ends with a non-canonical character at offset %d", errMalformedHash, name, end-1)
	}
	return decoded, nil
}

// verify reports whether password hashes to h, comparing in constant time. It takes the
// same time for every password of a given hash.
func (h *bcryptHash) verify(password string) bool {
	return subtle.ConstantTimeCompare(bcryptSum(password, h.cost, h.salt, h.saltKey), h.sum) == 1
}

// bcryptSum returns the 23-byte bcrypt checksum of password: EksBlowfish keyed with the
// password and the salt, run for 2^cost rounds, encrypting bcryptMagic 64 times.
func bcryptSum(password string, cost uint, salt []uint32, saltKey []uint32) []byte {
	if len(password) > bcryptMaxPassword {
		password = password[:bcryptMaxPassword]
	}
	// The key is the C string: the password and its terminating NUL, the zero byte make
	// leaves at the end.
	key := make([]byte, len(password)+1)
	copy(key, password)
	keyWords := blowfishStreamWords(key)

	state := newBlowfishState()
	blowfishExpandKey(state, keyWords, salt)
	rounds := uint64(1) << cost
	for i := uint64(0); i < rounds; i++ {
		blowfishExpandKey(state, keyWords, nil)
		blowfishExpandKey(state, saltKey, nil)
	}

	data := make([]uint32, len(bcryptMagic)/4)
	for i := 0; i < len(data); i++ {
		data[i] = binary.BigEndian.Uint32([]byte(bcryptMagic[4*i : 4*i+4]))
	}
	for i := 0; i < 64; i++ {
		blowfishEncrypt(state, data)
	}

	sum := make([]byte, 4*len(data))
	for i := 0; i < len(data); i++ {
		binary.BigEndian.PutUint32(sum[4*i:], data[i])
	}
	// Compatibility with C: bcrypt encodes 23 of the 24 bytes, in 31 characters.
	return sum[:23]
}

package basicauthbypass

import (
	"errors"
	"strings"
)

// Errors returned, wrapped, when a stored password hash cannot be used. They are plain
// sentinels rather than error types because Yaegi cannot compare interpreted error types.
var (
	errUnsupportedHash = errors.New("unsupported hash format")
	errMalformedHash   = errors.New("malformed hash")
)

// verifier checks a password against one stored hash. Implementations parse and validate the
// hash once, when the configuration is loaded, so that verify only hashes and compares.
type verifier interface {
	// verify reports whether password produces the stored hash, comparing in constant time.
	verify(password string) bool
}

// hashFamilies maps the prefix of an htpasswd hash field to the parser of its family.
var hashFamilies = []struct {
	prefix string
	name   string
	parse  func(hash string) (verifier, error)
}{
	{"$2a$", "bcrypt", parseBcrypt},
	{"$2b$", "bcrypt", parseBcrypt},
	{"$2y$", "bcrypt", parseBcrypt},
	{"$apr1$", "apr1", parseMD5Crypt},
	{"$1$", "md5-crypt", parseMD5Crypt},
	{"$5$", "sha256-crypt", parseSHACrypt},
	{"$6$", "sha512-crypt", parseSHACrypt},
	{"{SHA}", "sha1", parseSHA1},
	{"{SSHA}", "ssha", parseSHA1},
}

// parseHash picks the hash family from the prefix of an htpasswd hash field and parses it.
// Plain text, DES crypt and every other format are refused: an entry that can never match
// would silently lock a user out, and accepting plain text would invite a downgrade.
func parseHash(hash string) (verifier, error) {
	for _, family := range hashFamilies {
		if strings.HasPrefix(hash, family.prefix) {
			return family.parse(hash)
		}
	}
	return nil, errUnsupportedHash
}

// hashFormat names the family of a hash that parseHash accepted, for the logs.
func hashFormat(hash string) string {
	for _, family := range hashFamilies {
		if strings.HasPrefix(hash, family.prefix) {
			return family.name
		}
	}
	return "unknown"
}

package basicauthbypass

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
)

// The SHA-1 schemes are the LDAP ones (RFC 2307 and OpenLDAP's slappasswd): "{SHA}" then the
// standard base64 of SHA-1(password), as htpasswd -s writes it, and "{SSHA}" then the standard
// base64 of SHA-1(password + salt) followed by the salt. One SHA-1 is no protection for a
// leaked file; they are accepted because existing htpasswd files hold them.
const (
	sha1Prefix     = "{SHA}"
	sha1SaltPrefix = "{SSHA}"
	// sha1MaxSalt is the longest {SSHA} salt accepted. slappasswd makes 4 bytes and other
	// tools 8 or 16; the limit only keeps nonsense out.
	sha1MaxSalt = 64
)

// sha1Verifier checks passwords against one parsed {SHA} or {SSHA} hash.
type sha1Verifier struct {
	// digest is the decoded 20-byte SHA-1 digest.
	digest []byte
	// salt is the decoded {SSHA} salt, nil for {SHA}.
	salt []byte
}

// parseSHA1 parses "{SHA}" followed by the 28-character base64 of a SHA-1 digest, and
// "{SSHA}" followed by the base64 of a digest and a salt of 1 to 64 bytes. The base64 must be
// the standard, padded encoding, exactly as the tools write it (no line breaks, no stray
// bits). Errors wrap errMalformedHash (or errUnsupportedHash for another prefix) and never
// quote the hash.
func parseSHA1(hash string) (verifier, error) {
	var name, encoded string
	if strings.HasPrefix(hash, sha1Prefix) {
		name, encoded = "{SHA}", hash[len(sha1Prefix):]
	} else if strings.HasPrefix(hash, sha1SaltPrefix) {
		name, encoded = "{SSHA}", hash[len(sha1SaltPrefix):]
	} else {
		return nil, fmt.Errorf("%w: sha1: want prefix {SHA} or {SSHA}", errUnsupportedHash)
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || base64.StdEncoding.EncodeToString(raw) != encoded {
		return nil, fmt.Errorf("%w: %s: not in standard padded base64", errMalformedHash, name)
	}
	v := &sha1Verifier{digest: raw}
	if name == "{SHA}" {
		if len(raw) != sha1.Size {
			return nil, fmt.Errorf("%w: %s: digest is %d bytes long, want %d", errMalformedHash, name, len(raw), sha1.Size)
		}
		return v, nil
	}
	salt := len(raw) - sha1.Size
	if salt < 1 || salt > sha1MaxSalt {
		return nil, fmt.Errorf("%w: %s: %d bytes after decoding, want %d to %d (a digest and a salt of 1 to %d bytes)",
			errMalformedHash, name, len(raw), sha1.Size+1, sha1.Size+sha1MaxSalt, sha1MaxSalt)
	}
	v.digest, v.salt = raw[:sha1.Size:sha1.Size], raw[sha1.Size:]
	return v, nil
}

// verify reports whether SHA-1(password + salt) is the stored digest.
func (v *sha1Verifier) verify(password string) bool {
	sum := sha1.Sum(append([]byte(password), v.salt...))
	return subtle.ConstantTimeCompare(sum[:], v.digest) == 1
}

package basicauthbypass

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"sync"
	"sync/atomic"
)

// maxCachedCredentials bounds the verification cache. When it is full, an eighth of it is
// evicted, arbitrarily, so a flood of distinct valid logins cannot grow memory.
const maxCachedCredentials = 4096

// credentialCache remembers Authorization headers whose credentials were verified, with the
// user they carry, so that later requests with the same header cost one SHA-256 and a map
// lookup: no base64 decoding, no slow hash.
//
// It never holds a password: entries are SHA-256 digests of a random key made for each
// middleware instance followed by the header, so a digest is useless elsewhere and no
// precomputed dictionary applies to it. (A secret prefix rather than HMAC is enough here:
// digests never leave the process, so there is nothing to extend; and it is one call into
// compiled code under Yaegi instead of six.) Someone who can read the process's memory has
// the key too, and can test guesses against the cached entries at SHA-256 speed rather than
// bcrypt speed: the cache trades that for speed, for the few credentials in use. Each
// instance starts empty, and a reload of the users empties it, so a changed or removed user
// is never accepted from it.
//
// Readers take no lock: entries holds a map that is never written once stored, and add
// stores a copy with the new entry. Copies are rare, each following a slow hash that proved
// a new password right, and a lookup is then one call into compiled code, not the three of a
// read lock.
type credentialCache struct {
	key     string
	limit   int          // the most entries kept: maxCachedCredentials but in tests
	entries atomic.Value // map[[sha256.Size]byte]*url.Userinfo, read-only once stored

	mu         sync.Mutex // serialises add and reset
	generation uint64     // of the user set the entries were verified against
}

// newCredentialCache returns an empty cache with a fresh random key.
func newCredentialCache() (*credentialCache, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	c := &credentialCache{key: base64.StdEncoding.EncodeToString(key), limit: maxCachedCredentials}
	c.entries.Store(make(map[[sha256.Size]byte]*url.Userinfo))
	return c, nil
}

// lookup returns the digest of an Authorization header, and the user it was verified for,
// or nil. ServeHTTP inlines it.
func (c *credentialCache) lookup(header string) ([sha256.Size]byte, *url.Userinfo) {
	digest := sha256.Sum256([]byte(c.key + header))
	return digest, c.entries.Load().(map[[sha256.Size]byte]*url.Userinfo)[digest]
}

// add remembers that the header with this digest carries the right password for the user
// name, verified against the users of generation, and returns the user as requests carry
// it. Credentials verified against users replaced since are not remembered.
func (c *credentialCache) add(digest [sha256.Size]byte, name string, generation uint64) *url.Userinfo {
	user := url.User(name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if generation != c.generation {
		return user
	}
	old := c.entries.Load().(map[[sha256.Size]byte]*url.Userinfo)
	// When full, keep seven eighths, arbitrarily, so that a flood of distinct valid logins
	// cannot grow memory.
	keep := len(old)
	if keep >= c.limit {
		keep = c.limit - c.limit/8 - 1
	}
	fresh := make(map[[sha256.Size]byte]*url.Userinfo, keep+1)
	for d, u := range old {
		if len(fresh) >= keep {
			break
		}
		fresh[d] = u
	}
	fresh[digest] = user
	c.entries.Store(fresh)
	return user
}

// reset empties the cache for the users of generation.
func (c *credentialCache) reset(generation uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation = generation
	c.entries.Store(make(map[[sha256.Size]byte]*url.Userinfo))
}

// size returns the number of cached credentials.
func (c *credentialCache) size() int {
	return len(c.entries.Load().(map[[sha256.Size]byte]*url.Userinfo))
}

package basicauthbypass

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
)

// maxCachedCredentials bounds the verification cache. When it is full, an eighth of it is
// evicted, arbitrarily, so a flood of distinct valid logins cannot grow memory.
const maxCachedCredentials = 4096

// credentialCache remembers Authorization headers whose credentials were verified, with the
// user name they carry, so that later requests with the same header cost one SHA-256 and a
// map lookup: no base64 decoding, no slow hash.
//
// It never holds a password: entries are SHA-256 digests of a random key made for each
// middleware instance followed by the header, so a digest is useless elsewhere and no
// precomputed dictionary applies to it. (A secret prefix rather than HMAC is enough here:
// digests never leave the process, so there is nothing to extend; and it is one call into
// compiled code under Yaegi instead of six.) Someone who can read the process's memory has
// the key too, and can test guesses against the cached entries at SHA-256 speed rather than
// bcrypt speed: the cache trades that for speed, for the few credentials in use. Each
// instance starts empty, so a changed user set (new configuration, reloaded usersFile) never
// reuses an entry.
type credentialCache struct {
	key string

	mu      sync.RWMutex
	entries map[string]string
}

// newCredentialCache returns an empty cache with a fresh random key.
func newCredentialCache() (*credentialCache, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return &credentialCache{key: base64.StdEncoding.EncodeToString(key), entries: make(map[string]string)}, nil
}

// lookup returns the digest of an Authorization header, and the user name it was verified
// for if it was.
func (c *credentialCache) lookup(header string) (digest, user string, ok bool) {
	sum := sha256.Sum256([]byte(c.key + header))
	digest = string(sum[:])
	c.mu.RLock()
	user, ok = c.entries[digest]
	c.mu.RUnlock()
	return digest, user, ok
}

// add remembers that the header with this digest carries the right password for user.
func (c *credentialCache) add(digest, user string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedCredentials {
		// Keep seven eighths in a fresh map: deleting in place would let the map grow.
		target := maxCachedCredentials - maxCachedCredentials/8
		kept := make(map[string]string, maxCachedCredentials)
		for d, u := range c.entries {
			if len(kept) >= target {
				break
			}
			kept[d] = u
		}
		c.entries = kept
	}
	c.entries[digest] = user
}

// size returns the number of cached credentials.
func (c *credentialCache) size() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

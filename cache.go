package basicauthbypass

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
)

// maxCachedCredentials bounds the verification cache. When it is full, an eighth of it is
// evicted, arbitrarily, so a flood of distinct valid logins cannot grow memory.
const maxCachedCredentials = 4096

// credentialCache remembers credentials that were verified, so that later requests with the
// same user and password cost an HMAC and a map lookup instead of a slow hash.
//
// It never holds a password: entries are HMAC-SHA256 digests of user and password under a
// random key made for each middleware instance, so a digest is useless elsewhere and no
// precomputed dictionary applies to it. Someone who can read the process's memory has the key
// too, and can test guesses against the cached entries at HMAC speed rather than bcrypt speed:
// the cache trades that for speed, for the few credentials in use. Each instance starts empty,
// so a changed user set (new configuration, reloaded usersFile) never reuses an entry.
type credentialCache struct {
	key []byte

	mu      sync.RWMutex
	entries map[string]struct{}
}

// newCredentialCache returns an empty cache with a fresh random key.
func newCredentialCache() (*credentialCache, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return &credentialCache{key: key, entries: make(map[string]struct{})}, nil
}

// digest returns the cache key of a user and password. The user name is length-prefixed so
// that no two pairs share a digest input.
func (c *credentialCache) digest(user, password string) string {
	mac := hmac.New(sha256.New, c.key)
	n := len(user)
	mac.Write([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	mac.Write([]byte(user))
	mac.Write([]byte(password))
	return string(mac.Sum(nil))
}

// has reports whether the credentials with this digest were verified.
func (c *credentialCache) has(digest string) bool {
	c.mu.RLock()
	_, ok := c.entries[digest]
	c.mu.RUnlock()
	return ok
}

// add remembers verified credentials.
func (c *credentialCache) add(digest string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedCredentials {
		// Keep seven eighths in a fresh map: deleting in place would let the map grow.
		target := maxCachedCredentials - maxCachedCredentials/8
		kept := make(map[string]struct{}, maxCachedCredentials)
		for d := range c.entries {
			if len(kept) >= target {
				break
			}
			kept[d] = struct{}{}
		}
		c.entries = kept
	}
	c.entries[digest] = struct{}{}
}

// size returns the number of cached credentials.
func (c *credentialCache) size() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

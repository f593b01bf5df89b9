package basicauthbypass

import (
	"fmt"
	"testing"
)

// cachedName returns the name of the user cached for header, or "" when there is none.
func cachedName(c *credentialCache, header string) string {
	if _, user := c.lookup(header); user != nil {
		return user.Username()
	}
	return ""
}

func TestCredentialCacheLookup(t *testing.T) {
	c, err := newCredentialCache()
	if err != nil {
		t.Fatal(err)
	}
	other, err := newCredentialCache()
	if err != nil {
		t.Fatal(err)
	}
	d, user := c.lookup("Basic YWxpY2U6cHc=")
	if user != nil {
		t.Fatalf("empty cache: got user %q, want none", user.Username())
	}
	if got := c.add(d, "alice", 0); got.Username() != "alice" {
		t.Fatalf("add: got user %q, want alice", got.Username())
	}
	tests := []struct {
		name     string
		header   string
		wantUser string
	}{
		{name: "same header", header: "Basic YWxpY2U6cHc=", wantUser: "alice"},
		{name: "other password", header: "Basic YWxpY2U6cHcy"},
		{name: "other spelling of the scheme", header: "basic YWxpY2U6cHc="},
		{name: "prefix of the header", header: "Basic YWxpY2U6cHc"},
	}
	for _, tt := range tests {
		if got := cachedName(c, tt.header); got != tt.wantUser {
			t.Errorf("%s: got user %q, want %q", tt.name, got, tt.wantUser)
		}
	}
	if d2, _ := other.lookup("Basic YWxpY2U6cHc="); d2 == d {
		t.Errorf("two instances made the same digest: the key is not random")
	}
}

func TestCredentialCacheForgetsOnReset(t *testing.T) {
	c, err := newCredentialCache()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.lookup("Basic YWxpY2U6cHc=")
	c.add(d, "alice", 0)
	c.reset(1)
	if got := cachedName(c, "Basic YWxpY2U6cHc="); got != "" {
		t.Fatalf("after reset: got user %q, want none", got)
	}
	// A check against the users of generation 0 that ends after the reset is not kept.
	c.add(d, "alice", 0)
	if got := cachedName(c, "Basic YWxpY2U6cHc="); got != "" {
		t.Fatalf("add of a past generation: got user %q, want none", got)
	}
	c.add(d, "alice", 1)
	if got := cachedName(c, "Basic YWxpY2U6cHc="); got != "alice" {
		t.Fatalf("add of the current generation: got user %q, want alice", got)
	}
}

func TestCredentialCacheIsBounded(t *testing.T) {
	for _, limit := range []int{1, 8, 100} {
		c, err := newCredentialCache()
		if err != nil {
			t.Fatal(err)
		}
		c.limit = limit
		for i := 0; i < 3*limit; i++ {
			header := fmt.Sprint("Basic ", i)
			d, _ := c.lookup(header)
			c.add(d, "u", 0)
			if got := cachedName(c, header); got != "u" {
				t.Fatalf("limit %d, entry %d: got user %q right after add, want u", limit, i, got)
			}
			if c.size() > limit {
				t.Fatalf("limit %d, after %d entries: got size %d, want at most %d", limit, i+1, c.size(), limit)
			}
		}
	}
}

package basicauthbypass

import (
	"fmt"
	"testing"
)

func TestCredentialCacheLookup(t *testing.T) {
	c, err := newCredentialCache()
	if err != nil {
		t.Fatal(err)
	}
	other, err := newCredentialCache()
	if err != nil {
		t.Fatal(err)
	}
	d, _, ok := c.lookup("Basic YWxpY2U6cHc=")
	if ok {
		t.Fatalf("empty cache: got a hit, want none")
	}
	c.add(d, "alice")
	tests := []struct {
		name     string
		header   string
		wantUser string
		wantHit  bool
	}{
		{name: "same header", header: "Basic YWxpY2U6cHc=", wantUser: "alice", wantHit: true},
		{name: "other password", header: "Basic YWxpY2U6cHcy", wantHit: false},
		{name: "other spelling of the scheme", header: "basic YWxpY2U6cHc=", wantHit: false},
		{name: "prefix of the header", header: "Basic YWxpY2U6cHc", wantHit: false},
	}
	for _, tt := range tests {
		_, user, hit := c.lookup(tt.header)
		if hit != tt.wantHit || user != tt.wantUser {
			t.Errorf("%s: got %q, %v, want %q, %v", tt.name, user, hit, tt.wantUser, tt.wantHit)
		}
	}
	if d2, _, _ := other.lookup("Basic YWxpY2U6cHc="); d2 == d {
		t.Errorf("two instances made the same digest: the key is not random")
	}
}

func TestCredentialCacheIsBounded(t *testing.T) {
	c, err := newCredentialCache()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2*maxCachedCredentials; i++ {
		d, _, _ := c.lookup(fmt.Sprint("Basic ", i))
		c.add(d, "u")
		if _, _, ok := c.lookup(fmt.Sprint("Basic ", i)); !ok {
			t.Fatalf("entry %d: got no hit right after add, want one", i)
		}
		if c.size() > maxCachedCredentials {
			t.Fatalf("after %d entries: got size %d, want at most %d", i+1, c.size(), maxCachedCredentials)
		}
	}
}

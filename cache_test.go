package basicauthbypass

import (
	"fmt"
	"testing"
)

func TestCredentialCacheDigest(t *testing.T) {
	c, err := newCredentialCache()
	if err != nil {
		t.Fatal(err)
	}
	other, err := newCredentialCache()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		a, b       [2]string
		wantSameAs bool
	}{
		{name: "same credentials", a: [2]string{"alice", "pw"}, b: [2]string{"alice", "pw"}, wantSameAs: true},
		{name: "other password", a: [2]string{"alice", "pw"}, b: [2]string{"alice", "pw2"}, wantSameAs: false},
		{name: "colon moved", a: [2]string{"a", "b:c"}, b: [2]string{"a:b", "c"}, wantSameAs: false},
		{name: "boundary moved", a: [2]string{"ab", "c"}, b: [2]string{"a", "bc"}, wantSameAs: false},
	}
	for _, tt := range tests {
		same := c.digest(tt.a[0], tt.a[1]) == c.digest(tt.b[0], tt.b[1])
		if same != tt.wantSameAs {
			t.Errorf("%s: got same digest %v, want %v", tt.name, same, tt.wantSameAs)
		}
	}
	if c.digest("alice", "pw") == other.digest("alice", "pw") {
		t.Errorf("two instances made the same digest: the key is not random")
	}
}

func TestCredentialCacheIsBounded(t *testing.T) {
	c, err := newCredentialCache()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2*maxCachedCredentials; i++ {
		d := c.digest("u", fmt.Sprint(i))
		c.add(d)
		if !c.has(d) {
			t.Fatalf("entry %d: got has false right after add, want true", i)
		}
		if c.size() > maxCachedCredentials {
			t.Fatalf("after %d entries: got size %d, want at most %d", i+1, c.size(), maxCachedCredentials)
		}
	}
}

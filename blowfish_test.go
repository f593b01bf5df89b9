package basicauthbypass

import (
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// TestBlowfishKnownAnswers checks plain Blowfish, the key schedule without salt followed by
// ECB encryption, against Eric Young's test vectors (published by Schneier at
// https://www.schneier.com/code/vectors.txt, numbers 1-10 and 20, and used by OpenSSL and
// golang.org/x/crypto/blowfish), independently of the bcrypt vectors.
func TestBlowfishKnownAnswers(t *testing.T) {
	tests := []struct {
		key        string
		plaintext  string
		ciphertext string
	}{
		{"0000000000000000", "0000000000000000", "4ef997456198dd78"},
		{"ffffffffffffffff", "ffffffffffffffff", "51866fd5b85ecb8a"},
		{"3000000000000000", "1000000000000001", "7d856f9a613063f2"},
		{"1111111111111111", "1111111111111111", "2466dd878b963c9d"},
		{"0123456789abcdef", "1111111111111111", "61f9c3802281b096"},
		{"1111111111111111", "0123456789abcdef", "7d0cc630afda1ec7"},
		{"fedcba9876543210", "0123456789abcdef", "0aceab0fc6a0a28d"},
		{"7ca110454a1a6e57", "01a1d6d039776742", "59c68245eb05282b"},
		{"0131d9619dc1376e", "5cd54ca83def57da", "b1b8cc0b250f09a0"},
		{"07a1133e4a0b2686", "0248d43806f67172", "1730e5778bea1da4"},
		{"584023641aba6176", "004bd6ef09176062", "452031c1e4fada8e"},
	}
	for _, tc := range tests {
		key := blowfishTestDecodeHex(t, tc.key)
		plaintext := blowfishTestDecodeHex(t, tc.plaintext)

		state := newBlowfishState()
		blowfishExpandKey(state, blowfishStreamWords(key), nil)
		block := []uint32{binary.BigEndian.Uint32(plaintext[0:4]), binary.BigEndian.Uint32(plaintext[4:8])}
		blowfishEncrypt(state, block)

		got := make([]byte, 8)
		binary.BigEndian.PutUint32(got[0:4], block[0])
		binary.BigEndian.PutUint32(got[4:8], block[1])
		if hex.EncodeToString(got) != tc.ciphertext {
			t.Errorf("key %s, plaintext %s: got %x, want %s", tc.key, tc.plaintext, got, tc.ciphertext)
		}
	}
}

// blowfishTestDecodeHex decodes a hexadecimal test vector.
func blowfishTestDecodeHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad test vector %q: %v", s, err)
	}
	return b
}

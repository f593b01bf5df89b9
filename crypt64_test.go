package basicauthbypass

import (
	"bytes"
	"errors"
	"testing"
)

// crypt64Encode is the reference encoder for the tests, written after the C macro
// b64_from_24bit: each group of order packs up to three digest bytes, most significant first,
// and is written low 6 bits first in one character more than it has bytes.
func crypt64Encode(digest []byte, order []int) string {
	var out []byte
	for g := 0; g < len(order); g += 3 {
		var w uint32
		n := 1
		for j := 0; j < 3; j++ {
			w <<= 8
			if order[g+j] >= 0 {
				w |= uint32(digest[order[g+j]])
				n++
			}
		}
		for j := 0; j < n; j++ {
			out = append(out, crypt64Alphabet[w&0x3f])
			w >>= 6
		}
	}
	return string(out)
}

// crypt64Orders are the byte orders of the three crypt digests, with their digest sizes and
// encoded lengths.
var crypt64Orders = []struct {
	name   string
	order  []int
	size   int
	length int
}{
	{"md5-crypt", md5CryptOrder, 16, 22},
	{"sha256-crypt", shaCrypt256Order, 32, 43},
	{"sha512-crypt", shaCrypt512Order, 64, 86},
}

func TestCrypt64OrdersArePermutations(t *testing.T) {
	for _, tt := range crypt64Orders {
		seen := make([]int, tt.size)
		padding := 0
		for _, index := range tt.order {
			if index < 0 {
				padding++
				continue
			}
			seen[index]++
		}
		for index, count := range seen {
			if count != 1 {
				t.Errorf("%s: got byte %d listed %d times, want once", tt.name, index, count)
			}
		}
		if got, want := len(tt.order), tt.size+padding; got != want {
			t.Errorf("%s: got %d entries, want %d", tt.name, got, want)
		}
		if got := crypt64Len(tt.order); got != tt.length {
			t.Errorf("%s: got encoded length %d, want %d", tt.name, got, tt.length)
		}
	}
}

func TestCrypt64RoundTrip(t *testing.T) {
	for _, tt := range crypt64Orders {
		// Digests of all zeros, all ones and a counting pattern cover every bit position.
		for _, fill := range []byte{0x00, 0xff, 0x01} {
			digest := make([]byte, tt.size)
			for i := range digest {
				digest[i] = fill
				if fill == 0x01 {
					digest[i] = byte(i * 37)
				}
			}
			text := crypt64Encode(digest, tt.order)
			got := make([]byte, tt.size)
			if err := crypt64Decode(tt.name, got, text, tt.order); err != nil {
				t.Errorf("%s fill %#x: got error %v, want none", tt.name, fill, err)
				continue
			}
			if !bytes.Equal(got, digest) {
				t.Errorf("%s fill %#x: got digest %x, want %x", tt.name, fill, got, digest)
			}
		}
	}
}

func TestCrypt64DecodeRejects(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		order []int
	}{
		// The last character of an MD5-crypt digest carries 2 bits of byte 11; "z" sets the
		// 4 bits above them, which C never writes.
		{"md5 padding bits set", "cVCRz773kZlpIlgDZ.0PVz", md5CryptOrder},
		{"md5 one short", "cVCRz773kZlpIlgDZ.0PV", md5CryptOrder},
		{"md5 one long", "cVCRz773kZlpIlgDZ.0PV..", md5CryptOrder},
		{"md5 plus sign", "cVCRz773kZl+IlgDZ.0PV.", md5CryptOrder},
		{"md5 equals sign", "cVCRz773kZlpIlgDZ.0PV=", md5CryptOrder},
		{"md5 non-ascii", "cVCRz773kZlpIlgDZ.0P\xc3\xa9", md5CryptOrder},
		// The last character of a SHA-256-crypt digest carries 4 bits of byte 31.
		{"sha256 padding bits set", "yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIz", shaCrypt256Order},
		// The last character of a SHA-512-crypt digest carries 2 bits of byte 63.
		{"sha512 padding bits set", "kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsXz", shaCrypt512Order},
		{"empty", "", md5CryptOrder},
	}
	for _, tt := range tests {
		digest := make([]byte, 64)
		err := crypt64Decode(tt.name, digest, tt.text, tt.order)
		if !errors.Is(err, errMalformedHash) {
			t.Errorf("%s: got error %v, want errMalformedHash", tt.name, err)
		}
	}
}

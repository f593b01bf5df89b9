package basicauthbypass

import (
	"fmt"
	"strings"
)

// crypt64Alphabet is the alphabet of the base64 variant that crypt(3) implementations use
// for salts and digests: "./", the digits, then upper and lower case letters. It is not the
// RFC 4648 alphabet, there is no padding, and each 24-bit group is written low 6 bits first.
const crypt64Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// crypt64Len returns the length of the text that crypt64Decode expects for order: four
// characters per group of three digest bytes, and one character more than it has bytes for
// the short group at the end.
func crypt64Len(order []int) int {
	n := 0
	for i := 0; i < len(order); i += 3 {
		n += crypt64GroupLen(order[i : i+3])
	}
	return n
}

// crypt64GroupLen returns the number of characters C writes for one group of order: one more
// than the digest bytes it holds, since 6 bits per character must cover 8 bits per byte.
func crypt64GroupLen(group []int) int {
	n := 1
	for j := 0; j < 3; j++ {
		if group[j] >= 0 {
			n++
		}
	}
	return n
}

// crypt64Decode decodes text, the digest field of a hash of the algorithm name, into digest.
// The text is what the b64_from_24bit macro of the C implementations (to64 in MD5-crypt)
// writes: order lists, three at a time and most significant first, the digest bytes that C
// packs into each 24-bit group; -1 stands for the zero byte C puts in the short last group.
// Which bytes go together is each algorithm's own permutation, so it is the caller's to give.
// Bits that fall on such a zero byte must be zero: C never writes them, so a hash with them
// set could never match in C either, and refusing it keeps one encoding per digest. Errors
// wrap errMalformedHash, name the algorithm and give a position, never a character of text.
func crypt64Decode(name string, digest []byte, text string, order []int) error {
	if want := crypt64Len(order); len(text) != want {
		return fmt.Errorf("%w: %s: digest is %d characters long, want %d", errMalformedHash, name, len(text), want)
	}
	pos := 0
	for g := 0; g < len(order); g += 3 {
		n := crypt64GroupLen(order[g : g+3])
		var w uint32
		for j := 0; j < n; j++ {
			c := strings.IndexByte(crypt64Alphabet, text[pos+j])
			if c < 0 {
				return fmt.Errorf("%w: %s: digest character %d is not in the crypt alphabet", errMalformedHash, name, pos+j+1)
			}
			w |= uint32(c) << (6 * uint(j))
		}
		for j := 0; j < 3; j++ {
			b := byte(w >> (16 - 8*uint(j)))
			index := order[g+j]
			if index >= 0 {
				digest[index] = b
				continue
			}
			if b != 0 {
				return fmt.Errorf("%w: %s: digest characters %d to %d set bits that C always leaves zero", errMalformedHash, name, pos+1, pos+n)
			}
		}
		pos += n
	}
	return nil
}

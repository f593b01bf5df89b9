package basicauthbypass

import (
	"bytes"
	"testing"
)

// cryptRoundInputReference returns what round i hashes, written as the C code feeds its
// hash context, with c standing for the digest of the round before.
func cryptRoundInputReference(i int, p, s, c []byte) []byte {
	var in []byte
	if i&1 != 0 {
		in = append(in, p...)
	} else {
		in = append(in, c...)
	}
	if i%3 != 0 {
		in = append(in, s...)
	}
	if i%7 != 0 {
		in = append(in, p...)
	}
	if i&1 != 0 {
		in = append(in, c...)
	} else {
		in = append(in, p...)
	}
	return in
}

func TestCryptRoundInputs(t *testing.T) {
	tests := []struct {
		name string
		p, s string
		size int
	}{
		{"md5 short password", "pw", "6pGgkCFR", 16},
		{"md5 empty password and salt", "", "", 16},
		{"sha256 password longer than a block", "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz", "saltstring", 32},
		{"sha512 16-byte salt", "Hello world!", "asaltof16chars..", 64},
	}
	for _, tt := range tests {
		p, s := []byte(tt.p), []byte(tt.s)
		ins, outs := cryptRoundInputs(p, s, tt.size)
		for i := 0; i < 2*cryptRoundCycle; i++ {
			k := i % cryptRoundCycle
			// Round k reads the digest that round k-1 wrote: mark that slot, then compare.
			c := bytes.Repeat([]byte{byte(0x80 + k)}, tt.size)
			copy(outs[(k+cryptRoundCycle-1)%cryptRoundCycle], c)
			want := cryptRoundInputReference(i, p, s, c)
			if !bytes.Equal(ins[k], want) {
				t.Errorf("%s: round %d: got input %x, want %x", tt.name, i, ins[k], want)
			}
			if got := len(outs[k]); got != tt.size {
				t.Errorf("%s: round %d: got digest slot of %d bytes, want %d", tt.name, i, got, tt.size)
			}
		}
	}
}

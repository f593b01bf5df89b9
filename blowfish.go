package basicauthbypass

// This file holds the parts of Blowfish (Schneier, "Description of a New Variable-Length
// Key, 64-Bit Block Cipher (Blowfish)", 1993) that bcrypt's EksBlowfish needs: the key
// schedule with an optional salt and ECB encryption. The state is one []uint32 holding the
// 18-word P-array followed by the four 256-word S-boxes, initialised from blowfishPi.
//
// The code is shaped for the Yaegi interpreter, where every operator, index and assignment
// is a node that costs ten to twenty nanoseconds instead of a machine instruction: the
// sixteen Feistel rounds are unrolled, the S-boxes are local slices and the P-array local
// variables of the one function that runs them, and its loop has no function or method
// call and no tuple assignment. A round is then 15 nodes, which no rewriting found shorter
// without tables of 256 KiB; BenchmarkBcryptVerifyCost* measure the result, about 60-70
// times slower than compiled golang.org/x/crypto/bcrypt under Yaegi v0.16.1, where
// x/crypto's own code, interpreted, is about 900 times slower.

// blowfishStateWords is the number of words of a Blowfish state: the P-array of 18 words
// and the four S-boxes of 256 words.
const blowfishStateWords = 18 + 4*256

// Offsets of the four S-boxes in a Blowfish state, after the 18-word P-array.
const (
	blowfishS0 = 18
	blowfishS1 = blowfishS0 + 256
	blowfishS2 = blowfishS1 + 256
	blowfishS3 = blowfishS2 + 256
)

// newBlowfishState returns a fresh copy of Blowfish's initial state, the digits of pi.
func newBlowfishState() []uint32 {
	state := make([]uint32, blowfishStateWords)
	copy(state, blowfishPi[:])
	return state
}

// blowfishStreamWords returns the 18 big-endian words Blowfish's key schedule XORs into the
// P-array: the bytes of key read in a cycle, as Blowfish_stream2word does in the C code. Only
// the first 72 bytes of a longer key are ever read. key must not be empty.
func blowfishStreamWords(key []byte) []uint32 {
	words := make([]uint32, 18)
	j := 0
	for i := 0; i < 18; i++ {
		var w uint32
		for k := 0; k < 4; k++ {
			w = w<<8 | uint32(key[j])
			j++
			if j == len(key) {
				j = 0
			}
		}
		words[i] = w
	}
	return words
}

// blowfishExpandKey is the key schedule ExpandKey(state, salt, key) of the bcrypt paper
// (Provos and Mazières, "A Future-Adaptable Password Scheme", 1999). It XORs keyWords (18
// words from blowfishStreamWords) into the P-array, then replaces the P-array and the
// S-boxes, two words at a time, by encrypting a block that chains through them; with a
// 4-word salt, the salt's words are XORed into each block first, in a cycle. A nil salt is
// the paper's ExpandKey(state, 0, key), the step bcrypt repeats 2^cost times.
func blowfishExpandKey(state []uint32, keyWords []uint32, salt []uint32) {
	salted := salt != nil
	var salt0, salt1, salt2, salt3 uint32
	if salted {
		salt0 = salt[0]
		salt1 = salt[1]
		salt2 = salt[2]
		salt3 = salt[3]
	}
	for i := 0; i < 18; i++ {
		state[i] ^= keyWords[i]
	}
	s0 := state[blowfishS0:blowfishS1]
	s1 := state[blowfishS1:blowfishS2]
	s2 := state[blowfishS2:blowfishS3]
	s3 := state[blowfishS3:blowfishStateWords]
	p0 := state[0]
	p1 := state[1]
	p2 := state[2]
	p3 := state[3]
	p4 := state[4]
	p5 := state[5]
	p6 := state[6]
	p7 := state[7]
	p8 := state[8]
	p9 := state[9]
	p10 := state[10]
	p11 := state[11]
	p12 := state[12]
	p13 := state[13]
	p14 := state[14]
	p15 := state[15]
	p16 := state[16]
	p17 := state[17]
	var l, r, t uint32
	for i := 0; i < blowfishStateWords; i += 2 {
		if salted {
			if i&2 == 0 {
				l ^= salt0
				r ^= salt1
			} else {
				l ^= salt2
				r ^= salt3
			}
		}
		l ^= p0
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p1
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p2
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p3
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p4
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p5
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p6
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p7
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p8
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p9
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p10
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p11
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p12
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p13
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p14
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p15
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p16
		t = l
		l = r ^ p17
		r = t
		state[i] = l
		state[i+1] = r
		if i < 18 {
			// The P-array is being replaced: later blocks use the new words.
			p0 = state[0]
			p1 = state[1]
			p2 = state[2]
			p3 = state[3]
			p4 = state[4]
			p5 = state[5]
			p6 = state[6]
			p7 = state[7]
			p8 = state[8]
			p9 = state[9]
			p10 = state[10]
			p11 = state[11]
			p12 = state[12]
			p13 = state[13]
			p14 = state[14]
			p15 = state[15]
			p16 = state[16]
			p17 = state[17]
		}
	}
}

// blowfishEncrypt encrypts data in place in ECB mode, each pair of words being one 64-bit
// block (left half first).
func blowfishEncrypt(state []uint32, data []uint32) {
	s0 := state[blowfishS0:blowfishS1]
	s1 := state[blowfishS1:blowfishS2]
	s2 := state[blowfishS2:blowfishS3]
	s3 := state[blowfishS3:blowfishStateWords]
	p0 := state[0]
	p1 := state[1]
	p2 := state[2]
	p3 := state[3]
	p4 := state[4]
	p5 := state[5]
	p6 := state[6]
	p7 := state[7]
	p8 := state[8]
	p9 := state[9]
	p10 := state[10]
	p11 := state[11]
	p12 := state[12]
	p13 := state[13]
	p14 := state[14]
	p15 := state[15]
	p16 := state[16]
	p17 := state[17]
	for i := 0; i+1 < len(data); i += 2 {
		l := data[i]
		r := data[i+1]
		l ^= p0
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p1
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p2
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p3
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p4
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p5
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p6
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p7
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p8
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p9
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p10
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p11
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p12
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p13
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p14
		r ^= ((s0[l>>24] + s1[l>>16&0xff]) ^ s2[l>>8&0xff]) + s3[l&0xff] ^ p15
		l ^= ((s0[r>>24] + s1[r>>16&0xff]) ^ s2[r>>8&0xff]) + s3[r&0xff] ^ p16
		data[i] = r ^ p17
		data[i+1] = l
	}
}

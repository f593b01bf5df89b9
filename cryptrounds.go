package basicauthbypass

// cryptMaxPassword is the longest password, in bytes, that the MD5-crypt and SHA-crypt
// verifiers hash; they refuse longer ones at once. Their cost grows with the password length
// (MD5-crypt's 1000 rounds each hash it twice, and SHA-crypt's P sequence hashes it as many
// times as it is long, so SHA-crypt is quadratic), and a request's Authorization header can
// carry a megabyte: without a cap one unauthenticated request could keep a CPU busy for
// seconds (MD5-crypt) or hours (SHA-crypt). htpasswd itself refuses passwords over 255 bytes;
// 1024 leaves room for hashes made otherwise (openssl passwd) and keeps a verify at the
// default cost under about 25 ms.
const cryptMaxPassword = 1024

// cryptRoundCycle is the period of the round schedule that Poul-Henning Kamp's MD5-crypt
// introduced and Ulrich Drepper's SHA-crypt kept: what round i hashes depends only on i%2,
// i%3 and i%7.
const cryptRoundCycle = 42

// cryptRoundShapes gives, for each round of a cycle, which of the eight shapes its input
// has: bit 2 set for odd rounds, bit 1 when the salt is in (i%3 != 0), bit 0 when the
// password is in a second time (i%7 != 0).
var cryptRoundShapes = makeCryptRoundShapes()

// makeCryptRoundShapes computes cryptRoundShapes once, at package initialisation, rather than
// in every verify.
func makeCryptRoundShapes() [cryptRoundCycle]int {
	var shapes [cryptRoundCycle]int
	for i := 0; i < cryptRoundCycle; i++ {
		shape := 0
		if i%2 != 0 {
			shape |= 4
		}
		if i%3 != 0 {
			shape |= 2
		}
		if i%7 != 0 {
			shape |= 1
		}
		shapes[i] = shape
	}
	return shapes
}

// cryptRoundInputs lays out the round inputs of MD5-crypt and SHA-crypt for one password, as
// the C code feeds them to its hash context:
//
//	odd round i:  p, then s if i%3 != 0, then p if i%7 != 0, then c
//	even round i: c, then s if i%3 != 0, then p if i%7 != 0, then p
//
// where c is the digest of the round before and p, s are the password and salt (MD5-crypt)
// or the P and S sequences (SHA-crypt). ins[k] is the whole input of round k of a cycle, with
// a size-byte slot for c in it, and outs[k] is the slot in the input of round k+1 where round
// k's digest belongs; outs[cryptRoundCycle-1] is thus where the digest before round 0 goes.
//
// The layout is shaped for Yaegi, where every interpreted statement costs far more than
// hashing a block: with it a round is a single standard-library hash call on a prebuilt
// slice, whose result is stored straight into the next round's input. The 42 rounds have
// only eight shapes, so eight buffers serve them all: rounds that share a buffer never
// clash, because the only live value is the digest that the next round reads at once.
func cryptRoundInputs(p, s []byte, size int) (ins, outs [cryptRoundCycle][]byte) {
	var shapes, slots [8][]byte
	buf := make([]byte, 0, 8*size+12*len(p)+4*len(s))
	for shape := 0; shape < 8; shape++ {
		start := len(buf)
		slot := start
		if shape&4 != 0 {
			buf = append(buf, p...)
		} else {
			buf = buf[:len(buf)+size]
		}
		if shape&2 != 0 {
			buf = append(buf, s...)
		}
		if shape&1 != 0 {
			buf = append(buf, p...)
		}
		if shape&4 != 0 {
			slot = len(buf)
			buf = buf[:len(buf)+size]
		} else {
			buf = append(buf, p...)
		}
		shapes[shape] = buf[start:len(buf):len(buf)]
		slots[shape] = buf[slot : slot+size : slot+size]
	}
	for k := 0; k < cryptRoundCycle; k++ {
		ins[k] = shapes[cryptRoundShapes[k]]
		outs[k] = slots[cryptRoundShapes[(k+1)%cryptRoundCycle]]
	}
	return ins, outs
}

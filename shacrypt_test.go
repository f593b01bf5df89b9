package basicauthbypass

import (
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strconv"
	"strings"
	"testing"
)

// shaCryptVectors were made by the commands beside them (Debian apache2-utils 2.4 htpasswd,
// OpenSSL 3.0 openssl passwd; "user:" is cut from htpasswd's output), or come from the test
// vectors of Drepper's specification, https://www.akkadia.org/drepper/SHA-crypt.txt, which
// the openssl passwd command beside each reproduces.
var shaCryptVectors = []hashVector{
	{"htpasswd sha256", "htpasswd -nb2 user pw", "pw", "$5$NNgHXWwJPilRdpmR$vikS8QyG1z3c/UefeBLTJgpR4nVS3Uc3pbCw/MJ3Yf5"},
	{"htpasswd sha256 empty password", "htpasswd -nb2 user ''", "", "$5$CnEjK5Rz1hXf1diE$BPSeg6RZHfKmbLX1CHqWxe8Z4P3hb67xwYv3Sbuwpw."},
	{"htpasswd sha256 rounds 1000 colons", "htpasswd -nb2 -r 1000 user 'a:b:c'", "a:b:c", "$5$rounds=1000$d3EmChknr4FS7xdI$c/3Xo54a3arIP0oBAcQFzxlZ.Ap9WJXy/c30ii33Da6"},
	{"htpasswd sha512", "htpasswd -nb5 user pw", "pw", "$6$wrUA08/X8NEcDP1W$JfwWUATMqUm3NTlgHjaGMti2B8MLbiEgDLgMmn92N/bETXit79ht5hWBAMkRR1fegDrJDSUyva5Cfiq5IX9RI1"},
	{"htpasswd sha512 empty password", "htpasswd -nb5 user ''", "", "$6$vNYscY3URmoHQxLA$oHrgQCBujgUYbpjq1D6mFUO7jE8GRN44DaLSTCKPwJbeRcCeRPTmTJkgOqbDyrjaL1cG0c3nYAyLEoQoNfiy2/"},
	{"htpasswd sha512 utf-8 password", "htpasswd -nb5 user 'pässwörd'", "pässwörd", "$6$Uunfielcs7AmHe9I$NQHAzhPefRY8nSzeVuHIRZqvqtMtHc46X6JgCu7gu99rh2rpLEwUqXcqmmNwRbDPAdknCqnRMBVtbrNwCz7EB0"},
	{"htpasswd sha512 rounds 10000", "htpasswd -nb5 -r 10000 user pw", "pw", "$6$rounds=10000$NUyrnqvdUFOza6gl$pPA2rwWwuomdU0mZeXlWgHhDIhWAg7iiK/HYIJUcXn8xEfYQu73hc2/vTInNEn87Pj9eppuR0NLyTKnhNlsgd."},
	{"openssl sha256", "openssl passwd -5 pw", "pw", "$5$G.oZhBXqSPNmkaPX$SfvUZ1fEdn.whPphDbPMJBUMksJpd/ayXuyWsefvOIA"},
	{"openssl sha256 salt", "openssl passwd -5 -salt X pw", "pw", "$5$X$ox81k3iNyGF1e4Jr36kgs14HNx2nTg57e0z27pBiKQ0"},
	{"openssl sha512", "openssl passwd -6 pw", "pw", "$6$dqMJ.LRX6sYLf2r9$88mb4J5zkhBOLzWIynK4Gc.d7IwHbKhTWcycmW4W5f9yscbKF79CeGwEH4B9XA.Q4FMSqoAo6.kO5FKsgUYLw/"},
	{"openssl sha512 salt colons", "openssl passwd -6 -salt 0123456789abcdef 'a:b:c'", "a:b:c", "$6$0123456789abcdef$yYm63qSZ6vdAtL4ZF2/6b41WdDUDBMgltFgKpKb1IpDyE792.op.wufO/yrEaDaM4aCiC7Jham3x7edwivR7.0"},

	{"spec sha256 default rounds", "openssl passwd -5 -salt saltstring 'Hello world!'", "Hello world!", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"spec sha256 rounds 10000", "openssl passwd -5 -salt 'rounds=10000$saltstringsaltstring' 'Hello world!'", "Hello world!", "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA"},
	{"spec sha256 long salt truncated", "openssl passwd -5 -salt 'rounds=5000$toolongsaltstring' 'This is just a test'", "This is just a test", "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5"},
	{
		"spec sha256 rounds 1400 long password", "openssl passwd -5 -salt 'rounds=1400$anotherlongsaltstring' 'a very much longer text to encrypt.  This one even stretches over morethan one line.'",
		"a very much longer text to encrypt.  This one even stretches over morethan one line.", "$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1",
	},
	{"spec sha256 rounds 77777", "openssl passwd -5 -salt 'rounds=77777$short' 'we have a short salt string but not a short password'", "we have a short salt string but not a short password", "$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/"},
	{"spec sha256 rounds 123456", "openssl passwd -5 -salt 'rounds=123456$asaltof16chars..' 'a short string'", "a short string", "$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD"},
	{"spec sha256 rounds 10 clamped", "openssl passwd -5 -salt 'rounds=10$roundstoolow' 'the minimum number is still observed'", "the minimum number is still observed", "$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC"},
	// The spec's own setting, rounds=10, with the digest it produces: clamped to 1000 as in glibc.
	{"spec sha256 rounds 10 as written", "openssl passwd -5 -salt 'rounds=10$roundstoolow' 'the minimum number is still observed'", "the minimum number is still observed", "$5$rounds=10$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC"},

	{"spec sha512 default rounds", "openssl passwd -6 -salt saltstring 'Hello world!'", "Hello world!", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"},
	{"spec sha512 rounds 10000", "openssl passwd -6 -salt 'rounds=10000$saltstringsaltstring' 'Hello world!'", "Hello world!", "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."},
	{"spec sha512 long salt truncated", "openssl passwd -6 -salt 'rounds=5000$toolongsaltstring' 'This is just a test'", "This is just a test", "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0"},
	{
		"spec sha512 rounds 1400 long password", "openssl passwd -6 -salt 'rounds=1400$anotherlongsaltstring' 'a very much longer text to encrypt.  This one even stretches over morethan one line.'",
		"a very much longer text to encrypt.  This one even stretches over morethan one line.", "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1",
	},
	{"spec sha512 rounds 77777", "openssl passwd -6 -salt 'rounds=77777$short' 'we have a short salt string but not a short password'", "we have a short salt string but not a short password", "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0"},
	{"spec sha512 rounds 123456", "openssl passwd -6 -salt 'rounds=123456$asaltof16chars..' 'a short string'", "a short string", "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1"},
	{"spec sha512 rounds 10 clamped", "openssl passwd -6 -salt 'rounds=10$roundstoolow' 'the minimum number is still observed'", "the minimum number is still observed", "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX."},
	{"spec sha512 rounds 10 as written", "openssl passwd -6 -salt 'rounds=10$roundstoolow' 'the minimum number is still observed'", "the minimum number is still observed", "$6$rounds=10$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX."},
}

func TestSHACryptVectors(t *testing.T) {
	checkVectors(t, parseSHACrypt, shaCryptVectors)
}

func TestSHACryptWrongPasswords(t *testing.T) {
	tests := []wrongPassword{
		{"sha256 empty", "$5$NNgHXWwJPilRdpmR$vikS8QyG1z3c/UefeBLTJgpR4nVS3Uc3pbCw/MJ3Yf5", ""},
		{"sha256 other case", "$5$NNgHXWwJPilRdpmR$vikS8QyG1z3c/UefeBLTJgpR4nVS3Uc3pbCw/MJ3Yf5", "Pw"},
		// C would stop at the NUL and accept this; Go strings do not stop there.
		{"sha256 trailing nul", "$5$NNgHXWwJPilRdpmR$vikS8QyG1z3c/UefeBLTJgpR4nVS3Uc3pbCw/MJ3Yf5", "pw\x00"},
		{"sha256 not empty", "$5$CnEjK5Rz1hXf1diE$BPSeg6RZHfKmbLX1CHqWxe8Z4P3hb67xwYv3Sbuwpw.", " "},
		{"sha256 before the colon", "$5$rounds=1000$d3EmChknr4FS7xdI$c/3Xo54a3arIP0oBAcQFzxlZ.Ap9WJXy/c30ii33Da6", "a"},
		// The same salt and digest with the default rounds is another hash.
		{"sha256 rounds 1000 read as 5000", "$5$d3EmChknr4FS7xdI$c/3Xo54a3arIP0oBAcQFzxlZ.Ap9WJXy/c30ii33Da6", "a:b:c"},
		{"sha256 rounds 1000 read as 1001", "$5$rounds=1001$d3EmChknr4FS7xdI$c/3Xo54a3arIP0oBAcQFzxlZ.Ap9WJXy/c30ii33Da6", "a:b:c"},
		{"sha256 salt cut", "$5$saltstrin$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!"},
		{"sha512 trailing space", "$6$wrUA08/X8NEcDP1W$JfwWUATMqUm3NTlgHjaGMti2B8MLbiEgDLgMmn92N/bETXit79ht5hWBAMkRR1fegDrJDSUyva5Cfiq5IX9RI1", "pw "},
		{"sha512 utf-8 decomposed", "$6$Uunfielcs7AmHe9I$NQHAzhPefRY8nSzeVuHIRZqvqtMtHc46X6JgCu7gu99rh2rpLEwUqXcqmmNwRbDPAdknCqnRMBVtbrNwCz7EB0", "pa\u0308sswo\u0308rd"},
		{"sha512 latin-1", "$6$Uunfielcs7AmHe9I$NQHAzhPefRY8nSzeVuHIRZqvqtMtHc46X6JgCu7gu99rh2rpLEwUqXcqmmNwRbDPAdknCqnRMBVtbrNwCz7EB0", "p\xe4ssw\xf6rd"},
		{"sha512 after the colon", "$6$0123456789abcdef$yYm63qSZ6vdAtL4ZF2/6b41WdDUDBMgltFgKpKb1IpDyE792.op.wufO/yrEaDaM4aCiC7Jham3x7edwivR7.0", "b:c"},
		{"sha512 rounds 10000 read as 5000", "$6$NUyrnqvdUFOza6gl$pPA2rwWwuomdU0mZeXlWgHhDIhWAg7iiK/HYIJUcXn8xEfYQu73hc2/vTInNEn87Pj9eppuR0NLyTKnhNlsgd.", "pw"},
		{"sha512 not empty", "$6$vNYscY3URmoHQxLA$oHrgQCBujgUYbpjq1D6mFUO7jE8GRN44DaLSTCKPwJbeRcCeRPTmTJkgOqbDyrjaL1cG0c3nYAyLEoQoNfiy2/", "\x00"},
		{"sha512 long password cut", "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1", "a very much longer text to encrypt.  This one even stretches over more than one line."},
	}
	checkWrongPasswords(t, parseSHACrypt, tests)
}

// shaCryptMalformed are hashes parseSHACrypt must refuse.
var shaCryptMalformed = []malformedHash{
	{"magic only", "$5$"},
	{"setting without digest", "$5$saltstring"},
	{"rounds without dollar", "$6$rounds=5000"},
	{"rounds without salt", "$6$rounds=5000$"},
	{"rounds empty", "$5$rounds=$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"rounds junk", "$5$rounds=many$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"rounds junk after digits", "$5$rounds=5000x$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"rounds negative", "$5$rounds=-5000$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"rounds plus sign", "$5$rounds=+5000$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"rounds leading space", "$5$rounds= 5000$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"rounds hexadecimal", "$5$rounds=0x1388$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"rounds twice", "$5$rounds=5000$rounds=5000$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	// The spec's salt of 17 bytes as written in the setting: C truncates it to 16 in the hash.
	{"salt of 17 bytes", "$5$rounds=5000$toolongsaltstring$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5"},
	{"salt of 20 bytes", "$6$rounds=10000$saltstringsaltstring$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."},
	{"sha256 empty digest", "$5$saltstring$"},
	{"sha256 digest of 42", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc"},
	{"sha256 digest of 44", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5."},
	{"sha512 digest of 85", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz"},
	{"sha512 digest of 87", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1."},
	{"sha256 digest under sha512", "$6$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
	{"sha512 digest under sha256", "$5$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"},
	{"sha256 bad character", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY-GNooZaBBGWEc5"},
	{"sha512 bad character", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35in_1"},
	{"sha256 padding bits set", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEcz"},
	{"sha512 padding bits set", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inzz"},
	{"extra field", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5$extra"},
	{"trailing dollar", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1$"},
	{"trailing newline", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5\n"},
}

func TestParseSHACryptMalformed(t *testing.T) {
	checkMalformed(t, parseSHACrypt, shaCryptMalformed)
}

func TestParseSHACryptRounds(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"5000", 5000},
		{"1000", 1000},
		{"999", 1000},
		{"10", 1000},
		{"0", 1000},
		{"0005000", 5000},
		{"77777", 77777},
		{"999999999", 999999999},
		{"1000000000", 999999999},
		{"99999999999999999999999999", 999999999},
	}
	for _, tt := range tests {
		got, err := parseSHACryptRounds("sha256-crypt", tt.text)
		if err != nil {
			t.Errorf("rounds=%s: got error %v, want none", tt.text, err)
			continue
		}
		if got != tt.want {
			t.Errorf("rounds=%s: got %d rounds, want %d", tt.text, got, tt.want)
		}
	}
}

// shaCryptReference is SHA-crypt written as the specification and its C code do it, one hash
// context update at a time, to check the interpreter-shaped verify against.
func shaCryptReference(newHash func() hash.Hash, password, salt string, rounds int) []byte {
	key, s := []byte(password), []byte(salt)
	h := newHash()
	size := h.Size()
	h.Write(key)
	h.Write(s)
	h.Write(key)
	b := h.Sum(nil)

	h.Reset()
	h.Write(key)
	h.Write(s)
	cnt := len(key)
	for ; cnt > size; cnt -= size {
		h.Write(b)
	}
	h.Write(b[:cnt])
	for cnt = len(key); cnt > 0; cnt >>= 1 {
		if cnt&1 != 0 {
			h.Write(b)
		} else {
			h.Write(key)
		}
	}
	a := h.Sum(nil)

	h.Reset()
	for cnt = 0; cnt < len(key); cnt++ {
		h.Write(key)
	}
	dp := h.Sum(nil)
	var p []byte
	for cnt = len(key); cnt >= size; cnt -= size {
		p = append(p, dp...)
	}
	p = append(p, dp[:cnt]...)

	h.Reset()
	for cnt = 0; cnt < 16+int(a[0]); cnt++ {
		h.Write(s)
	}
	ds := h.Sum(nil)
	sBytes := ds[:len(s)]

	c := a
	for i := 0; i < rounds; i++ {
		h.Reset()
		if i&1 != 0 {
			h.Write(p)
		} else {
			h.Write(c)
		}
		if i%3 != 0 {
			h.Write(sBytes)
		}
		if i%7 != 0 {
			h.Write(p)
		}
		if i&1 != 0 {
			h.Write(c)
		} else {
			h.Write(p)
		}
		c = h.Sum(nil)
	}
	return c
}

func TestSHACryptMatchesReference(t *testing.T) {
	algorithms := []struct {
		magic   string
		newHash func() hash.Hash
		order   []int
	}{
		{shaCrypt256Magic, sha256.New, shaCrypt256Order},
		{shaCrypt512Magic, sha512.New, shaCrypt512Order},
	}
	// Lengths around both digest sizes and both block sizes, salts of every length, and
	// rounds that end a cycle of 42 early, exactly, and one round into the next.
	lengths := []int{0, 1, 2, 31, 32, 33, 63, 64, 65, 111, 112, 127, 128, 129, 255}
	rounds := []int{1000, 1001, 1007, 1008, 1009, 1041}
	for i, n := range lengths {
		password := strings.Repeat("pässwörd:", 30)[:n]
		salt := "./09AZazsaltsalt"[:i%17]
		r := rounds[i%len(rounds)]
		for _, alg := range algorithms {
			digest := shaCryptReference(alg.newHash, password, salt, r)
			hash := alg.magic + "rounds=" + strconv.Itoa(r) + "$" + salt + "$" + crypt64Encode(digest, alg.order)
			v, err := parseSHACrypt(hash)
			if err != nil {
				t.Errorf("%s length %d rounds %d: got error %v, want none", alg.magic, n, r, err)
				continue
			}
			if got := v.verify(password); !got {
				t.Errorf("%s length %d rounds %d: got verify %v, want true", alg.magic, n, r, got)
			}
			if got := v.verify(password + "x"); got {
				t.Errorf("%s length %d rounds %d: got verify %v for a longer password, want false", alg.magic, n, r, got)
			}
		}
	}
}

func TestSHACryptRefusesOverlongPassword(t *testing.T) {
	tests := []struct {
		name   string
		length int
		want   bool
	}{
		{"at the limit", cryptMaxPassword, true},
		{"over the limit", cryptMaxPassword + 1, false},
	}
	for _, tt := range tests {
		password := strings.Repeat("x", tt.length)
		digest := shaCryptReference(sha512.New, password, "salt", 1000)
		v, err := parseSHACrypt("$6$rounds=1000$salt$" + crypt64Encode(digest, shaCrypt512Order))
		if err != nil {
			t.Fatalf("%s: got error %v, want none", tt.name, err)
		}
		if got := v.verify(password); got != tt.want {
			t.Errorf("%s: got verify %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSHACryptVerifyConcurrently(t *testing.T) {
	checkVerifyConcurrently(t, parseSHACrypt, "$5$rounds=1000$d3EmChknr4FS7xdI$c/3Xo54a3arIP0oBAcQFzxlZ.Ap9WJXy/c30ii33Da6", "a:b:c")
	checkVerifyConcurrently(t, parseSHACrypt, "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.", "the minimum number is still observed")
}

// shaCryptFuzzSeeds are the vectors and the malformed hashes, with their password or "pw".
func shaCryptFuzzSeeds() []wrongPassword {
	var seeds []wrongPassword
	for _, tt := range shaCryptVectors {
		seeds = append(seeds, wrongPassword{tt.name, tt.hash, tt.password})
	}
	for _, tt := range shaCryptMalformed {
		seeds = append(seeds, wrongPassword{tt.name, tt.hash, "pw"})
	}
	return seeds
}

// checkSHACryptFuzz checks the fuzz properties: parseSHACrypt never panics, nor does verify
// on what it parses, and what it parses is the one way of writing its digest. Hashes asking
// for more than 10,000 rounds are parsed but not verified, to keep the fuzzer fast.
func checkSHACryptFuzz(t *testing.T, hash, password string) {
	t.Helper()
	v, err := parseSHACrypt(hash)
	if err != nil {
		checkParseNeverPanics(t, parseSHACrypt, hash, password)
		return
	}
	s := v.(*shaCryptVerifier)
	order := shaCrypt256Order
	if s.size == sha512.Size {
		order = shaCrypt512Order
	}
	encoded := crypt64Encode(s.digest, order)
	if !strings.HasSuffix(hash, "$"+string(s.salt)+"$"+encoded) {
		t.Errorf("got salt and digest %q written back, want a suffix of the hash parsed, %q", string(s.salt)+"$"+encoded, hash)
	}
	if s.rounds < shaCryptMinRounds || s.rounds > shaCryptMaxRounds {
		t.Errorf("got %d rounds, want %d to %d", s.rounds, shaCryptMinRounds, shaCryptMaxRounds)
	}
	if s.rounds <= 10000 {
		checkParseNeverPanics(t, parseSHACrypt, hash, password)
	}
}

func FuzzParseSHACrypt(f *testing.F) {
	for _, seed := range shaCryptFuzzSeeds() {
		f.Add(seed.hash, seed.password)
	}
	f.Fuzz(checkSHACryptFuzz)
}

// TestParseSHACryptFuzzSeeds runs the fuzz seeds as a plain test, which yaegi test also runs.
func TestParseSHACryptFuzzSeeds(t *testing.T) {
	for _, seed := range shaCryptFuzzSeeds() {
		checkSHACryptFuzz(t, seed.hash, seed.password)
	}
}

func BenchmarkSHACrypt256Verify(b *testing.B) {
	// htpasswd -nb2 user pw
	v, err := parseSHACrypt("$5$NNgHXWwJPilRdpmR$vikS8QyG1z3c/UefeBLTJgpR4nVS3Uc3pbCw/MJ3Yf5")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if !v.verify("pw") {
			b.Fatal("got verify false, want true")
		}
	}
}

func BenchmarkSHACrypt512Verify(b *testing.B) {
	// htpasswd -nb5 user pw
	v, err := parseSHACrypt("$6$wrUA08/X8NEcDP1W$JfwWUATMqUm3NTlgHjaGMti2B8MLbiEgDLgMmn92N/bETXit79ht5hWBAMkRR1fegDrJDSUyva5Cfiq5IX9RI1")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if !v.verify("pw") {
			b.Fatal("got verify false, want true")
		}
	}
}

// BenchmarkSHACrypt512Reference times shaCryptReference, the straight port of the C code, as
// the baseline that BenchmarkSHACrypt512Verify's interpreter-shaped rounds are measured
// against.
func BenchmarkSHACrypt512Reference(b *testing.B) {
	for i := 0; i < b.N; i++ {
		shaCryptReference(sha512.New, "pw", "wrUA08/X8NEcDP1W", shaCryptDefaultRounds)
	}
}

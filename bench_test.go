package basicauthbypass

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Benchmarks of ServeHTTP, run both compiled (go test -bench) and in the interpreter Traefik
// embeds (yaegi test -bench, see make bench). Under Yaegi the numbers to read are ratios to
// BenchmarkServeHTTP/baseline-noop-handler, an interpreted handler that only calls next over
// the same writer and request: everything above it is what the plugin adds.

// benchFormat is one hash format with two users of the same cost. The first user is the decoy
// that unknown names are checked against (the first user configured), so the timing pairs
// below compare a wrong password of the second user with an unknown name.
type benchFormat struct {
	name      string
	slow      bool // skipped under -short by the uncached benchmarks: seconds under Yaegi
	users     []string
	passwords []string
}

// benchFormats holds every supported hash format, each entry made by the command beside it
// (Debian apache2-utils 2.4 htpasswd, OpenSSL 3.0, GNU coreutils base64, run by bash).
var benchFormats = []benchFormat{
	{
		name: "bcrypt-cost5",
		slow: true,
		users: []string{
			// htpasswd -nbB -C 5 ann 'ann-bcrypt'
			"ann:$2y$05$4QTP/luXj9cM8FKRcnNzG.yp6eOtjJlljpAbd.Q6dnVriNvoT7IOC",
			// htpasswd -nbB -C 5 ben 'ben-bcrypt'
			"ben:$2y$05$6cgq9jPbfsQK.88GhqGYP.xrY9L73sJAAgZloUjeBGHe2f4XS1bRe",
		},
		passwords: []string{"ann-bcrypt", "ben-bcrypt"},
	},
	{
		name: "apr1",
		users: []string{
			// htpasswd -nbm ann 'ann-apr1'
			"ann:$apr1$ptfrhGiH$9M/XGRNpv/dixQdaEu2s3.",
			// htpasswd -nbm ben 'ben-apr1'
			"ben:$apr1$mPSLsGAm$CNdVaBr9QMTtJ.t8Ek8d31",
		},
		passwords: []string{"ann-apr1", "ben-apr1"},
	},
	{
		name: "md5-crypt",
		users: []string{
			// echo "ann:$(openssl passwd -1 -salt annsalt1 'ann-md5')"
			"ann:$1$annsalt1$gO8OGHP8aLbmcmMmWKuYb0",
			// echo "ben:$(openssl passwd -1 -salt bensalt1 'ben-md5')"
			"ben:$1$bensalt1$pTyFmsO7XgGCAi2BfUlIr1",
		},
		passwords: []string{"ann-md5", "ben-md5"},
	},
	{
		name: "sha256-crypt",
		slow: true,
		users: []string{
			// echo "ann:$(openssl passwd -5 -salt annsaltannsalt16 'ann-sha256')"
			"ann:$5$annsaltannsalt16$dIIu.QoJy9sDVJjOVOzMABleHbrFCTWusVX6YvjXh03",
			// echo "ben:$(openssl passwd -5 -salt bensaltbensalt16 'ben-sha256')"
			"ben:$5$bensaltbensalt16$itk8pr2TayRcuwnf0gbivcKgocH0RVnpbdJqX1EBG23",
		},
		passwords: []string{"ann-sha256", "ben-sha256"},
	},
	{
		name: "sha512-crypt",
		slow: true,
		users: []string{
			// echo "ann:$(openssl passwd -6 -salt annsaltannsalt16 'ann-sha512')"
			"ann:$6$annsaltannsalt16$qjwohAn6c63CBWNkwTinh6mhpVRAhqL1jWwmwL.735285aZQoDIx3FsIYfcUy6mpa0eL2mS2sY2FSzF5JusQ8.",
			// echo "ben:$(openssl passwd -6 -salt bensaltbensalt16 'ben-sha512')"
			"ben:$6$bensaltbensalt16$agPGjVKgp7l5Sa2icC5DXwWeHimELLLdSHDO8P7LH9H6ItLltd5ss5ziGKHW/yJEgSnIFpp.WwuMxDrdvwkCS1",
		},
		passwords: []string{"ann-sha512", "ben-sha512"},
	},
	{
		name: "sha1",
		users: []string{
			// htpasswd -nbs ann 'ann-sha1'
			"ann:{SHA}XKr+3SlqHVULfPX+uRdzZak1rcw=",
			// htpasswd -nbs ben 'ben-sha1'
			"ben:{SHA}5iiEfION90mq/D+/wEnj8sqGKjs=",
		},
		passwords: []string{"ann-sha1", "ben-sha1"},
	},
	{
		name: "ssha",
		users: []string{
			// echo "ann:{SSHA}$( (printf 'ann-ssha'; printf 'annsalt1') | openssl dgst -sha1 -binary | (cat; printf 'annsalt1') | base64)"
			"ann:{SSHA}v/VTWMMaNdZufbDGShpP0Bp0G8Bhbm5zYWx0MQ==",
			// echo "ben:{SSHA}$( (printf 'ben-ssha'; printf 'bensalt1') | openssl dgst -sha1 -binary | (cat; printf 'bensalt1') | base64)"
			"ben:{SSHA}y20gD5m7uQQByXBE2Ppe7ha5xQliZW5zYWx0MQ==",
		},
		passwords: []string{"ann-ssha", "ben-ssha"},
	},
}

// benchWriter is the cheapest http.ResponseWriter that still records the status: its header
// map is made once and reused, and the body is discarded.
type benchWriter struct {
	header http.Header
	status int
}

// Header returns the reused header map.
func (w *benchWriter) Header() http.Header {
	return w.header
}

// Write discards p.
func (w *benchWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}

// WriteHeader records the status.
func (w *benchWriter) WriteHeader(status int) {
	w.status = status
}

// benchNoop is an interpreted middleware that does nothing but call next: the floor under
// which no interpreted middleware can go.
type benchNoop struct {
	next http.Handler
}

// ServeHTTP calls next.
func (n *benchNoop) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	n.next.ServeHTTP(rw, req)
}

// benchNext is the backend of every benchmark: it answers 200 and nothing else.
var benchNext = http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
	rw.WriteHeader(http.StatusOK)
})

// benchMiddleware builds the middleware over benchNext with the given users, bypassing ^/api/.
// Its log lines (one per refused request) go nowhere: writing them is the log's cost, not the
// plugin's, and would bury the results.
func benchMiddleware(b *testing.B, users []string) http.Handler {
	b.Helper()
	m, err := newMiddleware(benchNext, &Config{Users: users, BypassPaths: []string{"^/api/"}}, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// benchRequest builds a GET for target from a fixed client, with Basic credentials unless
// user is empty. The request is reused by every iteration, as Traefik's own cost of making it
// is not the plugin's.
func benchRequest(b *testing.B, target, user, password string) *http.Request {
	b.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://example.com"+target, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	return req
}

// benchServe measures h.ServeHTTP on req, after one call that checks the status is want and
// warms whatever the handler caches.
func benchServe(b *testing.B, h http.Handler, req *http.Request, want int) {
	b.Helper()
	w := &benchWriter{header: make(http.Header)}
	h.ServeHTTP(w, req)
	if w.status != want {
		b.Fatalf("got status %d, want %d", w.status, want)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.status = 0
		h.ServeHTTP(w, req)
	}
	b.StopTimer()
	if w.status != want {
		b.Fatalf("got status %d, want %d", w.status, want)
	}
}

// BenchmarkServeHTTP measures the request paths of the middleware against two floors: the
// backend alone, and the backend behind an interpreted handler that only calls it.
func BenchmarkServeHTTP(b *testing.B) {
	// The users of the requests that check no password.
	sha1Users := []string{
		// htpasswd -nbs ann 'ann-sha1'
		"ann:{SHA}XKr+3SlqHVULfPX+uRdzZak1rcw=",
	}
	b.Run("baseline-next-only", func(b *testing.B) {
		benchServe(b, benchNext, benchRequest(b, "/private", "", ""), http.StatusOK)
	})
	b.Run("baseline-noop-handler", func(b *testing.B) {
		benchServe(b, &benchNoop{next: benchNext}, benchRequest(b, "/private", "", ""), http.StatusOK)
	})
	b.Run("bypass", func(b *testing.B) {
		benchServe(b, benchMiddleware(b, sha1Users), benchRequest(b, "/api/chat", "", ""), http.StatusOK)
	})
	b.Run("bypass-slow-route", func(b *testing.B) {
		// An escape sends the decision through every reading of the path.
		benchServe(b, benchMiddleware(b, sha1Users), benchRequest(b, "/api/a%20b/c", "", ""), http.StatusOK)
	})
	b.Run("hostile-64KiB-path", func(b *testing.B) {
		// Any client can send a path this long (Go's servers take 1 MiB of headers): each
		// escape, parameter and dot segment adds readings, each as long as the path. Past
		// maxExploredPath it is authenticated instead of explored.
		target := "/api/" + strings.Repeat("a%255c;b/./", 6000)
		benchServe(b, benchMiddleware(b, sha1Users), benchRequest(b, target, "", ""), http.StatusUnauthorized)
	})
	b.Run("no-credentials-401", func(b *testing.B) {
		benchServe(b, benchMiddleware(b, sha1Users), benchRequest(b, "/private", "", ""), http.StatusUnauthorized)
	})
	for _, f := range benchFormats {
		f := f
		b.Run("cached/"+f.name, func(b *testing.B) {
			// The warm-up call of benchServe verifies the password once; every timed call
			// finds it in the cache.
			req := benchRequest(b, "/private", "ben", f.passwords[1])
			benchServe(b, benchMiddleware(b, f.users), req, http.StatusOK)
		})
	}
	// The options that change the cached route: usersFile is checked for edits, headerField
	// changes the request (as removeHeader does, which this reused request could not take),
	// maxFailures has a throttle to skip.
	cachedOptions := []struct {
		name   string
		config func(b *testing.B) *Config
	}{
		{name: "usersFile", config: func(b *testing.B) *Config {
			file := filepath.Join(b.TempDir(), "users")
			if err := os.WriteFile(file, []byte(sha1Users[0]+"\n"), 0o600); err != nil {
				b.Fatal(err)
			}
			return &Config{UsersFile: file}
		}},
		{name: "headerField", config: func(b *testing.B) *Config {
			return &Config{Users: sha1Users, HeaderField: "X-User"}
		}},
		{name: "maxFailures", config: func(b *testing.B) *Config {
			return &Config{Users: sha1Users, MaxFailures: 10}
		}},
	}
	for _, o := range cachedOptions {
		o := o
		b.Run("cached-with/"+o.name, func(b *testing.B) {
			config := o.config(b)
			config.BypassPaths = []string{"^/api/"}
			m, err := newMiddleware(benchNext, config, discardLogger())
			if err != nil {
				b.Fatal(err)
			}
			benchServe(b, m, benchRequest(b, "/private", "ann", "ann-sha1"), http.StatusOK)
		})
	}
	for _, f := range benchFormats {
		f := f
		b.Run("first-verification/"+f.name, func(b *testing.B) {
			if f.slow && testing.Short() {
				b.Skip("seconds under Yaegi; run without -short")
			}
			benchFirstVerification(b, f)
		})
	}
}

// benchFirstVerification measures what the first login of a user costs: ServeHTTP with the
// right password on an instance that has never seen it, so the digest misses the cache, the
// hash is verified through the gate, the digest is added to the cache and the backend is
// called. Every timed call gets a fresh instance, made with the timer stopped, in batches so
// that stopping the timer (which reads memory statistics) is not paid per call.
func benchFirstVerification(b *testing.B, f benchFormat) {
	b.Helper()
	const batch = 64
	req := benchRequest(b, "/private", "ben", f.passwords[1])
	w := &benchWriter{header: make(http.Header)}
	handlers := make([]http.Handler, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		n := b.N - i
		if n > batch {
			n = batch
		}
		b.StopTimer()
		for j := 0; j < n; j++ {
			handlers[j] = benchMiddleware(b, f.users)
		}
		b.StartTimer()
		for j := 0; j < n; j++ {
			w.status = 0
			handlers[j].ServeHTTP(w, req)
		}
	}
	b.StopTimer()
	if w.status != http.StatusOK {
		b.Fatalf("got status %d, want %d", w.status, http.StatusOK)
	}
}

// The timing pairs: for users sharing one hash format and cost, a wrong password for a known
// user (not the decoy) and an unknown user name must cost the same time within 20%. A wrong
// password is never cached, and the calls are sequential, so none is coalesced with another:
// every call verifies a hash. Compare BenchmarkWrongPassword/X with BenchmarkUnknownUser/X, or
// read the interleaved ratio of BenchmarkUnknownUserVsWrongPassword/X.

// benchTimingPasswordSuffix makes a wrong password of the same length as the right one.
const benchTimingPasswordSuffix = "-wrong"

// BenchmarkWrongPassword measures a wrong password for a known user who is not the decoy.
func BenchmarkWrongPassword(b *testing.B) {
	for _, f := range benchFormats {
		f := f
		b.Run(f.name, func(b *testing.B) {
			if f.slow && testing.Short() {
				b.Skip("seconds under Yaegi; run without -short")
			}
			req := benchRequest(b, "/private", "ben", f.passwords[1]+benchTimingPasswordSuffix)
			benchServe(b, benchMiddleware(b, f.users), req, http.StatusUnauthorized)
		})
	}
}

// BenchmarkUnknownUser measures a user name that is not configured, with the same password as
// BenchmarkWrongPassword.
func BenchmarkUnknownUser(b *testing.B) {
	for _, f := range benchFormats {
		f := f
		b.Run(f.name, func(b *testing.B) {
			if f.slow && testing.Short() {
				b.Skip("seconds under Yaegi; run without -short")
			}
			req := benchRequest(b, "/private", "nobody", f.passwords[1]+benchTimingPasswordSuffix)
			benchServe(b, benchMiddleware(b, f.users), req, http.StatusUnauthorized)
		})
	}
}

// BenchmarkUnknownUserVsWrongPassword alternates the two requests of the timing pair on one
// instance and reports the ratio of their total times as "unknown/wrong", so that drift of the
// machine's speed during the run affects both sides alike. ns/op is the time of one pair.
func BenchmarkUnknownUserVsWrongPassword(b *testing.B) {
	for _, f := range benchFormats {
		f := f
		b.Run(f.name, func(b *testing.B) {
			if f.slow && testing.Short() {
				b.Skip("seconds under Yaegi; run without -short")
			}
			h := benchMiddleware(b, f.users)
			wrong := benchRequest(b, "/private", "ben", f.passwords[1]+benchTimingPasswordSuffix)
			unknown := benchRequest(b, "/private", "nobody", f.passwords[1]+benchTimingPasswordSuffix)
			w := &benchWriter{header: make(http.Header)}
			var wrongTime, unknownTime time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Each goes first every other time, so neither always follows the other.
				first := wrong
				second := unknown
				if i%2 == 1 {
					first = unknown
					second = wrong
				}
				start := time.Now()
				h.ServeHTTP(w, first)
				mid := time.Now()
				h.ServeHTTP(w, second)
				end := time.Now()
				if i%2 == 1 {
					unknownTime += mid.Sub(start)
					wrongTime += end.Sub(mid)
				} else {
					wrongTime += mid.Sub(start)
					unknownTime += end.Sub(mid)
				}
			}
			b.StopTimer()
			if w.status != http.StatusUnauthorized {
				b.Fatalf("got status %d, want %d", w.status, http.StatusUnauthorized)
			}
			if wrongTime > 0 {
				b.ReportMetric(float64(unknownTime)/float64(wrongTime), "unknown/wrong")
			}
		})
	}
}

package demo_test

// This file runs the README's Plugin Catalog installation in the real Traefik without the
// network: Traefik's catalog client reaches plugins.traefik.io through an HTTPS proxy (the
// standard HTTPS_PROXY variable) that is a test server here, trusted through SSL_CERT_FILE, and
// that serves this repository as the module zip the Catalog would serve for the tag.

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// catalogHost is the host Traefik v3.6.12 downloads plugins from (pkg/plugins/manager.go,
// pluginsURL "https://plugins.traefik.io/public/").
const catalogHost = "plugins.traefik.io"

// TestCatalogInstall starts Traefik with examples/install-catalog.yml as its experimental
// section, as the README shows it, and a fake Catalog: Traefik must download the module zip,
// have the fake Catalog validate its hash, load the plugin and serve the demo's router with it.
// It sets environment variables for the Traefik it starts, so it cannot run in parallel.
func TestCatalogInstall(t *testing.T) {
	content := readExample(t, "install-catalog.yml")
	desc := decodeStaticPlugins(t, content, ".yml").Experimental.Plugins[pluginName]
	archive := pluginModuleZip(t, desc.ModuleName, desc.Version)
	sum := sha256.Sum256(archive)
	hash := hex.EncodeToString(sum[:])

	// This process's own HTTP clients read the proxy variables once, at their first use: make
	// that happen now, so that the variables set below reach only the Traefik started here.
	_, _ = http.ProxyFromEnvironment(&http.Request{URL: &url.URL{Scheme: "https", Host: catalogHost}})

	catalog := &fakeCatalog{module: desc.ModuleName, version: desc.Version, archive: archive, hash: hash}
	caFile, leaf := catalogCertificates(t)
	proxy := startCatalogProxy(t, leaf, catalog)
	for _, name := range []string{"HTTPS_PROXY", "https_proxy"} {
		t.Setenv(name, proxy)
	}
	for _, name := range []string{"NO_PROXY", "no_proxy"} {
		t.Setenv(name, "")
	}
	t.Setenv("SSL_CERT_FILE", caFile)

	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{
		static: staticWithExperimental(t, content), staticExt: ".yml",
		dynamic: scenarioConfig(t), routers: []string{"site"},
		prepare: func(t *testing.T, dir string) {
			// Not the local plugin: the Catalog's copy must be the one that runs.
			if err := os.RemoveAll(filepath.Join(dir, "plugins-local")); err != nil {
				t.Fatal(err)
			}
		},
	})
	wantEnabled(t, tr, "site")
	runOpsExchanges(t, be, []opsExchange{
		{name: "protected", addr: tr.Addr, host: "app.test", target: "/", wantStatus: 401},
		{name: "protected with credentials", addr: tr.Addr, host: "app.test", target: "/", headers: []string{demoBasic}, wantStatus: 200, wantForwarded: true},
		{name: "bypassed", addr: tr.Addr, host: "app.test", target: "/api/chat", headers: []string{"Authorization: Bearer t"}, wantStatus: 200, wantForwarded: true},
	})

	catalog.mu.Lock()
	defer catalog.mu.Unlock()
	if catalog.downloads != 1 || catalog.validations != 1 {
		t.Errorf("fake Catalog: got %d downloads and %d validations, want 1 each", catalog.downloads, catalog.validations)
	}
	if len(catalog.refused) > 0 {
		t.Errorf("Traefik tried to reach other hosts through the proxy: %q", catalog.refused)
	}
	if lines := tr.logLines(t, "Plugins loaded.", pluginName); len(lines) == 0 {
		t.Errorf("no \"Plugins loaded.\" line in Traefik's log")
	}
	stored := filepath.Join(tr.Dir, "plugins-storage", "archives", filepath.FromSlash(desc.ModuleName), desc.Version+".zip")
	if data, err := os.ReadFile(stored); err != nil || !bytes.Equal(data, archive) {
		t.Errorf("Traefik's stored archive %s: %v, equal to the served one: %t", stored, err, bytes.Equal(data, archive))
	}
}

// pluginModuleZip returns the module zip of the plugin at version, as the Go module proxy (and
// so the Catalog) makes it from a tag: made with golang.org/x/mod/zip from the files Traefik's
// local plugin loader gets in the tests (the non-test .go files, go.mod, .traefik.yml).
func pluginModuleZip(t *testing.T, modulePath, version string) []byte {
	t.Helper()
	dir := t.TempDir()
	layoutPlugin(t, dir)
	var buf bytes.Buffer
	if err := zip.CreateFromDir(&buf, module.Version{Path: modulePath, Version: version}, pluginDirIn(dir)); err != nil {
		t.Fatalf("making the module zip: %v", err)
	}
	return buf.Bytes()
}

// fakeCatalog answers Traefik's two Catalog requests for one plugin version: the download of
// its archive and the validation of its hash.
type fakeCatalog struct {
	module, version, hash string
	archive               []byte

	mu                     sync.Mutex
	downloads, validations int
	refused                []string
}

// ServeHTTP serves /public/download/<module>/<version> (304 when X-Plugin-Hash already names
// the archive) and /public/validate/<module>/<version> (200 when X-Plugin-Hash is right).
func (c *fakeCatalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	suffix := "/" + c.module + "/" + c.version
	switch r.URL.Path {
	case "/public/download" + suffix:
		c.downloads++
		if r.Header.Get("X-Plugin-Hash") == c.hash {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		_, _ = w.Write(c.archive)
	case "/public/validate" + suffix:
		c.validations++
		if r.Header.Get("X-Plugin-Hash") != c.hash {
			http.Error(w, "hash mismatch", http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		c.refused = append(c.refused, r.Host+r.URL.Path)
		http.NotFound(w, r)
	}
}

// catalogCertificates makes a CA, writes it as PEM for SSL_CERT_FILE, and returns that file and
// a certificate for catalogHost signed by the CA.
func catalogCertificates(t *testing.T) (string, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "basicauthbypass test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: catalogHost},
		DNSNames:     []string{catalogHost},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTemplate, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	writeFile(t, caFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})))
	return caFile, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}
}

// startCatalogProxy starts an HTTPS proxy on 127.0.0.1 that accepts CONNECT to catalogHost:443
// only, terminates TLS with leaf and serves the tunnel with h; it returns the proxy's URL and
// stops when the test ends. Any other CONNECT is refused and recorded in h.refused.
func startCatalogProxy(t *testing.T, leaf tls.Certificate, h *fakeCatalog) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tunnels := &connListener{conns: make(chan net.Conn), done: make(chan struct{}), addr: ln.Addr()}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: requestTimeout}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{leaf}, NextProtos: []string{"http/1.1"}}
	go func() { _ = srv.Serve(tunnels) }()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				_ = conn.SetReadDeadline(time.Now().Add(requestTimeout))
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					conn.Close()
					return
				}
				if req.Method != http.MethodConnect || req.Host != catalogHost+":443" {
					h.mu.Lock()
					h.refused = append(h.refused, req.Method+" "+req.Host)
					h.mu.Unlock()
					_, _ = conn.Write([]byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))
					conn.Close()
					return
				}
				_ = conn.SetReadDeadline(time.Time{})
				if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
					conn.Close()
					return
				}
				select {
				case tunnels.conns <- tls.Server(conn, tlsConfig):
				case <-tunnels.done:
					conn.Close()
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		srv.Close()
	})
	return "http://" + ln.Addr().String()
}

// connListener is a net.Listener whose connections come from a channel.
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	addr  net.Addr
}

// Accept returns the next connection, or net.ErrClosed once closed.
func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops Accept.
func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr returns the proxy's address.
func (l *connListener) Addr() net.Addr {
	return l.addr
}

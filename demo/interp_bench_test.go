package demo_test

// BenchmarkTraefikYaegi measures what ServeHTTP costs as Traefik v3.6.12 runs it, without the
// noise of a network load test: the plugin is loaded the way Traefik's plugin loader does it
// (pkg/plugins/middlewareyaegi.go: a Yaegi interpreter with the standard library's symbols,
// the plugin imported from a GOPATH, CreateConfig decoded by mapstructure, New called by
// reflection), and its handler is called from compiled code, over a compiled next handler, as
// Traefik's router calls it. The no-op plugin of the load comparison is the floor.

import (
	"context"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mitchellh/mapstructure"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// interpHandler loads the plugin of module (laid out in goPath) as Traefik does, with config,
// over next.
func interpHandler(b *testing.B, goPath, module string, config map[string]any, next http.Handler) http.Handler {
	b.Helper()
	i := interp.New(interp.Options{GoPath: goPath})
	if err := i.Use(stdlib.Symbols); err != nil {
		b.Fatal(err)
	}
	if _, err := i.Eval(`import "` + module + `"`); err != nil {
		b.Fatal(err)
	}
	pkg := module[strings.LastIndex(module, "/")+1:]
	fnNew, err := i.Eval(pkg + ".New")
	if err != nil {
		b.Fatal(err)
	}
	fnCreateConfig, err := i.Eval(pkg + ".CreateConfig")
	if err != nil {
		b.Fatal(err)
	}
	vConfig := fnCreateConfig.Call(nil)[0]
	decoder, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook:       mapstructure.StringToSliceHookFunc(","),
		WeaklyTypedInput: true,
		Result:           vConfig.Interface(),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := decoder.Decode(config); err != nil {
		b.Fatal(err)
	}
	args := []reflect.Value{reflect.ValueOf(context.Background()), reflect.ValueOf(next), vConfig, reflect.ValueOf("bench")}
	results := fnNew.Call(args)
	if e := results[1].Interface(); e != nil {
		b.Fatalf("New: %v", e)
	}
	return results[0].Interface().(http.Handler)
}

// interpWriter is a reusable ResponseWriter that records the status.
type interpWriter struct {
	header http.Header
	status int
}

func (w *interpWriter) Header() http.Header         { return w.header }
func (w *interpWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *interpWriter) WriteHeader(status int)      { w.status = status }

func BenchmarkTraefikYaegi(b *testing.B) {
	// Traefik's GOPATH for local plugins is plugins-local, where the harness lays them out.
	dir := b.TempDir()
	layoutPlugin(b, dir)
	layoutNoopPlugin(b, dir)
	goPath := filepath.Join(dir, "plugins-local")

	next := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusOK) })
	// Users of every format, as the load comparison makes them; the cached ones log in first.
	users := []any{}
	var logins []*http.Request
	for _, u := range makePerfUsers(b, 0) {
		entry := strings.Replace(u.warm.entry, "warm:", u.format.name+":", 1)
		users = append(users, entry)
		req, _ := http.NewRequest(http.MethodGet, "http://example.com/c/new", nil)
		req.SetBasicAuth(u.format.name, u.warm.password)
		logins = append(logins, req)
	}
	config := map[string]any{"users": users, "bypassPaths": []any{"^/api/"}}
	plugin := interpHandler(b, goPath, pluginModule, config, next)
	noop := interpHandler(b, goPath, perfNoopModule, map[string]any{}, next)

	run := func(b *testing.B, h http.Handler, req *http.Request) {
		w := &interpWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("got status %d, want 200", w.status)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			h.ServeHTTP(w, req)
		}
	}
	page, _ := http.NewRequest(http.MethodGet, "http://example.com/c/new", nil)
	api, _ := http.NewRequest(http.MethodGet, "http://example.com/api/chat", nil)
	api.Header.Set("Authorization", "Bearer perf-token")
	// The README's recommended options: users in a file, followed for edits, and maxFailures.
	usersFile := filepath.Join(dir, "users")
	lines := ""
	for _, u := range users {
		lines += u.(string) + "\n"
	}
	writeFile(b, usersFile, lines)
	withFile := interpHandler(b, goPath, pluginModule, map[string]any{"usersFile": usersFile, "maxFailures": "10", "bypassPaths": []any{"^/api/"}}, next)
	withHeader := interpHandler(b, goPath, pluginModule, map[string]any{"users": users, "headerField": "X-User", "bypassPaths": []any{"^/api/"}}, next)
	sha1Login := logins[len(logins)-2] // perfFormats ends with sha1, ssha

	b.Run("next-only", func(b *testing.B) { run(b, next, page) })
	b.Run("yaegi-noop", func(b *testing.B) { run(b, noop, page) })
	b.Run("plugin-bypassed", func(b *testing.B) { run(b, plugin, api) })
	for i, f := range perfFormats {
		req := logins[i]
		b.Run("plugin-cached-"+f.name, func(b *testing.B) { run(b, plugin, req) })
	}
	b.Run("plugin-cached-sha1-usersFile-maxFailures", func(b *testing.B) { run(b, withFile, sha1Login) })
	b.Run("plugin-cached-sha1-headerField", func(b *testing.B) { run(b, withHeader, sha1Login) })
	b.Run("plugin-no-credentials-401", func(b *testing.B) {
		w := &interpWriter{header: http.Header{}}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			w.header = http.Header{}
			plugin.ServeHTTP(w, page)
		}
		if w.status != http.StatusUnauthorized {
			b.Fatalf("got status %d, want 401", w.status)
		}
	})
}

package demo_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// badConfig has one good router and one router per configuration the plugin must refuse. Each
// router has its own host.
const badConfig = `
http:
  routers:
    good:
      entryPoints: [web]
      rule: "Host(` + "`good.test`" + `)"
      middlewares: [good]
      service: backend
    badregex:
      entryPoints: [web]
      rule: "Host(` + "`badregex.test`" + `)"
      middlewares: [badregex]
      service: backend
    cutregex:
      entryPoints: [web]
      rule: "Host(` + "`cutregex.test`" + `)"
      middlewares: [cutregex]
      service: backend
    plaintext:
      entryPoints: [web]
      rule: "Host(` + "`plaintext.test`" + `)"
      middlewares: [plaintext]
      service: backend
    desfile:
      entryPoints: [web]
      rule: "Host(` + "`desfile.test`" + `)"
      middlewares: [desfile]
      service: backend
  middlewares:
    good:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          bypassPaths: ["^/api/"]
    badregex:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          bypassPaths: ["^/api/", "^/(unclosed/"]
    cutregex:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `"]
          # One string, so Traefik splits it at the comma into "^/(api" and "health)/".
          bypassPaths: "^/(api,health)/"
    plaintext:
      plugin:
        basicauthbypass:
          users: ["demo:` + demoHash + `", "alice:` + plainPassword + `"]
          bypassPaths: ["^/api/"]
    desfile:
      plugin:
        basicauthbypass:
          usersFile: "{{DIR}}/des-users"
          bypassPaths: ["^/api/"]
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

const (
	// plainPassword is a plain-text "hash": the plugin must refuse it, and never log it.
	plainPassword = "plain-text-secret"
	// desLine is a DES-crypt entry, a format the plugin refuses, made with: htpasswd -nbd demo demo
	desLine = "demo:KXkYwTgR.0gAA"
)

// badRouters are the routers of badConfig the plugin must refuse, with a fragment the error in
// Traefik's log must contain.
var badRouters = []struct {
	name     string
	errorHas string
}{
	{"badregex", "bypassPaths[1]"},
	{"cutregex", "bypassPaths[0]"},
	{"plaintext", "alice"},
	{"desfile", "des-users"},
}

// TestBadConfigNeverServesUnprotected checks what Traefik does when the plugin's New refuses its
// configuration: the router is disabled, so its requests get Traefik's 404 (never the backend),
// the rest of the site is unaffected, and the error is logged, without the secret. The same holds
// with experimental.abortOnPluginFailure, which only concerns loading the plugin's code.
func TestBadConfigNeverServesUnprotected(t *testing.T) {
	t.Parallel()
	for _, abort := range []bool{false, true} {
		abort := abort
		t.Run(fmt.Sprintf("abortOnPluginFailure=%t", abort), func(t *testing.T) {
			t.Parallel()
			be := startBackend(t)
			routers := []string{"good"}
			for _, r := range badRouters {
				routers = append(routers, r.name)
			}
			tr := startTraefik(t, be, traefikConfig{
				dynamic:              badConfig,
				routers:              routers,
				abortOnPluginFailure: abort,
				prepare: func(t *testing.T, dir string) {
					writeFile(t, filepath.Join(dir, "des-users"), desLine+"\n")
				},
			})
			wantEnabled(t, tr, "good")

			for _, r := range badRouters {
				info := tr.Routers[r.name]
				if info.Status != "disabled" {
					t.Errorf("router %s: got status %q, want disabled", r.name, info.Status)
				}
				if errs := strings.Join(info.Error, "\n"); !strings.Contains(errs, r.errorHas) {
					t.Errorf("router %s: got API error %q, want it to contain %q", r.name, errs, r.errorHas)
				}
				lines := tr.logLines(t, "ERR", "routerName="+r.name+"@file", r.errorHas)
				if len(lines) == 0 {
					t.Errorf("router %s: no ERR log line with %q", r.name, r.errorHas)
				}
				for _, line := range lines {
					t.Logf("router %s: %s", r.name, line)
				}
			}
			// Traefik's DEBUG log dumps the dynamic configuration, secrets included; the errors
			// must not repeat them.
			for _, secret := range []string{plainPassword, strings.TrimPrefix(desLine, "demo:")} {
				for _, level := range []string{" ERR ", " WRN "} {
					if lines := tr.logLines(t, level, secret); len(lines) > 0 {
						t.Errorf("Traefik's log has the secret %q in %q", secret, lines)
					}
				}
				for _, r := range badRouters {
					if errs := strings.Join(tr.Routers[r.name].Error, "\n"); strings.Contains(errs, secret) {
						t.Errorf("router %s: API error %q contains the secret %q", r.name, errs, secret)
					}
				}
			}

			var exs []exchange
			for _, r := range badRouters {
				host := "Host: " + r.name + ".test"
				exs = append(exs,
					exchange{name: r.name + " protected", target: "/", headers: []string{host}, wantStatus: http.StatusNotFound},
					exchange{name: r.name + " protected with credentials", target: "/", headers: []string{host, demoBasic}, wantStatus: http.StatusNotFound},
					exchange{name: r.name + " bypass path", target: "/api/chat", headers: []string{host, "Authorization: Bearer x"}, wantStatus: http.StatusNotFound},
				)
			}
			exs = append(exs,
				exchange{name: "good protected", target: "/", headers: []string{"Host: good.test"}, wantStatus: 401},
				exchange{name: "good with credentials", target: "/", headers: []string{"Host: good.test", demoBasic}, wantStatus: 200, wantForwarded: true},
				exchange{name: "good bypass", target: "/api/chat", headers: []string{"Host: good.test"}, wantStatus: 200, wantForwarded: true},
			)
			runExchanges(t, be, tr.Addr, "traefik", exs)
		})
	}
}

// brokenPlugin adds a file to the plugin that Yaegi cannot load.
func brokenPlugin(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, filepath.Join(pluginDirIn(dir), "broken.go"), "package basicauthbypass\n\nfunc broken() { undefinedFunction() }\n")
}

// TestPluginLoadFailure checks the case experimental.abortOnPluginFailure is about: the plugin's
// code does not load. Without the option Traefik starts with plugins disabled and the router that
// uses the plugin is disabled (404, never unprotected); with it, Traefik exits with an error.
func TestPluginLoadFailure(t *testing.T) {
	t.Parallel()
	t.Run("abortOnPluginFailure=false", func(t *testing.T) {
		t.Parallel()
		be := startBackend(t)
		tr := startTraefik(t, be, traefikConfig{dynamic: scenarioConfig(t), routers: []string{"site"}, prepare: brokenPlugin})
		if got := tr.Routers["site"]; got.Status != "disabled" {
			t.Errorf("router site: got status %q (errors %q), want disabled", got.Status, got.Error)
		}
		for _, want := range []string{"Plugins are disabled because an error has occurred.", "routerName=site@file"} {
			lines := tr.logLines(t, want)
			if len(lines) == 0 {
				t.Errorf("no log line with %q", want)
			}
			for _, line := range lines {
				if strings.Contains(line, "ERR") {
					t.Logf("%s", line)
				}
			}
		}
		runExchanges(t, be, tr.Addr, "traefik", []exchange{
			{name: "protected", target: "/", wantStatus: http.StatusNotFound},
			{name: "bypass path", target: "/api/chat", headers: []string{"Authorization: Bearer x"}, wantStatus: http.StatusNotFound},
		})
	})
	t.Run("abortOnPluginFailure=true", func(t *testing.T) {
		t.Parallel()
		tr := startTraefik(t, nil, traefikConfig{dynamic: scenarioConfig(t), abortOnPluginFailure: true, prepare: brokenPlugin, expectExit: true})
		if tr.ExitErr == nil {
			t.Fatalf("traefik exited with status 0, want an error")
		}
		t.Logf("traefik exited: %v", tr.ExitErr)
		const want = "plugin: failed to create plugin builder"
		lines := tr.logLines(t, want)
		if len(lines) == 0 {
			t.Errorf("no log line with %q", want)
		}
		for _, line := range lines {
			t.Logf("%s", line)
		}
	})
}

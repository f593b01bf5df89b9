package demo_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tomlConfig is the LibreChat scenario in TOML (with realm set, to see a scalar option arrive).
const tomlConfig = `
[http.routers.site]
  entryPoints = ["web"]
  rule = "PathPrefix(` + "`/`" + `)"
  middlewares = ["auth"]
  service = "backend"

[http.middlewares.auth.plugin.basicauthbypass]
  users = ["demo:` + demoHash + `"]
  realm = "toml"
  bypassPaths = ["^/api/", "^/health$"]

[[http.services.backend.loadBalancer.servers]]
  url = "{{BACKEND}}"
`

// TestTOML runs Traefik with a static and a dynamic configuration written in TOML.
func TestTOML(t *testing.T) {
	t.Parallel()
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{
		static: tomlStatic, staticExt: ".toml",
		dynamic: tomlConfig, dynamicExt: ".toml",
		routers: []string{"site"},
	})
	wantEnabled(t, tr, "site")
	runExchanges(t, be, tr.Addr, "toml", []exchange{
		{name: "protected without credentials", target: "/", wantStatus: 401},
		{name: "protected with credentials", target: "/", headers: []string{demoBasic}, wantStatus: 200, wantForwarded: true},
		{
			name: "api with bearer", target: "/api/chat", headers: []string{"Authorization: Bearer x"},
			wantStatus: 200, wantForwarded: true, wantHeaders: map[string]string{"Authorization": "Bearer x"},
		},
		{name: "second list entry", target: "/health", wantStatus: 200, wantForwarded: true},
		{name: "second list entry is anchored", target: "/healthz", wantStatus: 401},
		{name: "path confusion", target: "/api/..;/admin", wantStatus: 401},
	})
}

// commaConfig gives the plugin's lists in the two shapes Traefik's file provider can hand over:
// one string that Traefik splits at commas (as it does for label values), and a real list, which
// reaches the plugin whole, commas included.
const commaConfig = `
http:
  routers:
    comma:
      entryPoints: [web]
      rule: "Host(` + "`comma.test`" + `)"
      middlewares: [comma]
      service: backend
    list:
      entryPoints: [web]
      rule: "Host(` + "`list.test`" + `)"
      middlewares: [list]
      service: backend
  middlewares:
    comma:
      plugin:
        basicauthbypass:
          users: "demo:` + demoHash + `"
          bypassPaths: "^/api/,^/health$"
    list:
      plugin:
        basicauthbypass:
          users:
            - "demo:` + demoHash + `"
          bypassPaths:
            - "^/v{1,2}/"
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// TestCommaSeparatedLists checks how list options survive Traefik's decoding: a single string is
// split at commas into a list (so "^/api/,^/health$" is two regexes), while a YAML list keeps a
// regex with a comma whole (so indexed labels, bypassPaths[0]=..., are the way to write one).
func TestCommaSeparatedLists(t *testing.T) {
	t.Parallel()
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{dynamic: commaConfig, routers: []string{"comma", "list"}})
	wantEnabled(t, tr, "comma", "list")

	t.Run("one string split at commas", func(t *testing.T) {
		host := "Host: comma.test"
		runExchanges(t, be, tr.Addr, "traefik", []exchange{
			{name: "first regex", target: "/api/chat", headers: []string{host}, wantStatus: 200, wantForwarded: true},
			{name: "second regex", target: "/health", headers: []string{host}, wantStatus: 200, wantForwarded: true},
			{name: "second regex is anchored", target: "/healthz", headers: []string{host}, wantStatus: 401},
			{name: "protected", target: "/", headers: []string{host}, wantStatus: 401},
			{name: "user from a string", target: "/", headers: []string{host, demoBasic}, wantStatus: 200, wantForwarded: true},
		})
	})
	t.Run("list keeps a comma", func(t *testing.T) {
		host := "Host: list.test"
		runExchanges(t, be, tr.Addr, "traefik", []exchange{
			{name: "v1", target: "/v/x", headers: []string{host}, wantStatus: 200, wantForwarded: true},
			{name: "v2", target: "/vv/x", headers: []string{host}, wantStatus: 200, wantForwarded: true},
			{name: "v3", target: "/vvv/x", headers: []string{host}, wantStatus: 401},
		})
	})
}

// htpasswdUser is one user made by the real htpasswd with the flag that selects its format.
type htpasswdUser struct {
	name, password, flag string
}

// TestUsersFile reads users from an htpasswd file that the real htpasswd makes at test time, in
// every format it writes that the plugin supports (bcrypt, apr1, SHA-1, SHA-256-crypt,
// SHA-512-crypt).
func TestUsersFile(t *testing.T) {
	t.Parallel()
	htpasswd, err := exec.LookPath("htpasswd")
	if err != nil {
		t.Skip("htpasswd not found: install apache2-utils (CI does) to run this test")
	}
	users := []htpasswdUser{
		{"bcrypt", "pw-bcrypt:with:colons", "-B"},
		{"apr1", "pw-apr1 with spaces", "-m"},
		{"sha1", "pw-sha1", "-s"},
		{"sha256", "pw-sha256-é", "-2"},
		{"sha512", "pw-sha512", "-5"},
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "users")
	var content strings.Builder
	content.WriteString("# made at test time by htpasswd -nb<format>\n\n")
	for _, u := range users {
		// htpasswd -nb<flag> name password
		out, err := exec.Command(htpasswd, "-nb"+strings.TrimPrefix(u.flag, "-"), u.name, u.password).Output()
		if err != nil {
			t.Fatalf("htpasswd %s: %v", u.flag, err)
		}
		content.WriteString("  " + strings.TrimSpace(string(out)) + "  \n")
	}
	if err := os.WriteFile(file, []byte(content.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{dynamic: strings.ReplaceAll(usersFileConfig, "{{USERS}}", file), routers: []string{"site"}})
	wantEnabled(t, tr, "site")

	var exs []exchange
	for i, u := range users {
		other := users[(i+1)%len(users)]
		exs = append(exs,
			exchange{
				name: u.name + " right password", target: "/", headers: []string{basicAuth(u.name, u.password)},
				wantStatus: 200, wantForwarded: true, wantHeaders: map[string]string{"X-User": u.name},
			},
			exchange{name: u.name + " wrong password", target: "/", headers: []string{basicAuth(u.name, u.password+"x")}, wantStatus: 401},
			exchange{name: u.name + " other user's password", target: "/", headers: []string{basicAuth(u.name, other.password)}, wantStatus: 401},
		)
	}
	runExchanges(t, be, tr.Addr, "traefik", exs)
}

// usersFileConfig protects the whole site with the users of {{USERS}}.
const usersFileConfig = `
http:
  routers:
    site:
      entryPoints: [web]
      rule: "PathPrefix(` + "`/`" + `)"
      middlewares: [auth]
      service: backend
  middlewares:
    auth:
      plugin:
        basicauthbypass:
          usersFile: "{{USERS}}"
          headerField: X-User
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

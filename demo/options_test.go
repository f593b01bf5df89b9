package demo_test

import (
	"testing"
)

// optionsConfig exercises realm, headerField and removeHeader on the whole site, /api/ bypassed.
const optionsConfig = `
http:
  routers:
    opts:
      entryPoints: [web]
      rule: "PathPrefix(` + "`/`" + `)"
      middlewares: [opts]
      service: backend
  middlewares:
    opts:
      plugin:
        basicauthbypass:
          users:
            - "demo:` + demoHash + `"
          realm: "Demo Realm"
          headerField: X-Auth-User
          removeHeader: true
          bypassPaths:
            - "^/api/"
  services:
    backend:
      loadBalancer:
        servers:
          - url: "{{BACKEND}}"
`

// TestOptions checks realm, removeHeader and headerField in the real Traefik, including clients
// that try to forge headerField in any spelling, on authenticated and on bypassed requests.
func TestOptions(t *testing.T) {
	t.Parallel()
	be := startBackend(t)
	tr := startTraefik(t, be, traefikConfig{dynamic: optionsConfig, routers: []string{"opts"}})
	wantEnabled(t, tr, "opts")

	runExchanges(t, be, tr.Addr, "Demo Realm", []exchange{
		{name: "no credentials", target: "/", wantStatus: 401},
		{
			name: "wrong credentials with a forged user", target: "/",
			headers:    []string{basicAuth(demoUser, "wrong"), "X-Auth-User: demo"},
			wantStatus: 401,
		},
		{
			name: "authenticated: user forwarded, Authorization removed", target: "/", headers: []string{demoBasic},
			wantStatus: 200, wantForwarded: true,
			wantHeaders: map[string]string{"X-Auth-User": "demo", "Authorization": ""},
		},
		{
			name: "authenticated, forged in lower case", target: "/",
			headers:    []string{demoBasic, "x-auth-user: admin"},
			wantStatus: 200, wantForwarded: true,
			wantHeaders: map[string]string{"X-Auth-User": "demo", "Authorization": ""},
		},
		{
			name: "authenticated, forged twice in other cases", target: "/",
			headers:    []string{"X-AUTH-USER: admin", demoBasic, "x-Auth-user: root"},
			wantStatus: 200, wantForwarded: true,
			wantHeaders: map[string]string{"X-Auth-User": "demo"},
		},
		{
			name: "authenticated, forged with underscores", target: "/",
			headers:    []string{demoBasic, "X_Auth_User: admin", "x_auth-USER: root"},
			wantStatus: 200, wantForwarded: true,
			wantHeaders: map[string]string{"X-Auth-User": "demo", "X_auth_user": "", "X_auth-User": ""},
		},
		{
			name: "bypassed: forged user removed, Bearer kept", target: "/api/chat",
			headers:    []string{"Authorization: Bearer x", "x-auth-user: admin", "X_AUTH_USER: root"},
			wantStatus: 200, wantForwarded: true,
			wantHeaders: map[string]string{"X-Auth-User": "", "X_auth_user": "", "Authorization": "Bearer x"},
		},
		{
			name: "bypassed: Basic credentials kept", target: "/api/chat", headers: []string{demoBasic},
			wantStatus: 200, wantForwarded: true,
			wantHeaders: map[string]string{"X-Auth-User": "", "Authorization": demoBasicValue},
		},
	})
}

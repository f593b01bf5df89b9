#!/bin/sh
# run.sh starts the demo (the LibreChat scenario): the echo backend standing in for LibreChat and a
# real Traefik v3.6.12 with this plugin as a local plugin, configured by config/traefik.yml and
# config/dynamic.yml. It prints the URL, the demo credentials and three curl commands, then runs until
# Ctrl-C (SIGINT) or SIGTERM, on which it stops both processes and removes its working directory.
#
# Environment:
#   DEMO_PORT     port of Traefik's entrypoint on 127.0.0.1 (default 8080)
#   TRAEFIK_BIN   Traefik binary to use (default: bin/traefik, built if missing)
#   PLUGIN_SRC    directory holding the plugin's code (default: the repository root)
set -eu

demo_dir=$(cd "$(dirname "$0")" && pwd)
plugin_src=$(cd "${PLUGIN_SRC:-$demo_dir/..}" && pwd)
port=${DEMO_PORT:-8080}
traefik_version=v3.6.12
module=github.com/basicauthbypass/basicauthbypass

cd "$demo_dir"
command -v curl >/dev/null || { echo "run.sh: curl is needed (to wait for Traefik, and for the demo's commands)" >&2; exit 1; }

# Build what is missing: Traefik only when absent (a cold build takes minutes), the backend always
# (seconds, and it keeps it in step with the source).
traefik_bin=${TRAEFIK_BIN:-$demo_dir/bin/traefik}
if [ ! -x "$traefik_bin" ]; then
	echo "Building Traefik $traefik_version into $traefik_bin (a cold build takes several minutes)..."
	go build -o "$traefik_bin" -ldflags "-X github.com/traefik/traefik/v3/pkg/version.Version=$traefik_version" \
		github.com/traefik/traefik/v3/cmd/traefik
fi
go build -o bin/echo ./cmd/echo

# Lay out a fresh working directory: the plugin as Traefik's local plugin, from the repository's own
# files (never a stale copy), and the two configuration files.
work=$(mktemp -d "${TMPDIR:-/tmp}/basicauthbypass-demo.XXXXXX")
backend_pid=
traefik_pid=

stop() {
	trap - INT TERM EXIT
	for pid in $traefik_pid $backend_pid; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in $traefik_pid $backend_pid; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

plugin_dir=$work/plugins-local/src/$module
mkdir -p "$plugin_dir"
for f in "$plugin_src"/*.go; do
	case $f in
	*_test.go) ;;
	*) cp "$f" "$plugin_dir/" ;;
	esac
done
cp "$plugin_src/go.mod" "$plugin_src/.traefik.yml" "$plugin_dir/"

# Start the backend on a free port and read the address it prints first.
"$demo_dir/bin/echo" -addr 127.0.0.1:0 >"$work/echo.addr" &
backend_pid=$!
i=0
while [ ! -s "$work/echo.addr" ]; do
	i=$((i + 1))
	if [ "$i" -gt 100 ] || ! kill -0 "$backend_pid" 2>/dev/null; then
		echo "run.sh: the echo backend did not start" >&2
		exit 1
	fi
	sleep 0.1
done
backend_addr=$(head -n 1 "$work/echo.addr")

sed "s|127.0.0.1:8080|127.0.0.1:$port|" config/traefik.yml >"$work/traefik.yml"
sed "s|http://127.0.0.1:8081|http://$backend_addr|" config/dynamic.yml >"$work/dynamic.yml"

(cd "$work" && exec "$traefik_bin" --configFile=traefik.yml) &
traefik_pid=$!

# Wait, bounded, until the router answers: any status but 404 (no router yet) will do.
url=http://127.0.0.1:$port
i=0
until status=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/") && [ "$status" != 000 ] && [ "$status" != 404 ]; do
	i=$((i + 1))
	if ! kill -0 "$traefik_pid" 2>/dev/null; then
		echo "run.sh: Traefik exited; its log is above" >&2
		exit 1
	fi
	if [ "$i" -gt 300 ]; then
		if [ "$status" = 404 ]; then
			echo "run.sh: Traefik answers 404: the router is disabled, because the plugin failed to load or refused its configuration (see the ERR lines above)" >&2
		else
			echo "run.sh: Traefik did not serve $url within 30 s" >&2
		fi
		exit 1
	fi
	sleep 0.1
done

cat <<MSG

Demo running: Traefik $traefik_version on $url, backend (echo) on http://$backend_addr
Credentials: demo / demo    (everything but ^/api/ asks for them)

  # protected, no credentials: 401 with a Basic challenge
  curl -i $url/
  # protected, with credentials: 200, the backend echoes what it received
  curl -i -u demo:demo $url/
  # bypassed API with its own token: 200, the backend received "Authorization: Bearer my-token" intact
  curl -i -H 'Authorization: Bearer my-token' $url/api/

Press Ctrl-C to stop.
MSG

wait "$traefik_pid"

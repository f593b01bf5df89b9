# The plugin is one stdlib-only package at the root; demo/ is its own module with the real Traefik.
MODULE   := github.com/basicauthbypass/basicauthbypass
TOOLS    := $(CURDIR)/.tools
YAEGI    := $(TOOLS)/yaegi
FUZZTIME ?= 30s
export PATH := $(TOOLS):$(PATH)

.PHONY: test lint unit yaegi_test e2e demo tools fuzz bench load clean

## test: everything — lint, race unit tests, yaegi test, end-to-end tests against the real Traefik.
test: tools lint unit yaegi_test e2e

## demo: the LibreChat scenario in a real Traefik v3.6.12 on 127.0.0.1 (Ctrl-C stops it).
demo:
	$(MAKE) -C demo demo

## lint: gofmt, go vet (both modules), and the stdlib-only rule for the plugin's go.mod.
lint:
	@unformatted=$$(gofmt -l . | grep -v '^vendor/'); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	go vet ./...
	@if [ -f demo/go.mod ]; then cd demo && go vet ./...; fi
	@if grep -Eq '^[[:space:]]*require' go.mod; then echo "go.mod must not require anything: Yaegi runs the plugin from the standard library only"; exit 1; fi

## unit: the plugin's tests, compiled, with the race detector.
unit:
	go test -race -count=1 ./...

## yaegi_test: the same tests in the interpreter Traefik embeds (Yaegi v0.16.1), from a GOPATH
## layout as Traefik's plugin loader uses.
yaegi_test: tools
	@gopath=$$(mktemp -d) && mkdir -p $$gopath/src/$(dir $(MODULE)) && \
	  ln -s $(CURDIR) $$gopath/src/$(MODULE) && cd $$gopath/src/$(MODULE) && \
	  GOPATH=$$gopath GO111MODULE=off $(YAEGI) test -timeout 10m -v . ; status=$$?; rm -rf $$gopath; exit $$status

## e2e: end-to-end tests in demo/ against the real Traefik.
e2e:
	$(MAKE) -C demo e2e

## fuzz: each fuzz target for FUZZTIME (default 30s).
fuzz:
	@for target in $$(go test -list '^Fuzz' . | grep '^Fuzz'); do \
	  echo "== $$target"; go test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) . || exit 1; done

## bench: benchmarks of the verifiers and ServeHTTP, compiled and under Yaegi (BENCH selects),
## then the load comparison through the real Traefik (demo/).
BENCH ?= .
bench: tools
	go test -run '^$$' -bench '$(BENCH)' -benchmem .
	@gopath=$$(mktemp -d) && mkdir -p $$gopath/src/$(dir $(MODULE)) && \
	  ln -s $(CURDIR) $$gopath/src/$(MODULE) && cd $$gopath/src/$(MODULE) && \
	  GOPATH=$$gopath GO111MODULE=off $(YAEGI) test -run '^$$' -bench '$(BENCH)' -benchmem . ; status=$$?; rm -rf $$gopath; exit $$status
	$(MAKE) -C demo bench

## load: a credential flood against a bcrypt user through the real Traefik (minutes).
load:
	$(MAKE) -C demo load

## tools: what the tests need beyond Go — yaegi v0.16.1 (into .tools/), htpasswd and openssl (apt).
tools: $(YAEGI)
	@command -v htpasswd >/dev/null && command -v openssl >/dev/null || { \
	  echo "installing apache2-utils and openssl (htpasswd and openssl make the test vectors)"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq apache2-utils openssl; }

$(YAEGI):
	GOBIN=$(TOOLS) go install github.com/traefik/yaegi/cmd/yaegi@v0.16.1

clean:
	rm -rf $(TOOLS)
	$(MAKE) -C demo clean

# The project's memory: CI runs `make ci`, which runs the same targets.
GO        ?= go
GOBIN     := $(shell $(GO) env GOPATH)/bin
# Module versions: staticcheck 2025.1.1 is honnef.co/go/tools v0.6.1.
STATICCHECK_VERSION  := v0.6.1
GOVULNCHECK_VERSION  := v1.1.4
BENCHSTAT_VERSION    := latest
FUZZTIME  ?= 10s
# Minimizing each new input for up to 60 s (go test's default) stalls a target for most of a short run.
FUZZMINIMIZE ?= 200x
BUILD     := build

.PHONY: all test lint vuln bench e2e fuzz run ci tools fixtures mutants loadtest

all: test

## test: go vet and the whole test suite with the race detector, then the Redis module fchttp/redisstore (skipped with a notice without redis-server)
test:
	$(GO) vet ./...
	@command -v node >/dev/null 2>&1 || echo "SKIPPED: the conformance runs against the Node.js service provider of examples/nodejs need node, which is not installed (make nodejs installs it)"
	$(GO) test -race -count=1 ./...
	@$(MAKE) --no-print-directory test-redis

# The Redis session store is a module of its own (go-redis is not a
# dependency of the library): `go test ./...` from here does not enter it.
REDIS_MODULE := fchttp/redisstore

.PHONY: test-redis redis-server
## test-redis: vet and test fchttp/redisstore against a real redis-server its tests start on loopback
test-redis:
	@if command -v redis-server >/dev/null 2>&1; then \
		echo "== $(REDIS_MODULE) (its own module) with $$(redis-server --version | cut -d' ' -f1-3)"; \
		cd $(REDIS_MODULE) && $(GO) vet ./... && $(GO) test -race -count=1 ./...; \
	else \
		echo "SKIPPED: the tests of $(REDIS_MODULE) need redis-server, which is not installed (make redis-server installs it)"; \
	fi

## redis-server: install Debian's redis-server when missing (needs root)
redis-server:
	@if ! command -v redis-server >/dev/null 2>&1; then \
		echo "installing redis-server"; \
		apt-get update && apt-get install -y redis-server; \
	fi

.PHONY: nodejs
## nodejs: install Debian's nodejs when missing (needs root), for the Node.js service provider of examples/nodejs
nodejs:
	@if ! command -v node >/dev/null 2>&1; then \
		echo "installing nodejs"; \
		apt-get update && apt-get install -y nodejs; \
	fi

## run: the example service provider against the embedded emulator
# Built, then exec'd: the server is make's own child, so stopping make
# (Ctrl-C, or a signal to make) stops the server too, which `go run` would
# leave behind.
run:
	$(GO) build -o $(BUILD)/serviceprovider ./examples/serviceprovider
	exec $(BUILD)/serviceprovider

## lint: the README's length (at most README_MAX_LINES), gofmt, go vet and staticcheck, on the library and on fchttp/redisstore
# The README is a front door read in ten minutes; depth goes to docs/.
README_MAX_LINES := 420
lint: $(GOBIN)/staticcheck
	@lines=$$(wc -l < README.md); if [ $$lines -gt $(README_MAX_LINES) ]; then \
		echo "README.md has $$lines lines, more than $(README_MAX_LINES): move the detail to a page of docs/ and link it from the README"; exit 1; fi
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...
	cd $(REDIS_MODULE) && $(GO) vet ./... && $(GOBIN)/staticcheck ./...

$(GOBIN)/staticcheck:
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## mutants: switch each security check off in a copy of the module and check that the tests notice (one line per check),
## then build copies of examples/minimal with one check off and check that fcemulator conformance names the case
mutants:
	$(GO) run ./scripts/mutants
	FC_CONFORMANCE_MUTANTS=1 $(GO) test -count=1 -run '^TestConformanceGoMutants$$' ./cmd/fcemulator

## fixtures: regenerate the recorded tokens and documents under testdata/
fixtures:
	$(GO) test -run TestFixtures -update .

.PHONY: help
help:
	@grep -E '^## ' Makefile | sed 's/## //'

## fuzz: every Fuzz target of every package, one after the other, FUZZTIME each (go test -fuzz takes one target per run)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		targets=$$($(GO) test -list '^Fuzz' $$pkg 2>&1) || { echo "$$targets"; exit 1; }; \
		for target in $$(echo "$$targets" | grep '^Fuzz' || true); do \
			echo "== fuzz $$pkg $$target for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg; \
		done; \
	done

# VULNDB, when set, is a local copy of the Go vulnerability database
# (govulncheck -db file:///path); otherwise govulncheck fetches it.
VULNDB ?=

## vuln: govulncheck on every package; passes with a notice only when the vulnerability database cannot be reached
## (the library and fchttp/redisstore, its own module; first checks that govulncheck fails on the synthetic finding of testdata/vulndb-selftest)
vuln: $(GOBIN)/govulncheck
	@status=0; $(GOBIN)/govulncheck -db file://$(CURDIR)/testdata/vulndb-selftest ./... >/dev/null 2>&1 || status=$$?; \
	if [ $$status -ne 3 ]; then echo "govulncheck self-test: the synthetic finding GO-2099-0001 was not reported (exit $$status)"; exit 1; fi; \
	echo "govulncheck self-test: a finding fails the build (synthetic GO-2099-0001 reported)"
	@for m in . $(REDIS_MODULE); do \
		echo "== govulncheck in $$m"; out=$$(mktemp); status=0; \
		(cd $$m && $(GOBIN)/govulncheck $(if $(VULNDB),-db $(VULNDB)) ./...) >$$out 2>&1 || status=$$?; \
		cat $$out; \
		if [ $$status -eq 1 ] && grep -q '^govulncheck: fetching vulnerabilities' $$out; then \
			echo "vulnerability database unreachable: govulncheck could not run"; status=0; \
		fi; \
		rm -f $$out; [ $$status -eq 0 ] || exit $$status; \
	done

$(GOBIN)/govulncheck:
	$(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

## security-report: the conformance suite, the hostile providers and the 10,000-token flood without the race detector (10,000 goroutines at once), reports in build/
security-report:
	@mkdir -p $(BUILD); status=0; \
	$(GO) test -count=1 -run '^(TestConformance|TestHostileProviders|TestUnknownKidFlood)$$' -v . \
		-conformance.report=$(CURDIR)/$(BUILD)/conformance.md -hostile.report=$(CURDIR)/$(BUILD)/hostile.md \
		>$(BUILD)/security-report.log 2>&1 || status=$$?; \
	if [ $$status -ne 0 ]; then cat $(BUILD)/security-report.log; else grep -E '^(ok|PASS)|hostile_test.go' $(BUILD)/security-report.log; fi; \
	tail -n 1 $(BUILD)/conformance.md; exit $$status

## ci: what CI runs, locally: test, security-report, lint, vuln, fuzz (5 s each), mutants, e2e
ci:
	bash .ci/run

## e2e: the example service provider in headless Chromium: its two doors (FranceConnect+ and ProConnect, each refusing the other's session), the step-up to each door's page above its level, then each platform alone, and fchttp's default error pages; axe-core and a 320 px reflow check on every page visited (screenshots and build/e2e/a11y.txt in build/e2e/)
# Installs Debian's chromium and chromium-driver when missing (needs root),
# and axe-core (scripts/axe, pinned by its lock file) into build/axe with
# npm when missing: offline once installed.
CHROMIUM     ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver
AXE_JS       := $(BUILD)/axe/node_modules/axe-core/axe.min.js

.PHONY: e2e-browser
e2e: e2e-browser $(AXE_JS)
	CHROMIUM=$(CHROMIUM) CHROMEDRIVER=$(CHROMEDRIVER) E2E_OUT=$(CURDIR)/$(BUILD)/e2e AXE_JS=$(CURDIR)/$(AXE_JS) \
		$(GO) test -tags e2e -count=1 -timeout 8m -v ./examples/serviceprovider/e2e/

e2e-browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(CHROMEDRIVER) ]; then \
		echo "installing chromium and chromium-driver"; \
		apt-get update && apt-get install -y chromium chromium-driver; \
	fi

$(AXE_JS): scripts/axe/package.json scripts/axe/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "installing npm"; apt-get update && apt-get install -y npm; \
	fi
	@mkdir -p $(BUILD)/axe
	cp scripts/axe/package.json scripts/axe/package-lock.json $(BUILD)/axe/
	cd $(BUILD)/axe && npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

## bench: verification (floor, package, go-jose, go-oidc, interleaved ratios), scaling with -cpu 1,2, whole logins, a request with a session (sealed cookie, Redis; needs redis-server) and data calls (fcdata), BENCH_COUNT runs, then benchstat (build/bench/)
# Each run executes every benchmark once, so that noise spreads over all of
# them; BenchmarkRatio interleaves floor, package and go-jose iteration by
# iteration and reports their ratios (x-floor, x-gojose), which benchstat
# summarises like any other unit; BenchmarkDataRatio does the same for a data
# provider's call with a cached and an uncached introspection (cached-x-floor,
# uncached-x-floor). About 6 minutes on 2 cores.
BENCH_COUNT ?= 6
BENCHTIME   ?= 0.5s
BENCH_OUT   := $(BUILD)/bench

.PHONY: bench
bench: $(GOBIN)/benchstat
	@mkdir -p $(BENCH_OUT)
	$(GO) test -c -o $(BENCH_OUT)/franceconnect.test .
	cd $(REDIS_MODULE) && $(GO) test -c -o $(CURDIR)/$(BENCH_OUT)/redisstore.test .
	$(GO) test -c -o $(BENCH_OUT)/fcdata.test ./fcdata
	@rm -f $(BENCH_OUT)/bench.txt; set -e; for i in $$(seq $(BENCH_COUNT)); do \
		echo "run $$i of $(BENCH_COUNT)"; \
		$(BENCH_OUT)/franceconnect.test -test.run '^$$' -test.benchmem -test.benchtime $(BENCHTIME) \
			-test.bench '^Benchmark(Floor|Verify|GoJose|GoOIDC|Ratio|Login)$$' >>$(BENCH_OUT)/bench.txt; \
		$(BENCH_OUT)/franceconnect.test -test.run '^$$' -test.benchmem -test.benchtime $(BENCHTIME) \
			-test.bench '^BenchmarkVerifyParallel$$' -test.cpu 1,2 >>$(BENCH_OUT)/bench.txt; \
		if command -v redis-server >/dev/null 2>&1; then \
			(cd $(REDIS_MODULE) && $(CURDIR)/$(BENCH_OUT)/redisstore.test -test.run '^$$' -test.benchmem \
				-test.benchtime $(BENCHTIME) -test.bench '^BenchmarkSessionRequest$$') >>$(BENCH_OUT)/bench.txt; \
		else echo "SKIPPED: BenchmarkSessionRequest needs redis-server"; fi; \
		$(BENCH_OUT)/fcdata.test -test.run '^$$' -test.benchmem -test.benchtime $(BENCHTIME) \
			-test.bench '^BenchmarkData(Floor|Call|Ratio)$$' >>$(BENCH_OUT)/bench.txt; \
	done
	$(GOBIN)/benchstat $(BENCH_OUT)/bench.txt | tee $(BENCH_OUT)/benchstat.txt

$(GOBIN)/benchstat:
	$(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)

## bench-keys: the figures of docs/keys.md in one run: an RSA-OAEP token against an ECDH-ES one (interleaved), Go's RSA-2048 against OpenSSL's (openssl speed, interleaved); output in build/bench-keys/
BENCH_KEYS_OUT := $(BUILD)/bench-keys

.PHONY: bench-keys
bench-keys:
	@mkdir -p $(BENCH_KEYS_OUT)
	@{ $(GO) version; openssl version; echo "$$(nproc) CPUs: $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"; } | tee $(BENCH_KEYS_OUT)/machine.txt
	$(GO) test -run '^$$' -bench '^BenchmarkKeyChoice$$' -benchtime 2s . | tee $(BENCH_KEYS_OUT)/bench.txt
	$(GO) test -run '^$$' -bench '^BenchmarkRSAVsOpenSSL$$' -benchtime 7x . | tee -a $(BENCH_KEYS_OUT)/bench.txt

## loadtest: BenchmarkLoginTLS, complete logins over TLS at 1, 16, 64 and 256 users, LOADTEST_LOGINS per level and transport; output, CPU profiles and the table of docs/performance.md in build/loadtest/; then BenchmarkLoginRedis, logins to a site of two instances sharing Redis at the same levels (build/loadtest/redis.txt)
# The CPU figures come from the benchmark's own profiles (pprof labels by
# side), the floor is measured in the same run under the same load, so the
# whole table comes from one invocation. About 10 minutes on 2 cores.
LOADTEST_LOGINS ?= 3000
LOADTEST_REDIS_LOGINS ?= 1000
LOADTEST_OUT    := $(BUILD)/loadtest

.PHONY: loadtest
loadtest:
	@mkdir -p $(LOADTEST_OUT)
	$(GO) test -c -o $(LOADTEST_OUT)/franceconnect.test .
	@{ $(GO) version; echo "$$(nproc) CPUs: $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"; } | tee $(LOADTEST_OUT)/machine.txt
	$(LOADTEST_OUT)/franceconnect.test -test.run '^$$' -test.bench '^BenchmarkLoginTLS$$' -test.benchmem \
		-test.benchtime $(LOADTEST_LOGINS)x -loadtest.profiles $(CURDIR)/$(LOADTEST_OUT) | tee $(LOADTEST_OUT)/bench.txt
	@awk -f scripts/loadtest/table.awk $(LOADTEST_OUT)/bench.txt | tee $(LOADTEST_OUT)/table.md
	@if command -v redis-server >/dev/null 2>&1; then \
		cd $(REDIS_MODULE) && $(GO) test -run '^$$' -bench '^BenchmarkLoginRedis$$' -benchtime $(LOADTEST_REDIS_LOGINS)x . \
			| tee $(CURDIR)/$(LOADTEST_OUT)/redis.txt; \
	else echo "SKIPPED: BenchmarkLoginRedis needs redis-server (make redis-server installs it)"; fi

## emulator: build the FranceConnect+ emulator program into build/fcemulator (docs/other-languages.md)
.PHONY: emulator
emulator:
	$(GO) build -o $(BUILD)/fcemulator ./cmd/fcemulator

## release: static fcemulator binaries (CGO_ENABLED=0, -trimpath, VERSION stamped) for linux, darwin and windows on amd64 and arm64, with SHA256SUMS, in build/release/
# VERSION defaults to what git describes; `make release VERSION=v1.2.3`.
VERSION           ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
RELEASE_PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
RELEASE_OUT       := $(BUILD)/release
RELEASE_LDFLAGS   := -s -w -X main.version=$(VERSION)

.PHONY: release image image-check
release:
	@rm -rf $(RELEASE_OUT) && mkdir -p $(RELEASE_OUT)
	@set -e; for p in $(RELEASE_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; if [ $$os = windows ]; then ext=.exe; fi; \
		out=$(RELEASE_OUT)/fcemulator-$(VERSION)-$$os-$$arch$$ext; echo "== $$out"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(RELEASE_LDFLAGS)" -o $$out ./cmd/fcemulator; \
	done
	cd $(RELEASE_OUT) && sha256sum fcemulator-* > SHA256SUMS && sha256sum -c --quiet SHA256SUMS
	@native=$(RELEASE_OUT)/fcemulator-$(VERSION)-$$($(GO) env GOOS)-$$($(GO) env GOARCH); \
	if [ -x $$native ]; then \
		$$native -version | grep -q "^fcemulator $(VERSION) " || { echo "$$native -version: not stamped $(VERSION)"; exit 1; }; \
		$(GO) version -m $$native | grep -q 'CGO_ENABLED=0' || { echo "$$native: not built with CGO_ENABLED=0"; exit 1; }; \
		$(GO) version -m $$native | grep -q -- '-trimpath=true' || { echo "$$native: not built with -trimpath"; exit 1; }; \
		echo "$$($$native -version): static, trimmed, stamped"; \
	fi
	@cat $(RELEASE_OUT)/SHA256SUMS

## image: the fcemulator container image (Containerfile, from scratch) with podman or buildah, offline; skipped with a notice when neither is installed (apt-get install podman)
IMAGE ?= localhost/fcemulator:$(VERSION)
image:
	@mkdir -p $(BUILD)/image
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags "$(RELEASE_LDFLAGS)" -o $(BUILD)/image/fcemulator ./cmd/fcemulator
	@if command -v podman >/dev/null 2>&1; then \
		podman build --pull=never -f Containerfile -t $(IMAGE) $(BUILD)/image; \
	elif command -v buildah >/dev/null 2>&1; then \
		buildah bud --pull-never -f Containerfile -t $(IMAGE) $(BUILD)/image; \
	else \
		echo "SKIPPED: make image needs podman or buildah (Debian: apt-get install podman); the binary is in $(BUILD)/image"; \
	fi

## python-rp-deps: install Debian's python3-jwcrypto and python3-requests when missing (needs root), for the Python CI example that make test runs
.PHONY: python-rp-deps
python-rp-deps:
	@if ! /usr/bin/python3 -c 'import jwcrypto, requests' >/dev/null 2>&1; then \
		echo "installing python3-jwcrypto and python3-requests"; \
		apt-get update && apt-get install -y python3-jwcrypto python3-requests; \
	fi

## podman: install Debian's podman when missing (needs root), for make image-check
.PHONY: podman
podman:
	@if ! command -v podman >/dev/null 2>&1; then \
		echo "installing podman"; \
		apt-get update && apt-get install -y podman; \
	fi

## image-check: builds the image, then runs it once with podman and fetches its discovery document; skipped with a notice when podman cannot run containers here
image-check: image
	@bash scripts/image/check.sh $(IMAGE)

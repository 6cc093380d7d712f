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

## test: go vet and the whole test suite with the race detector, then the Redis example's module (skipped with a notice without redis-server)
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	@$(MAKE) --no-print-directory test-redis

# The Redis session store example is a module of its own (go-redis is not a
# dependency of the library): `go test ./...` from here does not enter it.
REDIS_EXAMPLE := examples/redis-sessions

.PHONY: test-redis redis-server
## test-redis: vet and test examples/redis-sessions against a real redis-server it starts on loopback
test-redis:
	@if command -v redis-server >/dev/null 2>&1; then \
		echo "== $(REDIS_EXAMPLE) (its own module) with $$(redis-server --version | cut -d' ' -f1-3)"; \
		cd $(REDIS_EXAMPLE) && $(GO) vet ./... && $(GO) test -race -count=1 ./...; \
	else \
		echo "SKIPPED: the tests of $(REDIS_EXAMPLE) need redis-server, which is not installed (make redis-server installs it)"; \
	fi

## redis-server: install Debian's redis-server when missing (needs root)
redis-server:
	@if ! command -v redis-server >/dev/null 2>&1; then \
		echo "installing redis-server"; \
		apt-get update && apt-get install -y redis-server; \
	fi

## run: the example service provider against the embedded emulator
# Built, then exec'd: the server is make's own child, so stopping make
# (Ctrl-C, or a signal to make) stops the server too, which `go run` would
# leave behind.
run:
	$(GO) build -o $(BUILD)/serviceprovider ./examples/serviceprovider
	exec $(BUILD)/serviceprovider

## lint: gofmt, go vet and staticcheck
lint: $(GOBIN)/staticcheck
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...
	cd $(REDIS_EXAMPLE) && $(GO) vet ./... && $(GOBIN)/staticcheck ./...

$(GOBIN)/staticcheck:
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## mutants: switch each security check off in a copy of the module and check that the tests notice (one line per check)
mutants:
	$(GO) run ./scripts/mutants

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
## (first checks that govulncheck fails on the synthetic finding of testdata/vulndb-selftest)
vuln: $(GOBIN)/govulncheck
	@status=0; $(GOBIN)/govulncheck -db file://$(CURDIR)/testdata/vulndb-selftest ./... >/dev/null 2>&1 || status=$$?; \
	if [ $$status -ne 3 ]; then echo "govulncheck self-test: the synthetic finding GO-2099-0001 was not reported (exit $$status)"; exit 1; fi; \
	echo "govulncheck self-test: a finding fails the build (synthetic GO-2099-0001 reported)"
	@out=$$(mktemp); status=0; \
	$(GOBIN)/govulncheck $(if $(VULNDB),-db $(VULNDB)) ./... >$$out 2>&1 || status=$$?; \
	cat $$out; \
	if [ $$status -eq 1 ] && grep -q '^govulncheck: fetching vulnerabilities' $$out; then \
		echo "vulnerability database unreachable: govulncheck could not run"; status=0; \
	fi; \
	rm -f $$out; exit $$status

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

## e2e: the example service provider in headless Chromium, as FranceConnect+ and as ProConnect (screenshots in build/e2e/)
# Installs Debian's chromium and chromium-driver when missing (needs root).
CHROMIUM     ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: e2e-browser
e2e: e2e-browser
	CHROMIUM=$(CHROMIUM) CHROMEDRIVER=$(CHROMEDRIVER) E2E_OUT=$(CURDIR)/$(BUILD)/e2e \
		$(GO) test -tags e2e -count=1 -timeout 5m -v ./examples/serviceprovider/e2e/

e2e-browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(CHROMEDRIVER) ]; then \
		echo "installing chromium and chromium-driver"; \
		apt-get update && apt-get install -y chromium chromium-driver; \
	fi

## bench: verification (floor, package, go-jose, go-oidc, interleaved ratios), scaling with -cpu 1,2, whole logins and data calls (fcdata), BENCH_COUNT runs, then benchstat (build/bench/)
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
	$(GO) test -c -o $(BENCH_OUT)/fcdata.test ./fcdata
	@rm -f $(BENCH_OUT)/bench.txt; set -e; for i in $$(seq $(BENCH_COUNT)); do \
		echo "run $$i of $(BENCH_COUNT)"; \
		$(BENCH_OUT)/franceconnect.test -test.run '^$$' -test.benchmem -test.benchtime $(BENCHTIME) \
			-test.bench '^Benchmark(Floor|Verify|GoJose|GoOIDC|Ratio|Login)$$' >>$(BENCH_OUT)/bench.txt; \
		$(BENCH_OUT)/franceconnect.test -test.run '^$$' -test.benchmem -test.benchtime $(BENCHTIME) \
			-test.bench '^BenchmarkVerifyParallel$$' -test.cpu 1,2 >>$(BENCH_OUT)/bench.txt; \
		$(BENCH_OUT)/fcdata.test -test.run '^$$' -test.benchmem -test.benchtime $(BENCHTIME) \
			-test.bench '^BenchmarkData(Floor|Call|Ratio)$$' >>$(BENCH_OUT)/bench.txt; \
	done
	$(GOBIN)/benchstat $(BENCH_OUT)/bench.txt | tee $(BENCH_OUT)/benchstat.txt

$(GOBIN)/benchstat:
	$(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)

## loadtest: BenchmarkLoginTLS, complete logins over TLS at 1, 16, 64 and 256 users, LOADTEST_LOGINS per level and transport; output, CPU profiles and the README's table in build/loadtest/
# The CPU figures come from the benchmark's own profiles (pprof labels by
# side), the floor is measured in the same run under the same load, so the
# whole table comes from one invocation. About 10 minutes on 2 cores.
LOADTEST_LOGINS ?= 3000
LOADTEST_OUT    := $(BUILD)/loadtest

.PHONY: loadtest
loadtest:
	@mkdir -p $(LOADTEST_OUT)
	$(GO) test -c -o $(LOADTEST_OUT)/franceconnect.test .
	@{ $(GO) version; echo "$$(nproc) CPUs: $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"; } | tee $(LOADTEST_OUT)/machine.txt
	$(LOADTEST_OUT)/franceconnect.test -test.run '^$$' -test.bench '^BenchmarkLoginTLS$$' -test.benchmem \
		-test.benchtime $(LOADTEST_LOGINS)x -loadtest.profiles $(CURDIR)/$(LOADTEST_OUT) | tee $(LOADTEST_OUT)/bench.txt
	@awk -f scripts/loadtest/table.awk $(LOADTEST_OUT)/bench.txt | tee $(LOADTEST_OUT)/table.md

## emulator: build the FranceConnect+ emulator program into build/fcemulator (README, "For FS in other languages")
.PHONY: emulator
emulator:
	$(GO) build -o $(BUILD)/fcemulator ./cmd/fcemulator

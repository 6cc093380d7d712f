# The project's memory: CI runs `make ci`, which runs the same targets.
GO        ?= go
GOBIN     := $(shell $(GO) env GOPATH)/bin
# Module versions: staticcheck 2025.1.1 is honnef.co/go/tools v0.6.1.
STATICCHECK_VERSION  := v0.6.1
GOVULNCHECK_VERSION  := v1.1.4
BENCHSTAT_VERSION    := latest
FUZZTIME  ?= 10s
BUILD     := build

.PHONY: all test lint vuln bench e2e fuzz run ci tools fixtures

all: test

## test: go vet and the whole test suite with the race detector
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## run: the example service provider against the embedded emulator
run:
	$(GO) run ./examples/serviceprovider

## lint: gofmt, go vet and staticcheck
lint: $(GOBIN)/staticcheck
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...

$(GOBIN)/staticcheck:
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## fixtures: regenerate the recorded tokens and documents under testdata/
fixtures:
	$(GO) test -run TestFixtures -update .

.PHONY: help
help:
	@grep -E '^## ' Makefile | sed 's/## //'

## e2e: the example service provider in headless Chromium (screenshots in build/e2e/)
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

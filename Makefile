# Caravan. `make run` and `make test` install what is missing on Debian, then build or test.

GO      ?= go
TAGS    := sqlite_fts5
BIN     := bin/caravan
DEBS    := gcc pkg-config libgl1-mesa-dev xorg-dev xvfb iproute2
FUZZTIME ?= 5s
export CGO_ENABLED := 1

.PHONY: all deps build run test test-netns unit fuzz lint vet fmtcheck bench clean
.PHONY: package-linux package-windows package-darwin package-check

all: build

# deps installs the Debian packages cgo needs for Fyne (X11/GL headers) and Xvfb,
# only those missing, with sudo when not root.
deps:
	@command -v $(GO) >/dev/null || { echo "Go is missing: install Go 1.26.8 or newer from go.dev/dl" >&2; exit 1; }
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	fi

build: deps
	$(GO) build -tags $(TAGS) -o $(BIN) .

# run opens the desktop app on the user's data dir.
run: build
	./$(BIN)

# test runs go vet's full set of checks inside go test (-vet=all), so the race build is the only
# build of the tree: a separate `go vet` would compile everything a second time on a clean machine.
test: deps fmtcheck unit fuzz $(if $(filter 0,$(shell id -u)),test-netns)

unit:
	$(GO) test -race -vet=all -tags $(TAGS) -timeout 20m ./...

# test-netns runs three nodes in network namespaces of their own (made by the test, on private
# addresses), cuts one off, posts on both sides and heals (issue 3). It needs root and ip(8);
# `make test` runs it when run as root; where even root may not make namespaces (a container
# without CAP_SYS_ADMIN) it says so and skips.
test-netns:
	@probe=caravan-probe-$$$$; if ! ip netns add $$probe 2>/dev/null; then \
	  echo "test-netns: skipped: this machine does not let us create network namespaces"; exit 0; fi; \
	ip netns del $$probe; \
	CARAVAN_NETNS=1 $(GO) test -tags $(TAGS) -run '^TestNetnsPartition$$' -count 1 -v ./app/cli

# fuzz runs each fuzz target briefly; the seed corpora also run in `unit`. A target that fails is
# run once more: an input that breaks it was saved under testdata/fuzz and fails again at once,
# while a fuzz worker killed by a loaded machine (seen here once) does not.
fuzz:
	@set -e; for pkg in ./domain ./domain/places ./p2p/recon; do \
	  for f in $$($(GO) test -tags $(TAGS) -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || \
	      { echo "fuzz $$pkg $$f failed; running it once more"; \
	        $(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; }; \
	  done; \
	done

lint: deps vet fmtcheck

vet:
	$(GO) vet -tags $(TAGS) ./...

fmtcheck:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "not gofmt-formatted (run gofmt -w):"; echo "$$bad"; exit 1; fi

# bench prints BENCH ingest records_per_s=R verify_per_s=V ratio=R/V, both measured in one run;
# the network figures P1 (a room posted on one of 50 peers until searchable on all), P2 (an empty
# peer catching up 100k records, against bare verification) and P2-diff (sync bytes for a 1%
# difference over the bytes of every record); then the search figures P3 (rooms in a map view,
# against an in-memory quadtree) and P4 (rides along a route); last, under Xvfb, P5 (a real start
# of the app on a store of many rooms until Explore shows results) and P6 (frames of the map with
# 10,000 pins, painted with OpenGL in a real window). BENCH_SCALE=full builds 1M rooms and 100k
# rides (slow, kept in BENCH_DIR).
BENCH_SCALE ?= small
bench: deps
	@$(GO) test -tags $(TAGS) -run '^$$' -bench '^Benchmark(Ingest|Verify)$$' -benchtime 3x -count 1 ./storage | tee /dev/stderr | \
	awk '/^BenchmarkIngest/ { for (i = 1; i < NF; i++) if ($$(i+1) == "records/s") r = $$i } \
	     /^BenchmarkVerify/ { for (i = 1; i < NF; i++) if ($$(i+1) == "verifies/s") v = $$i } \
	     END { if (!r || !v) { print "bench: figures missing" > "/dev/stderr"; exit 1 } \
	           printf "BENCH ingest records_per_s=%.0f verify_per_s=%.0f ratio=%.2f\n", r, v, r / v }'
	@$(GO) test -tags $(TAGS) -run '^$$' -bench '^Benchmark(P1Spread|P2CatchUp|P2Diff|LatePeerCatchUp)$$' -benchtime 1x -count 1 -timeout 1h ./app | grep -o 'BENCH .*'
	@BENCH_SCALE=$(BENCH_SCALE) $(GO) test -tags $(TAGS) -run '^$$' -bench '^BenchmarkSearch(Rooms|Rides)$$' -benchtime 1x -count 1 -timeout 2h ./storage | grep -o 'BENCH P[34].*'
	@BENCH_SCALE=$(BENCH_SCALE) xvfb-run -a -s '-screen 0 1440x900x24' $(GO) test -tags $(TAGS) -run '^$$' -bench '^BenchmarkP[56]' -benchtime 1x -count 1 -timeout 1h . | grep -o 'BENCH P[56].*'

# clean also removes what an interrupted fyne package leaves in the source tree.
clean:
	rm -rf bin dist
	rm -f fyne.syso fyne_metadata_init.go caravan.exe Caravan.exe

include packaging/package.mk

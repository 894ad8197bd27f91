# Sweep: the two README commands and the benchmark.
#   make demo   set up, build, scan the bundled fixtures into demo.db and print the summary
#   make test   set up, build, run every test, score the independent set in quality/ against its goals
#   make fuzz   libFuzzer over the in-house parsers (MIME, mbox, compound files, .msg, legacy Office, RTF);
#               FUZZ_SECONDS per target (default 60). `make test` runs a 10-second smoke of each.
#   make quality  build, then score detection on the independent synthetic set in quality/ (see QUALITY.md)
#   make deb    build the Debian package (dist/sweep_VERSION_ARCH.deb); make test-package installs it in a
#               fresh Debian root (debootstrap), scans as the sweep user, and purges it
#   make bench-large  the scan beside find at 100,000 and 1,000,000 files (bench-out/scan-large.md)
#   make bench  set up, build release, time scans beside find and the duplicate sweep beside
#               jdupes, rdfind, rmlint and fdupes, and detection beside ripgrep; 1, 2 and 4 scanners into a
#               PostgreSQL index beside one into SQLite, and a re-scan over a link with 5 ms added (BENCHMARKS.md)
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: setup build release release-static deb test-package demo test fuzz bench bench-large quality clean

FUZZ_SECONDS ?= 60

setup:
	@scripts/setup

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release
	@scripts/build-info .build/release

# The binary the Debian package holds: Swift's runtime and Foundation linked in (no /opt/swift on the target),
# built in its own folder so it does not replace the development release build.
release-static: setup
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static
	@mkdir -p .build/release && cp .build-static/release/sweep .build/release/sweep-static

deb: release-static
	@SWEEP_DEB_BINARY=.build/release/sweep-static scripts/make-deb

test-package: deb
	@scripts/setup debootstrap
	scripts/test-package

demo: release
	@scripts/demo

test: build
	@scripts/setup chromium chromium-driver curl python3-pil fonts-dejavu-core postgresql
	$(SWIFT) build --build-tests
	SWEEP_BIN="$$($(SWIFT) build --show-bin-path)/sweep" $(SWIFT) test --skip-build
	SWEEP_BIN="$$($(SWIFT) build --show-bin-path)/sweep" quality/test.sh
	SWIFT=$(SWIFT) scripts/fuzz 10

quality: build
	SWEEP_BIN="$$($(SWIFT) build --show-bin-path)/sweep" bash quality/run.sh

fuzz: setup
	SWIFT=$(SWIFT) scripts/fuzz $(FUZZ_SECONDS)

bench: release
	@scripts/setup hyperfine time python3 jdupes rdfind rmlint fdupes ripgrep poppler-utils python3-pil fonts-dejavu-core \
		postgresql iproute2 iputils-ping
	bench/run.sh
	bench/mixed.sh
	bench/postgres.sh
	bench/ocr.sh
	bench/dupes.sh
	bench/detect.sh
	bench/extract.sh
	bench/bigfile.sh
	{ printf '# Sweep benchmarks\n\nProduced by `make bench`: sweep scan beside find, per-item cost on a mixed tree of ordinary documents, OCR of scanned letters, the duplicate sweep beside jdupes, rdfind, rmlint and fdupes, detection beside ripgrep, extraction throughput per format family (PDF beside pdftotext), and memory on 3 GB files.\n\n'; \
	  cat bench-out/scan.md; echo; cat bench-out/mixed.md; echo; if [ -f bench-out/scan-large.md ]; then cat bench-out/scan-large.md; echo; fi; cat bench-out/ocr.md; echo; cat bench-out/dupes.md; echo; cat bench-out/detect.md; echo; cat bench-out/extract.md; echo; cat bench-out/bigfile.md; } > BENCHMARKS.md
	@echo "bench: wrote BENCHMARKS.md"

# The scan beside find at 100,000 and 1,000,000 files (one timed run each, no warmup: the 1M-file first scan takes
# minutes): memory flat, time linear, the unchanged re-scan beside find. Kept out of `make bench` for its length.
bench-large: release
	@scripts/setup hyperfine time python3
	BENCH_SIZES="100000 1000000" BENCH_RUNS=$${BENCH_RUNS:-1} BENCH_WARMUP=0 BENCH_OUT=bench-out/scan-large.md \
		BENCH_TITLE="100,000 and 1,000,000 files (make bench-large)" bench/run.sh
	@echo "bench-large: wrote bench-out/scan-large.md (the next make bench puts it into BENCHMARKS.md)"

clean:
	rm -rf .build .build-fuzz demo.db demo.db-wal demo.db-shm demo.db.lock demo.db.key demo.db.log-heads

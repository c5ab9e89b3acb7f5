# scxsnap — the two README commands are `make run` and `make test`.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS ?= $(shell nproc)
# Tests wait as much as they compute (browsers, servers, deadlines, child
# processes; kernel tests hold a lock and run one at a time): twice the cores.
CTEST_JOBS ?= $(shell echo $$(( $$(nproc) * 2 )))
CMAKE_FLAGS ?=
# The development tree's build type (benchmarks and profiles want symbols).
BUILD_TYPE ?= RelWithDebInfo
# Unity builds (8 sources a translation unit) halve a build from scratch,
# which is what CI and a new clone do; UNITY=OFF for quick incremental work.
UNITY ?= ON
# Builds made here run here: tune for this CPU (opt-in; cmake alone is portable).
MARCH ?= $(shell grep -q avx2 /proc/cpuinfo 2>/dev/null && grep -q bmi2 /proc/cpuinfo && \
          grep -q pclmulqdq /proc/cpuinfo && echo haswell)

# Debian packages: RUN_DEPS build the library and the CLI (`make run`);
# DEPS add what the tests and benchmarks need (`make test`; chromium opens the
# HTML pages `scxsnap report` writes).
RUN_DEPS := build-essential cmake pkg-config \
        libbpf-dev libelf-dev zlib1g-dev libzstd-dev libxxhash-dev libsimdjson-dev libcli11-dev libfmt-dev linux-libc-dev \
        libcpp-httplib-dev
DEPS := $(RUN_DEPS) git libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev \
        clang llvm clang-format bpftool help2man bash-completion dpkg-dev file \
        chromium fonts-dejavu-core pybind11-dev python3-dev python3-pytest python3-pandas prometheus
FUZZ_DEPS := clang-16 libclang-rt-16-dev
TIDY_DEPS := clang-tidy-16

.PHONY: tapes all deps run-deps fuzz-deps configure build build-cli test asan tsan bench fuzz fuzz-smoke tidy run demo install package clean format

all: build

# Installs whatever of $(1) is missing (idempotent). No service a package
# brings is started (policy-rc.d): the tests start prometheus themselves.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1; fi; \
	  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  rc=$$?; if [ -n "$$policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; exit $$rc; \
	fi
endef

run-deps:
	$(call apt_install,$(RUN_DEPS))

deps:
	$(call apt_install,$(DEPS))

fuzz-deps:
	$(call apt_install,$(FUZZ_DEPS))

# The development build: everything, warnings are errors, implicit
# narrowing in the library is a warning.
configure:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSCXSNAP_WERROR=ON -DSCXSNAP_MARCH=$(MARCH) \
	  -DSCXSNAP_STRICT_CONVERSIONS=ON -DCMAKE_UNITY_BUILD=$(UNITY) \
	  -DSCXSNAP_BUILD_TESTS=ON -DSCXSNAP_BUILD_BENCH=ON $(CMAKE_FLAGS) >/dev/null

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

# Only the library and the CLI (what `make run` runs); configures without the
# tests when the build directory is new.
build-cli: run-deps
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSCXSNAP_MARCH=$(MARCH) \
	  -DCMAKE_UNITY_BUILD=$(UNITY) -DSCXSNAP_BUILD_TESTS=OFF -DSCXSNAP_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target scxsnap_cli

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(CTEST_JOBS)

# The suite under ASan + UBSan, built with clang-16 at -O1 with line tables
# (what the sanitizers recommend). The same tree builds the libFuzzer targets
# (SCXSNAP_FUZZ: coverage instrumentation rides along), so `make fuzz-smoke
# FUZZ_BUILD=$(ASAN_BUILD)` after it compiles nothing more.
asan: deps fuzz-deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_C_COMPILER=clang-16 \
	  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
	  -DCMAKE_C_FLAGS_DEBUG="-O1 -gline-tables-only" -DSCXSNAP_SANITIZE=ON -DSCXSNAP_FUZZ=ON \
	  -DSCXSNAP_WERROR=ON -DSCXSNAP_MARCH=$(MARCH) -DCMAKE_UNITY_BUILD=$(UNITY) \
	  -DSCXSNAP_BUILD_BENCH=OFF >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_stack_use_after_return=1:detect_leaks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(CTEST_JOBS)

# The threaded tests under ThreadSanitizer (the library instrumented; no
# kernel needed): native writer workers, render threads, a large map's
# entries rendered by workers, series read from two threads.
tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
	  -DSCXSNAP_TSAN=ON -DSCXSNAP_WERROR=ON -DCMAKE_UNITY_BUILD=$(UNITY) \
	  -DSCXSNAP_BUILD_TOOLS=OFF -DSCXSNAP_BUILD_BENCH=OFF >/dev/null
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target scxsnap_thread_tests
	cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure -j $(JOBS) -L threads

bench: build
	bench/run_benchmarks.sh $(BUILD)

fuzz: deps fuzz-deps
	fuzz/run_fuzz.sh 60

# CI's short run of every fuzz target (a smoke test, not a campaign), in
# FUZZ_BUILD: a tree of its own, or the ASan tree `make asan` built.
fuzz-smoke: deps fuzz-deps
	fuzz/run_fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BUILD)
FUZZ_SECONDS ?= 10
FUZZ_BUILD ?=

# clang-tidy (.clang-tidy): every source, or those changed since TIDY_BASE.
TIDY_BASE ?=
# Its compile database comes from a configure of its own without unity
# builds (one command per source; configuring builds nothing).
TIDY_BUILD ?= build-tidy
tidy: deps
	$(call apt_install,$(TIDY_DEPS))
	cmake -S . -B $(TIDY_BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_UNITY_BUILD=OFF \
	  -DSCXSNAP_BUILD_TESTS=OFF -DSCXSNAP_BUILD_BENCH=OFF >/dev/null
	tests/tidy_check.sh $(TIDY_BUILD) $(TIDY_BASE)

# Capture this machine's BPF state (needs root) and summarise it. The
# capture streams into snapshot.json within bounded memory; large values are
# cut to the render budget (--max-value-bytes) and `show` says which.
run: build-cli
	$(BUILD)/scxsnap capture -o snapshot.json
	$(BUILD)/scxsnap show snapshot.json

# Re-records the kernel tape the capture tests replay without root
# (tests/data/tapes/objects.tape, docs/TAPE.md) from the test objects loaded
# into this kernel (needs root). A test fails when the tape no longer matches
# what the kernel says of the same objects: then run this.
tapes: build
	SCXSNAP_RECORD_TAPE=$(CURDIR)/tests/data/tapes/objects.tape \
	  $(BUILD)/tests/scxsnap_kernel_tests --gtest_also_run_disabled_tests \
	  --gtest_filter=KernelTape.DISABLED_Record
	chmod 644 tests/data/tapes/objects.tape

# The README's demonstration, recorded here (needs root): the test object
# tests/bpf/demo.bpf.o attached (it counts system calls), watched for 8 s,
# drawn as a page with three assertions, and the page's picture taken in
# headless Chromium -> demo/demo.jsonl, demo/demo.html, demo/report-series.png
# (copy the picture to docs/ to update the README's).
DEMO ?= demo
demo: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target scxsnap_cli bpf_hold scxsnap_bpf_objects
	mkdir -p $(DEMO)
	{ sleep 12 | $(BUILD)/bench/bpf_hold --attach $(BUILD)/tests/bpf/demo.bpf.o >/dev/null & } ; \
	  sleep 1; \
	  $(BUILD)/scxsnap watch --obj demo --interval-ms 100 --count 80 -o $(DEMO)/demo.jsonl
	$(BUILD)/scxsnap report $(DEMO)/demo.jsonl -o $(DEMO)/demo.html \
	  --expect 'nondecreasing(var:nr_syscalls)' --expect 'rate_within(var:nr_syscalls, 0, 100)' \
	  --expect 'each(var:last_cpu).at_most(1)'
	chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
	  --screenshot=$(DEMO)/report-series.png --window-size=1200,900 \
	  file://$(CURDIR)/$(DEMO)/demo.html >/dev/null 2>&1
	$(BUILD)/scxsnap check $(DEMO)/demo.jsonl --expect 'nondecreasing(var:nr_syscalls)' || true
	@echo "demo: $(DEMO)/demo.jsonl, $(DEMO)/demo.html, $(DEMO)/report-series.png"

# Everything the install rules name (libraries, CLI, man page when help2man
# is there), then into the prefix (default /usr/local).
install: build-cli
	cmake --build $(BUILD) -j $(JOBS)
	cmake --install $(BUILD)
	@if [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

# A Debian package (CPack DEB) of the portable Release build, prefix /usr:
# the binary, both libraries, headers, CMake and pkg-config files.
PKG_BUILD ?= build-package
package: run-deps
	$(call apt_install,help2man dpkg-dev file)
	cmake -S . -B $(PKG_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
	  -DSCXSNAP_BUILD_TESTS=OFF -DSCXSNAP_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build $(PKG_BUILD) -j $(JOBS)
	cd $(PKG_BUILD) && cpack -G DEB
	@ls $(PKG_BUILD)/*.deb

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(TIDY_BUILD) $(PKG_BUILD) build-fuzz

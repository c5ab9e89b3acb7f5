# scxsnap — the two README commands are `make run` and `make test`.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian packages needed to build and test (runtime: libbpf, simdjson, fmt).
DEPS := build-essential cmake pkg-config git \
        libbpf-dev libelf-dev zlib1g-dev libsimdjson-dev libcli11-dev libfmt-dev \
        libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev \
        clang llvm bpftool linux-libc-dev
FUZZ_DEPS := clang-16 libclang-rt-16-dev

.PHONY: all deps fuzz-deps build test asan bench fuzz run install clean format

all: build

deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

fuzz-deps:
	@missing=$$(for p in $(FUZZ_DEPS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSCXSNAP_SANITIZE=ON -DSCXSNAP_BUILD_BENCH=OFF >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_stack_use_after_return=1:detect_leaks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

bench: build
	bench/run_benchmarks.sh $(BUILD)

fuzz: deps fuzz-deps
	fuzz/run_fuzz.sh 60

# Capture this machine's BPF state (needs root) and summarise it.
run: build
	$(BUILD)/scxsnap capture -o snapshot.json
	$(BUILD)/scxsnap show snapshot.json

install: build
	cmake --install $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz

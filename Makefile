# The short commands. `make` builds everything into build/ (the CLI is
# build/gnbv); `make test` runs every test in a normal and an ASan+UBSan
# build; `make demo` builds and runs the demo. Every target first runs
# scripts/deps, which installs what is missing and is a no-op otherwise.
JOBS ?= 2
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
CTEST_FLAGS ?= --output-on-failure -j$(JOBS)

.PHONY: all deps build test test-fast test-asan demo lint format fuzz bench clean

all: build

deps:
	@scripts/deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The whole suite, then the whole suite again under ASan+UBSan.
test: test-fast test-asan

test-fast: build
	cd $(BUILD) && ctest $(CTEST_FLAGS)

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DGNBV_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest $(CTEST_FLAGS)

# The seed's district in a new database (build/demo/demo.db), rebuilt each
# time, then served (Ctrl-C stops) with the demo's logins printed.
DEMO_LISTEN ?= 127.0.0.1:8080
demo: build
	rm -rf $(BUILD)/demo
	$(BUILD)/gnbv demo --out $(BUILD)/demo
	$(BUILD)/gnbv --db $(BUILD)/demo/demo.db serve --demo-accounts --listen $(DEMO_LISTEN)

lint:
	@sh tools/lint.sh .
	@sh tools/check-core-purity.sh .

format:
	clang-format -i $$(find src include tests fuzz tools bench -name '*.[ch]')

# Real libFuzzer runs (clang): FUZZ_SECONDS per target, corpus grows in place.
FUZZ_SECONDS ?= 60
fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DGNBV_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS)
	@for t in $(FUZZ_BUILD)/fuzz/fuzz_*; do case $$t in *_replay) continue;; esac; \
	  name=$$(basename $$t | sed 's/^fuzz_//'); \
	  $$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 fuzz/corpus/$$name || exit 1; done

bench: build
	bench/classify 100000
	bench/import 100000

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

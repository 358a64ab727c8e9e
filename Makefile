# Kizuna — the two commands of the README:
#   make demo   install what is missing, build, run the center with demo data
#   make test   install what is missing, build, run every test
# Other targets: build, fuzz (longer fuzz campaign), bench (benchmarks against peer tools),
# sanitize (all tests under ASan/UBSan), clean.

BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
JOBS       ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIZUNA_WERROR=ON
FUZZ_SECONDS ?= 300

.PHONY: demo test build deps test-deps fuzz-build fuzz bench sanitize clean

demo: deps build
	$(BUILD)/apps/kizuna/kizuna demo

test: test-deps build fuzz-build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 300

deps:
	@bash scripts/setup.sh demo

test-deps:
	@bash scripts/setup.sh test

build:
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) -DKIZUNA_FUZZ_DIR=$(CURDIR)/$(FUZZ_BUILD) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# libFuzzer targets need clang; they live in their own build tree. ctest runs a short smoke of each.
fuzz-build:
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DKIZUNA_FUZZ=ON -DKIZUNA_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target kizuna_fuzzers

fuzz: test-deps fuzz-build
	bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@bash scripts/setup.sh bench
	bash bench/http_health.sh

# Every test again under AddressSanitizer and UndefinedBehaviorSanitizer (separate build tree).
sanitize: test-deps
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKIZUNA_WERROR=ON -DKIZUNA_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS) --timeout 600 -E '^e2e'

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) build-asan

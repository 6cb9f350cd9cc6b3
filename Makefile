# The two commands of the README, and the developer's helpers.
#   make run    install what is missing, build Release, start `aic serve` on 127.0.0.1:8080
#   make test   install what is missing, build Debug (ASan+UBSan), run the whole suite
SHELL := /bin/bash
JOBS ?= $(shell nproc)

.PHONY: run test deps build-release build-debug release-pgo fuzz fuzz-smoke bench format format-check lint clean

deps:
	@scripts/install-deps.sh

build-release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

# The release binary optimised with a profile of the gateway's hot paths (build/pgo/aic).
release-pgo: deps
	@JOBS=$(JOBS) scripts/build-pgo.sh

run: build-release
	@mkdir -p var
	@./build/release/aic serve $(AIC_ARGS)

test: build-debug
	@ctest --preset debug -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz-smoke

# libFuzzer targets (clang). `make fuzz` builds them; fuzz-smoke runs each briefly on its
# seed corpus (part of `make test`); FUZZ_SECONDS=600 make fuzz-run for a real session.
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

fuzz-smoke: fuzz
	@tests/fuzz/run.sh build/fuzz $${FUZZ_SECONDS:-20}

bench:
	@bench/http/run.sh

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

lint: build-debug
	@git ls-files 'src/*.cpp' | xargs clang-tidy -p build/debug --quiet

clean:
	@rm -rf build

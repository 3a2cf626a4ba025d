# Thin wrapper: bootstrap the Debian packages, configure and build with CMake.
#   make run   - build, then run the default matrix (crashbench run), then the shipped
#                programs crashbench did not write (Python pools, cp, sed -i) under the tap
#   make test  - build, then run the whole test suite through CTest
#   make fuzz  - build the libFuzzer targets with clang (build-fuzz/) and run each FUZZ_SECONDS
#   make bench-peer - crashbench's kill -9 trial against a Python harness doing the same and
#                against the trial's floor, interleaved; trials/s and ratios (bench/peer/)
#   make baseline - run the default matrix here and make it results/baseline.json (the gate's baseline)
BUILD ?= build
JOBS ?= $(shell nproc)
RUN_ARGS ?=
FUZZ_SECONDS ?= 600

.PHONY: all bootstrap build run test bench bench-peer baseline fuzz clean

all: build

bootstrap:
	@scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt: | bootstrap
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Programs nobody here wrote, run unmodified under the syscall tap (issue 10).
SUBJECT_SCENARIOS ?= scenarios/python-pools.json scenarios/real-tools.json

run: build
	$(BUILD)/crashbench run $(RUN_ARGS)
	$(BUILD)/crashbench run $(SUBJECT_SCENARIOS) $(RUN_ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/crashbench-bench

# Issue 14: trials/s of crashbench, of the Python peer and of the floor, A B F A B F ...
PEER_ARGS ?= --rounds 5 --trials 100
bench-peer: build
	/usr/bin/python3 bench/peer/bench_peer.py --build $(BUILD) $(PEER_ARGS)

# Each target in turn, FUZZ_SECONDS each, its corpus kept in build-fuzz/corpus/.
fuzz: bootstrap
	JOBS=$(JOBS) tests/fuzz/run_fuzz.sh --build build-fuzz --seconds $(FUZZ_SECONDS)

# Stops (and keeps the old baseline) if an expectation fails: a baseline must be a good run.
baseline: build
	rm -rf $(BUILD)/baseline-run
	$(BUILD)/crashbench run --out $(BUILD)/baseline-run --no-progress
	cp $(BUILD)/baseline-run/results.json results/baseline.json
	@echo "results/baseline.json refreshed: commit it"

clean:
	rm -rf $(BUILD)

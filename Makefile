# Thin wrapper: bootstrap the Debian packages, configure and build with CMake.
#   make run   - build, then run the default matrix (crashbench run)
#   make test  - build, then run the whole test suite through CTest
BUILD ?= build
JOBS ?= $(shell nproc)
RUN_ARGS ?=

.PHONY: all bootstrap build run test bench clean

all: build

bootstrap:
	@scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt: | bootstrap
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/crashbench run $(RUN_ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/crashbench-bench

clean:
	rm -rf $(BUILD)

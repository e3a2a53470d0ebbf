# The two commands of README.md:
#   make run    installs what is missing, builds, and trains the reference post's problem
#               (on the GPU when there is one, else on the CPU), drawing its report to REPORT
#   make test   installs what is missing, builds, and runs the test suite with ctest
# Variables: BUILD_DIR (build), CMAKE_ARGS (extra configure arguments), ARGS (for `linsgd train`),
# REPORT (the report PNG of `make run`).
BUILD_DIR ?= build
CMAKE_ARGS ?=
ARGS ?=
REPORT ?= $(BUILD_DIR)/post-report.png
NVCC ?= $(shell command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
JOBS ?= $(shell nproc)

.PHONY: run test build bootstrap configure clean

bootstrap:
	@scripts/bootstrap.sh

configure: bootstrap
	@test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) $(GENERATOR) \
	  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_COMPILER=$(NVCC) $(CMAKE_ARGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/linsgd train --plot $(REPORT) $(ARGS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)

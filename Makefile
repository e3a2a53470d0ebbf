# The two commands of README.md:
#   make run    installs what is missing, builds, and trains the reference post's problem
#               (on the GPU when there is one, else on the CPU), drawing its report to REPORT
#   make test   installs what is missing, builds, and runs the test suite with ctest, then the
#               Python package's (pip install . into BENCH_PYTHON_DIR, then pytest)
# Other targets: deps (install the missing Debian packages, and the fit benchmark's Python
# environment), build, install (PREFIX), fit (the fit benchmark, FIT_OUT), clean.
# Variables: BUILD_DIR (build), CMAKE_ARGS (extra configure arguments: a change reconfigures
# from scratch), ARGS (for `linsgd train`), REPORT (the report PNG of `make run`), PREFIX,
# BENCH_PYTHON_DIR (the fit benchmark's Python environment; default BUILD_DIR/python), FIT_ARGS
# (for benchmarks/fit/run_fit.py), PYTHON_TESTS (0 leaves the Python package's tests out).
BUILD_DIR ?= build
CMAKE_ARGS ?=
ARGS ?=
REPORT ?= $(BUILD_DIR)/post-report.png
PREFIX ?= /usr/local
NVCC ?= $(shell command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
JOBS ?= $(shell nproc)

# The fit benchmark's Python environment (numpy, scipy, scikit-learn from PyPI).
BENCH_PYTHON_DIR ?= $(BUILD_DIR)/python

# The build directory as an absolute path: build, ./build and build/ are one directory.
CONFIGURE := cmake -S . -B $(abspath $(BUILD_DIR)) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_COMPILER=$(NVCC) -DLINSGD_BENCH_PYTHON=$(abspath $(BENCH_PYTHON_DIR))/bin/python3 \
  $(CMAKE_ARGS)
# The configure command a build directory was made with, to notice a change of CMAKE_ARGS.
CONFIGURED_WITH := $(BUILD_DIR)/.configured-with

FIT_OUT ?= $(BUILD_DIR)/fit
PYTHON_TESTS ?= 1

.PHONY: run test build deps configure install fit clean

deps:
	@scripts/bootstrap.sh
	@scripts/bench_python.sh $(BENCH_PYTHON_DIR)

configure: deps
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ] || \
	    [ "$$(cat $(CONFIGURED_WITH) 2>/dev/null)" != "$(CONFIGURE)" ]; then \
	  rm -f $(BUILD_DIR)/CMakeCache.txt && $(CONFIGURE) && \
	  echo "$(CONFIGURE)" > $(CONFIGURED_WITH); \
	fi

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/linsgd train --plot $(REPORT) $(ARGS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
ifneq ($(PYTHON_TESTS),0)
	scripts/python_tests.sh $(BUILD_DIR) $(BENCH_PYTHON_DIR)
endif

fit: build
	$(BENCH_PYTHON_DIR)/bin/python3 benchmarks/fit/run_fit.py --linsgd $(BUILD_DIR)/linsgd \
	  --out $(FIT_OUT) $(FIT_ARGS)

install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD_DIR)

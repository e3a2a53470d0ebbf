#!/usr/bin/env bash
# The Python package's tests on a GPU machine that reaches no package registry: a virtual
# environment that keeps the machine's NumPy and PyTorch (--system-site-packages), the package
# built from this checkout with the build requirements from WHEELS (wheels packed beforehand,
# scikit-learn and pandas among them), then python/tests, whose CUDA-array tests run there.
#   scripts/gpu_python_tests.sh BUILD_DIR [WHEELS]     (WHEELS: default .gpu/wheels)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd)
wheels=$(cd "${2:-$root/.gpu/wheels}" && pwd)
venv=$build/python-gpu
[ -x "$venv/bin/python3" ] || python3 -m venv --system-site-packages "$venv"
"$venv/bin/pip" install --quiet --no-index --find-links "$wheels" scikit-build-core nanobind \
  scikit-learn pandas pytest
"$venv/bin/pip" install --quiet --no-index --find-links "$wheels" --no-build-isolation \
  --config-settings=build-dir="$build/python-build" \
  --config-settings=cmake.define.CMAKE_CUDA_ARCHITECTURES="${CUDA_ARCHS:-90}" "$root"
cd "$root"
LINSGD_CLI=$build/linsgd "$venv/bin/python3" -m pytest -q -rs -p no:cacheprovider python/tests

#!/usr/bin/env bash
# The Python package's tests: installs the build and test requirements that pyproject.toml names
# (from PyPI) into the virtual environment VENV, builds and installs the package from this
# checkout (pip install ., its CMake build kept in BUILD_DIR/python-build so that a second run
# recompiles only what changed: hence --no-build-isolation), then runs python/tests with pytest,
# the command line of BUILD_DIR serving the tests that compare the two.
#   scripts/python_tests.sh BUILD_DIR VENV
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd)
venv=$2
python=$venv/bin/python3

[ -x "$python" ] || python3 -m venv "$venv"
requirements=$("$python" - "$root/pyproject.toml" <<'PY'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))
print("\n".join(project["build-system"]["requires"] + project["project"]["dependencies"]
                + project["project"]["optional-dependencies"]["test"]))
PY
)
mapfile -t requirements <<< "$requirements"
"$python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"

nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
echo "python_tests: pip install $root (CMake build in $build/python-build)"
"$python" -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps \
  --config-settings=build-dir="$build/python-build" \
  --config-settings=cmake.define.CMAKE_CUDA_COMPILER="$nvcc" "$root"

cd "$root"
LINSGD_CLI=$build/linsgd "$python" -m pytest -q -p no:cacheprovider python/tests

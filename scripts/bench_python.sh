#!/usr/bin/env bash
# Makes DIR a Python virtual environment holding the fit benchmark's requirements
# (benchmarks/fit/requirements.txt, from PyPI), unless it already does. Without network access
# it says so and exits 0: the fit benchmark's test then reports itself skipped.
#   scripts/bench_python.sh DIR
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
requirements=$here/../benchmarks/fit/requirements.txt
dir=$1
python=$dir/bin/python3

if [ -x "$python" ] && "$python" -c "import numpy, sklearn" 2> /dev/null &&
   [ "$dir/.requirements" -nt "$requirements" ]; then
  exit 0
fi
echo "bench_python: installing the fit benchmark's Python requirements into $dir"
if ! python3 -m venv "$dir" ||
   ! "$python" -m pip install --quiet --disable-pip-version-check -r "$requirements"; then
  echo "bench_python: could not install $requirements into $dir; the fit benchmark's" \
       "test will be skipped" >&2
  exit 0
fi
touch "$dir/.requirements"

#!/usr/bin/env python3
"""The layer check itself: on a made-up tree it reports an upward include, an include through
../ and a file outside any layer, and passes a tree whose includes point down."""
import pathlib
import subprocess
import sys
import tempfile

CHECK = pathlib.Path(__file__).resolve().parent / "check_layers.py"


def run(files):
    with tempfile.TemporaryDirectory() as root:
        for name, text in files.items():
            path = pathlib.Path(root, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        result = subprocess.run([sys.executable, str(CHECK), root], capture_output=True, text=True)
        return result.returncode, result.stdout


def main():
    clean = {
        "src/core/a.hpp": '#include "linsgd/config.hpp"\n',
        "src/cuda/b.cpp": '#include "core/a.hpp"\n#include "kernels/k.cuh"\n#include <vector>\n',
        "kernels/k.cu": '#include "core/a.hpp"\n',
        "tests/t.cpp": '#include "cuda/b.hpp"\n#include "test_support.hpp"\n',
    }
    code, out = run(clean)
    assert code == 0, out
    assert "0 violation(s)" in out, out

    broken = dict(clean)
    broken["src/core/up.cpp"] = '#include "cuda/cuda_exec.hpp"\n'
    broken["kernels/k.cuh"] = '#include "../src/core/a.hpp"\n'
    broken["src/stray.cpp"] = "int x;\n"
    broken["src/model/m.cpp"] = '#include "helper.hpp"\n'
    code, out = run(broken)
    assert code == 1, out
    assert 'src/core/up.cpp:1: layer core includes "cuda/cuda_exec.hpp" from layer cuda' in out, out
    assert 'kernels/k.cuh:1: includes "../src/core/a.hpp" through ../' in out, out
    assert "src/stray.cpp: not in a known layer" in out, out
    assert 'src/model/m.cpp:1: includes "helper.hpp", which names no layer' in out, out
    assert "4 violation(s)" in out, out
    print("test_check_layers: ok")


if __name__ == "__main__":
    main()

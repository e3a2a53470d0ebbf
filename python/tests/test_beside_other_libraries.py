"""linsgd in a process with other CUDA libraries: importing it and training on the CPU loads no
NCCL (a GPU data-parallel run alone loads it), so a PyTorch imported afterwards loads its own
NCCL, not one linsgd was built against (an older one lacks functions PyTorch binds at import).
Each check runs in a fresh interpreter: this one may have imported PyTorch already."""
import pathlib
import subprocess
import sys

import pytest


def run_python(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_importing_and_training_on_the_cpu_loads_no_nccl():
    if not pathlib.Path("/proc/self/maps").exists():
        pytest.skip("no /proc/self/maps to read the loaded libraries from")
    linsgd_loaded, nccl_loaded = run_python("""
import pathlib
import numpy as np
import linsgd
X = np.random.default_rng(0).standard_normal((300, 5), dtype=np.float32)
linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=2).fit(X, X.sum(1))
maps = pathlib.Path("/proc/self/maps").read_text()
print("liblinsgd" in maps, "libnccl" in maps)
""")
    assert linsgd_loaded == "True"  # the reading itself works
    assert nccl_loaded == "False"


def test_pytorch_imports_after_linsgd():
    pytest.importorskip("torch")
    assert run_python("import linsgd, torch; print(torch.ones(3).sum().item())") == ["3.0"]

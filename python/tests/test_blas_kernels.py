"""The CPU BLAS kernels the core runs: those the CPU's instruction sets call for, by the command
line's rule (Debian 12's OpenBLAS takes Intel's newest CPUs for old ones and would run its SSE3
kernels), with OPENBLAS_CORETYPE taken away again once the core has loaded, and a warning where
the system's OpenBLAS had loaded before linsgd."""
import ctypes
import os
import subprocess
import sys

import pytest

from linsgd import _blas_kernels, _core


def test_the_core_runs_the_kernels_the_cpu_calls_for():
    assert _core.cpu_blas_kernels_to_force() == ""


def test_openblas_coretype_is_set_for_the_import_alone(monkeypatch):
    monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    wanted = _blas_kernels.blas_kernels_for(*_blas_kernels.cpu_vendor_and_flags())
    with _blas_kernels.cpu_blas_kernels():
        assert os.environ.get("OPENBLAS_CORETYPE", "") == wanted
    assert "OPENBLAS_CORETYPE" not in os.environ
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Prescott")  # the user's choice stands
    with _blas_kernels.cpu_blas_kernels():
        assert os.environ["OPENBLAS_CORETYPE"] == "Prescott"
    assert os.environ["OPENBLAS_CORETYPE"] == "Prescott"


def test_an_openblas_loaded_before_with_narrower_kernels_is_named():
    # The system's OpenBLAS loaded first (as Debian's NumPy loads it), then linsgd: where it
    # picked SSE kernels on a CPU with AVX2 or AVX-512, the import warns, naming the fix.
    try:
        ctypes.CDLL("libopenblas.so.0")
    except OSError:
        pytest.skip("no libopenblas.so.0 on the loader's path")
    script = """
import ctypes, warnings
blas = ctypes.CDLL("libopenblas.so.0")
blas.openblas_get_corename.restype = ctypes.c_char_p
print(blas.openblas_get_corename().decode())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import linsgd
print(" | ".join(str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)))
"""
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=environment, check=True)
    picked, warned = (run.stdout.splitlines() + ["", ""])[:2]
    wanted = _blas_kernels.blas_kernels_for(*_blas_kernels.cpu_vendor_and_flags())
    sse = {"prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "nano"}
    if not (wanted and picked.lower() in sse):
        assert "OPENBLAS_CORETYPE" not in warned
        pytest.skip(f"OpenBLAS picks {picked} on this CPU itself")
    assert warned.startswith("linsgd: the system's OpenBLAS loaded before linsgd and runs "
                             "kernels narrower than this CPU's (")
    assert warned.endswith(f"import linsgd first, or start Python with "
                           f"OPENBLAS_CORETYPE={wanted}")


def test_the_rule_is_the_command_lines():
    # The cases of tests/test_cli.cpp's Cli.BlasKernelsFollowTheCpusInstructionSets.
    avx2 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi1 bmi2"
    avx512 = avx2 + " avx512f avx512dq avx512cd avx512bw avx512vl"
    rule = _blas_kernels.blas_kernels_for
    assert rule("GenuineIntel", avx512 + " avx512_vnni avx512_bf16 amx_tile") == "SkylakeX"
    assert rule("AuthenticAMD", avx512 + " avx512_bf16") == "SkylakeX"
    assert rule("GenuineIntel", avx512 + " avx512_vnni") == "SkylakeX"
    assert rule("GenuineIntel", avx2) == "Haswell"
    assert rule("AuthenticAMD", avx2) == "Zen"
    assert rule("GenuineIntel", avx2 + " avx512f") == "Haswell"
    assert rule("GenuineIntel", "fpu sse sse2 ssse3 sse4_1 sse4_2 avx") == ""
    assert rule("", "") == ""

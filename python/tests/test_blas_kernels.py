"""The CPU BLAS kernels the core runs: those the CPU's instruction sets call for, by the command
line's rule (an OpenBLAS older than the CPU would pick its generic ones), with OPENBLAS_CORETYPE
put back as it was once the core has loaded."""
import os

from linsgd import _blas_kernels, _core


def test_the_core_runs_the_kernels_the_cpu_calls_for():
    assert _core.cpu_blas_kernels_to_force() == ""
    wanted = _blas_kernels.blas_kernels_for(*_blas_kernels.cpu_vendor_and_flags())
    if wanted and "OPENBLAS_CORETYPE" not in os.environ:
        assert f"(kernels for {wanted})" in _core.cpu_blas_description()


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


def test_the_rule_is_the_command_lines():
    # The cases of tests/test_cli.cpp's Cli.BlasKernelsFollowTheCpusInstructionSets.
    avx2 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi1 bmi2"
    avx512 = avx2 + " avx512f avx512dq avx512cd avx512bw avx512vl"
    rule = _blas_kernels.blas_kernels_for
    assert rule("GenuineIntel", avx512 + " avx512_vnni avx512_bf16 amx_tile") == "Cooperlake"
    assert rule("AuthenticAMD", avx512 + " avx512_bf16") == "Cooperlake"
    assert rule("GenuineIntel", avx512 + " avx512_vnni") == "SkylakeX"
    assert rule("GenuineIntel", avx2) == "Haswell"
    assert rule("AuthenticAMD", avx2) == "Zen"
    assert rule("GenuineIntel", avx2 + " avx512f") == "Haswell"
    assert rule("GenuineIntel", "fpu sse sse2 ssse3 sse4_1 sse4_2 avx") == ""
    assert rule("", "") == ""

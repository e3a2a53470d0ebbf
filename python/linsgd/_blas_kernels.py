"""The CPU BLAS kernels linsgd's core runs on.

OpenBLAS picks its kernels as it loads, from a table of CPU models; Debian 12's 0.3.21 takes
Intel's newest (Raptor Lake, Emerald Rapids) for a Pentium 4 and runs its SSE3 kernels, 1.4 to
2.6x slower. So while the core, and with it the system's OpenBLAS, loads, OPENBLAS_CORETYPE names
the kernels this CPU's instruction sets call for, by the command line's rule (blas_kernels_for in
src/cpu/blas_info.cpp); it is taken away again once the core has loaded. A value the user set
stands. Libraries that load that same OpenBLAS afterwards (Debian's NumPy does) share its
kernels; NumPy from PyPI brings its own. Where the system's OpenBLAS had loaded before linsgd,
its pick stands, and a warning says how to change it.
"""
import contextlib
import os
import warnings

AVX512 = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}


def blas_kernels_for(vendor, flags):
    """OPENBLAS_CORETYPE's name for the kernels a CPU of this vendor and these /proc/cpuinfo
    flags calls for; "" where there is nothing to ask for."""
    has = set(flags.split())
    if AVX512 <= has:
        return "SkylakeX"
    if {"avx2", "fma"} <= has:
        return "Zen" if vendor == "AuthenticAMD" else "Haswell"
    return ""


def cpu_vendor_and_flags():
    """The first processor's vendor_id and flags in /proc/cpuinfo ("" where there are none)."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                key, colon, value = line.partition(":")
                if not colon and fields:
                    break  # the first processor's lines have ended
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields.get("vendor_id", ""), fields.get("flags", "")


@contextlib.contextmanager
def cpu_blas_kernels():
    """OPENBLAS_CORETYPE naming this CPU's kernels while the block (the core's import) runs."""
    kernels = "" if "OPENBLAS_CORETYPE" in os.environ else blas_kernels_for(
        *cpu_vendor_and_flags())
    if kernels:
        os.environ["OPENBLAS_CORETYPE"] = kernels
    try:
        yield
    finally:
        if kernels:
            os.environ.pop("OPENBLAS_CORETYPE", None)


def warn_where_unchanged(core):
    """Warns where the core runs narrower kernels than the CPU calls for: the system's OpenBLAS
    had loaded before linsgd (with Debian's NumPy or SciPy, say), and kept its pick."""
    kernels = core.cpu_blas_kernels_to_force()
    if kernels:
        warnings.warn(
            f"linsgd: the system's OpenBLAS loaded before linsgd and runs kernels narrower than "
            f"this CPU's ({core.cpu_blas_description()}), so CPU fits run up to 2.6x slower: "
            f"import linsgd first, or start Python with OPENBLAS_CORETYPE={kernels}",
            RuntimeWarning, stacklevel=2)

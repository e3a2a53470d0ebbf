"""The CPU BLAS kernels linsgd's core runs on.

OpenBLAS picks its kernels as it loads, from a table of the CPU models it knows; one older than
the CPU (Debian 12's 0.3.21 on Intel's Emerald Rapids) falls back to its generic kernels, several
times slower. So before the core, and with it the system's OpenBLAS, loads, OPENBLAS_CORETYPE
names the kernels this CPU's instruction sets call for, by the rule the command line follows
(blas_kernels_for in src/cpu/blas_info.cpp), and is put back as it was once the core has loaded:
other libraries (NumPy's own OpenBLAS) are left to their own pick. A value the user set stands.
"""
import contextlib
import os

AVX512 = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}


def blas_kernels_for(vendor, flags):
    """OPENBLAS_CORETYPE's name for the kernels a CPU of this vendor and these /proc/cpuinfo
    flags calls for; "" where OpenBLAS's own pick stands."""
    has = set(flags.split())
    if AVX512 <= has:
        return "Cooperlake" if "avx512_bf16" in has else "SkylakeX"
    if {"avx2", "fma"} <= has:
        return "Zen" if vendor in ("AuthenticAMD", "HygonGenuine") else "Haswell"
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
            del os.environ["OPENBLAS_CORETYPE"]

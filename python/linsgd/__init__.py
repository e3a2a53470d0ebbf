"""linsgd: mini-batch SGD for linear models on NVIDIA GPUs and CPUs.

``linsgd.SGDRegressor`` is a scikit-learn estimator over linsgd's C++ core (the same library the
``linsgd`` command line uses); ``linsgd.load`` reads a model file written by either.
"""
from ._blas_kernels import cpu_blas_kernels, warn_where_unchanged

with cpu_blas_kernels():  # the core loads the CPU BLAS, which picks its kernels then
    from . import _core
    from ._core import __version__, cuda_available
warn_where_unchanged(_core)
from ._estimator import SGDRegressor, load

__all__ = ["SGDRegressor", "load", "cuda_available", "__version__"]

"""How the estimator receives arrays: NumPy (and anything array-like) through scikit-learn's
validation, converted to float32 C-contiguous only when it is not already; CUDA arrays of PyTorch
and CuPy used where they are."""
import numpy as np


def is_cuda_array(array):
    """True for a PyTorch tensor on a CUDA device, or an object with __cuda_array_interface__
    (CuPy, Numba)."""
    if hasattr(array, "__cuda_array_interface__"):
        return True
    device = getattr(array, "device", None)
    return getattr(device, "type", None) == "cuda"


def detached(array):
    """A PyTorch tensor without its autograd graph (NumPy refuses one that requires grad, as
    model outputs do); anything else as it is."""
    if type(array).__module__.split(".")[0] == "torch" and hasattr(array, "detach"):
        return array.detach()
    return array


def cuda_float32(array):
    """`array` as a float32 C-contiguous array of the same library on the same device: itself when
    it already is one, else one converted copy."""
    if hasattr(array, "contiguous") and hasattr(array, "float"):  # PyTorch
        return array.detach().float().contiguous()
    import cupy  # anything else with __cuda_array_interface__ goes through CuPy

    return cupy.ascontiguousarray(cupy.asarray(array), dtype=cupy.float32)


def cuda_predict(X, coef, intercept, standardization=None):
    """X @ coef + intercept on X's device, in X's library, in float64 like the host path (after
    the standardization (mean, scale) of a model trained with --standardize, also in float64)."""
    if hasattr(X, "contiguous") and hasattr(X, "float"):  # PyTorch
        import torch

        X = X.float()
        features = (X.double() if standardization is None
                    else standardized(X, *standardization, to_float32=False))
        return features @ torch.as_tensor(np.asarray(coef), device=X.device,
                                          dtype=torch.float64) + float(intercept)
    import cupy

    X = cupy.asarray(X, dtype=cupy.float32)
    features = (X.astype(cupy.float64) if standardization is None
                else standardized(X, *standardization, to_float32=False))
    return features @ cupy.asarray(coef, dtype=cupy.float64) + float(intercept)


def standardized(X, mean, scale, to_float32=True):
    """(X - mean) / scale per feature, worked in float64 as the core works it (a float32
    difference of values near float's limit would overflow), as a new array of X's library on
    X's device (NumPy, PyTorch or CuPy): rounded once to float32, the features training sees,
    or kept in float64 (to_float32=False), the features predict multiplies."""
    mean, scale = np.asarray(mean, dtype=np.float64), np.asarray(scale, dtype=np.float64)
    if isinstance(X, np.ndarray):
        features = (X.astype(np.float64) - mean) / scale
        return np.ascontiguousarray(features, dtype=np.float32) if to_float32 else features
    if hasattr(X, "contiguous") and hasattr(X, "float"):  # PyTorch
        import torch

        def put(values):
            return torch.as_tensor(values, device=X.device)

        features = (X.double() - put(mean)) / put(scale)
        return features.float().contiguous() if to_float32 else features
    import cupy

    features = (X.astype(cupy.float64) - cupy.asarray(mean)) / cupy.asarray(scale)
    return cupy.ascontiguousarray(features, dtype=cupy.float32) if to_float32 else features


def all_finite(array):
    """Whether every value of a CUDA array (PyTorch or CuPy) is finite (one host round trip)."""
    if hasattr(array, "contiguous") and hasattr(array, "float"):  # PyTorch
        import torch

        return bool(torch.isfinite(array).all())
    import cupy

    return bool(cupy.isfinite(array).all())


def all_non_negative(array):
    """Whether every value of a CUDA array (PyTorch or CuPy) is >= 0 (one host round trip)."""
    return bool((array >= 0).all())


def ones_like(array):
    """Ones of `array`'s shape, dtype and device, in its library (NumPy, PyTorch or CuPy)."""
    if isinstance(array, np.ndarray):
        return np.ones_like(array)
    if hasattr(array, "contiguous") and hasattr(array, "float"):  # PyTorch
        import torch

        return torch.ones_like(array)
    import cupy

    return cupy.ones_like(array)


def to_host(array):
    """A NumPy copy of a CUDA array (PyTorch or CuPy)."""
    if hasattr(array, "cpu") and hasattr(array, "numpy"):  # PyTorch
        return array.detach().cpu().numpy()
    return array.get()

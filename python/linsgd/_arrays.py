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


def cuda_float32(array):
    """`array` as a float32 C-contiguous array of the same library on the same device: itself when
    it already is one, else one converted copy."""
    if hasattr(array, "contiguous") and hasattr(array, "float"):  # PyTorch
        return array.detach().float().contiguous()
    import cupy  # anything else with __cuda_array_interface__ goes through CuPy

    return cupy.ascontiguousarray(cupy.asarray(array), dtype=cupy.float32)


def cuda_predict(X, coef, intercept, standardization=None):
    """X @ coef + intercept on X's device, in X's library, in float64 like the host path (after
    the standardization (mean, scale) of a model trained with --standardize, in float32)."""
    if hasattr(X, "contiguous") and hasattr(X, "float"):  # PyTorch
        import torch

        def put(values, dtype):
            return torch.as_tensor(np.asarray(values), device=X.device, dtype=dtype)

        X = X.float()
        if standardization is not None:
            X = (X - put(standardization[0], torch.float32)) / put(standardization[1],
                                                                    torch.float32)
        return X.double() @ put(coef, torch.float64) + float(intercept)
    import cupy

    X = cupy.asarray(X, dtype=cupy.float32)
    if standardization is not None:
        X = (X - cupy.asarray(standardization[0])) / cupy.asarray(standardization[1])
    return X.astype(cupy.float64) @ cupy.asarray(coef, dtype=cupy.float64) + float(intercept)


def to_host(array):
    """A NumPy copy of a CUDA array (PyTorch or CuPy)."""
    if hasattr(array, "cpu") and hasattr(array, "numpy"):  # PyTorch
        return array.detach().cpu().numpy()
    return array.get()

"""CUDA arrays (PyTorch, CuPy) are trained on in place on the GPU: equal to the host run of the
same seed within float rounding, with predictions on the same device, and work still queued on
them waited for. Skipped without a GPU
(these belong to the GPU verification runs)."""
import numpy as np
import pytest

import linsgd

pytestmark = pytest.mark.skipif(not linsgd.cuda_available(), reason="no CUDA GPU")


def cuda_libraries():
    found = []
    try:
        import torch

        if torch.cuda.is_available():
            found.append(("torch", lambda a: torch.as_tensor(a, device="cuda")))
    except ImportError:
        pass
    try:
        import cupy

        found.append(("cupy", cupy.asarray))
    except ImportError:
        pass
    return found


@pytest.mark.parametrize("name,to_device", cuda_libraries() or [pytest.param(
    None, None, marks=pytest.mark.skip(reason="neither PyTorch with CUDA nor CuPy"))])
def test_cuda_arrays_train_in_place_and_predict_on_the_device(regression, name, to_device):
    X, y = regression
    params = dict(random_state=3, max_iter=5, tol=None, device="cuda")
    on_host = linsgd.SGDRegressor(**params).fit(X, y)
    X_device, y_device = to_device(X), to_device(y)
    on_device = linsgd.SGDRegressor(**params).fit(X_device, y_device)
    np.testing.assert_allclose(on_device.coef_, on_host.coef_, rtol=1e-4, atol=1e-5)
    pointer = (X_device.data_ptr() if name == "torch" else X_device.data.ptr)
    assert on_device._data_pointer == pointer  # no copy, no host round trip
    predictions = on_device.predict(X_device)
    assert type(predictions) is type(X_device)
    np.testing.assert_allclose(np.asarray(predictions.cpu() if name == "torch"
                                          else predictions.get()),
                               on_host.predict(X), rtol=1e-4, atol=1e-4)
    assert abs(on_device.score(X_device, y_device) - on_host.score(X, y)) < 1e-4


def test_arrays_still_being_written_by_pytorch_are_waited_for(regression):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch without CUDA")
    X, y = regression
    params = dict(random_state=3, max_iter=5, tol=None, device="cuda")
    on_host = linsgd.SGDRegressor(**params).fit(X, y)
    source_X, source_y = torch.as_tensor(X, device="cuda"), torch.as_tensor(y, device="cuda")
    X_device, y_device = torch.zeros_like(source_X), torch.zeros_like(source_y)
    torch.cuda.synchronize()
    # On a stream of its own (the estimator's checks on PyTorch's current stream would wait for
    # work there, so this is the case only the core's wait covers): the copies behind about
    # 0.25 s of spinning, still queued when fit starts; a run that did not wait would train on
    # the zeros.
    with torch.cuda.stream(torch.cuda.Stream()):
        torch.cuda._sleep(500_000_000)
        X_device.copy_(source_X)
        y_device.copy_(source_y)
    on_device = linsgd.SGDRegressor(**params).fit(X_device, y_device)
    np.testing.assert_allclose(on_device.coef_, on_host.coef_, rtol=1e-4, atol=1e-5)


def test_arrays_on_another_gpu_leave_the_current_device_as_it_was(regression):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available() or torch.cuda.device_count() < 2:
        pytest.skip("fewer than two GPUs")
    X, y = regression
    torch.cuda.set_device(0)
    on_second = linsgd.SGDRegressor(random_state=3, max_iter=5, tol=None, device="cuda").fit(
        torch.as_tensor(X, device="cuda:1"), torch.as_tensor(y, device="cuda:1"))
    assert torch.cuda.current_device() == 0
    assert np.all(np.isfinite(on_second.coef_))


@pytest.mark.parametrize("name,to_device", cuda_libraries() or [pytest.param(
    None, None, marks=pytest.mark.skip(reason="neither PyTorch with CUDA nor CuPy"))])
def test_partial_fit_weights_on_the_device_count_across_calls_as_on_the_host(regression, name,
                                                                             to_device):
    # The chunks' weights relative to the first call's mean (a chunk without weights weighs 1
    # on that scale: ones made on the device), as the host run of the same seed.
    X, y = regression
    params = dict(random_state=3, eta0=0.002, learning_rate="constant", penalty=None)
    weights = np.full(300, 4.0, dtype=np.float32)
    runs = []
    for device, put in (("cpu", lambda a: a), ("cuda", to_device)):
        estimator = linsgd.SGDRegressor(device=device, **params)
        estimator.partial_fit(put(X[:300]), put(y[:300]), sample_weight=put(weights))
        estimator.partial_fit(put(X[300:]), put(y[300:]))
        estimator.partial_fit(put(X[:300]), put(y[:300]), sample_weight=put(weights / 2))
        runs.append(estimator)
    np.testing.assert_allclose(runs[1].coef_, runs[0].coef_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(runs[1].intercept_, runs[0].intercept_, rtol=1e-4, atol=1e-5)

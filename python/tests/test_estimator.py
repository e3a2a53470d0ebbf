"""The estimator's behaviour: zero-copy input, feature names, pickling, partial_fit, the
diabetes fit against its closed form, Ctrl-C, the GIL, and errors that carry the command line's
messages."""
import _thread
import json
import pickle
import re
import signal
import threading
import time
import warnings

import numpy as np
import pytest

import linsgd


def test_float32_c_contiguous_arrays_are_trained_on_without_a_copy(regression):
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=2).fit(X, y)
    assert estimator._data_pointer == X.__array_interface__["data"][0]
    # float64 and Fortran-ordered input is converted once: the core sees another buffer.
    for converted in (X.astype(np.float64), np.asfortranarray(X)):
        estimator.fit(converted, y)
        assert estimator._data_pointer != converted.__array_interface__["data"][0]


def test_a_read_only_array_is_accepted(regression):
    X, y = regression
    X = X.copy()
    X.setflags(write=False)
    estimator = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=2).fit(X, y)
    assert estimator._data_pointer == X.__array_interface__["data"][0]


@pytest.mark.parametrize("prefix", ["f", "x"])  # x0, x1, ...: the names of unnamed columns too
def test_pandas_feature_names_are_kept_and_checked(regression, tmp_path, prefix):
    pd = pytest.importorskip("pandas")
    X, y = regression
    frame = pd.DataFrame(X, columns=[f"{prefix}{j}" for j in range(X.shape[1])])
    estimator = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=3).fit(
        frame, pd.Series(y, name="price"))
    assert list(estimator.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(estimator.predict(frame), estimator.predict(X))
    estimator.save(tmp_path / "model.json")
    loaded = linsgd.load(tmp_path / "model.json")
    assert list(loaded.feature_names_in_) == list(frame.columns)
    assert loaded._target_name == "price"
    for fitted in (estimator, loaded):
        with pytest.raises(ValueError, match="feature names"):
            fitted.predict(frame[frame.columns[::-1]])


def test_pickle_round_trip_predicts_the_same(regression):
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=4, max_iter=3).fit(X, y)
    copy = pickle.loads(pickle.dumps(estimator))
    np.testing.assert_array_equal(copy.predict(X), estimator.predict(X))
    assert copy.get_params() == estimator.get_params()


def test_save_and_load_round_trip(regression, tmp_path):
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=4, max_iter=3, loss="huber",
                                    penalty="l1", alpha=0.001, eta0="auto",
                                    sampling="sequential", early_stopping=True,
                                    validation_fraction=0.2).fit(X, y)
    estimator.save(tmp_path / "model.json")
    loaded = linsgd.load(tmp_path / "model.json")
    np.testing.assert_array_equal(loaded.coef_, estimator.coef_)
    np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))
    for name in ("loss", "penalty", "alpha", "eta0", "sampling", "batch_size", "random_state",
                 "max_iter", "early_stopping", "validation_fraction", "tol"):
        assert loaded.get_params()[name] == estimator.get_params()[name], name
    assert not hasattr(loaded, "feature_names_in_")  # NumPy arrays name no columns


def test_paths_may_be_bytes_and_may_not_hold_a_nul(regression, tmp_path):
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=4, max_iter=2).fit(X, y)
    path = bytes(tmp_path / "model.json")
    estimator.save(path)
    np.testing.assert_array_equal(linsgd.load(path).coef_, estimator.coef_)
    # A NUL would end the path early: "model.json\0x" named model.json.
    for call in (lambda: linsgd.load(str(tmp_path / "model.json") + "\0x"),
                 lambda: estimator.save(str(tmp_path / "other.json") + "\0x")):
        with pytest.raises(ValueError, match="embedded null byte in the path"):
            call()
    assert not (tmp_path / "other.json").exists()


def test_save_after_partial_fit_keeps_the_estimators_parameters(regression, tmp_path):
    # partial_fit runs without a stopping rule and with a seed per call: the file keeps the
    # estimator's tol and random_state, not its last run's.
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=9, tol=1e-3, max_iter=4)
    estimator.partial_fit(X, y).partial_fit(X, y)
    estimator.save(tmp_path / "model.json")
    loaded = linsgd.load(tmp_path / "model.json").get_params()
    for name in ("tol", "random_state", "max_iter"):
        assert loaded[name] == estimator.get_params()[name], name


@pytest.mark.parametrize("schedule", ["constant", "invscaling"])
def test_partial_fit_over_chunks_equals_fit_over_their_concatenation(regression, schedule):
    # (invscaling goes on from the steps of the calls before, t_, as scikit-learn's does: it
    # restarted with each call before, so repeated calls never slowed down.)
    X, y = regression
    params = dict(device="cpu", random_state=2, learning_rate=schedule, eta0=0.03,
                  sampling="sequential", batch_size=50, max_iter=1, tol=None, penalty="l1")
    whole = linsgd.SGDRegressor(**params).fit(X, y)
    chunks = linsgd.SGDRegressor(**params)
    for first in range(0, 600, 200):  # 200 rows: four whole batches each
        chunks.partial_fit(X[first:first + 200], y[first:first + 200])
    np.testing.assert_array_equal(chunks.coef_, whole.coef_)
    assert chunks.intercept_[0] == whole.intercept_[0]
    assert chunks.t_ == whole.t_ == 12
    assert chunks.n_iter_ == 1  # the last call's epoch, as scikit-learn's partial_fit


def test_weighted_chunks_of_equal_mean_weight_equal_fit_over_their_concatenation(regression):
    # Each chunk's weights are taken relative to the first call's mean (2 here, as every
    # chunk's and the whole data's): the chain is the fit, bit for bit.
    X, y = regression
    weights = np.tile(np.array([1, 2, 3, 2], dtype=np.float32), 150)
    params = dict(device="cpu", random_state=2, learning_rate="constant", eta0=0.03,
                  sampling="sequential", batch_size=50, max_iter=1, tol=None, penalty="l1")
    whole = linsgd.SGDRegressor(**params).fit(X, y, sample_weight=weights)
    chunks = linsgd.SGDRegressor(**params)
    for first in range(0, 600, 200):
        chunks.partial_fit(X[first:first + 200], y[first:first + 200],
                           sample_weight=weights[first:first + 200])
    np.testing.assert_array_equal(chunks.coef_, whole.coef_)
    assert chunks.intercept_[0] == whole.intercept_[0]


def test_partial_fit_weights_count_across_calls(regression):
    # A chunk weighted 5 after one weighted 1 steps five times as far (no penalty, a constant
    # rate): as the same chunk unweighted at five times the rate. Each call used to divide by
    # its own mean weight, which made any constant weight the same as none.
    X, y = regression
    params = dict(device="cpu", random_state=3, learning_rate="constant", eta0=0.002,
                  sampling="sequential", batch_size=50, penalty=None)
    weighted = linsgd.SGDRegressor(**params)
    weighted.partial_fit(X[:300], y[:300], sample_weight=np.ones(300))
    weighted.partial_fit(X[300:], y[300:], sample_weight=np.full(300, 5.0))
    scaled = linsgd.SGDRegressor(**params)
    scaled.partial_fit(X[:300], y[:300])
    scaled.set_params(eta0=0.01).partial_fit(X[300:], y[300:])
    np.testing.assert_allclose(weighted.coef_, scaled.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(weighted.intercept_, scaled.intercept_, rtol=1e-5, atol=1e-6)
    # A chunk without weights, after a first of mean weight 4, weighs 1 a row on that scale:
    # a quarter of the rate.
    quarter = linsgd.SGDRegressor(**params)
    quarter.partial_fit(X[:300], y[:300], sample_weight=np.full(300, 4.0))
    quarter.partial_fit(X[300:], y[300:])
    slow = linsgd.SGDRegressor(**params)
    slow.partial_fit(X[:300], y[:300])
    slow.set_params(eta0=0.0005).partial_fit(X[300:], y[300:])
    np.testing.assert_allclose(quarter.coef_, slow.coef_, rtol=1e-5, atol=1e-6)


def test_partial_fit_keeps_the_first_calls_auto_rate(regression, tmp_path):
    # eta0="auto" is found by the first call and kept by the later ones, so after a chunk
    # weighted 5 an unweighted one steps a fifth as far there too (a rate found again from it
    # would cancel the scale).
    X, y = regression
    params = dict(device="cpu", random_state=3, learning_rate="constant", sampling="sequential",
                  batch_size=50, penalty=None)
    weighted = linsgd.SGDRegressor(eta0="auto", **params)
    weighted.partial_fit(X[:300], y[:300], sample_weight=np.full(300, 5.0))
    rate = weighted.eta0_
    weighted.partial_fit(X[300:], y[300:])
    assert weighted.eta0_ == rate
    scaled = linsgd.SGDRegressor(eta0="auto", **params)
    scaled.partial_fit(X[:300], y[:300])
    assert scaled.eta0_ == rate
    scaled.set_params(eta0=rate / 5).partial_fit(X[300:], y[300:])
    np.testing.assert_allclose(weighted.coef_, scaled.coef_, rtol=1e-5, atol=1e-6)
    # Its model file says the rate came from eta0="auto", at the value found.
    weighted.save(tmp_path / "model.json")
    saved = json.loads((tmp_path / "model.json").read_text())["hyperparameters"]
    assert saved["learning_rate_auto"] is True
    assert saved["learning_rate"] == pytest.approx(rate, rel=1e-12)


def test_partial_fit_of_single_rows_after_a_batch_takes_their_smaller_auto_rate(regression):
    # A first chunk of 300 rows finds eta0="auto" for batches of 50; a chunk of one row is a
    # batch of one, whose step that rate may overshoot (it diverged within a few rows before).
    # Each call's chunk has its own rate, 1 / (|x|^2 + 1 + alpha) for one row (the squared
    # loss's smoothness on it, the intercept's 1, the l2 penalty's), and the model keeps the
    # smallest it has seen.
    X, y = regression
    X = X * np.float32(3.0)  # rows of |x|^2 near 72: one-row steps far shorter than the batch's
    estimator = linsgd.SGDRegressor(device="cpu", random_state=4, batch_size=50)
    estimator.partial_fit(X[:300], y[:300])
    first_rate = estimator.eta0_
    score = estimator.score(X, y)
    for row in range(300, 600):
        estimator.partial_fit(X[row:row + 1], y[row:row + 1])
    rows = X[300:].astype(np.float64)
    single_row_rates = 1.0 / (np.sum(rows * rows, axis=1) + 1.0 + estimator.alpha)
    assert single_row_rates.min() < first_rate
    assert estimator.eta0_ == pytest.approx(single_row_rates.min(), rel=1e-6)
    assert estimator.score(X, y) > score - 0.01


@pytest.mark.parametrize("schedule", ["constant", "invscaling"])
def test_partial_fit_after_load_goes_on_as_after_pickling(regression, tmp_path, schedule):
    # The file keeps what partial_fit goes on with: the rate eta0="auto" found, the scale of
    # the first call's weights (mean 5 here), every call's steps (t_, where invscaling goes on)
    # and the calls (which seed the next call's permutation), so that a loaded model steps as
    # the one pickled. (device is not in the file: "auto" would train on a GPU where there is
    # one, so it is set back to the pickled model's.)
    X, y = regression
    params = dict(device="cpu", random_state=3, learning_rate=schedule, batch_size=50,
                  penalty=None, eta0="auto")
    first = linsgd.SGDRegressor(**params)
    first.partial_fit(X[:150], y[:150], sample_weight=np.full(150, 5.0))
    first.partial_fit(X[150:300], y[150:300], sample_weight=np.full(150, 5.0))
    assert first.t_ == 6
    first.save(tmp_path / "model.json")
    assert linsgd.load(tmp_path / "model.json").t_ == 6
    pickled = pickle.loads(pickle.dumps(first)).partial_fit(X[300:], y[300:])
    loaded = linsgd.load(tmp_path / "model.json").set_params(device="cpu")
    assert loaded.eta0_ == first.eta0_
    loaded.partial_fit(X[300:], y[300:])
    np.testing.assert_array_equal(loaded.coef_, pickled.coef_)
    assert loaded.intercept_[0] == pickled.intercept_[0]
    # A file whose scale, steps or calls are out of range is refused, naming the key.
    saved = json.loads((tmp_path / "model.json").read_text())
    assert saved["metrics"]["sample_weight_mean"] == 5.0
    assert saved["metrics"]["partial_fit_calls"] == 2
    for key, value, requirement in (("sample_weight_mean", -1.0, "a positive number"),
                                    ("steps_total", 2.5, "a whole number, 0 to 2^62"),
                                    ("steps_total", 1e30, "a whole number, 0 to 2^62"),
                                    ("partial_fit_calls", 1.5, "a whole number, 1 to 2^63 - 1"),
                                    ("partial_fit_calls", 1e19, "a whole number, 1 to 2^63 - 1")):
        model = json.loads(json.dumps(saved))
        model["metrics"][key] = value
        (tmp_path / "bad.json").write_text(json.dumps(model))
        with pytest.raises(ValueError, match=re.escape(f"bad.json: metrics.{key}: {value} (must "
                                                       f"be {requirement})")):
            linsgd.load(tmp_path / "bad.json")


def test_warm_start_continues_from_the_previous_fit(regression):
    X, y = regression
    params = dict(device="cpu", random_state=2, learning_rate="constant", eta0=0.03,
                  sampling="sequential", batch_size=50, tol=None, penalty=None)
    two = linsgd.SGDRegressor(max_iter=2, **params).fit(X, y)
    warm = linsgd.SGDRegressor(max_iter=1, warm_start=True, **params).fit(X, y).fit(X, y)
    np.testing.assert_array_equal(warm.coef_, two.coef_)


def test_coef_init_and_intercept_init_start_the_run_as_in_scikit_learn(regression):
    X, y = regression
    exact = linsgd.SGDRegressor(device="cpu", solver="exact", penalty=None).fit(X, y)
    params = dict(device="cpu", random_state=1, learning_rate="constant", eta0=1e-6, tol=None,
                  max_iter=1, penalty=None)
    # From the solution, a run of tiny steps stays at it; from the drawn start it does not.
    started = linsgd.SGDRegressor(**params).fit(X, y, exact.coef_, exact.intercept_)
    np.testing.assert_allclose(started.coef_, exact.coef_, atol=1e-4)
    assert abs(started.intercept_[0] - exact.intercept_[0]) < 1e-4
    drawn = linsgd.SGDRegressor(**params).fit(X, y)
    assert np.abs(drawn.coef_ - exact.coef_).max() > 0.1
    # Either alone starts the other at 0; both replace warm_start's coefficients.
    bias_only = linsgd.SGDRegressor(**params).fit(X, y, intercept_init=3.0)
    assert abs(bias_only.intercept_[0] - 3.0) < 1e-3
    assert np.abs(bias_only.coef_).max() < 1e-3
    warm = linsgd.SGDRegressor(warm_start=True, **params).fit(X, y)
    warm.fit(X, y, coef_init=exact.coef_, intercept_init=exact.intercept_)
    np.testing.assert_allclose(warm.coef_, exact.coef_, atol=1e-4)
    with pytest.raises(ValueError, match=re.escape("coef_init has shape (2,), but the data has "
                                                   f"{X.shape[1]} features")):
        linsgd.SGDRegressor(**params).fit(X, y, coef_init=[1.0, 2.0])
    with pytest.raises(ValueError, match="intercept_init has 2 values; expected 1"):
        linsgd.SGDRegressor(**params).fit(X, y, intercept_init=[1.0, 2.0])
    with pytest.raises(ValueError, match="must be finite"):
        linsgd.SGDRegressor(**params).fit(X, y, coef_init=np.full(X.shape[1], np.inf))


def test_diabetes_r2_is_within_0_02_of_the_closed_form(diabetes_csv):
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = np.loadtxt(diabetes_csv, delimiter=",", skiprows=1)
    X, y = data[:, :-1], data[:, -1]
    exact = LinearRegression().fit(X, y).score(X, y)
    model = make_pipeline(StandardScaler(), linsgd.SGDRegressor(
        device="cpu", random_state=0, eta0="auto", penalty=None, max_iter=200, tol=None))
    assert model.fit(X, y).score(X, y) >= exact - 0.02
    assert exact > 0.5  # the comparison means something


def test_the_exact_solver_matches_the_closed_form(regression):
    X, y = regression
    X64 = np.hstack([X.astype(np.float64), np.ones((len(X), 1))])
    solution = np.linalg.lstsq(X64, y.astype(np.float64), rcond=None)[0]
    estimator = linsgd.SGDRegressor(device="cpu", solver="exact", penalty=None).fit(X, y)
    np.testing.assert_allclose(estimator.coef_, solution[:-1], rtol=1e-4, atol=1e-5)
    assert estimator.stopped_by_ == "exact"
    assert estimator.n_iter_ == 1  # scikit-learn's check_non_transformer_estimators_n_iter


def test_batches_that_do_not_divide_the_rows_reach_ridge_all_the_same():
    # 65 rows in batches of 64 (the default): each epoch's second batch holds one row, and
    # takes that row's share of the penalty, so that long averaged runs settle at the penalized
    # optimum (scikit-learn's Ridge with alpha x n), as full batches do.
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    X = rng.normal(size=(65, 3))
    y = X @ np.array([1.0, 2.0, 3.0]) + 0.5 + rng.normal(size=65)
    expected = Ridge(alpha=0.5 * 65).fit(X, y).coef_
    for sampling in ("epoch", "sequential"):
        estimator = linsgd.SGDRegressor(device="cpu", alpha=0.5, tol=None, max_iter=20000,
                                        average=65 * 1000, learning_rate="constant",
                                        eta0=0.01, random_state=0, sampling=sampling).fit(X, y)
        # Within 1.2e-4; weighing the penalty at both steps, it settled near
        # Ridge(alpha=0.5 x 65 x 1.97), 0.2 to 0.5 away.
        np.testing.assert_allclose(estimator.coef_, expected, atol=1e-3, err_msg=sampling)


def test_without_an_intercept_the_fit_is_scikit_learns_through_the_origin(regression, tmp_path):
    from sklearn.linear_model import Ridge

    X, y = regression
    X = X + np.float32(0.5)  # off-centre features: a model through the origin differs
    alpha = 0.01
    # Ridge's objective |y - Xw|^2 + a |w|^2 is 2 n times this one's at a = n alpha.
    reference = Ridge(alpha=alpha * len(X), fit_intercept=False).fit(
        X.astype(np.float64), y.astype(np.float64))
    exact = linsgd.SGDRegressor(device="cpu", solver="exact", alpha=alpha,
                                fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(exact.coef_, reference.coef_, rtol=1e-5, atol=1e-6)
    assert exact.intercept_[0] == 0.0
    with_intercept = linsgd.SGDRegressor(device="cpu", solver="exact", alpha=alpha).fit(X, y)
    assert np.abs(with_intercept.coef_ - reference.coef_).max() > 0.05
    sgd = linsgd.SGDRegressor(device="cpu", random_state=0, alpha=alpha, fit_intercept=False,
                              learning_rate="constant", sampling="epoch", batch_size=len(X),
                              max_iter=500, tol=None).fit(X, y)
    assert sgd.intercept_[0] == 0.0
    np.testing.assert_allclose(sgd.coef_, reference.coef_, rtol=1e-3, atol=1e-3)
    # intercept_init stays where it is, as scikit-learn's; a saved model loads without it.
    fixed = linsgd.SGDRegressor(device="cpu", random_state=0, fit_intercept=False, max_iter=2,
                                tol=None).fit(X, y, intercept_init=0.25)
    assert fixed.intercept_[0] == np.float32(0.25)
    solved = linsgd.SGDRegressor(device="cpu", solver="exact", alpha=alpha,
                                 fit_intercept=False).fit(X, y, intercept_init=0.25)
    assert solved.intercept_[0] == np.float32(0.25)
    shifted = Ridge(alpha=alpha * len(X), fit_intercept=False).fit(
        X.astype(np.float64), y.astype(np.float64) - 0.25)
    np.testing.assert_allclose(solved.coef_, shifted.coef_, rtol=1e-5, atol=1e-6)
    exact.save(tmp_path / "m.json")
    loaded = linsgd.load(tmp_path / "m.json")
    assert loaded.get_params()["fit_intercept"] is False
    np.testing.assert_array_equal(loaded.predict(X), exact.predict(X))


def test_curves_are_recorded(regression):
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=6, tol=1e-9,
                                    n_iter_no_change=100).fit(X, y)
    assert estimator.loss_curve_.shape == (estimator.t_,)
    assert estimator.objective_curve_.shape == (6, 4)  # one evaluation an epoch
    assert np.all(np.diff(estimator.objective_curve_[:, 0]) == 10)  # ceil(600 / 64) steps
    assert estimator.objective_curve_[-1, 2] < estimator.objective_curve_[0, 2]
    assert estimator.device_.startswith("CPU: ")


@pytest.fixture
def python_handles_ctrl_c():
    """Python's own Ctrl-C handler for the test: a process started with SIGINT ignored (a
    background job of a shell without job control) has none, and interrupt_main then does
    nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_stops_training_and_raises_keyboard_interrupt(python_handles_ctrl_c):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20000, 64)).astype(np.float32)
    y = X.sum(axis=1).astype(np.float32)
    estimator = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=100000, tol=None,
                                    eta0=1e-4)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        estimator.fit(X, y)
    assert time.monotonic() - started < 30
    assert not hasattr(estimator, "coef_")  # nothing half-fitted


def test_training_releases_the_gil():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20000, 64)).astype(np.float32)
    y = X.sum(axis=1).astype(np.float32)
    estimator = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=400, tol=None)
    worker = threading.Thread(target=estimator.fit, args=(X, y))
    ticks = 0
    worker.start()
    while worker.is_alive():  # runs only while the worker's C++ call has let go of the GIL
        ticks += 1
        time.sleep(0.001)
    worker.join()
    assert estimator.t_ == 400 * 313
    # Held for the whole run, the GIL would allow a tick or two (before and after).
    assert ticks > 20


def test_core_messages_name_the_parameters():
    from linsgd._estimator import _in_parameter_names

    assert _in_parameter_names(
        "training diverged: the batch loss became inf at step 3 of 9; try a --lr below the auto "
        "value, or --standardize the features") == (
        "training diverged: the batch loss became inf at step 3 of 9; try an eta0 below the auto "
        "value, or standardize the features (StandardScaler)")
    assert _in_parameter_names("--solver exact applies to --loss squared, not to --lr auto") == (
        "solver='exact' applies to loss='squared_error', not to eta0='auto'")
    assert _in_parameter_names("--data x.csv: --target 2") == "--data x.csv: --target 2"
    assert _in_parameter_names("(--standardize maps constant features to 0)") == (
        "(StandardScaler maps constant features to 0)")


@pytest.mark.parametrize("params,message", [
    (dict(alpha=-1.0), "invalid value for alpha: -1 (must be a non-negative finite number)"),
    (dict(momentum=1.5), "invalid value for momentum: 1.5 (must be in [0, 1))"),
    (dict(nesterov=True), "nesterov needs a momentum above 0"),
    (dict(warmup=5), "invalid value for warmup: 5 (applies to learning_rate='cosine')"),
    (dict(loss="hinge"), "invalid value for loss: 'hinge' (must be one of squared_error, huber"),
    (dict(batch_size=0), "invalid value for batch_size: 0 (must be an integer from 1 to"),
    (dict(eta0=float("nan")), "invalid value for eta0: nan (must be a finite number)"),
    (dict(alpha=float("inf"), penalty="l2"),
     "invalid value for alpha: inf (must be a finite number)"),
    (dict(random_state=2**64), "invalid value for random_state: 18446744073709551616 (must be "
                               "an integer from 0 to 18446744073709551615)"),
    (dict(max_iter=2**63), "invalid value for max_iter: 9223372036854775808"),
    (dict(eta0="fast"), "invalid value for eta0: 'fast' (must be a positive number or 'auto')"),
    (dict(validation_fraction=1.5),  # checked with early_stopping or not, as scikit-learn's
     "invalid value for validation_fraction: 1.5 (must be in (0, 1))"),
    (dict(solver="exact", loss="huber"), "solver='exact'"),
    (dict(solver="exact", momentum=0.5),
     "momentum applies to the steps of solver='sgd', not to solver='exact'"),
    (dict(solver="exact", early_stopping=True),
     "early_stopping applies to the steps of solver='sgd', not to solver='exact'"),
])
def test_bad_parameters_raise_value_error_with_the_message(regression, params, message):
    X, y = regression
    with pytest.raises(ValueError, match=re.escape(message)):
        linsgd.SGDRegressor(device="cpu", **params).fit(X, y)


def test_bad_data_raises_value_error(regression):
    X, y = regression
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        linsgd.SGDRegressor(device="cpu").fit(bad, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        linsgd.SGDRegressor(device="cpu").fit(X, y[:-1])
    weights = np.ones(len(y), dtype=np.float32)
    weights[5] = -2.0
    with pytest.raises(ValueError, match=re.escape("sample_weight: row 5: -2.0 (must be >= 0)")):
        linsgd.SGDRegressor(device="cpu").fit(X, y, sample_weight=weights)
    # A finite float64 target past float32's range (1e39) is no float32 value.
    big = y.astype(np.float64)
    big[7] = 1e39
    with pytest.raises(ValueError, match=re.escape("Input y contains infinity or a value too "
                                                   "large for dtype('float32')")):
        linsgd.SGDRegressor(device="cpu", solver="exact", penalty=None).fit(X, big)
    # Refused by scikit-learn's validation (recent versions) or by the core.
    with pytest.raises(ValueError, match="non-zero|every sample weight is 0"):
        linsgd.SGDRegressor(device="cpu").fit(X, y, sample_weight=np.zeros(len(y)))


def test_an_average_past_the_samples_seen_never_starts_as_in_scikit_learn(regression):
    X, y = regression  # 600 rows: 2 epochs see 1200 samples; with early stopping 540 rows, 1080
    params = dict(device="cpu", random_state=3, max_iter=2, tol=None)
    kept = dict(early_stopping=True, validation_fraction=0.1, **params)
    # 1100: past the 1080 samples of the kept rows, though its step (1099 // 64 = 17) is not
    # past their 18 steps (the last of each epoch short).
    cases = ((params, 10**9, False), (params, 1152, True), (params, 600, True), (params, 0, False),
             (kept, 1152, False), (kept, 1100, False), (kept, 600, True))
    for chosen, average, averages in cases:
        plain = linsgd.SGDRegressor(**chosen).fit(X, y)
        averaged = linsgd.SGDRegressor(average=average, **chosen).fit(X, y)
        # Never started (the command line refuses such an --average instead), or started.
        assert np.array_equal(averaged.coef_, plain.coef_) != averages, (chosen, average)


def test_a_run_that_its_stopping_rule_did_not_end_warns_as_scikit_learn_does(regression):
    from sklearn.exceptions import ConvergenceWarning
    X, y = regression
    with pytest.warns(ConvergenceWarning, match="Maximum number of iteration reached"):
        short = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=2).fit(X, y)
    assert short.stopped_by_ == "steps"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        converged = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=1000).fit(X, y)
        assert converged.stopped_by_ == "tol"
        linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=2, tol=None).fit(X, y)
        linsgd.SGDRegressor(device="cpu", random_state=0).partial_fit(X, y)


@pytest.mark.parametrize("sampling", ["replacement", "epoch", "sequential"])
def test_n_iter_counts_the_passes_begun_and_never_past_max_iter(regression, sampling):
    X, y = regression  # 600 rows, batches of 64: with replacement, 5 epochs take 47 steps
    whole = linsgd.SGDRegressor(device="cpu", random_state=1, max_iter=5, tol=None,
                                sampling=sampling).fit(X, y)
    assert whole.n_iter_ == 5
    assert whole.t_ == (47 if sampling == "replacement" else 50)
    one = linsgd.SGDRegressor(device="cpu", random_state=1, sampling=sampling).partial_fit(X, y)
    assert one.n_iter_ == 1
    # 130 rows: 7 epochs with replacement are 15 steps of 64 rows (7.4 passes), 5 of the
    # stopping rule's epochs of 3 steps; the run made the passes asked.
    few = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=7, tol=None,
                              sampling=sampling).fit(X[:130], y[:130])
    assert few.n_iter_ == 7
    assert few.t_ == (15 if sampling == "replacement" else 21)
    if sampling == "replacement":  # stopped by tol: the epochs it evaluated, 10 steps each
        stopped = linsgd.SGDRegressor(device="cpu", random_state=0, sampling=sampling).fit(X, y)
        assert stopped.stopped_by_ == "tol"
        assert stopped.t_ == 10 * stopped.n_iter_
        assert len(stopped.objective_curve_) == stopped.n_iter_


def test_a_diverging_run_raises_runtime_error_naming_the_step(regression):
    X, y = regression
    with pytest.raises(RuntimeError, match=r"training diverged: .* at step \d+"):
        linsgd.SGDRegressor(device="cpu", learning_rate="constant", eta0=1e6, tol=None,
                            max_iter=50).fit(X * 1000, y)


def test_a_run_that_diverges_before_it_overflows_raises_runtime_error():
    # Momentum 0.99 on single rows grows the objective without overflowing float; the tol rule,
    # seeing no improvement, would stop it as if it had converged.
    rng = np.random.RandomState(0)
    X = rng.randn(100, 3)
    y = X.sum(1)
    for tol in (1e-3, None):
        with pytest.raises(RuntimeError, match=r"training diverged, or its steps are too long "
                                               r"for the data: the objective at step \d+ of \d+ "
                                               r"is .*, more than 10 times "):
            linsgd.SGDRegressor(device="cpu", random_state=0, momentum=0.99, batch_size=1,
                                tol=tol, max_iter=100).fit(X, y)


def test_fits_in_threads_at_once_give_the_bits_of_a_lone_fit():
    # A one-thread step (16 x 200) and an every-core one (8192 x 200): OpenBLAS's thread count is
    # the process's, so concurrent CPU runs take turns rather than change each other's.
    rng = np.random.RandomState(0)
    X = rng.randn(20000, 200).astype(np.float32)
    y = (X @ rng.randn(200)).astype(np.float32)

    def fit(batch_size):
        return linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=2, tol=None,
                                   batch_size=batch_size).fit(X, y)

    alone = {batch_size: fit(batch_size) for batch_size in (16, 8192)}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        for batch_size, together in zip((16, 8192) * 3, pool.map(fit, (16, 8192) * 3)):
            np.testing.assert_array_equal(together.coef_, alone[batch_size].coef_)
            assert together.eta0_ == alone[batch_size].eta0_
            assert together.device_ == alone[batch_size].device_


def test_a_fit_waiting_for_its_turn_on_the_cpu_stops_at_ctrl_c(python_handles_ctrl_c):
    # CPU fits of one process take turns (above); one on the main thread that waits for its turn
    # stops at a Ctrl-C there and then, not once the fit it waits for has ended. The other fit
    # is sized to last about 4 s on this machine (its speed measured on a short fit), the
    # Ctrl-C comes 0.6 s after it started.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20000, 64)).astype(np.float32)
    y = X.sum(axis=1).astype(np.float32)
    started = time.monotonic()
    linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=20, tol=None).fit(X, y)
    epochs = max(100, int(4.0 / ((time.monotonic() - started) / 20)))
    other = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=epochs, tol=None)
    worker = threading.Thread(target=other.fit, args=(X, y))
    worker.start()
    time.sleep(0.3)  # the worker's fit has the turn
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=1, tol=None).fit(X, y)
        assert worker.is_alive()
    finally:
        timer.cancel()
        worker.join()
    assert other.t_ == epochs * 313


def test_an_early_stopping_split_of_weight_0_is_named(regression):
    X, y = regression
    weights = np.zeros(len(y))
    weights[:2] = 1.0
    refusals = 0
    for seed in range(8):
        try:
            linsgd.SGDRegressor(device="cpu", early_stopping=True, random_state=seed,
                                max_iter=2).fit(X, y, sample_weight=weights)
        except ValueError as error:
            refusals += 1
            assert str(error) == (
                f"validation_fraction 0.1: the 60 validation rows that random_state {seed} drew "
                "all have sample weight 0; use another random_state or validation_fraction")
    assert refusals > 0


def test_a_file_of_hyperparameters_fit_would_refuse_is_refused_at_load(regression, tmp_path):
    X, y = regression
    linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=2).fit(X, y).save(
        tmp_path / "model.json")
    saved = json.loads((tmp_path / "model.json").read_text())
    for name, value, message in (("batch_size", 0, "invalid value for batch_size: 0"),
                                 ("n_iter_no_change", 0, "invalid value for n_iter_no_change: 0")):
        edited = dict(saved, hyperparameters=dict(saved["hyperparameters"], **{name: value}))
        (tmp_path / "edited.json").write_text(json.dumps(edited))
        with pytest.raises(ValueError, match=re.escape(
                f"edited.json: the file's hyperparameters: {message}")):
            linsgd.load(tmp_path / "edited.json")


def test_loading_a_binary_file_says_what_it_is(regression, tmp_path):
    np.save(tmp_path / "X.npy", regression[0])
    with pytest.raises(ValueError, match=r"X\.npy: a \.npy array, not a model file"):
        linsgd.load(tmp_path / "X.npy")
    (tmp_path / "b.json").write_bytes(b"\xff\xfe")
    with pytest.raises(ValueError, match=r"this file begins with '\\xFF\\xFE'"):
        linsgd.load(tmp_path / "b.json")
    # Refused from its first bytes: never read to its (absent) end.
    with pytest.raises(ValueError, match=r"/dev/zero: not a valid model file .* begins with "
                                         r"'(\\x00){16}'"):
        linsgd.load("/dev/zero")


def test_a_cpu_tensor_gives_a_tensor(regression):
    torch = pytest.importorskip("torch")
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=3)
    estimator.fit(torch.from_numpy(X), torch.from_numpy(y))
    assert estimator._data_pointer == X.__array_interface__["data"][0]  # shared, not copied
    predictions = estimator.predict(torch.from_numpy(X))
    assert isinstance(predictions, torch.Tensor)
    np.testing.assert_array_equal(predictions.numpy(), estimator.predict(X))
    # A tensor that requires grad (a model's output) is read as its values.
    graph = torch.from_numpy(X).requires_grad_()
    np.testing.assert_array_equal(estimator.predict(graph).numpy(), estimator.predict(X))
    again = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=3)
    np.testing.assert_array_equal(again.fit(graph, torch.from_numpy(y)).coef_, estimator.coef_)


def test_the_largest_seed_serves_partial_fit_calls(regression):
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=2**64 - 1)
    for _ in range(3):  # the calls' seeds wrap around 2^64
        estimator.partial_fit(X, y)
    assert estimator.t_ == 3 * -(-600 // estimator.batch_size)  # each call one pass


@pytest.mark.parametrize("average", [1, 2, 50])
def test_average_k_starts_at_the_kth_sample_as_scikit_learns(regression, average):
    from sklearn.linear_model import SGDRegressor as Reference
    X, y = regression
    zeros = np.zeros(X.shape[1])
    same = dict(learning_rate="constant", eta0=0.01, penalty=None, max_iter=3, tol=None)
    ours = linsgd.SGDRegressor(device="cpu", average=average, batch_size=1,
                               sampling="sequential", **same).fit(X, y, coef_init=zeros,
                                                                  intercept_init=0.0)
    for k, close in ((average, True), (average + 1, False)):
        theirs = Reference(average=k, shuffle=False, **same).fit(X, y, coef_init=zeros,
                                                                 intercept_init=0.0)
        # The same averages up to float32 rounding (about 1e-6); a sample later, about 1e-3.
        assert (np.max(np.abs(ours.coef_ - theirs.coef_)) < 1e-5) == close, k
    if average == 1:  # scikit-learn's average=1 is average=True
        averaged = linsgd.SGDRegressor(device="cpu", average=True, batch_size=1,
                                       sampling="sequential", **same).fit(
                                           X, y, coef_init=zeros, intercept_init=0.0)
        assert np.array_equal(averaged.coef_, ours.coef_)


def test_a_failed_fit_leaves_the_estimator_as_it_was(regression):
    pd = pytest.importorskip("pandas")
    from sklearn.exceptions import ConvergenceWarning, NotFittedError
    X, y = regression
    fitted = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=2).fit(X[:, :4], y)
    before = fitted.predict(X[:, :4])
    frame = pd.DataFrame(X[:, :6] * 1000, columns=[f"f{j}" for j in range(6)])
    diverging = dict(learning_rate="constant", eta0=1e6, tol=None, max_iter=50)
    with pytest.raises(RuntimeError, match="training diverged"):
        fitted.set_params(**diverging).fit(frame, y)
    assert fitted.n_features_in_ == 4 and not hasattr(fitted, "feature_names_in_")
    assert np.array_equal(fitted.predict(X[:, :4]), before)
    # A fit that trained is recorded whole, its warning raised as an error or not.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning):
            fitted.set_params(eta0="auto", learning_rate="invscaling", max_iter=1,
                              tol=1e-3).fit(frame, y)
    assert fitted.n_features_in_ == 6 and fitted.coef_.shape == (6,)
    assert list(fitted.feature_names_in_) == list(frame.columns)
    # A first fit that fails leaves nothing fitted.
    fresh = linsgd.SGDRegressor(device="cpu", **diverging)
    with pytest.raises(RuntimeError, match="training diverged"):
        fresh.fit(frame, y)
    assert not hasattr(fresh, "n_features_in_")
    with pytest.raises(NotFittedError):
        fresh.predict(X[:, :6])


def test_partial_fit_is_not_there_under_the_exact_solver(regression):
    # scikit-learn's available_if: meta-estimators ask hasattr before they stream.
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", solver="exact")
    assert not hasattr(estimator, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as refused:
        estimator.partial_fit(X, y)
    assert "solver='exact' solves the rows it is given at once" in str(refused.value.__cause__)
    assert not hasattr(estimator, "coef_")
    assert hasattr(estimator.set_params(solver="sgd"), "partial_fit")


def test_partial_fit_refuses_early_stopping(regression):
    # As scikit-learn's: a chunk has no held-out rows to watch (it was ignored before).
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", early_stopping=True)
    with pytest.raises(ValueError, match="early_stopping should be False with partial_fit"):
        estimator.partial_fit(X, y)
    assert not hasattr(estimator, "coef_")


def test_an_intercept_assigned_a_scalar_predicts(regression):
    # scikit-learn's predict is X @ coef_ + intercept_, which takes a scalar too.
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=0, max_iter=3).fit(X, y)
    expected = X.astype(np.float64) @ estimator.coef_ + 0.5
    estimator.intercept_ = 0.5
    np.testing.assert_allclose(estimator.predict(X), expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["nesterov", "early_stopping", "warm_start", "fit_intercept"])
def test_flags_take_true_or_false_only(regression, name):
    X, y = regression
    for value in ("no", 1, None):
        with pytest.raises(ValueError, match=re.escape(f"invalid value for {name}: {value!r} "
                                                       "(must be True or False)")):
            linsgd.SGDRegressor(device="cpu", max_iter=1, **{name: value}).fit(X, y)
    momentum = {"momentum": 0.5} if name == "nesterov" else {}
    linsgd.SGDRegressor(device="cpu", max_iter=1, tol=None, **momentum,
                        **{name: np.bool_(True)}).fit(X, y)


def test_normal_equations_past_the_memory_are_refused_before_they_are_allocated():
    # 2,000,001 parameters: normal equations of 32 TB, refused with both sizes and the way out
    # (a bare std::bad_alloc before).
    X = np.random.default_rng(0).standard_normal((5, 2000000)).astype(np.float32)
    with pytest.raises(ValueError, match=r"need .* of host memory but .* is available; use fewer "
                                         r"features \(the normal equations hold"):
        linsgd.SGDRegressor(device="cpu", solver="exact", penalty=None).fit(X, np.ones(5))


def test_a_column_name_a_model_file_cannot_hold_is_named(regression, tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = regression
    # (An object Index: pandas 3 would store the names as Arrow strings, which refuse it.)
    names = pd.Index([f"f{j}" for j in range(7)] + ["\ud800"], dtype=object)
    frame = pd.DataFrame(X, columns=names)
    estimator = linsgd.SGDRegressor(device="cpu", max_iter=1, tol=None).fit(frame, y)
    with pytest.raises(ValueError, match=r"the column name '\\ud800' is no Unicode text"):
        estimator.save(tmp_path / "model.json")
    assert not (tmp_path / "model.json").exists()


def test_steps_too_short_for_the_intercept_warn():
    # Features of scale 100: eta0="auto" steps about 1e-4 (the largest curvature is 1e4), the
    # intercept (curvature 1) barely moves, and the stopping rule, seeing the loss change
    # little, stops: a ConvergenceWarning says so, however the run stopped.
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 4)) * 100
    y = X @ np.array([0.01, 0.02, 0.03, 0.04]) + 2 + rng.normal(size=1000)
    optimum = LinearRegression().fit(X, y).intercept_
    with pytest.warns(ConvergenceWarning, match=r"against the intercept's curvature of 1.*keeps "
                                                r"about 9[0-9]% .*eta0='auto' took [0-9.e-]+ "
                                                r"from the features' largest curvature.*"
                                                r"StandardScaler"):
        estimator = linsgd.SGDRegressor(device="cpu", random_state=0).fit(X, y)
    assert estimator.stopped_by_ == "tol"
    assert abs(estimator.intercept_[0] - optimum) > 1.5
    # Standardized, the same data fits without it, the intercept within the steps' noise of
    # its optimum (SGD's at the defaults: README, "How far the defaults' fit lies").
    standardized = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fitted = linsgd.SGDRegressor(device="cpu", random_state=0).fit(standardized, y)
    assert fitted.intercept_[0] == pytest.approx(optimum, abs=0.25)
    # A fixed rate too small for its steps: the advice is to step more, or further.
    with pytest.warns(ConvergenceWarning, match=r"at most 0\.096 .*a larger eta0"):
        linsgd.SGDRegressor(device="cpu", eta0=1e-3, learning_rate="constant", max_iter=6,
                            tol=None).fit(standardized, y)
    # Features far from 0 (years, prices): the least curved direction mixes the intercept with
    # the weights, so the intercept itself may move further than that direction; the warning
    # claims nothing of the intercept's own progress.
    x = 100 + 10 * rng.normal(size=(1000, 1))
    with pytest.warns(ConvergenceWarning, match=r"so the intercept may be far from its optimum"):
        linsgd.SGDRegressor(device="cpu", random_state=0).fit(x, 20 * x[:, 0] + 2)
    # The default invscaling schedule lowers the rate as the steps go: the reach is the sum of
    # the rates it gave (about 2.5 here), not the first rate times the steps (about 35).
    X = rng.normal(size=(20000, 3)) * 50
    y = X @ np.array([1.0, 2.0, 3.0]) / 50 + 5 + rng.normal(scale=0.1, size=20000)
    with pytest.warns(ConvergenceWarning, match=r"add up to at most 2\.[0-9]+ .*keeps about"):
        estimator = linsgd.SGDRegressor(device="cpu", random_state=0).fit(X, y)
    assert abs(estimator.intercept_[0] - LinearRegression().fit(X, y).intercept_) > 0.2


def test_float64_features_predict_their_own_products_in_float64():
    # X @ coef_ + intercept_ as scikit-learn's, not X rounded to float32 first (which would
    # round 1e6 + x to a multiple of 0.0625).
    rng = np.random.default_rng(0)
    centered = rng.normal(size=(100, 3))
    estimator = linsgd.SGDRegressor(device="cpu", solver="exact", penalty=None).fit(
        centered, centered @ [1.0, 2.0, 3.0])
    X = centered + 1e6
    np.testing.assert_array_equal(estimator.predict(X),
                                  X @ estimator.coef_ + estimator.intercept_[0])
    far = np.array([[1e39, 0.0, 0.0]])  # past float32's range, not past float64's
    assert estimator.predict(far)[0] == pytest.approx(1e39 * estimator.coef_[0])
    # float32 features predict as the command line does: each row's sum of float products in
    # double.
    single = X.astype(np.float32)
    expected = single.astype(np.float64) @ estimator.coef_ + estimator.intercept_[0]
    np.testing.assert_allclose(estimator.predict(single), expected, rtol=1e-12)


def test_save_writes_the_parameters_the_model_was_fit_with(regression, tmp_path):
    # Parameters set after the fit change neither coef_ nor the file: it holds the fit's.
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=0, alpha=1e-4, max_iter=50,
                                    tol=None).fit(X, y)
    estimator.set_params(alpha=0.5, max_iter=7, random_state=5, early_stopping=True,
                         loss="huber", tol=0.1)
    estimator.save(tmp_path / "model.json")
    loaded = linsgd.load(tmp_path / "model.json").get_params()
    assert {name: loaded[name] for name in ("alpha", "loss", "max_iter", "random_state",
                                            "early_stopping", "tol")} == {
        "alpha": 1e-4, "loss": "squared_error", "max_iter": 50, "random_state": 0,
        "early_stopping": False, "tol": None}
    # A parameter invalid since (max_iter 0) does not stop the fitted model from saving.
    estimator.set_params(max_iter=0)
    estimator.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == (tmp_path / "model.json").read_text()
    # The held-out fraction as fit, and as loaded.
    held = linsgd.SGDRegressor(device="cpu", random_state=0, early_stopping=True,
                               validation_fraction=0.2, max_iter=5).fit(X, y)
    held.set_params(early_stopping=False)
    held.save(tmp_path / "held.json")
    assert json.loads((tmp_path / "held.json").read_text())["validation_fraction"] == 0.2
    linsgd.load(tmp_path / "held.json").set_params(validation_fraction=0.5).save(
        tmp_path / "held-again.json")
    assert json.loads((tmp_path / "held-again.json").read_text())["validation_fraction"] == 0.2


def test_partial_fit_checks_what_save_writes_before_it_steps(regression):
    # max_iter and tol, which a partial_fit run does not use, are saved as the model's: refused
    # before any step, the estimator left unfitted.
    X, y = regression
    for bad in (dict(max_iter=0), dict(tol="x")):
        estimator = linsgd.SGDRegressor(device="cpu", **bad)
        with pytest.raises(ValueError, match=f"invalid value for {next(iter(bad))}"):
            estimator.partial_fit(X, y)
        assert not hasattr(estimator, "coef_")


def test_a_loaded_l1_or_l2_model_keeps_the_default_l1_ratio(regression, tmp_path):
    # The file holds the rho the penalty used (l2: 0); the estimator gets scikit-learn's default
    # back, so that an elastic net set on it later is one.
    X, y = regression
    linsgd.SGDRegressor(device="cpu", penalty="l2", l1_ratio=0.3, max_iter=2,
                        tol=None).fit(X, y).save(tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["hyperparameters"]["l1_ratio"] == 0.0
    assert linsgd.load(tmp_path / "m.json").l1_ratio == 0.15


def test_a_batch_size_states_its_real_range(regression):
    X, y = regression
    for size in (0, 2**40):
        with pytest.raises(ValueError, match=re.escape(f"invalid value for batch_size: {size} "
                                                       "(must be an integer from 1 to "
                                                       "2147483647)")):
            linsgd.SGDRegressor(device="cpu", batch_size=size).fit(X, y)

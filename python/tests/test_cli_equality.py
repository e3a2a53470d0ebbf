"""The estimator and `linsgd train` are one trainer: the same options, seed and data give the same
coefficients bit for bit (compared through the command line's JSON model), and a model written by
either is read and used by the other."""
import json
import subprocess

import numpy as np
import pytest

import linsgd

# Estimator parameters and the command line's options for the same run.
RUNS = [
    (dict(learning_rate="constant", eta0=0.02, max_iter=3, tol=None, penalty=None,
          sampling="replacement", random_state=11),
     ["--schedule", "constant", "--lr", "0.02", "--epochs", "3", "--penalty", "none",
      "--sampling", "replacement", "--seed", "11"]),
    (dict(loss="huber", epsilon=0.5, penalty="elasticnet", alpha=0.01, l1_ratio=0.3,
          learning_rate="invscaling", eta0=0.05, power_t=0.3, momentum=0.5, nesterov=True,
          average=97, max_iter=4, tol=None, batch_size=32, sampling="epoch", random_state=5),
     ["--loss", "huber", "--epsilon", "0.5", "--penalty", "elasticnet", "--alpha", "0.01",
      "--l1-ratio", "0.3", "--schedule", "invscaling", "--lr", "0.05", "--power-t", "0.3",
      "--momentum", "0.5", "--nesterov", "--average", "3", "--epochs", "4",
      "--batch-size", "32", "--sampling", "epoch", "--seed", "5"]),
    (dict(eta0="auto", learning_rate="adaptive", max_iter=20, tol=1e-4, n_iter_no_change=2,
          early_stopping=True, validation_fraction=0.2, random_state=3),
     ["--lr", "auto", "--schedule", "adaptive", "--epochs", "20", "--tol", "1e-4",
      "--n-iter-no-change", "2", "--val-fraction", "0.2", "--seed", "3", "--penalty", "l2",
      "--sampling", "epoch"]),
]


def cli_train(cli, tmp_path, X, y, options):
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    model = tmp_path / "cli-model.json"
    subprocess.run([cli, "train", "--data", str(tmp_path / "X.npy"), "--labels",
                    str(tmp_path / "y.npy"), "--device", "cpu", "--quiet", "--model-out",
                    str(model)] + options, check=True)
    return json.loads(model.read_text())


@pytest.mark.parametrize("params,options", RUNS)
def test_fit_equals_the_command_line_bit_for_bit(cli, tmp_path, regression, params, options):
    X, y = regression
    file_model = cli_train(cli, tmp_path, X, y, options)
    estimator = linsgd.SGDRegressor(device="cpu", **params).fit(X, y)
    expected = np.asarray(file_model["weights"], dtype=np.float32)
    assert estimator.coef_.dtype == estimator.intercept_.dtype == np.float64  # scikit-learn's
    np.testing.assert_array_equal(estimator.coef_, expected)  # the float32 values exactly
    assert estimator.intercept_[0] == np.float32(file_model["bias"])
    assert estimator.t_ == file_model["metrics"]["steps_run"]
    # And the command line's model loads as an estimator with these very parameters.
    loaded = linsgd.load(tmp_path / "cli-model.json").get_params()
    assert {name: loaded[name] for name in params} == params


def test_a_model_saved_from_python_predicts_in_the_command_line(cli, tmp_path, regression):
    X, y = regression
    estimator = linsgd.SGDRegressor(device="cpu", random_state=1, max_iter=5).fit(X, y)
    estimator.save(tmp_path / "model.json")
    np.save(tmp_path / "X.npy", X)
    out = subprocess.run([cli, "predict", "--model", str(tmp_path / "model.json"), "--data",
                          str(tmp_path / "X.npy")], check=True, capture_output=True, text=True)
    lines = out.stdout.split()
    cli_predictions = np.array([float(v) for v in lines[1:]])  # after the header
    np.testing.assert_array_equal(cli_predictions, estimator.predict(X))  # one predict()


def test_a_command_line_model_with_standardization_loads_in_python(cli, tmp_path,
                                                                   diabetes_csv):
    model = tmp_path / "diabetes.json"
    subprocess.run([cli, "train", "--data", str(diabetes_csv), "--standardize", "--device",
                    "cpu", "--quiet", "--epochs", "30", "--sampling", "epoch", "--lr", "auto",
                    "--model-out", str(model)], check=True)
    estimator = linsgd.load(model)
    assert estimator.max_iter == 30  # --epochs
    assert not estimator.early_stopping  # nothing held out
    import pandas as pd

    frame = pd.read_csv(diabetes_csv)
    X = frame.drop(columns="target")
    assert list(estimator.feature_names_in_) == list(X.columns)
    out = subprocess.run([cli, "predict", "--model", str(model), "--data", str(diabetes_csv)],
                         check=True, capture_output=True, text=True)
    cli_predictions = np.array([float(v) for v in out.stdout.split()[1:]])
    # float32 features predict as the command line does (standardized in float, as trained).
    features = X.to_numpy(dtype=np.float32)
    np.testing.assert_allclose(estimator.predict(features), cli_predictions, rtol=1e-6,
                               atol=1e-4)
    # coef_ and intercept_ are on the features as given (scikit-learn's contract), the scaling
    # folded in: float64 features predict X @ coef_ + intercept_, within float32's rounding of
    # the standardized features of the command line's.
    np.testing.assert_allclose(estimator.predict(X),
                               X.to_numpy() @ estimator.coef_ + estimator.intercept_[0],
                               rtol=1e-13)
    np.testing.assert_allclose(estimator.predict(X), cli_predictions, rtol=1e-5, atol=1e-3)
    saved = json.loads(model.read_text())
    mean, scale = (np.array(saved["standardization"][k]) for k in ("mean", "scale"))
    np.testing.assert_allclose(estimator.coef_, np.array(saved["weights"]) / scale, rtol=1e-12)
    # The CUDA path's standardization (here on NumPy) works as the core does, in float64:
    # predictions to double's rounding, and features rounded once to float32 for training.
    from linsgd._arrays import standardized

    weights = np.array(saved["weights"], dtype=np.float32)
    np.testing.assert_allclose(
        standardized(features, mean, scale, to_float32=False) @ weights + saved["bias"],
        estimator.predict(features), rtol=1e-12, atol=1e-12)
    # Near float's limit the difference from the mean is beyond float32, the quotient is not.
    extreme = np.array([[3e38], [-3e38]], dtype=np.float32)
    np.testing.assert_array_equal(standardized(extreme, [-1e38], [2e38]),
                                  np.array([[2.0], [-1.0]], dtype=np.float32))
    # coef_ assigned is what predicts (taken back into the standardized space).
    edited = linsgd.load(model)
    edited.coef_ = np.zeros_like(edited.coef_)
    np.testing.assert_allclose(edited.predict(features), np.full(len(X), edited.intercept_[0]),
                               rtol=1e-6)
    np.testing.assert_allclose(edited.predict(X), np.full(len(X), edited.intercept_[0]),
                               rtol=1e-6)
    # And it saves back to the same file, byte for byte.
    estimator.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == model.read_text()


def test_a_command_line_model_keeps_its_column_layout_through_python(cli, tmp_path, regression):
    # Weights first, the target second, by position: the model file records both columns, and
    # Python writes them back as it read them.
    X, y = regression
    weights = np.linspace(0.5, 2.0, len(y))
    np.save(tmp_path / "d.npy", np.c_[weights, y, X])
    model = tmp_path / "model.json"
    subprocess.run([cli, "train", "--data", str(tmp_path / "d.npy"), "--sample-weight", "0",
                    "--target", "1", "--solver", "exact", "--device", "cpu", "--quiet",
                    "--model-out", str(model)], check=True)
    saved = json.loads(model.read_text())
    assert (saved["weight_column"], saved["target_column"]) == (0, 0)
    linsgd.load(model).save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == model.read_text()


def test_a_loaded_standardized_model_goes_on_in_its_own_space(cli, tmp_path, diabetes_csv):
    model = tmp_path / "diabetes.json"
    subprocess.run([cli, "train", "--data", str(diabetes_csv), "--standardize", "--device",
                    "cpu", "--quiet", "--epochs", "30", "--sampling", "epoch", "--lr", "auto",
                    "--model-out", str(model)], check=True)
    import pandas as pd

    frame = pd.read_csv(diabetes_csv)
    X, y = frame.drop(columns="target"), frame["target"]
    loaded_score = linsgd.load(model).score(X, y)
    # Steps too small to move it: the continued model is the loaded one, standardization kept.
    for how in ("warm_start", "partial_fit"):
        estimator = linsgd.load(model).set_params(warm_start=True, max_iter=1, eta0=1e-9,
                                                  learning_rate="constant")
        estimator.fit(X, y) if how == "warm_start" else estimator.partial_fit(X, y)
        assert estimator._standardization is not None, how
        assert abs(estimator.score(X, y) - loaded_score) < 1e-4, how
    # Trained on: it improves on the loaded model, still in its own space.
    estimator = linsgd.load(model).set_params(warm_start=True, max_iter=5)
    assert estimator.fit(X, y).score(X, y) > loaded_score - 0.01

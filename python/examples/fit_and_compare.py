"""linsgd.SGDRegressor next to scikit-learn's SGDRegressor on the same data.

Draws a 200,000 x 100 regression problem, fits both estimators with the same settings (squared
loss, l2 penalty, invscaling rate, epochs with shuffling), then linsgd again with eta0="auto"
and with the exact solver, and prints each one's time, R^2 on held-out rows and coefficient
error. The model is saved in the command line's format and read back.

    python python/examples/fit_and_compare.py [--device cpu|cuda|auto]
"""
import argparse
import tempfile
import time

import numpy as np
from sklearn.linear_model import SGDRegressor as SklearnSGD
from sklearn.model_selection import train_test_split

import linsgd


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.rows, 100), dtype=np.float32)
    true_coef = rng.standard_normal(100)
    y = (X @ true_coef + 3.0 + 0.5 * rng.standard_normal(args.rows)).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

    common = dict(alpha=1e-4, max_iter=20, tol=1e-3, random_state=0)
    candidates = [
        ("scikit-learn SGDRegressor (batch 1)", SklearnSGD(**common)),
        ("linsgd SGDRegressor (batch 64)", linsgd.SGDRegressor(device=args.device, **common)),
        ("linsgd, eta0='auto'", linsgd.SGDRegressor(device=args.device, eta0="auto",
                                                     learning_rate="constant", **common)),
        ("linsgd, solver='exact'", linsgd.SGDRegressor(device=args.device, solver="exact",
                                                        alpha=1e-4)),
    ]
    print(f"{'estimator':<40} {'seconds':>8} {'test R^2':>9} {'|w - w*|/|w*|':>14}")
    for name, estimator in candidates:
        started = time.perf_counter()
        estimator.fit(X_train, y_train)
        seconds = time.perf_counter() - started
        error = np.linalg.norm(estimator.coef_ - true_coef) / np.linalg.norm(true_coef)
        print(f"{name:<40} {seconds:8.3f} {estimator.score(X_test, y_test):9.5f} {error:14.2e}")

    fitted = candidates[1][1]
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/model.json"
        fitted.save(path)  # `linsgd predict --model model.json --data ...` reads it too
        again = linsgd.load(path)
        assert np.array_equal(again.predict(X_test), fitted.predict(X_test))
        print(f"saved and loaded {path}: the same predictions")


if __name__ == "__main__":
    main()

"""scikit-learn in the fit benchmark, on the problem's float32 arrays (as a user would pass them).

- SGDRegressor (its objective is linsgd's: (1/n) sum L + alpha R(w), R = |w|^2 / 2 or |w|_1;
  huber alike), tuned over a grid of schedules and step sizes, one partial_fit epoch between
  checkpoints;
- Ridge with the cholesky, sag and saga solvers (squared loss, no or an L2 penalty:
  Ridge(alpha = n alpha) minimizes 2n F), sag and saga at a falling sequence of tolerances, each
  a fit of its own from zero;
- Lasso (coordinate descent; its objective is F) at a falling sequence of tolerances.
HuberRegressor is left out: it estimates a scale jointly with the weights, another objective.
"""
import warnings

import numpy as np

import harness
import objective as obj

TOLERANCES = [10.0 ** -k for k in range(1, 11)]


def available():
    try:
        import sklearn  # noqa: F401
        return True
    except ImportError:
        return False


def sgd_grid():
    grid = [{"learning_rate": schedule, "eta0": eta0}
            for schedule in ("invscaling", "constant") for eta0 in (1e-3, 1e-2, 1e-1)]
    grid.append({"learning_rate": "invscaling", "eta0": 1e-2, "average": True})
    return grid


def settings_text(params):
    return ", ".join(f"{key}={value}" for key, value in params.items())


def checkpoint(run, clock, problem, data, coef, intercept):
    X, y, X_test, y_test = data
    run.add(clock.seconds, obj.objective(problem, X, y, coef, intercept),
            obj.mean_squared_error(X_test, y_test, coef, intercept))


def reached_tightest(run, f_star):
    return harness.first_reaching(run, f_star, min(harness.TARGETS)) is not None


def sgd_regressor(problem, data, params, budget, max_epochs, f_star):
    from sklearn.linear_model import SGDRegressor
    X, y, _, _ = data
    penalty = None if problem.penalty == "none" else problem.penalty
    model = SGDRegressor(loss="squared_error" if problem.loss == "squared" else "huber",
                         epsilon=problem.epsilon, penalty=penalty,
                         alpha=problem.alpha if penalty else 0.0001, random_state=0, **params)
    run = harness.Run("scikit-learn SGDRegressor", "scikit-learn", "cpu",
                      settings_text({"penalty": penalty, **params}))
    clock = harness.Clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # overflow of a diverging rate: seen as a non-finite F
        for _ in range(max_epochs):
            with clock:
                model.partial_fit(X, y)
            if not np.all(np.isfinite(model.coef_)):
                run.add(clock.seconds, float("inf"))
                run.note = "diverged"
                break
            checkpoint(run, clock, problem, data, model.coef_, model.intercept_[0])
            if clock.seconds > budget or reached_tightest(run, f_star):
                break
    return run


def tolerance_sequence(name, settings, problem, data, make_model, budget, f_star,
                       tolerances=TOLERANCES):
    """One fit from zero per tolerance, loosest first, each a checkpoint at its fit time."""
    X, y, _, _ = data
    run = harness.Run(name, "scikit-learn", "cpu", settings)
    for tol in tolerances:
        model = make_model(tol)
        clock = harness.Clock()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at loose tolerances
            with clock:
                model.fit(X, y)
        checkpoint(run, clock, problem, data, model.coef_, model.intercept_)
        if clock.seconds > budget or reached_tightest(run, f_star):
            break
    # In order of time, so that the time to a target is that of the quickest fit reaching it.
    run.points.sort(key=lambda point: point[0])
    return run


def runs(problem, data, budget, max_epochs, f_star):
    from sklearn.linear_model import Lasso, Ridge
    grid = sgd_grid()
    rows = [harness.best_of(
        [sgd_regressor(problem, data, params, budget, max_epochs, f_star) for params in grid],
        f_star, "; ".join(settings_text(params) for params in grid))]
    n = data[0].shape[0]
    if problem.loss == "squared" and problem.penalty in ("none", "l2"):
        ridge_alpha = n * problem.alpha if problem.penalty == "l2" else 0.0
        rows.append(tolerance_sequence(  # a direct solve: one fit, no tolerance
            "scikit-learn Ridge (cholesky)", f"alpha={ridge_alpha:g}, solver=cholesky", problem,
            data, lambda tol: Ridge(alpha=ridge_alpha, solver="cholesky"), budget, f_star,
            tolerances=[None]))
        for solver in ("sag", "saga"):
            rows.append(tolerance_sequence(
                f"scikit-learn Ridge ({solver})",
                f"alpha={ridge_alpha:g}, solver={solver}, tol=1e-1 ... 1e-10", problem, data,
                lambda tol, solver=solver: Ridge(alpha=ridge_alpha, solver=solver, tol=tol,
                                                 random_state=0), budget, f_star))
    if problem.penalty == "l1":
        rows.append(tolerance_sequence(
            "scikit-learn Lasso (coordinate descent)",
            f"alpha={problem.alpha:g}, tol=1e-1 ... 1e-10", problem, data,
            lambda tol: Lasso(alpha=problem.alpha, tol=tol, max_iter=100_000), budget, f_star))
    return rows

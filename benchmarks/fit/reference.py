"""F*, each problem's optimal objective, in float64, by methods independent of linsgd and of
every peer, with NumPy alone (so the GPU machine, which has NumPy but not SciPy, runs it too):

- exact (squared loss, no or an L2 penalty): the normal equations accumulated in float64 by
  blocks of rows and solved, then two steps of iterative refinement from the exact float64
  gradient;
- lasso: coordinate descent on the centered Gram matrix (the covariance updates of Friedman et
  al., 2010), sweeping the non-zero weights until they settle and then all of them, until the
  optimality conditions hold to 1e-13;
- huber: semismooth Newton from the least-squares solution (the Huber loss is piecewise
  quadratic: each step solves with the Hessian of the rows inside epsilon), with a backtracking
  line search, until the gradient vanishes to float64 precision.
"""
import dataclasses

import numpy as np

import objective as obj

BLOCK = obj.BLOCK


def gram(X, weights=None):
    """Sum over rows of [x 1]^T d [x 1] in float64, d = weights (default 1)."""
    d = X.shape[1]
    G = np.zeros((d + 1, d + 1))
    for start in range(0, X.shape[0], BLOCK):
        block = X[start:start + BLOCK].astype(np.float64)
        block = np.hstack([block, np.ones((len(block), 1))])
        if weights is not None:
            G += block.T @ (block * weights[start:start + BLOCK, None])
        else:
            G += block.T @ block
    return G


def newton_solve(problem, X, H, theta, g):
    """theta - H^{-1} g with the L2 penalty on the weights (not the bias) added to H / n."""
    n, d = X.shape
    A = H / n
    if problem.penalty == "l2":
        A[np.arange(d), np.arange(d)] += problem.alpha
    return theta - np.linalg.solve(A, g)


def gradient(problem, X, y, theta):
    gw, gb = obj.smooth_gradient(problem, X, y, theta[:-1], theta[-1])
    return np.append(gw, gb)


def exact(problem, X, y):
    H = gram(X)
    theta = np.zeros(X.shape[1] + 1)
    for _ in range(3):  # the solve, then two refinements
        theta = newton_solve(problem, X, H, theta, gradient(problem, X, y, theta))
    return theta


def lasso(problem, X, y):
    """min (1 / 2n) |y - X w - b|^2 + alpha |w|_1: with the data centered, b drops out, and
    coordinate j's exact minimizer is soft(c_j - (G w)_j + G_jj w_j, alpha) / G_jj for
    G = Xc^T Xc / n, c = Xc^T yc / n."""
    n, d = X.shape
    S = gram(X)  # [X 1]^T [X 1]: its last row and column are the column sums
    mean = S[-1, :-1] / n
    G = S[:-1, :-1] / n - np.outer(mean, mean)
    y64 = y.astype(np.float64)
    c = sum(X[start:start + BLOCK].T.astype(np.float64) @ y64[start:start + BLOCK]
            for start in range(0, n, BLOCK)) / n - mean * y64.mean()
    alpha = problem.alpha
    w = np.zeros(d)
    Gw = np.zeros(d)
    scale = max(1.0, np.abs(c).max())

    def sweep(coordinates):
        largest = 0.0
        for j in coordinates:
            rho = c[j] - Gw[j] + G[j, j] * w[j]
            new = np.sign(rho) * max(abs(rho) - alpha, 0.0) / G[j, j]
            if new != w[j]:
                Gw[:] += (new - w[j]) * G[:, j]
                largest = max(largest, abs(new - w[j]))
                w[j] = new
        return largest

    for _ in range(10_000):
        sweep(range(d))
        for _ in range(10_000):  # the active set until it settles
            if sweep(np.flatnonzero(w)) < 1e-15 * scale:
                break
        g = Gw - c  # the smooth part's gradient; optimal: g_j = -alpha sign(w_j), |g_j| <= alpha
        violation = np.where(w != 0, np.abs(g + alpha * np.sign(w)),
                             np.maximum(np.abs(g) - alpha, 0.0))
        if violation.max() < 1e-13 * scale:
            break
    return np.append(w, y64.mean() - mean @ w)


def huber(problem, X, y):
    theta = exact(dataclasses.replace(problem, loss="squared"), X, y)
    F = obj.objective(problem, X, y, theta[:-1], theta[-1])
    for _ in range(200):
        g = gradient(problem, X, y, theta)
        if np.max(np.abs(g)) < 1e-14 * max(1.0, abs(F)):
            break
        r = np.concatenate([r for _, r in obj.residual_blocks(X, y, theta[:-1], theta[-1])])
        inside = (np.abs(r) <= problem.epsilon).astype(np.float64)
        candidate = newton_solve(problem, X, gram(X, inside), theta, g)
        # Backtracking: the full step, halved until F does not rise.
        for _ in range(40):
            F_new = obj.objective(problem, X, y, candidate[:-1], candidate[-1])
            if F_new <= F:
                break
            candidate = 0.5 * (theta + candidate)
        if F_new > F or F - F_new <= 1e-16 * abs(F):
            break
        theta, F = candidate, F_new
    return theta


def optimum(problem, X, y):
    """(F*, w*, b*) of the problem on its training rows."""
    theta = {"exact": exact, "lasso": lasso, "huber": huber}[problem.reference](problem, X, y)
    w, b = theta[:-1], theta[-1]
    return obj.objective(problem, X, y, w, b), w, b

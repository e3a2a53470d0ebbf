"""F(w, b) and its gradient, in float64, over float32 data read in blocks of rows (so a
1,000,000 x 256 problem never has a float64 copy). Every solver's models are judged by these
functions: the peers' at each checkpoint, linsgd's at its targets."""
import numpy as np

BLOCK = 1 << 15


def residual_blocks(X, y, w, b):
    """(start, r) over blocks of rows: r = X w + b - y in float64."""
    for start in range(0, X.shape[0], BLOCK):
        stop = min(X.shape[0], start + BLOCK)
        yield start, X[start:stop].astype(np.float64) @ w + b - y[start:stop]


def loss_values(problem, r):
    if problem.loss == "squared":
        return 0.5 * r * r
    a = np.abs(r)
    e = problem.epsilon
    return np.where(a <= e, 0.5 * r * r, e * a - 0.5 * e * e)


def loss_derivatives(problem, r):
    if problem.loss == "squared":
        return r
    return np.clip(r, -problem.epsilon, problem.epsilon)


def penalty_value(problem, w):
    if problem.penalty == "l2":
        return 0.5 * problem.alpha * float(w @ w)
    if problem.penalty == "l1":
        return problem.alpha * float(np.abs(w).sum())
    return 0.0


def objective(problem, X, y, w, b):
    w = np.asarray(w, dtype=np.float64)
    total = sum(loss_values(problem, r).sum() for _, r in residual_blocks(X, y, w, float(b)))
    return total / X.shape[0] + penalty_value(problem, w)


def smooth_gradient(problem, X, y, w, b):
    """Gradient of the data term (and an L2 penalty) in (w, b); the L1 term is left out."""
    gw = np.zeros(X.shape[1])
    gb = 0.0
    for start, r in residual_blocks(X, y, w, b):
        d = loss_derivatives(problem, r)
        gw += X[start:start + len(r)].T.astype(np.float64) @ d
        gb += d.sum()
    gw /= X.shape[0]
    gb /= X.shape[0]
    if problem.penalty == "l2":
        gw += problem.alpha * w
    return gw, gb


def mean_squared_error(X, y, w, b):
    w = np.asarray(w, dtype=np.float64)
    return sum(float(r @ r) for _, r in residual_blocks(X, y, w, float(b))) / X.shape[0]

"""PyTorch in the fit benchmark, on the CPU and, where there is one, on CUDA, with the data moved
to the device before the clock starts and torch.cuda.synchronize() before every clock reading:

- SGD with momentum 0.9 and Adam, mini-batches of 256 from a fresh permutation each epoch,
  each tuned over a grid of learning rates, a checkpoint each epoch;
- L-BFGS on the full batch (strong Wolfe line search), a checkpoint every 10 iterations;
- torch.linalg.lstsq (squared loss, no penalty) and a Cholesky solve of the normal equations
  (squared loss, no or an L2 penalty), in the data's float32.
Every model is judged by the harness's float64 objective, as every other solver's.
"""
import math

import numpy as np

import harness
import objective as obj

BATCH = 256
LBFGS_ITERATIONS_PER_CHECKPOINT = 10


def available():
    try:
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


def devices():
    import torch
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


class Fit:
    """The data on one device, and the objective as a differentiable PyTorch expression."""

    def __init__(self, problem, data, device):
        import torch
        self.torch = torch
        self.problem = problem
        self.data = data
        self.device = device
        self.X = torch.from_numpy(data[0]).to(device)
        self.y = torch.from_numpy(data[1]).to(device)
        self.synchronize = torch.cuda.synchronize if device == "cuda" else None

    def loss(self, X, y, w, b):
        torch = self.torch
        r = X @ w + b - y
        p = self.problem
        if p.loss == "squared":
            data_term = 0.5 * (r * r).mean()
        else:
            data_term = torch.nn.functional.huber_loss(r, torch.zeros_like(r), delta=p.epsilon)
        if p.penalty == "l2":
            return data_term + 0.5 * p.alpha * (w * w).sum()
        if p.penalty == "l1":
            return data_term + p.alpha * w.abs().sum()
        return data_term

    def parameters(self):
        torch = self.torch
        w = torch.zeros(self.X.shape[1], device=self.device, requires_grad=True)
        b = torch.zeros((), device=self.device, requires_grad=True)
        return w, b

    def checkpoint(self, run, clock, w, b):
        X, y, X_test, y_test = self.data
        weights = w.detach().double().cpu().numpy()
        bias = float(b.detach().cpu())
        if not (math.isfinite(bias) and np.all(np.isfinite(weights))):
            run.add(clock.seconds, float("inf"))
            return False
        F = obj.objective(self.problem, X, y, weights, bias)
        run.add(clock.seconds, F, obj.mean_squared_error(X_test, y_test, weights, bias))
        return math.isfinite(F)

    def run(self, name, settings):
        return harness.Run(name, "pytorch", self.device, settings)


def minibatch(fit, name, make_optimizer, settings, budget, max_epochs, f_star):
    torch = fit.torch
    w, b = fit.parameters()
    optimizer = make_optimizer([w, b])
    generator = torch.Generator(device=fit.device).manual_seed(0)
    run = fit.run(name, settings)
    clock = harness.Clock(fit.synchronize)
    n = fit.X.shape[0]
    for _ in range(max_epochs):
        with clock:
            order = torch.randperm(n, device=fit.device, generator=generator)
            for start in range(0, n, BATCH):
                rows = order[start:start + BATCH]
                optimizer.zero_grad(set_to_none=True)
                fit.loss(fit.X[rows], fit.y[rows], w, b).backward()
                optimizer.step()
        if not fit.checkpoint(run, clock, w, b):
            run.note = "diverged"
            break
        if clock.seconds > budget or harness.first_reaching(run, f_star, min(harness.TARGETS)):
            break
    return run


def lbfgs(fit, budget, f_star):
    torch = fit.torch
    w, b = fit.parameters()
    optimizer = torch.optim.LBFGS([w, b], lr=1.0, max_iter=LBFGS_ITERATIONS_PER_CHECKPOINT,
                                  history_size=10, line_search_fn="strong_wolfe",
                                  tolerance_grad=0.0, tolerance_change=0.0)

    def closure():
        optimizer.zero_grad(set_to_none=True)
        loss = fit.loss(fit.X, fit.y, w, b)
        loss.backward()
        return loss

    run = fit.run("PyTorch L-BFGS", "lr=1, history_size=10, line_search_fn=strong_wolfe")
    clock = harness.Clock(fit.synchronize)
    previous = math.inf
    while clock.seconds <= budget:
        with clock:
            optimizer.step(closure)
        if not fit.checkpoint(run, clock, w, b) or run.points[-1][1] >= previous:
            break  # diverged, or no progress left in float32
        previous = run.points[-1][1]
        if harness.first_reaching(run, f_star, min(harness.TARGETS)):
            break
    return run


def direct(fit, kind):
    """torch.linalg.lstsq on [X 1], or Cholesky on the normal equations with the L2 term."""
    torch = fit.torch
    p = fit.problem
    run = fit.run(f"PyTorch {kind}", "float32, [X 1]")
    clock = harness.Clock(fit.synchronize)
    with clock:
        A = torch.cat([fit.X, torch.ones(fit.X.shape[0], 1, device=fit.device)], dim=1)
        if kind == "lstsq":
            theta = torch.linalg.lstsq(A, fit.y[:, None]).solution[:, 0]
        else:
            n = fit.X.shape[0]
            G = A.T @ A / n
            if p.penalty == "l2":
                G[:-1, :-1] += p.alpha * torch.eye(fit.X.shape[1], device=fit.device)
            theta = torch.cholesky_solve((A.T @ fit.y / n)[:, None],
                                         torch.linalg.cholesky(G))[:, 0]
    fit.checkpoint(run, clock, theta[:-1], theta[-1])
    return run


def runs(problem, data, budget, max_epochs, f_star, wanted=("cpu", "cuda")):
    import torch
    rows = []
    rates = (1e-3, 1e-2, 1e-1)
    for device in [d for d in devices() if d in wanted]:
        fit = Fit(problem, data, device)
        rows.append(harness.best_of(
            [minibatch(fit, "PyTorch SGD (momentum 0.9)",
                       lambda params, lr=lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
                       f"lr={lr:g}, momentum=0.9, batch={BATCH}", budget, max_epochs, f_star)
             for lr in rates], f_star, f"lr in {rates}"))
        rows.append(harness.best_of(
            [minibatch(fit, "PyTorch Adam",
                       lambda params, lr=lr: torch.optim.Adam(params, lr=lr),
                       f"lr={lr:g}, batch={BATCH}", budget, max_epochs, f_star)
             for lr in rates], f_star, f"lr in {rates}"))
        rows.append(lbfgs(fit, budget, f_star))
        if problem.loss == "squared" and problem.penalty == "none":
            rows.append(direct(fit, "lstsq"))
        if problem.loss == "squared" and problem.penalty in ("none", "l2"):
            rows.append(direct(fit, "Cholesky"))
    return rows

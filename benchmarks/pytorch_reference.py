#!/usr/bin/env python3
"""PyTorch peers of linsgd's benchmark, on the same shapes and steps.

(a) post:      the reference post's loop as written: a LinearRegressionModel with autograd,
               torch.randint indices, fancy-index gather, and loss.item() every step.
(b) idiomatic: nn.Linear, torch.optim.SGD and the same loss (0.5 * mean squared residual),
               without a per-step .item().

Each runs on the CPU (one thread, as linsgd's CPU rows; LINSGD_TORCH_THREADS changes it) and,
when torch.cuda.is_available(), on CUDA (with PyTorch's default threads), after a warm-up run, with torch.cuda.synchronize()
before every clock reading. Writes a JSON list of rows to --out.
Without PyTorch it says so and writes {"available": false, ...}.
"""
import argparse
import json
import os
import sys
import time

from shapes import load_shapes



def post_loop(torch, X, y, steps, batch, lr):
    """The post's train_step, verbatim in substance."""
    w = torch.normal(0.0, 0.01, size=(X.shape[1], 1), device=X.device, requires_grad=True)
    b = torch.zeros(1, device=X.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        indices = torch.randint(0, X.shape[0], (batch,), device=X.device)
        X_batch, y_batch = X[indices], y[indices]
        loss = 0.5 * ((torch.matmul(X_batch, w) + b - y_batch) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        losses.append(loss.item())
    return losses


def idiomatic_loop(torch, X, y, steps, batch, lr):
    model = torch.nn.Linear(X.shape[1], 1).to(X.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = torch.empty(steps, device=X.device)
    for step in range(steps):
        indices = torch.randint(0, X.shape[0], (batch,), device=X.device)
        loss = 0.5 * ((model(X[indices]) - y[indices]) ** 2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses[step] = loss.detach()
    return losses.cpu()


def time_run(torch, device, loop, X, y, steps, batch, lr, repeats):
    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    loop(torch, X, y, min(steps, 50), batch, lr)  # warm-up
    times = []
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        loop(torch, X, y, steps, batch, lr)
        sync()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--smoke", action="store_true", help="tiny shapes (harness test)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("pytorch_reference: PyTorch is not installed; its rows are marked absent")
        with open(args.out, "w") as f:
            json.dump({"available": False, "reason": "PyTorch not installed", "rows": []}, f)
        return 0

    # On the CPU one thread, as linsgd's CPU rows, unless LINSGD_TORCH_THREADS says otherwise; on
    # CUDA PyTorch's own default, as its users run it (its host work per step uses them).
    cpu_threads = int(os.environ.get("LINSGD_TORCH_THREADS", "1"))
    cuda_threads = torch.get_num_threads()
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    rows = []
    for name, n, d, batch, gpu_steps, cpu_steps in load_shapes(args.smoke):
        for device in devices:
            torch.set_num_threads(cuda_threads if device == "cuda" else cpu_threads)
            steps = gpu_steps if device == "cuda" else cpu_steps
            generator = torch.Generator(device=device).manual_seed(7)
            X = torch.randn((n, d), device=device, generator=generator)
            y = torch.randn((n, 1), device=device, generator=generator)
            lr = 0.2 / d
            for peer, loop in (("post", post_loop), ("idiomatic", idiomatic_loop)):
                seconds = time_run(torch, device, loop, X, y, steps, batch, lr, args.repeats)
                rows.append({"shape": name, "device": device, "peer": peer, "steps": steps,
                             "batch": batch, "features": d, "seconds": seconds,
                             "us_per_step": seconds / steps * 1e6})
                print(f"pytorch {peer:9s} {device:4s} {name:9s} {seconds / steps * 1e6:10.1f} us/step",
                      flush=True)
            del X, y
            if device == "cuda":
                torch.cuda.empty_cache()
    info = {"available": True, "version": torch.__version__,
            "threads": cpu_threads, "cuda_threads": cuda_threads,
            "cuda_device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    with open(args.out, "w") as f:
        json.dump({**info, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

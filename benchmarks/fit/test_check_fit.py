#!/usr/bin/env python3
"""check_fit.py passes a consistent made-up result and names each kind of fault planted in it.
Runs without numpy (ctest: FitBenchmark.CheckerCatchesEachKindOfFault)."""
import copy
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
F_STAR = 2.0


def run(solver, library, points, settings="s"):
    """A run whose `reached` is derived from its points, as harness.summarize does."""
    reached = {}
    for key in ("0.01", "0.0001"):
        first = next((p for p in points if (p[1] - F_STAR) / F_STAR <= float(key)), None)
        reached[key] = first and {"seconds": first[0], "objective": first[1],
                                  "test_mse": first[2]}
    return {"solver": solver, "library": library, "device": "cpu", "settings": settings,
            "points": points, "note": "", "tuned_over": "", "reached": reached,
            "end_to_end_seconds": {}}


def problem(name, loss="squared", penalty="none"):
    runs = [run("linsgd SGD", "linsgd", [[0.1, 3.0, None], [0.2, 2.01, None],
                                         [0.3, 2.0001, None]]),
            run("linsgd SGD, --lr auto untuned", "linsgd", [[0.1, 2.5, None]]),
            run("scikit-learn SGDRegressor", "scikit-learn", [[0.5, 2.1, 1.0]])]
    if loss == "squared" and penalty in ("none", "l2"):
        runs.append(run("linsgd exact", "linsgd", [[0.05, 2.0, None]], "--solver exact"))
    return {"name": name, "title": name, "description": name, "rows": 10, "features": 2,
            "loss": loss, "penalty": penalty, "f_star": F_STAR, "reference": {},
            "load_seconds": 0.0, "runs": runs}


def valid_result():
    return {"environment": {}, "targets": [0.01, 0.0001], "budget_seconds": 1.0,
            "missing_peers": [], "problems": [
                problem("post"), problem("tall"), problem("lasso", penalty="l1"),
                problem("diabetes", penalty="l2"), problem("huber", loss="huber")]}


def check(result):
    with tempfile.TemporaryDirectory() as out:
        with open(os.path.join(out, "bench_fit.json"), "w") as file:
            json.dump(result, file)
        with open(os.path.join(out, "bench_fit.md"), "w") as file:
            file.write("\n".join(f"![{p['name']}](x.png)" for p in result["problems"]))
        for p in result["problems"]:
            open(os.path.join(out, f"bench_fit_{p['name']}.png"), "w").close()
        done = subprocess.run([sys.executable, os.path.join(HERE, "check_fit.py"),
                               os.path.join(out, "bench_fit.json")],
                              capture_output=True, text=True)
        return done.returncode, done.stdout + done.stderr


def main():
    failures = []
    code, output = check(valid_result())
    if code != 0:
        failures.append(f"a valid result failed: {output}")

    def expect(fault, planted):
        result = valid_result()
        planted(result)
        code, output = check(result)
        if code == 0 or fault not in output:
            failures.append(f"not caught: {fault!r} (exit {code}): {output}")

    post = lambda r: r["problems"][0]  # noqa: E731
    expect("below F*", lambda r: post(r)["runs"][0]["points"].append([0.4, 1.9, None]))
    expect("time to 0.01 is not its first checkpoint",
           lambda r: post(r)["runs"][0]["reached"]["0.01"].update(seconds=0.3))
    expect("the exact solver did not reach both targets",
           lambda r: post(r)["runs"][3].update(copy.deepcopy(run(
               "linsgd exact", "linsgd", [[0.05, 2.5, None]]))))
    expect("tuned SGD did not reach 1e-2",
           lambda r: post(r)["runs"].__setitem__(0, run("linsgd SGD", "linsgd",
                                                        [[0.1, 3.0, None]])))
    expect("no field end_to_end_seconds",
           lambda r: post(r)["runs"][2].pop("end_to_end_seconds"))
    expect("no run of the exact solver", lambda r: post(r)["runs"].pop(3))
    expect("scores", lambda r: post(r)["runs"][0]["reached"]["0.0001"].update(
        objective_float64=2.01))
    # A run of some of the problems (--problems post,tall) passes; out of order, or none, not.
    some = valid_result()
    some["problems"] = some["problems"][:2]
    code, output = check(some)
    if code != 0:
        failures.append(f"a run of two problems failed: {output}")
    expect("problems", lambda r: r["problems"].reverse())
    expect("problems", lambda r: r["problems"].clear())
    # linsgd's objective is formed in double as the harness's: 1e-6 below F* is a fault now.
    expect("below F*", lambda r: post(r)["runs"][0]["points"].append([0.4, 2.0 * (1 - 1e-6),
                                                                       None]))
    if failures:
        sys.exit("\n".join(failures))
    print("check_fit catches each kind of fault: ok")


if __name__ == "__main__":
    main()

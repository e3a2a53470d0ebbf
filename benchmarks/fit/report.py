"""The fit benchmark's report: OUT/bench_fit.md (a summary, then per problem its plot and one
row per solver) and OUT/bench_fit_<problem>.png (suboptimality against time, log-log, one line
per solver; drawn by gnuplot, left out with a note where it is missing)."""
import math
import os
import shutil
import subprocess

import harness

KEYS = [f"{t:g}" for t in harness.TARGETS]  # "0.01", "0.0001"
FLOOR = 1e-12  # suboptimality drawn at this value when a solver reaches F* exactly


def seconds_to(run, key):
    reached = run["reached"].get(key)
    return reached["seconds"] if reached else None


def best(runs, key):
    timed = [(seconds_to(run, key), run) for run in runs if seconds_to(run, key) is not None]
    return min(timed, key=lambda pair: pair[0]) if timed else (None, None)


def seconds_text(value):
    if value is None:
        return "not reached"
    return f"{value * 1e3:.3g} ms" if value < 1 else f"{value:.3g} s"


def speedup_text(peer_seconds, seconds):
    if peer_seconds is None or seconds is None:
        return "-"
    ratio = peer_seconds / seconds
    return f"{ratio:.3g}x faster" if ratio >= 1 else f"{1 / ratio:.3g}x slower"


def linsgd_and_peers(problem):
    linsgd = [run for run in problem["runs"] if run["library"] == "linsgd"]
    peers = [run for run in problem["runs"] if run["library"] != "linsgd"]
    return linsgd, peers


def summary_rows(result):
    lines = ["| problem | target | linsgd, best | best peer | linsgd vs peer |",
             "|---|---|---|---|---|"]
    for problem in result["problems"]:
        linsgd, peers = linsgd_and_peers(problem)
        for key in KEYS:
            ours, our_run = best(linsgd, key)
            theirs, their_run = best(peers, key)
            who = lambda run: f"{run['solver']} ({run['device']})" if run else ""  # noqa: E731
            lines.append(f"| {problem['name']} | {key} | {seconds_text(ours)} {who(our_run)} | "
                         f"{seconds_text(theirs)} {who(their_run)} | "
                         f"{speedup_text(theirs, ours)} |")
    return lines


def problem_section(problem, plotted):
    linsgd, peers = linsgd_and_peers(problem)
    ref = problem["reference"]
    lines = [f"## {problem['title']}", "",
             f"{problem['description']}; F* = {problem['f_star']:.9g} ({ref['method']}, "
             f"{ref['nonzero_weights']} non-zero weights); data loading {problem['load_seconds']:.3g} s.",
             ""]
    if plotted:
        lines += [f"![{problem['name']}](bench_fit_{problem['name']}.png)", ""]
    best_peer = {key: best(peers, key)[0] for key in KEYS}
    lines += ["| solver | device | settings | to 1e-2 | to 1e-4 | vs best peer (1e-4, else 1e-2) "
              "| test MSE at 1e-4 | end to end, 1e-4 | note |",
              "|---|---|---|---|---|---|---|---|---|"]
    for run in problem["runs"]:
        times = [seconds_to(run, key) for key in KEYS]
        key = KEYS[1] if times[1] is not None else KEYS[0]
        ratio = speedup_text(best_peer[key], seconds_to(run, key)) + (
            "" if key == KEYS[1] or seconds_to(run, key) is None else " (1e-2)")
        at = run["reached"].get(KEYS[1])
        mse = f"{at['test_mse']:.6g}" if at and at.get("test_mse") is not None else "-"
        end = run["end_to_end_seconds"].get(KEYS[1])
        lines.append(f"| {run['solver']} | {run['device']} | `{run['settings']}` | "
                     f"{seconds_text(times[0])} | {seconds_text(times[1])} | {ratio} | {mse} | "
                     f"{seconds_text(end) if end is not None else '-'} | {run['note']} |")
    tuned = [run for run in problem["runs"] if run["tuned_over"]]
    if tuned:
        lines += ["", "Tuned over (the fastest to the tightest target reached is shown):", ""]
        lines += [f"- {run['solver']} ({run['device']}): {run['tuned_over']}" for run in tuned]
    return lines + [""]


def plot(problem, out):
    """Draws OUT/bench_fit_<name>.png; False where gnuplot is missing."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return False
    data_dir = os.path.join(out, "plot-data", problem["name"])
    os.makedirs(data_dir, exist_ok=True)
    curves = []
    for index, run in enumerate(problem["runs"]):
        points = [(s, max(FLOOR, harness.suboptimality(f, problem["f_star"])))
                  for s, f, _ in run["points"] if math.isfinite(f) and s > 0]
        if not points:
            continue
        path = os.path.join(data_dir, f"{index}.dat")
        with open(path, "w") as file:
            file.writelines(f"{s:.9g} {g:.9g}\n" for s, g in points)
        title = f"{run['solver']} ({run['device']})".replace("'", "''")
        curves.append(f"'{path}' using 1:2 with linespoints title '{title}'")
    if not curves:
        return False
    png = os.path.join(out, f"bench_fit_{problem['name']}.png")
    title = f"{problem['title']}: {problem['description']}".replace("'", "''")
    script = "\n".join([
        "set terminal pngcairo size 1400,760 font ',11'",
        f"set output '{png}'",
        f"set title '{title}'",
        "set logscale xy", "set format y '10^{%L}'",
        "set xlabel 'seconds (data in memory)'", "set ylabel '(F - F*) / F*'",
        "set key outside right top", "set grid",
        f"set arrow from graph 0, first {harness.TARGETS[0]} to graph 1, first "
        f"{harness.TARGETS[0]} nohead dashtype 2",
        f"set arrow from graph 0, first {harness.TARGETS[1]} to graph 1, first "
        f"{harness.TARGETS[1]} nohead dashtype 2",
        "plot " + ", \\\n     ".join(curves), ""])
    done = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    return done.returncode == 0 and os.path.exists(png)


def write(result, out):
    env = result["environment"]
    lines = ["# Time to a good model", "",
             f"- {env['date']}, commit {env['commit']}, {env['linsgd']}",
             f"- CPU: {env['cpu']}; GPU: {env['gpu'] or 'none'}",
             "- " + ", ".join(f"{name} {env[name]}" for name in
                              ("python", "numpy", "scikit-learn", "pytorch") if name in env),
             f"- time: from the data in memory (on the device for GPU solvers) to the first "
             f"checkpoint with (F - F*) / F* at or below the target; at most "
             f"{result['budget_seconds']:g} s a run" + (" (smoke sizes)" if result["smoke"]
                                                        else ""),
             "- end to end: loading the data included (linsgd: the whole process, rerun with "
             "`--target-objective`)"]
    if result["missing_peers"]:
        lines.append(f"- not installed, not run: {', '.join(result['missing_peers'])}")
    lines += ["", "## Summary", ""] + summary_rows(result) + [""]
    for problem in result["problems"]:
        lines += problem_section(problem, plot(problem, out))
    if not shutil.which("gnuplot"):
        lines.append("(No plots: gnuplot is not installed.)")
    with open(os.path.join(out, "bench_fit.md"), "w") as file:
        file.write("\n".join(lines) + "\n")

#!/usr/bin/env python3
"""Turns the fused kernels' phase profile and primitive probes (linsgd_bench's `phase/` and
`probe/` benchmarks, one Google Benchmark JSON file) into two Markdown tables: each primitive's
nanoseconds a round, and, per profiled kernel, its step time and each phase's share of it.

A file cut short (the process ended by a fault in a later benchmark) still yields the rows it
holds. A benchmark that could not run keeps its row, with its reason.
    python3 benchmarks/phase_table.py FILE.json > TABLE.md
"""
import json
import sys

PHASE_PREFIX = "phase_us:"


def read_entries(text):
    """The benchmark entries of a Google Benchmark JSON file, complete or cut short."""
    try:
        return json.loads(text)["benchmarks"], True
    except (json.JSONDecodeError, KeyError):
        pass
    start = text.find('"benchmarks"')
    start = text.find("[", start) + 1 if start >= 0 else 0
    if start <= 0:
        return [], False
    decoder = json.JSONDecoder()
    entries, position = [], start
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        try:
            entry, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            return entries, False
        entries.append(entry)


def phases_of(entry):
    """[(name, microseconds)] in the step's order (the counters' INDEX)."""
    found = []
    for key, value in entry.items():
        if key.startswith(PHASE_PREFIX):
            index, _, name = key[len(PHASE_PREFIX):].partition(":")
            found.append((int(index), name, value))
    return [(name, value) for _, name, value in sorted(found)]


def rows_under(entries, prefix):
    """(name after `prefix`, entry, why it could not run or None) for the entries under it."""
    for entry in entries:
        if entry["run_name"].startswith(prefix):
            name = entry["run_name"][len(prefix):].removesuffix("/manual_time").removesuffix(
                "/iterations:1")
            reason = entry.get("error_message", "error") if entry.get("error_occurred") else None
            yield name, entry, reason


def probe_table(entries):
    lines = ["| primitive | ns a round | clock GHz |", "|---|---|---|"]
    for name, entry, reason in rows_under(entries, "probe/cuda/"):
        if reason is not None:
            lines.append(f"| {name} | absent ({reason}) | - |")
        else:
            lines.append(f"| {name} | {entry['ns_per_round']:.1f} | {entry['clock_GHz']:.2f} |")
    return lines


def phase_tables(entries):
    """One table per kernel, its phases as columns; the unavailable rows after them."""
    tables = {}  # the phases' names -> rows
    absent = []
    for name, entry, reason in rows_under(entries, "phase/cuda/fused/"):
        if reason is not None:
            absent.append(f"- {name}: absent ({reason})")
            continue
        phases = phases_of(entry)
        step = entry["us_per_step"]
        cells = [f"{us:.2f} ({100 * us / step:.0f}%)" for _, us in phases]
        total = sum(us for _, us in phases)
        tables.setdefault(tuple(n for n, _ in phases), []).append(
            f"| {name} | {entry['blocks']:.0f} | {step:.2f} | " + " | ".join(cells) +
            f" | {total:.2f} |")
    lines = []
    for names, rows in tables.items():
        lines += ["| kernel | blocks | us/step | " + " | ".join(names) + " | sum of phases |",
                  "|---|---|---|" + "---|" * len(names) + "---|"] + rows + [""]
    return lines + absent


def main(path):
    with open(path) as f:
        entries, complete = read_entries(f.read())
    print("Primitives, each alone: one launch of its rounds, timed inside the kernel.\n")
    print("\n".join(probe_table(entries)))
    print("\nWhere a step's time goes: the kernel that times its phases (microseconds a step, "
          "mean over the blocks; its share of the step).\n")
    print("\n".join(phase_tables(entries)))
    if not complete:
        print("\n(the file was cut short: the process ended before its last benchmark)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: phase_table.py FILE.json")
    main(sys.argv[1])

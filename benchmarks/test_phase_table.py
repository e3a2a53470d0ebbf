#!/usr/bin/env python3
"""Tests of phase_table.py on benchmark entries laid out as linsgd_bench writes them on a GPU
(counters as Google Benchmark writes them: sorted by name, so the phases' order comes from their
index), on a file cut short by a fault, and with rows that could not run.
    python3 benchmarks/test_phase_table.py
"""
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import phase_table  # noqa: E402


def probe(name, ns, ghz):
    return {"name": f"probe/cuda/{name}/iterations:1/manual_time",
            "run_name": f"probe/cuda/{name}/iterations:1/manual_time", "run_type": "iteration",
            "ns_per_round": ns, "clock_GHz": ghz}


def profiled(name, blocks, step_us, phases):
    entry = {"name": f"phase/cuda/fused/{name}/manual_time",
             "run_name": f"phase/cuda/fused/{name}/manual_time", "run_type": "iteration",
             "blocks": blocks, "us_per_step": step_us, "clock_GHz": 1.98}
    for index, (phase, us) in enumerate(phases):
        entry[f"phase_us:{index}:{phase}"] = us
    return dict(sorted(entry.items()))  # as Google Benchmark orders its counters


def absent(prefix, name, reason):
    return {"name": f"{prefix}{name}/manual_time", "run_name": f"{prefix}{name}/manual_time",
            "run_type": "iteration", "error_occurred": True, "error_message": reason}


FUSED = [("copy wait", 0.8), ("partial dots", 0.3), ("exchange", 1.6),
         ("residuals and sums", 2.1), ("update", 1.2)]
SPLIT = [("copy wait", 0.1), ("row dots", 0.4), ("partial gradient", 0.9), ("barrier", 1.0),
         ("update", 0.7), ("barrier and reload", 1.3)]
ENTRIES = [
    probe("block-barrier/threads:256", 41.25, 1.755),
    probe("grid-barrier/blocks:32", 812.0, 1.98),
    absent("probe/cuda/", "cluster-barrier-spread/blocks:16/iterations:1",
           "a cluster of 16 blocks cannot be resident on this GPU"),
    profiled("post/blocks:0", 32, 6.4, FUSED),
    profiled("tall+batch-split/blocks:0", 128, 4.6, SPLIT),
    profiled("post+cluster/blocks:16", 16, 5.0, [(n, us / 2) for n, us in FUSED]),
    absent("phase/cuda/fused/", "wide+batch-split/blocks:0", "cannot hold 2 rows"),
]


def document(entries):
    return json.dumps({"context": {"host_name": "gpu"}, "benchmarks": entries}, indent=2)


class PhaseTable(unittest.TestCase):
    def test_probes_keep_their_figures_and_reasons(self):
        lines = phase_table.probe_table(ENTRIES)
        self.assertIn("| block-barrier/threads:256 | 41.2 | 1.75 |", lines)
        self.assertIn("| grid-barrier/blocks:32 | 812.0 | 1.98 |", lines)
        self.assertIn("| cluster-barrier-spread/blocks:16 | absent (a cluster of 16 blocks cannot"
                      " be resident on this GPU) | - |", lines)
        self.assertEqual(len(lines), 2 + 3)

    def test_phases_come_in_the_steps_order_with_their_shares(self):
        lines = phase_table.phase_tables(ENTRIES)
        header = "| kernel | blocks | us/step | " + " | ".join(n for n, _ in FUSED)
        self.assertIn(header + " | sum of phases |", lines)
        fused_total = sum(us for _, us in FUSED)
        self.assertIn("| post/blocks:0 | 32 | 6.40 | 0.80 (12%) | 0.30 (5%) | 1.60 (25%) | "
                      f"2.10 (33%) | 1.20 (19%) | {fused_total:.2f} |", lines)
        # Both fused rows share one table, the batch split has its own.
        post_cluster = [line for line in lines if line.startswith("| post+cluster/blocks:16 |")]
        self.assertEqual(len(post_cluster), 1)
        self.assertLess(lines.index(header + " | sum of phases |"), lines.index(post_cluster[0]))
        split_header = "| kernel | blocks | us/step | " + " | ".join(n for n, _ in SPLIT)
        self.assertIn(split_header + " | sum of phases |", lines)
        self.assertGreater(lines.index(split_header + " | sum of phases |"),
                           lines.index(post_cluster[0]))
        self.assertEqual(lines[-1], "- wide+batch-split/blocks:0: absent (cannot hold 2 rows)")

    def test_a_complete_file_reads_whole(self):
        entries, complete = phase_table.read_entries(document(ENTRIES))
        self.assertTrue(complete)
        self.assertEqual(entries, ENTRIES)

    def test_a_file_cut_short_keeps_its_finished_entries(self):
        text = document(ENTRIES)
        cut = text.index('"run_name": "phase/cuda/fused/post+cluster')  # inside the 6th entry
        entries, complete = phase_table.read_entries(text[:cut])
        self.assertFalse(complete)
        self.assertEqual(entries, ENTRIES[:5])

    def test_a_file_with_no_benchmarks_yields_none(self):
        self.assertEqual(phase_table.read_entries('{"context": {'), ([], False))


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Tests of make_table.py on a Google Benchmark file laid out as linsgd_bench writes it on a GPU:
repetitions followed by mean/median/stddev aggregates, whole runs timed in milliseconds and
steps in microseconds. The expected figures are worked out here from the entries themselves.
    python3 benchmarks/test_make_table.py
"""
import json
import statistics
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_table  # noqa: E402


def repetitions(run_name, times, unit, **counters):
    """Three repetitions of one benchmark and the aggregates Google Benchmark appends."""
    entries = [{"name": run_name, "run_name": run_name, "run_type": "iteration",
                "repetition_index": i, "real_time": t, "time_unit": unit, **counters}
               for i, t in enumerate(times)]
    for aggregate, value in (("mean", statistics.mean(times)), ("median", statistics.median(times)),
                             ("stddev", statistics.stdev(times))):
        entries.append({"name": f"{run_name}_{aggregate}", "run_name": run_name,
                        "run_type": "aggregate", "aggregate_name": aggregate,
                        "real_time": value, "time_unit": unit, **counters})
    return entries


class WholeRunTable(unittest.TestCase):
    def build(self, whole_run_times, unit):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            (out / "environment.txt").write_text("date=2026-01-01\ncommit=abc\nsmoke=0\n")
            (out / "pytorch.json").write_text(json.dumps({"available": False, "rows": []}))
            benchmarks = repetitions("copy/cuda/manual_time", [1.0, 1.1, 0.9], "ms", copy_GBps=4000.0)
            for engine, times in whole_run_times.items():
                benchmarks += repetitions(f"whole_run/cuda/{engine}/post/manual_time", times, unit,
                                          steps=2000.0)
            (out / "linsgd-bench.json").write_text(json.dumps({"benchmarks": benchmarks}))
            make_table.build(out)
            return json.loads((out / "bench.json").read_text()), (out / "bench.md").read_text()

    def test_whole_run_in_milliseconds_is_the_median_of_the_repetitions(self):
        result, table = self.build({"gemv": [22.74, 22.73, 22.75], "fused": [13.6, 13.8, 13.7]}, "ms")
        self.assertAlmostEqual(result["post_whole_run_ms"]["gemv"], 22.74, places=9)
        self.assertAlmostEqual(result["post_whole_run_ms"]["fused"], 13.7, places=9)
        self.assertIn("gemv 22.74 ms, fused 13.70 ms", table)
        target = result["targets"][0]
        self.assertEqual(target["measured"], "13.70 ms (fused)")
        self.assertFalse(target["met"])

    def test_whole_run_in_microseconds_is_converted(self):
        result, _ = self.build({"gemv": [3500.0, 3400.0, 3600.0]}, "us")
        self.assertAlmostEqual(result["post_whole_run_ms"]["gemv"], 3.5, places=9)
        self.assertTrue(result["targets"][0]["met"])



class ReadFloorTable(unittest.TestCase):
    """CPU steps against the read floor of the same run, and against the post's PyTorch loop."""

    def test_cpu_rows_are_ratios_to_the_floor_and_the_peer(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            (out / "environment.txt").write_text("date=2026-01-01\ncommit=abc\nsmoke=0\n")
            (out / "pytorch.json").write_text(json.dumps({"available": True, "rows": [
                {"shape": "post", "device": "cpu", "peer": "post", "us_per_step": 500.0},
                {"shape": "post", "device": "cpu", "peer": "idiomatic", "us_per_step": 600.0}]}))
            benchmarks = repetitions("copy/cpu/manual_time", [100.0, 101.0, 99.0], "ms",
                                     copy_GBps=20.0)
            benchmarks += repetitions("floor/cpu/post/manual_time", [100.0, 110.0, 90.0], "ms",
                                      us_per_step=50.0, steps=2000.0)
            for engine, us in (("gemv", 70.0), ("fused", 60.0)):
                benchmarks += repetitions(
                    f"steps/cpu/{engine}/post/manual_time", [1.0, 1.0, 1.0], "ms", steps=2000.0,
                    us_per_step=us, steps_per_s=1e6 / us, samples_per_s=64e6 / us,
                    batch_bytes=512000.0, batch_GBps=512000.0 / us * 1e-3)
            (out / "linsgd-bench.json").write_text(json.dumps({"benchmarks": benchmarks}))
            make_table.build(out)
            result = json.loads((out / "bench.json").read_text())
            table = (out / "bench.md").read_text()
        self.assertEqual(result["read_floor_us"]["post"], 50.0)
        fused = next(r for r in result["rows"] if r["backend"] == "cpu" and r["engine"] == "fused")
        self.assertAlmostEqual(fused["vs_read_floor"], 60.0 / 50.0)
        self.assertAlmostEqual(fused["vs_pytorch_post"], 60.0 / 500.0)
        targets = {t["target"]: t for t in result["targets"]}
        floor = targets["post problem on the CPU, 1 thread: a step at its read floor"]
        self.assertEqual(floor["measured"], "1.20x the floor (fused, floor 50.0 us/step)")
        self.assertTrue(floor["met"])
        peer = next(t for name, t in targets.items() if "PyTorch loop" in name)
        self.assertEqual(peer["measured"], "8.3x (fused)")
        self.assertFalse(peer["met"])
        self.assertIn("| 1.2 | 0.12 |", table)


class ShapesFileTable(unittest.TestCase):
    """A run on the shapes of a LINSGD_BENCH_SHAPES file (environment.txt names it) is tabled on
    those shapes, without the targets, which belong to shapes.json's."""

    def test_rows_are_the_named_files_shapes(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            shapes = out / "mine.json"
            shapes.write_text(json.dumps({"shapes": [
                {"name": "narrow", "rows": 5000, "features": 16, "batch": 32, "gpu_steps": 100,
                 "cpu_steps": 100}]}))
            (out / "environment.txt").write_text(
                f"date=2026-01-01\ncommit=abc\nsmoke=0\nshapes={shapes}\n")
            (out / "pytorch.json").write_text(json.dumps({"available": False, "rows": []}))
            benchmarks = repetitions("steps/cpu/gemv/narrow/manual_time", [1.0, 1.0, 1.0], "ms",
                                     steps=100.0, us_per_step=4.0, steps_per_s=2.5e5,
                                     samples_per_s=8e6, batch_bytes=2048.0, batch_GBps=0.512)
            (out / "linsgd-bench.json").write_text(json.dumps({"benchmarks": benchmarks}))
            make_table.build(out)
            result = json.loads((out / "bench.json").read_text())
            table = (out / "bench.md").read_text()
        self.assertEqual([(r["shape"], r["rows"], r["features"], r["batch"], r["engine"])
                          for r in result["rows"]], [("narrow", 5000, 16, 32, "gemv")])
        self.assertEqual(result["rows"][0]["us_per_step"], 4.0)
        self.assertEqual(result["targets"], [])
        self.assertEqual(result["shapes_file"], str(shapes))
        self.assertIn("| narrow | 5000 x 16, 32 | cpu | gemv | 4 |", table)
        self.assertIn("(Targets apply to the shapes of benchmarks/shapes.json only.)", table)


if __name__ == "__main__":
    unittest.main()

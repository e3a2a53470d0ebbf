"""scripts/gpu_sanitize.sh, run without a GPU against a stand-in compute-sanitizer: every run is
reported, an error fails the script and shows its lines, the experiments' runs get the shortened
tests and the suite's memcheck its shards, and SANITIZE_SECONDS cuts runs without leaving any
behind. The stand-in records its arguments and environment, and acts on FAKE_* variables."""
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gpu_sanitize.sh"

STAND_IN = r"""#!/usr/bin/env bash
# Records one line per call (and with FAKE_HOLD its start and end in FAKE_EVENTS); exits with
# FAKE_EXIT at 9 rows; fails where FAKE_FAIL matches the arguments; sleeps FAKE_SLEEP seconds
# where FAKE_SLOW matches them (writing its pid to FAKE_PIDS first), else none.
echo "$* | short=${LINSGD_SHORT_GPU_TESTS:-} shard=${GTEST_SHARD_INDEX:-}/${GTEST_TOTAL_SHARDS:-}" \
  >> "$FAKE_LOG"
if [ -n "${FAKE_HOLD:-}" ]; then  # a run's start and end, FAKE_HOLD seconds apart
  echo + >> "$FAKE_EVENTS"
  sleep "$FAKE_HOLD"
  echo - >> "$FAKE_EVENTS"
fi
if [ -n "${FAKE_EXIT:-}" ] && [[ "$*" == *"--rows 9 "* ]]; then exit "$FAKE_EXIT"; fi
if [ -n "${FAKE_FAIL:-}" ] && [[ "$*" == *"$FAKE_FAIL"* ]]; then
  echo "========= Invalid __global__ read of size 4 bytes (stand-in)"
  exit 99
fi
if [ -n "${FAKE_SLOW:-}" ] && [[ "$*" == *"$FAKE_SLOW"* ]]; then
  echo $$ >> "$FAKE_PIDS"
  exec sleep "$FAKE_SLEEP"
fi
exit 0
"""


class GpuSanitizeScript(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        tmp = pathlib.Path(self.tmp.name)
        (tmp / "bin").mkdir()
        stand_in = tmp / "bin" / "compute-sanitizer"
        stand_in.write_text(STAND_IN)
        stand_in.chmod(0o755)
        self.log, self.pids, self.events = tmp / "calls.log", tmp / "pids", tmp / "events"
        self.env = dict(os.environ, PATH=f"{tmp / 'bin'}:{os.environ['PATH']}",
                        FAKE_LOG=str(self.log), FAKE_PIDS=str(self.pids),
                        FAKE_EVENTS=str(self.events), FAKE_SLEEP="60")
        for name in ("FAKE_FAIL", "FAKE_SLOW", "FAKE_HOLD", "FAKE_EXIT", "SANITIZE_SECONDS",
                     "SANITIZE_JOBS", "LINSGD_SHORT_GPU_TESTS", "GTEST_SHARD_INDEX",
                     "GTEST_TOTAL_SHARDS"):
            self.env.pop(name, None)

    def tearDown(self):
        self.tmp.cleanup()

    def run_script(self, **env):
        return subprocess.run(["bash", str(SCRIPT), "BUILD"], env=dict(self.env, **env),
                              capture_output=True, text=True, timeout=120)

    def calls(self):
        return self.log.read_text().splitlines()

    def test_every_run_is_reported_ok_and_gets_its_options(self):
        result = self.run_script()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        lines = result.stdout.splitlines()
        calls = self.calls()
        self.assertEqual(len([l for l in lines if l.startswith("ok: ")]), len(calls))
        self.assertEqual(lines[-1], f"gpu_sanitize: {len(calls)} run(s), 0 with errors")
        for tool in ("racecheck", "synccheck", "initcheck", "memcheck"):
            self.assertTrue(any(f"--tool {tool} BUILD/linsgd train" in c for c in calls), tool)
        experiments = [c for c in calls if "--gtest_filter=GpuTraining." in c]
        self.assertEqual(len(experiments), 21)  # 7 tests, under 3 tools
        self.assertTrue(all("short=1 " in c for c in experiments))
        shards = sorted(c.split("shard=")[1] for c in calls if "--gtest_filter=-" in c)
        self.assertEqual(shards, ["0/4", "1/4", "2/4", "3/4"])
        self.assertTrue(all("short= " in c for c in calls if c not in experiments))

    def test_an_error_fails_the_script_and_shows_its_lines(self):
        result = self.run_script(FAKE_FAIL="--rows 5000")
        self.assertEqual(result.returncode, 1)
        failures = [l for l in result.stdout.splitlines() if l.startswith("FAIL: ")]
        self.assertEqual(len(failures), 4)  # the four tools at that shape
        self.assertIn("========= Invalid __global__ read", result.stdout)
        self.assertIn("4 with errors", result.stdout.splitlines()[-1])

    def test_runs_go_side_by_side_up_to_sanitize_jobs(self):
        result = self.run_script(FAKE_HOLD="0.2", SANITIZE_JOBS="3")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        running, most = 0, 0
        for event in self.events.read_text().split():
            running += 1 if event == "+" else -1
            most = max(most, running)
        self.assertEqual(running, 0)
        self.assertEqual(most, 3)

    def test_a_run_killed_before_the_time_limit_is_an_error_not_a_cut(self):
        result = self.run_script(FAKE_EXIT="137")  # as the kernel's out-of-memory killer would
        self.assertEqual(result.returncode, 1)
        failures = [l for l in result.stdout.splitlines() if l.startswith("FAIL: ")]
        self.assertEqual(len(failures), 4)  # 9 x 70 under the four tools
        self.assertNotIn("cut: ", result.stdout)

    def test_the_time_limit_cuts_runs_and_leaves_none_behind(self):
        start = time.monotonic()
        result = self.run_script(FAKE_SLOW="--gtest_filter=-", SANITIZE_SECONDS="8")
        self.assertLess(time.monotonic() - start, 40)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        cut = [l for l in result.stdout.splitlines() if l.startswith("cut: ")]
        self.assertTrue(cut and all("shard" in l and "the time limit" in l for l in cut), cut)
        for pid in self.pids.read_text().split():
            self.assertFalse(pathlib.Path(f"/proc/{pid}").exists(), f"run {pid} left behind")


if __name__ == "__main__":
    sys.exit(unittest.main())

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`weft check` passes on every deck of inputs/, and the events decks run
at 1 and 2 ranks with the same tables; the sensors deck finds exactly the
three patterns its data set was made with (oracle.make_sensors)."""
import argparse
import filecmp
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None


class Decks(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_weft_check_passes_on_every_deck(self):
        decks = sorted(glob.glob(os.path.join(ARGS.root, "inputs", "*.toml")))
        r = subprocess.run([ARGS.weft, "check", *decks], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.count(": valid"), len(decks), r.stdout)

    def test_events_decks_run_the_same_on_1_and_2_ranks(self):
        for name in ["transactions", "sensors"]:
            deck = os.path.join(ARGS.root, "inputs", f"{name}.toml")
            outs = []
            for np_ in (1, 2):
                out = os.path.join(self.tmp, f"{name}-{np_}")
                cmd = [ARGS.weft, "run", deck, "-q", "--set", f"output.dir={out}"]
                if np_ > 1:
                    cmd = [ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(np_)] + cmd
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                outs.append(out)
            for t in ["aggregates.csv", "per_day.csv", "flags.csv", "quarantine.csv"]:
                self.assertTrue(filecmp.cmp(os.path.join(outs[0], t), os.path.join(outs[1], t), shallow=False), t)
        with open(os.path.join(self.tmp, "sensors-1", "flags.csv")) as f:
            rows = [line.split(",")[:2] for line in f.read().splitlines()[1:]]
        self.assertEqual(rows, [["gap", "S0001"], ["stuck", "S0002"], ["zscore", "S0003"]])


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--mpiexec", required=True)
    p.add_argument("--root", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

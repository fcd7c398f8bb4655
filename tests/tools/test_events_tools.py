#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""tools/plot-events on the output of a real weft events run (a seeded
tools/make-events data set without malformed rows): --help, a PNG for the
run directory and for its events.h5, the plotted events per day equal to
the timestamps of the CSV counted per UTC day (csv module), every flag
plotted from its first to its last event's time as the CSV gives them for
the flag's event ids (the new flags/first_time_us, last_time_us), and every
user error (missing or wrong run directory or file, unwritable output) as
one line on stderr with exit status 2, never a traceback."""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "events"))
import test_gravity_tools  # noqa: E402  (load_tool, is_png and the checked tool runner)
import test_duckdb  # noqa: E402  (the deck of a generated data set)

ARGS = None


def micros(ts):
    """An ISO UTC timestamp of the CSV as microseconds since the epoch."""
    return int(np.datetime64(ts.rstrip("Z"), "us").astype(np.int64))


class EventsTools(unittest.TestCase):
    tool = test_gravity_tools.GravityTools.tool

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        data = os.path.join(cls.tmp.name, "tx.csv")
        subprocess.run([ARGS.gen, "--domain", "transactions", "--rows", "6000", "--seed", "7", "--keys", "500",
                        "--malformed", "0", "--patterns", "2", "--out", data], check=True, capture_output=True)
        with open(data + ".truth.json") as f:
            truth = json.load(f)
        deck = os.path.join(cls.tmp.name, "tx.toml")
        test_duckdb.deck_of(truth, deck)
        cls.run_dir = os.path.join(cls.tmp.name, "tx")
        subprocess.run([ARGS.weft, "run", deck, "-q", "--set", f"output.dir={cls.run_dir}"], check=True)
        with open(data, newline="") as f:
            cls.times = {int(r["event_id"]): micros(r["timestamp"]) for r in csv.DictReader(f)}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_help(self):
        self.assertIn("usage:", self.tool("plot-events", "--help").stdout)

    def test_png_of_the_run(self):
        for i, run in enumerate((self.run_dir, os.path.join(self.run_dir, "events.h5"))):
            out = os.path.join(self.tmp.name, f"events{i}.png")
            self.tool("plot-events", run, "-o", out)
            self.assertTrue(test_gravity_tools.is_png(out))
            self.assertGreater(os.path.getsize(out), 10000)

    def test_plotted_days_and_flags(self):
        test_gravity_tools.ARGS = ARGS
        data = test_gravity_tools.load_tool("plot-events").read_run(self.run_dir)
        per_day = collections.Counter(t // 86_400_000_000 for t in self.times.values())
        days = data["days"].astype(np.int64).tolist()
        self.assertEqual(days, sorted(per_day))
        self.assertEqual(data["count"].tolist(), [per_day[d] for d in days])
        with h5py.File(os.path.join(self.run_dir, "events.h5"), "r") as f:
            ids = f["flag_events/event_id"][()]
            first_row, n = f["flags/first_row"][()], f["flags/events"][()]
        self.assertEqual(len(data["flags"]), len(n))
        self.assertGreaterEqual(len({fl[0] for fl in data["flags"]}), 3)  # velocity, structuring, zscore
        for (rule, key, first, last, count, _), row, k in zip(data["flags"], first_row, n):
            t = [self.times[int(i)] for i in ids[row:row + k]]
            self.assertEqual(count, k)
            self.assertEqual((first.astype(np.int64), last.astype(np.int64)), (min(t), max(t)), (rule, key))

    def test_user_errors(self):
        d = self.tmp.name
        self.tool("plot-events", os.path.join(d, "none"), code=2)
        self.tool("plot-events", d, code=2)                                             # no events.h5 there
        self.tool("plot-events", os.path.join(self.run_dir, "thermo.h5"), code=2)       # not events.h5
        self.tool("plot-events", os.path.join(d, "tx.csv"), code=2)                     # not HDF5
        self.tool("plot-events", self.run_dir, "-o", os.path.join(d, "no", "e.png"), code=2)
        self.tool("plot-events", self.run_dir, "-o", os.path.join(d, "e.xyz"), code=2)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    for option in ("--weft", "--tools", "--gen"):  # the executables and the tools directory
        p.add_argument(option, required=True)
    ARGS, rest = p.parse_known_args()
    test_gravity_tools.ARGS = ARGS
    test_gravity_tools.test_tools.ARGS = ARGS
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

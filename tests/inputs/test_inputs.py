#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Every example deck in inputs/ runs, and the decks that mirror a LAMMPS
set-up give LAMMPS's step-0 thermo to every printed digit: lj-melt against
the published bench/in.lj log, the data-file decks against live LAMMPS
(`lmp`) reading the same data files."""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

ARGS = None
ROOT = None

LAMMPS_PAIRS = {
    "lj-binary-mixture.toml": "pair_coeff 1 1 1.0 1.0 2.5\npair_coeff 1 2 1.5 0.8 2.0\npair_coeff 2 2 0.5 0.88 2.2\n",
    "lj-from-lammps-data.toml": "pair_coeff 1 1 1.0 1.0 2.5\n",
}


def weft_step0(deck, outdir):
    r = subprocess.run([ARGS.weft, "run", deck, "--set", "run.steps=20", "--set", f"output.dir={outdir}",
                        "--set", "checkpoint.at_end=false", "-q"], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"{deck}: exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    rows = np.loadtxt(os.path.join(outdir, "thermo.dat"), ndmin=2)
    return rows[0]  # step time temp pe ke etotal press


def lammps_step0(data_file, pairs, workdir):
    script = os.path.join(workdir, "in.check")
    with open(script, "w") as f:
        f.write("units lj\natom_style atomic\npair_style lj/cut 2.5\n"
                f"read_data {data_file}\n{pairs}neighbor 0.3 bin\n"
                "thermo_style custom step temp pe ke etotal press\n"
                "thermo_modify format float %.8g\nrun 0\n")
    out = subprocess.run(["lmp", "-in", script, "-log", "none"], capture_output=True, text=True,
                         cwd=workdir, timeout=120).stdout
    line = out.splitlines()[out.splitlines().index(next(l for l in out.splitlines() if l.split()[:1] == ["Step"])) + 1]
    return [float(v) for v in line.split()]


class Inputs(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_every_example_deck_runs(self):
        # MD decks here; the events decks (application = "events") run in events.decks.
        decks = [d for d in sorted(glob.glob(os.path.join(ROOT, "inputs", "*.toml")))
                 if 'application = "events"' not in open(d).read()]
        self.assertGreaterEqual(len(decks), 4)
        for deck in decks:
            with self.subTest(deck=os.path.basename(deck)):
                row = weft_step0(deck, os.path.join(self.tmp, os.path.basename(deck)))
                self.assertTrue(np.all(np.isfinite(row)))

    def test_lj_melt_step0_is_lammps_published(self):
        row = weft_step0(os.path.join(ROOT, "inputs", "lj-melt.toml"), os.path.join(self.tmp, "melt"))
        # bench/in.lj, LAMMPS log: Step Temp E_pair E_mol TotEng Press
        # 0 1.44 -6.7733681 0 -4.6134356 -5.0197073
        self.assertEqual(f"{row[2]:.8g}", "1.44")
        self.assertEqual(f"{row[3]:.8g}", "-6.7733681")
        self.assertEqual(f"{row[5]:.8g}", "-4.6134356")
        self.assertEqual(f"{row[6]:.8g}", "-5.0197073")

    @unittest.skipUnless(shutil.which("lmp"), "LAMMPS (lmp) is not installed")
    def test_data_file_decks_match_live_lammps(self):
        for name, pairs in LAMMPS_PAIRS.items():
            with self.subTest(deck=name):
                deck = os.path.join(ROOT, "inputs", name)
                with open(deck) as f:
                    data = re.search(r'data_file = "([^"]+)"', f.read()).group(1)
                ours = weft_step0(deck, os.path.join(self.tmp, name))
                theirs = lammps_step0(os.path.join(ROOT, "inputs", data), pairs, self.tmp)
                # LAMMPS prints 8 significant digits: temp pe ke etotal press
                for k, (a, b) in enumerate(zip(ours[2:7], theirs[1:6])):
                    self.assertEqual(f"{a:.8g}", f"{b:.8g}", f"column {k} of {name}")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--root", required=True)
    ARGS, rest = p.parse_known_args()
    ROOT = ARGS.root
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

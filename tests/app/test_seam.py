#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The application seam with an application that is not MD (the test-only
oscillators of tests/app/oscillators.cpp, in the weft-seam executable): the
shared run loop records its observables as the closed forms say, its
checkpoints continue it bit for bit (or to rounding on another rank count),
a signal stops it with a checkpoint and exit 75, the reference lists both
applications, and a checkpoint of one application is refused for the other."""
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import weftrun  # noqa: E402

ARGS = None
DECK = 'application = "oscillators"\n[oscillators]\ncount = 1001\nomega = 2.0\ndt = 0.01\n' \
       '[run]\nsteps = 200\n[thermo]\nevery = 10\n[checkpoint]\nevery = 100\nkeep = 5\n'


def seam(cwd, *args, np_=1, check=True):
    return weftrun.run_weft(ARGS.weft, ARGS.mpiexec, list(args), np_=np_, cwd=cwd, check=check)


def series(path):
    with h5py.File(path, "r") as f:
        o = f["observables"]
        return (o["energy/step"][()], o["energy/time"][()], o["energy/value"][()],
                o["x_sum/value"][()], o["count/value"][()])


class Seam(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        weftrun.write_deck(self.tmp, DECK, "osc.toml")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_observables_follow_the_closed_forms(self):
        for np_ in (1, 2):
            seam(self.tmp, "run", "osc.toml", "--set", f"output.dir=o{np_}", np_=np_)
            steps, t, e, xs, n = series(os.path.join(self.tmp, f"o{np_}", "thermo.h5"))
            self.assertEqual(list(steps), list(range(0, 201, 10)))
            np.testing.assert_allclose(t, steps * 0.01, rtol=0, atol=1e-12)
            np.testing.assert_allclose(e, 1001 * 4.0 / 2, rtol=1e-12)
            phi = 0.1 * np.arange(1, 1002)
            want = [np.cos(2.0 * tt + phi).sum() for tt in t]
            np.testing.assert_allclose(xs, want, rtol=0, atol=1e-9)
            self.assertTrue((n == 1001).all())
            with open(os.path.join(self.tmp, f"o{np_}", "thermo.dat")) as f:
                header = [l for l in f if l.startswith("#")][-1].split()
            self.assertEqual(header, ["#", "Step", "Time", "Energy", "Xsum"])
            with h5py.File(os.path.join(self.tmp, f"o{np_}", "ckpt-0000000200.h5"), "r") as f:
                attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f["parameters"].attrs.items()}
                self.assertEqual(attrs["application"], "oscillators")
                self.assertEqual(attrs["units"], "oscillator")
                self.assertEqual(sorted(f["checkpoint/oscillators"]), ["id", "v", "x"])

    def test_restart_continues_bit_for_bit_and_on_other_rank_counts(self):
        seam(self.tmp, "run", "osc.toml", "--set", "output.dir=whole", np_=2)
        ref = series(os.path.join(self.tmp, "whole", "thermo.h5"))
        seam(self.tmp, "run", "osc.toml", "--set", "output.dir=seg", "--set", "run.steps=100", np_=2)
        seam(self.tmp, "run", "osc.toml", "--restart", "seg/ckpt-0000000100.h5", np_=2)
        got = series(os.path.join(self.tmp, "seg", "thermo.h5"))
        for a, b in zip(ref, got):
            self.assertTrue(np.array_equal(a, b))
        shutil.copytree(os.path.join(self.tmp, "seg"), os.path.join(self.tmp, "seg1"))
        seam(self.tmp, "run", "osc.toml", "--restart", "seg1/ckpt-0000000100.h5", np_=1)
        got1 = series(os.path.join(self.tmp, "seg1", "thermo.h5"))
        np.testing.assert_allclose(got1[3], ref[3], rtol=0, atol=1e-9)

    def test_signal_stops_with_a_checkpoint(self):
        deck = DECK.replace("steps = 200", "steps = 100000000").replace("count = 1001", "count = 20000")
        deck = deck.replace("every = 100\n", "every = 0\n")
        weftrun.write_deck(self.tmp, deck, "long.toml")
        p = subprocess.Popen([ARGS.weft, "run", "long.toml", "--set", "output.dir=sig"], cwd=self.tmp,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 75, out + err)
        ckpts = [f for f in os.listdir(os.path.join(self.tmp, "sig")) if f.startswith("ckpt-")]
        self.assertEqual(len(ckpts), 1, ckpts)
        self.assertIn("Continue with", out + err)

    def test_reference_lists_both_applications(self):
        r = seam(self.tmp, "help", "deck")
        self.assertIn("## Application `md`", r.stdout)
        self.assertIn("## Application `oscillators`", r.stdout)
        self.assertIn("| `omega` |", r.stdout)

    def test_checkpoint_of_another_application_is_refused(self):
        seam(self.tmp, "run", "osc.toml", "--set", "output.dir=osc")
        md = weftrun.small_melt(3, "[run]\nsteps = 10\n")
        weftrun.write_deck(self.tmp, md, "md.toml")
        r = seam(self.tmp, "run", "md.toml", "--restart", "osc/ckpt-0000000200.h5", "--set",
                 "run.steps=300", check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn('the checkpoint comes from a run of application "oscillators", the deck is for '
                      '"md"', r.stderr)


if __name__ == "__main__":
    weftrun.unittest_main(sys.modules[__name__])

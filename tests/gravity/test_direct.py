#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Direct summation against a straightforward O(N^2) double loop (numpy, in
gravity_support.direct_oracle) to round-off, at 1, 2 and 4 ranks under both
schedulers, and the same bits on every layout (weft sums every target's
sources in the global order, whatever the ranks and threads)."""
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gravity_support as gs  # noqa: E402

N = 400


class Direct(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def layout_runs(self, softening, eps, layouts):
        text = gs.deck(gs.plummer(N, seed=11), f'softening = "{softening}"\nepsilon = {eps}\nG = 0.7\n',
                       "[timestep]\ndt = 0.01\n[thermo]\nevery = 1\n[output]\nsnapshot_every = 5\n", steps=5)
        gs.weftrun.write_deck(self.tmp, text, f"{softening}.toml")
        out = {}
        for np_, sched in layouts:
            name = f"{softening}-np{np_}-{sched}"
            gs.run(["run", f"{softening}.toml", "-q", "--set", f"output.dir={name}", "--set",
                    f"runtime.scheduler={sched}", "--set", "runtime.threads=2"], self.tmp, np_=np_)
            out[name] = os.path.join(self.tmp, name)
        return out

    def check_against_oracle(self, run_dir, softening, eps):
        for step in (0, 5):
            s = gs.snapshot(os.path.join(run_dir, f"snapshot_{step:06d}.hdf5"))
            acc, pot = gs.direct_oracle(s["Coordinates"], s["Masses"], 0.7, eps, softening)
            scale = np.linalg.norm(acc, axis=1)
            err = np.linalg.norm(s["Acceleration"] - acc, axis=1) / scale
            # Round-off of a sum of N terms of mixed sign: well below 1e-11
            # relative to each particle's own |a| (measured ~1e-14).
            self.assertLess(err.max(), 1e-11, (softening, step))
            np.testing.assert_allclose(s["Potential"], pot, rtol=1e-12)

    def test_spline_matches_double_loop_and_is_the_same_on_every_layout(self):
        layouts = [(1, "openmp"), (1, "fibers"), (2, "openmp"), (2, "fibers"), (4, "openmp"), (4, "fibers")]
        runs = self.layout_runs("spline", 0.05, layouts)
        first = next(iter(runs.values()))
        self.check_against_oracle(first, "spline", 0.05)
        ref = gs.snapshot(os.path.join(first, "snapshot_000005.hdf5"))
        ref_obs = gs.series(os.path.join(first, "thermo.h5"))
        for name, d in runs.items():
            got = gs.snapshot(os.path.join(d, "snapshot_000005.hdf5"))
            for k in ref:
                self.assertTrue(np.array_equal(ref[k], got[k]), (name, k))
            obs = gs.series(os.path.join(d, "thermo.h5"))
            for k in ref_obs:
                self.assertTrue(np.array_equal(ref_obs[k][2], obs[k][2]), (name, k))

    def test_plummer_softening_matches_double_loop(self):
        runs = self.layout_runs("plummer", 0.02, [(2, "fibers")])
        self.check_against_oracle(next(iter(runs.values())), "plummer", 0.02)

    def test_spline_is_newtonian_beyond_h(self):
        r2 = np.array([(2.8 * 0.05) ** 2, 1.0, 4.0])
        f, p = gs.spline(r2, 0.05)
        np.testing.assert_allclose(f, r2 ** -1.5, rtol=1e-12)
        np.testing.assert_allclose(p, -r2 ** -0.5, rtol=1e-12)
        f0, p0 = gs.spline(np.array([0.0]), 0.05)
        self.assertAlmostEqual(p0[0], -1 / 0.05, places=9)  # phi(0) = -1/eps: Plummer-equivalent


if __name__ == "__main__":
    gs.main(__name__)

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The tree method through the executable: forces against direct summation
(numpy, gravity_support.direct_oracle) within the opening criterion's error
at 1, 2 and 4 ranks, both schedulers and both domains (the distributed tree
with its remote-node cache, and the replicated tree; particles are split
along the Morton curve, so layouts differ in order and in the last bits,
not beyond the criterion's error), and restarts on the same layout that
continue bit for bit (the relative criterion's previous accelerations, the
work weights and the split of the curve are checkpointed)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gravity_support as gs  # noqa: E402

N = 20000
EPS = 0.01


def by_id(s):
    order = np.argsort(s["ParticleIDs"])
    return {k: v[order] for k, v in s.items()}


class Tree(gs.TmpTest):
    def test_forces_match_direct_summation_on_every_layout(self):
        text = gs.deck(gs.plummer(N, seed=5),
                       f'method = "tree"\ntheta = 0.5\nquadrupole = true\nepsilon = {EPS}\n',
                       "[timestep]\ndt = 0.005\n[output]\nsnapshot_every = 2\n[checkpoint]\nevery = 0\n",
                       steps=2)
        gs.weftrun.write_deck(self.tmp, text, "t.toml")
        layouts = [(1, "openmp", "let"), (1, "fibers", "let"),
                   (2, "fibers", "let"), (2, "openmp", "cache"),
                   (4, "fibers", "let"), (4, "fibers", "cache"), (2, "fibers", "replicated"),
                   (4, "openmp", "replicated")]
        snaps = {}
        for np_, sched, domain in layouts:
            name = f"np{np_}-{sched}-{domain}"
            gs.run(["run", "t.toml", "-q", "--set", f"output.dir={name}", "--set",
                    f"runtime.scheduler={sched}", "--set", "runtime.threads=2",
                    "--set", f"gravity.domain={domain}"], self.tmp, np_=np_)
            snaps[name] = by_id(gs.snapshot(os.path.join(self.tmp, name, "snapshot_000000.hdf5")))
        ref = snaps["np1-openmp-let"]
        rng = np.random.default_rng(1)
        sample = rng.choice(N, size=400, replace=False)
        x, m = ref["Coordinates"], ref["Masses"]
        acc = np.zeros((len(sample), 3))
        for k, i in enumerate(sample):  # direct summation on the sample only
            d = x - x[i]
            r2 = np.sum(d * d, axis=1)
            keep = np.arange(N) != i
            f, _ = gs.spline(r2[keep], EPS)
            acc[k] = np.sum((m[keep] * f)[:, None] * d[keep], axis=0)
        norm = np.linalg.norm(acc, axis=1)
        for name, s in snaps.items():
            self.assertTrue(np.array_equal(s["Coordinates"], x), name)  # the same initial conditions
            err = np.linalg.norm(s["Acceleration"][sample] - acc, axis=1) / norm
            # The bound at theta 0.5 with quadrupoles: p99 < 1e-3
            # (measured ~6e-4 at 10^5 particles, docs/gravity-tree.md).
            self.assertLess(np.percentile(err, 99), 1e-3, name)
            # Layouts differ by what each rank's group walks open: within
            # the criterion's own error of each other.
            diff = np.linalg.norm(s["Acceleration"] - ref["Acceleration"], axis=1) / np.linalg.norm(
                ref["Acceleration"], axis=1)
            self.assertLess(np.percentile(diff, 99), 2e-3, name)
        # One rank: the same bits under both schedulers and any thread count.
        for k in ref:
            self.assertTrue(np.array_equal(ref[k], snaps["np1-fibers-let"][k]), k)

    def test_restart_on_the_same_layout_continues_bit_for_bit(self):
        for domain in ("let", "cache", "replicated"):
            text = gs.deck(gs.plummer(3000, seed=9),
                           f'method = "tree"\nopening = "relative"\ntolerance = 0.0025\nepsilon = {EPS}\n'
                           f'rebalance = 0.01\ndomain = "{domain}"\n',
                           "[timestep]\ndt = 0.005\n[output]\nsnapshot_every = 8\n", steps=8)
            gs.weftrun.write_deck(self.tmp, text, f"{domain}.toml")
            gs.run(["run", f"{domain}.toml", "-q", "--set", f"output.dir=whole-{domain}"], self.tmp, np_=2)
            gs.run(["run", f"{domain}.toml", "-q", "--set", f"output.dir=seg-{domain}", "--set",
                    "run.steps=4"], self.tmp, np_=2)
            gs.run(["run", f"{domain}.toml", "-q", "--restart",
                    f"seg-{domain}/ckpt-0000000004.h5"], self.tmp, np_=2)
            a = gs.snapshot(os.path.join(self.tmp, f"whole-{domain}", "snapshot_000008.hdf5"))
            b = gs.snapshot(os.path.join(self.tmp, f"seg-{domain}", "snapshot_000008.hdf5"))
            for k in a:
                self.assertTrue(np.array_equal(a[k], b[k]), f"{domain}: {k}")


if __name__ == "__main__":
    gs.main(__name__)

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Bad input to the gravity application through the executable: each case
exits 2 with a message saying what is wrong, and writes nothing (the output
directory is not created). Gadget files are checked on 2 ranks (every rank
must agree on the error)."""
import os
import shutil
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gravity_support as gs  # noqa: E402


def gadget_file(path, n=8, pos=None, vel=None, mass=None, header=None, masstable=0.0, rows=None):
    """A small Gadget-2 layout file of N type-1 particles; keyword
    arguments spoil one part of it."""
    rng = np.random.default_rng(1)
    pos = rng.normal(size=(n, 3)) if pos is None else pos
    vel = np.zeros((n, 3)) if vel is None else vel
    mass = np.full(n, 1.0 / n) if mass is None else mass
    with h5py.File(path, "w") as f:
        h = f.create_group("Header")
        counts = [0, n, 0, 0, 0, 0]
        h.attrs["NumPart_ThisFile"] = np.array(counts, dtype=np.uint32)
        h.attrs["NumPart_Total"] = np.array(counts, dtype=np.uint32)
        h.attrs["NumPart_Total_HighWord"] = np.zeros(6, dtype=np.uint32)
        h.attrs["MassTable"] = np.array([0, masstable, 0, 0, 0, 0], dtype=np.float64)
        h.attrs["NumFilesPerSnapshot"] = 1
        h.attrs["Time"] = 0.0
        for k, v in (header or {}).items():
            h.attrs[k] = v
        g = f.create_group("PartType1")
        m = rows or n
        g["Coordinates"] = pos[:m]
        g["Velocities"] = vel[:m]
        g["ParticleIDs"] = np.arange(1, m + 1, dtype=np.uint64)
        if mass is not False:
            g["Masses"] = mass[:m]


class BadInput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def refused(self, text, message, np_=1, sets=()):
        """Runs a deck; asserts exit 2, `message` in stderr, no output."""
        gs.weftrun.write_deck(self.tmp, text, "bad.toml")
        args = ["run", "bad.toml", "--set", "output.dir=out"]
        for s in sets:
            args += ["--set", s]
        r = gs.run(args, self.tmp, np_=np_, check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(message, r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "out")), os.listdir(self.tmp))
        return r.stderr

    def test_deck_values(self):
        ok = gs.deck(gs.plummer(100), "epsilon = 0.05\n", steps=2)
        gs.weftrun.write_deck(self.tmp, ok, "ok.toml")
        self.assertEqual(gs.run(["check", "ok.toml", "--set", "gravity.theta=1.5"], self.tmp).returncode, 0)
        cases = [
            ("gravity.epsilon=0", "gravity.epsilon"),       # softening <= 0
            ("gravity.epsilon=-0.01", "gravity.epsilon"),
            ("gravity.theta=0", "gravity.theta"),           # theta outside (0, 1.5]
            ("gravity.theta=1.6", "gravity.theta"),
            ("initial.count=0", "initial.count"),           # N < 1
            ("initial.mass=0", "initial.mass"),             # zero / negative total mass
            ("initial.mass=-1", "initial.mass"),
            ("gravity.G=0", "gravity.G"),
            ("gravity.method=fmm", "gravity.method"),       # not a registered method
        ]
        for s, key in cases:
            with self.subTest(set=s):
                self.refused(ok, key, sets=[s])
        # block time steps: the deepest level bounded, its keys only with it
        for sets in (["timestep.mode=block", "timestep.max_level=31"],
                     ["timestep.mode=block", "timestep.eta=0"],
                     ["timestep.max_level=5"]):
            with self.subTest(sets=sets):
                self.refused(ok, sets[-1].split("=")[0], sets=sets)

    def test_absurd_particle_counts(self):
        ok = gs.deck(gs.plummer(100), "epsilon = 0.05\n", steps=2)
        # 2e8 particles fit the index types but need 43.2 GB per rank (216
        # bytes per particle) plus what the process holds already (tens of
        # MB), checked against 8 GB per rank.
        for message in ("the run needs about 43.", "96 bytes per own particle and 120 per particle"):
            self.refused(ok, message, sets=["initial.count=200000000", "runtime.memory_gb=8"])
        # 10^12 particles cannot be held at all (even without the memory check).
        self.refused(ok, "weft gravity holds at most", sets=["initial.count=1000000000000",
                                                               "runtime.memory_check=false"])

    def test_kepler_masses(self):
        text = gs.deck('style = "kepler"\nmass1 = 0.0\n', "epsilon = 0.001\n", steps=2)
        self.refused(text, "initial.mass1")

    def gadget(self, message, **spoil):
        gadget_file(os.path.join(self.tmp, "ic.hdf5"), **spoil)
        text = gs.deck('style = "gadget"\nfile = "ic.hdf5"\n', "epsilon = 0.05\n", steps=2)
        return self.refused(text, message, np_=2)

    def test_gadget_masses(self):
        m = np.full(8, 0.125)
        m[3] = 0.0
        self.gadget("particle 4 has mass 0", mass=m)
        m[3] = -0.5
        self.gadget("particle 4 has mass -0.5", mass=m)
        self.gadget("no Masses dataset", mass=False)

    def test_gadget_non_finite(self):
        p = np.random.default_rng(2).normal(size=(8, 3))
        p[6, 1] = np.nan
        self.gadget("particle 7 has a coordinate that is not finite", pos=p)
        v = np.zeros((8, 3))
        v[2, 0] = np.inf
        self.gadget("particle 3 has a velocity that is not finite", vel=v)

    def test_gadget_all_at_one_point(self):
        self.gadget("all 8 particles are at one point", pos=np.ones((8, 3)))

    def test_gadget_inconsistent_counts(self):
        self.gadget("the counts are inconsistent", rows=7)  # datasets of 7 rows, header says 8
        self.gadget("NumPart_ThisFile[1] = 8 but NumPart_Total[1] = 9",
                    header={"NumPart_Total": np.array([0, 9, 0, 0, 0, 0], dtype=np.uint32)})
        self.gadget("particles of type 0",
                    header={"NumPart_ThisFile": np.array([2, 8, 0, 0, 0, 0], dtype=np.uint32),
                            "NumPart_Total": np.array([2, 8, 0, 0, 0, 0], dtype=np.uint32)})
        self.gadget("NumFilesPerSnapshot = 2", header={"NumFilesPerSnapshot": 2})

    def test_gadget_missing_or_not_hdf5(self):
        text = gs.deck('style = "gadget"\nfile = "none.hdf5"\n', "epsilon = 0.05\n", steps=2)
        self.refused(text, "no such file", np_=2)
        with open(os.path.join(self.tmp, "junk.hdf5"), "w") as f:
            f.write("not hdf5\n")
        text = gs.deck('style = "gadget"\nfile = "junk.hdf5"\n', "epsilon = 0.05\n", steps=2)
        self.refused(text, "cannot be read as HDF5", np_=2)


if __name__ == "__main__":
    gs.main(__name__)

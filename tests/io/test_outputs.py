#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs weft on a small deck at 1 and 2 ranks and checks every output file:
H5MD 1.1 structure (h5py), h5dump, MDAnalysis, id order, agreement of the
two layouts, and the thermo series against the text table."""
import os
import subprocess
import sys
import tempfile
import unittest
import warnings

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import weftrun  # noqa: E402

DECK = weftrun.small_melt(5, """
[run]
steps = 20
[thermo]
every = 5
[output]
trajectory_every = 5
forces = true
""")
N = 4 * 5 * 5 * 5
ARGS = None


def run_weft(workdir, np_, extra=()):
    deck = weftrun.write_deck(workdir, DECK)
    weftrun.run_weft(ARGS.weft, ARGS.mpiexec,
                     ["run", deck, "--set", f"output.dir={workdir}/out", "-q", *extra], np_)
    return os.path.join(workdir, "out")


class Outputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = {}
        for np_ in (1, 2):
            d = os.path.join(cls.tmp.name, f"np{np_}")
            os.makedirs(d)
            cls.out[np_] = run_weft(d, np_)
        # The same 2-rank run with collective MPI-IO instead of independent.
        d = os.path.join(cls.tmp.name, "np2-collective")
        os.makedirs(d)
        cls.out["2c"] = run_weft(d, 2, ["--set", "output.transfer=collective"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def traj(self, np_=1):
        return h5py.File(os.path.join(self.out[np_], "trajectory.h5md"), "r")

    def test_files_complete_no_temporaries(self):
        names = sorted(os.listdir(self.out[2]))
        self.assertEqual(names, ["ckpt-0000000020.h5", "deck.toml", "log.txt", "thermo.dat",
                                 "thermo.h5", "trajectory.h5md"])

    def test_h5md_structure(self):
        with self.traj() as f:
            self.assertEqual(list(f["h5md"].attrs["version"]), [1, 1])
            self.assertIn("name", f["h5md/author"].attrs)
            self.assertEqual(f["h5md/creator"].attrs["name"], b"weft")
            self.assertIn("version", f["h5md/creator"].attrs)
            box = f["particles/trajectory/box"]
            self.assertEqual(box.attrs["dimension"], 3)
            self.assertEqual([b.decode() for b in box.attrs["boundary"]], ["periodic"] * 3)
            frames = 5  # steps 0, 5, 10, 15, 20
            self.assertEqual(box["edges/value"].shape, (frames, 3, 3))
            for name in ("position", "velocity", "force", "image"):
                g = f["particles/trajectory"][name]
                self.assertEqual(g["value"].shape, (frames, N, 3), name)
                self.assertEqual(list(g["step"][:]), [0, 5, 10, 15, 20], name)
                np.testing.assert_allclose(g["time"][:], np.arange(frames) * 5 * 0.005)
            self.assertEqual(list(f["particles/trajectory/id"][:]), list(range(1, N + 1)))
            self.assertTrue(np.all(f["particles/trajectory/species"][:] == 1))
            for obs in ("temperature", "potential_energy", "kinetic_energy", "total_energy",
                        "pressure", "volume"):
                self.assertEqual(f["observables"][obs]["value"].shape, (frames,), obs)
            with open(os.path.join(self.out[1], "deck.toml")) as d:
                self.assertEqual(f["parameters/deck"][()].decode(), d.read())
            # Box edges: fcc 0.8442 -> a = 1.6795962, 5 cells.
            np.testing.assert_allclose(np.diag(box["edges/value"][0]), [5 * 1.6795962] * 3, rtol=1e-7)

    def test_positions_wrapped_and_first_atom_at_origin(self):
        with self.traj() as f:
            pos = f["particles/trajectory/position/value"]
            edge = f["particles/trajectory/box/edges/value"][0, 0, 0]
            np.testing.assert_array_equal(pos[0, 0], [0.0, 0.0, 0.0])  # LAMMPS lattice: atom 1 at origin
            self.assertTrue(np.all(pos[:] >= 0) and np.all(pos[:] < edge))

    def test_layouts_agree_frame_by_frame(self):
        with self.traj(1) as a, self.traj(2) as b:
            for name in ("position", "velocity", "force"):
                x = a["particles/trajectory"][name]["value"][:]
                y = b["particles/trajectory"][name]["value"][:]
                np.testing.assert_allclose(x, y, rtol=0, atol=1e-9, err_msg=name)

    def test_collective_transfers_write_the_same_file_contents(self):
        with self.traj(2) as a, self.traj("2c") as b:
            for name in ("position", "velocity", "force", "image", "box/edges"):
                for part in ("step", "time", "value"):
                    x = a["particles/trajectory"][name][part][:]
                    y = b["particles/trajectory"][name][part][:]
                    np.testing.assert_array_equal(x, y, err_msg=f"{name}/{part}")

    def test_h5dump_opens_every_output(self):
        for name in ("trajectory.h5md", "thermo.h5"):
            r = subprocess.run(["h5dump", "-H", os.path.join(self.out[2], name)],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("HDF5", r.stdout)

    def test_mdanalysis_reads_frames_and_box(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import MDAnalysis as mda
            path = os.path.join(self.out[2], "trajectory.h5md")
            u = mda.Universe(path, n_atoms=N, convert_units=False)
        self.assertEqual(len(u.atoms), N)
        self.assertEqual(len(u.trajectory), 5)
        np.testing.assert_allclose(u.dimensions[:3], [5 * 1.6795962] * 3, rtol=1e-6)
        np.testing.assert_allclose(u.dimensions[3:], [90, 90, 90])
        with self.traj(2) as f:
            u.trajectory[3]
            np.testing.assert_allclose(u.atoms.positions,
                                       f["particles/trajectory/position/value"][3], rtol=1e-6)
            self.assertTrue(u.trajectory.ts.has_velocities and u.trajectory.ts.has_forces)

    def test_thermo_series_matches_text_table(self):
        rows = np.loadtxt(os.path.join(self.out[1], "thermo.dat"))
        with h5py.File(os.path.join(self.out[1], "thermo.h5"), "r") as f:
            steps = f["observables/temperature/step"][:]
            np.testing.assert_array_equal(steps, rows[:, 0])
            np.testing.assert_allclose(f["observables/temperature/value"][:], rows[:, 2], rtol=1e-7)
            np.testing.assert_allclose(f["observables/total_energy/value"][:], rows[:, 5], rtol=1e-7)
            self.assertEqual(f["parameters"].attrs["kind"], b"thermo")
        # Step 0 of an fcc lattice at 1.44 with these settings: temp exactly 1.44.
        self.assertAlmostEqual(rows[0, 2], 1.44, places=12)


if __name__ == "__main__":
    weftrun.unittest_main(sys.modules[__name__])

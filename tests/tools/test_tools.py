#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a short Lennard-Jones melt with weft and checks each post-processing
tool on its outputs: --help, exit codes, valid non-empty PNGs, and g(r) with
the physics of a dense LJ liquid (no pairs inside the core, first peak near
1.1 sigma, g -> 1 at large r)."""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import weftrun  # noqa: E402

ARGS = None
DECK = weftrun.small_melt(6, """
[run]
steps = 300
[thermo]
every = 20
[output]
trajectory_every = 50
""")


def png_size(path):
    """Width and height from a PNG's IHDR chunk; fails unless the file is a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path} has no IHDR"
    return struct.unpack(">II", head[16:24])


class Tools(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        deck = weftrun.write_deck(cls.tmp.name, DECK, "melt.toml")
        cls.out = os.path.join(cls.tmp.name, "out")
        weftrun.run_weft(ARGS.weft, None, ["run", deck, "--set", f"output.dir={cls.out}", "-q"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def tool(self, name, *args, code=0):
        r = subprocess.run([os.path.join(ARGS.tools, name), *args], capture_output=True, text=True,
                           cwd=self.tmp.name, timeout=300)
        self.assertEqual(r.returncode, code, f"{name} {args}: {r.stdout}\n{r.stderr}")
        return r

    def test_every_tool_has_help(self):
        for name in ("weft-inspect", "plot-thermo", "rdf", "plot-tasks"):
            r = self.tool(name, "--help")
            self.assertIn("usage:", r.stdout)

    def test_inspect_describes_each_output(self):
        r = self.tool("weft-inspect", f"{self.out}/trajectory.h5md", f"{self.out}/thermo.h5")
        self.assertIn("kind:      trajectory", r.stdout)
        self.assertIn("particles: 864", r.stdout)
        self.assertIn("frames:    7", r.stdout)
        self.assertIn("steps:     0 .. 300", r.stdout)
        self.assertIn("time:      0 .. 1.5 tau", r.stdout)
        self.assertIn("kind:      thermo", r.stdout)
        self.assertIn("observable samples: 16", r.stdout)
        self.assertIn("written by weft", r.stdout)
        r = self.tool("weft-inspect", "--deck", f"{self.out}/thermo.h5")
        self.assertIn("cells = [6, 6, 6]", r.stdout)

    def test_inspect_rejects_files_that_are_not_weft_outputs(self):
        bogus = os.path.join(self.tmp.name, "bogus.h5")
        with open(bogus, "w") as f:
            f.write("not hdf5")
        r = self.tool("weft-inspect", bogus, code=2)
        self.assertIn("cannot open as HDF5", r.stderr)

    def test_plot_thermo_overlays_runs_in_a_png(self):
        png = os.path.join(self.tmp.name, "thermo.png")
        self.tool("plot-thermo", f"{self.out}/thermo.h5", f"{self.out}/trajectory.h5md", "-o", png)
        w, h = png_size(png)
        self.assertGreater(w * h, 100 * 100)
        self.assertGreater(os.path.getsize(png), 10000)

    def test_rdf_is_that_of_a_dense_lj_liquid(self):
        prefix = os.path.join(self.tmp.name, "rdf")
        self.tool("rdf", f"{self.out}/trajectory.h5md", "--frames", "2:", "--bins", "120", "-o", prefix)
        w, h = png_size(prefix + ".png")
        self.assertGreater(w * h, 100 * 100)
        data = np.loadtxt(prefix + ".csv", delimiter=",", skiprows=1)
        r, g = data[:, 0], data[:, 1]
        self.assertTrue(np.all(g[r < 0.8] == 0.0), "pairs inside the repulsive core")
        peak = r[np.argmax(g)]
        self.assertTrue(1.0 < peak < 1.25, f"first peak at {peak}")
        self.assertGreater(g.max(), 2.0)
        tail = g[r > 0.8 * r.max()]
        self.assertLess(abs(tail.mean() - 1.0), 0.1, f"g at large r: {tail.mean()}")

    def test_plot_tasks_draws_the_fiber_timeline(self):
        deck = weftrun.write_deck(self.tmp.name, weftrun.small_melt(8, """
[run]
steps = 30
[runtime]
scheduler = "fibers"
threads = 2
trace = true
"""), "fibers.toml")
        out = os.path.join(self.tmp.name, "fibers-out")
        weftrun.run_weft(ARGS.weft, None, ["run", deck, "--set", f"output.dir={out}", "-q"])
        import h5py
        with h5py.File(os.path.join(out, "trace.h5"), "r") as f:
            names = {n.decode() for n in f["runtime/trace/name"][:]}
            self.assertEqual(int(f["runtime/trace"].attrs["workers"]), 2)
            self.assertTrue(np.all(f["runtime/trace/end_ns"][:] >= f["runtime/trace/start_ns"][:]))
        self.assertTrue({"main", "pair[0]", "pair[1]", "neigh[0]", "neigh[1]"} <= names, names)
        png = os.path.join(self.tmp.name, "tasks.png")
        r = self.tool("plot-tasks", os.path.join(out, "trace.h5"), "-o", png)
        self.assertIn("on 2 workers", r.stdout)
        w, h = png_size(png)
        self.assertGreater(w * h, 100 * 100)
        r = self.tool("plot-tasks", f"{self.out}/thermo.h5", code=2)
        self.assertIn("holds no task trace", r.stderr)

    def test_rdf_rejects_a_bad_frame_selection(self):
        r = self.tool("rdf", f"{self.out}/trajectory.h5md", "--frames", "50:", code=2)
        self.assertIn("selects no frame", r.stderr)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--tools", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

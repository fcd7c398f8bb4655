#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""tools/plot-density and tools/plot-lagrangian on the outputs of short weft
gravity runs: --help, valid PNGs, the projected mass equal to the particles'
mass in the square shown, the projected density of a uniform sphere at its
centre (3 M / (2 pi R^2)), the plotted radii equal to thermo.h5's, and every
user error (missing or wrong files, bad options, unwritable outputs) as one
line on stderr with exit status 2, never a traceback."""
import argparse
import importlib.util
import os
import sys
import tempfile
import unittest
from importlib.machinery import SourceFileLoader

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import weftrun  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_tools  # noqa: E402  (its tool runner)

ARGS = None
DECK = """application = "gravity"
[gravity]
epsilon = 0.05
[initial]
style = "{style}"
count = {n}
seed = 9
[run]
steps = 20
[thermo]
every = 5
[output]
snapshot_every = 10
"""


def load_tool(name):
    path = os.path.join(ARGS.tools, name)
    loader = SourceFileLoader(name.replace("-", "_"), path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"


class GravityTools(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        for style, n in (("plummer", 600), ("cold-sphere", 20000)):
            deck = weftrun.write_deck(cls.tmp.name, DECK.format(style=style, n=n), f"{style}.toml")
            weftrun.run_weft(ARGS.weft, None, ["run", deck, "--set", f"output.dir={cls.tmp.name}/{style}", "-q",
                                               "--set", "run.steps=" + ("20" if style == "plummer" else "0")])
        cls.snap = os.path.join(cls.tmp.name, "plummer", "snapshot_000010.hdf5")
        cls.run_dir = os.path.join(cls.tmp.name, "plummer")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def tool(self, name, *args, code=0):
        r = test_tools.Tools.tool(self, name, *args, code=code)  # runs it, checks the exit status
        if code:
            self.assertNotIn("Traceback", r.stderr)
            # one line "TOOL: error: ..." (argparse's own errors add the usage line)
            self.assertEqual(len([l for l in r.stderr.splitlines() if "error:" in l]), 1, r.stderr)
            self.assertIn(f"{name}: error:", r.stderr)
        return r

    def test_help(self):
        for name in ("plot-density", "plot-lagrangian"):
            self.assertIn("usage:", self.tool(name, "--help").stdout)

    def test_density_png_and_projected_mass(self):
        for plane in ("xy", "xz", "yz"):
            out = os.path.join(self.tmp.name, f"d-{plane}.png")
            self.tool("plot-density", self.snap, "-o", out, "--plane", plane)
            self.assertTrue(is_png(out))
        m = load_tool("plot-density")
        pos, mass, time = m.read_snapshot(self.snap)
        self.assertAlmostEqual(time, 0.1, places=12)  # 10 steps of the default 0.01
        for plane, (a, b) in m.AXES.items():
            sigma, area = m.surface_density(pos, mass, plane, 2.0, 64)
            com = np.sum(pos * mass[:, None], axis=0) / mass.sum()
            inside = (np.abs(pos[:, a] - com[a]) < 2.0) & (np.abs(pos[:, b] - com[b]) < 2.0)
            self.assertAlmostEqual(sigma.sum() * area, mass[inside].sum(), places=12)

    def test_density_of_a_uniform_sphere(self):
        # Sigma(0) of a uniform sphere of mass M, radius R: rho 2R = 3M/(2 pi R^2)
        # = 0.477; the mean over |x|, |y| < 0.2 R is 0.477 * 0.973 (the chord
        # 2 sqrt(R^2 - s^2) averaged over the square); 20000 particles put
        # ~1000 in that square: 3 % noise.
        m = load_tool("plot-density")
        pos, mass, _ = m.read_snapshot(os.path.join(self.tmp.name, "cold-sphere", "snapshot_000000.hdf5"))
        sigma, _ = m.surface_density(pos, mass, "xy", 0.2, 4)
        s = np.linspace(-0.2, 0.2, 401)
        chord = np.mean(np.sqrt(1 - (s[:, None] ** 2 + s[None, :] ** 2)))
        expected = 3 / (2 * np.pi) * chord
        self.assertLess(abs(sigma.mean() / expected - 1), 0.1, (sigma.mean(), expected))

    def test_lagrangian_png_and_values(self):
        out = os.path.join(self.tmp.name, "l.png")
        self.tool("plot-lagrangian", self.run_dir, os.path.join(self.tmp.name, "cold-sphere"), "-o", out)
        self.assertTrue(is_png(out))
        m = load_tool("plot-lagrangian")
        radii = m.read_radii(self.run_dir)
        with h5py.File(os.path.join(self.run_dir, "thermo.h5"), "r") as f:
            for p in (10, 50, 90):
                g = f[f"observables/lagrangian_radius_{p}"]
                np.testing.assert_array_equal(radii[f"lagrangian_radius_{p}"][1], g["value"][()])
                np.testing.assert_array_equal(radii[f"lagrangian_radius_{p}"][0], g["time"][()])

    def test_inspect_describes_gravity_outputs(self):
        # weft-inspect, unchanged for a second application: kind, units, rows
        ckpt = os.path.join(self.run_dir, "ckpt-0000000020.h5")
        r = self.tool("weft-inspect", self.snap, ckpt, os.path.join(self.run_dir, "thermo.h5"))
        self.assertIn("kind:      snapshot", r.stdout)
        self.assertIn("units nbody", r.stdout)
        self.assertIn("checkpoint step 20, particles 600", r.stdout)
        self.assertIn("lagrangian_radius_50", r.stdout)

    def test_user_errors(self):
        d = self.tmp.name
        self.tool("plot-density", os.path.join(d, "none.hdf5"), code=2)
        self.tool("plot-density", os.path.join(self.run_dir, "thermo.h5"), code=2)  # not a snapshot
        self.tool("plot-density", self.snap, "-o", d, code=2)                       # a directory
        self.tool("plot-density", self.snap, "-o", os.path.join(d, "no", "x.png"), code=2)
        self.tool("plot-density", self.snap, "-o", os.path.join(d, "x.xyz"), code=2)
        self.tool("plot-density", self.snap, "--bins", "0", code=2)
        self.tool("plot-density", self.snap, "--plane", "xx", code=2)
        self.tool("plot-lagrangian", os.path.join(d, "none"), code=2)
        self.tool("plot-lagrangian", d, code=2)                                    # no thermo.h5 there
        self.tool("plot-lagrangian", self.snap, code=2)                             # no radii in it
        self.tool("plot-lagrangian", self.run_dir, "-o", os.path.join(d, "no", "l.png"), code=2)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--tools", required=True)
    ARGS, rest = p.parse_known_args()
    test_tools.ARGS = ARGS
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a short Lennard-Jones melt with weft and checks each post-processing
tool on its outputs: --help, exit codes, valid non-empty PNGs, g(r) with
the physics of a dense LJ liquid (no pairs inside the core, first peak near
1.1 sigma, g -> 1 at large r) and equal to MDAnalysis's InterRDF, an ideal
gas with g = 1 (N(N-1)/2 pairs), one colour per run and legends outside the
data, and every user error (missing, wrong or unwritable files, bad option
values) as one line on stderr with exit status 2, never a traceback."""
import argparse
import importlib.util
import os
import struct
import subprocess
import sys
import tempfile
import unittest
import warnings
from importlib.machinery import SourceFileLoader

import h5py
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


def matplotlib_rgba(colour):
    import matplotlib.colors
    return matplotlib.colors.to_rgba(colour)


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
        # A second, different run (hotter, shorter) for the plots of several runs.
        cls.out2 = os.path.join(cls.tmp.name, "hot")
        weftrun.run_weft(ARGS.weft, None, ["run", deck, "--set", f"output.dir={cls.out2}", "--set",
                                           "velocity.temperature=2.5", "--set", "run.steps=200", "-q"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def tool(self, name, *args, code=0):
        r = subprocess.run([os.path.join(ARGS.tools, name), *args], capture_output=True, text=True,
                           cwd=self.tmp.name, timeout=300)
        self.assertEqual(r.returncode, code, f"{name} {args}: {r.stdout}\n{r.stderr}")
        return r

    def figure_of(self, name, *args):
        """Runs the tool's main() in this process (its real code, Agg) and
        returns the matplotlib figure it drew, drawn."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        path = os.path.join(ARGS.tools, name)
        loader = SourceFileLoader(name.replace("-", "_"), path)
        module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
        loader.exec_module(module)
        plt.close("all")
        argv = sys.argv
        sys.argv = [path, *args]
        try:
            module.main()
        finally:
            sys.argv = argv
        fig = plt.gcf()
        fig.canvas.draw()
        return fig

    def assert_legends_outside_the_data(self, fig):
        """Every legend lies inside the figure and overlaps no axes."""
        renderer = fig.canvas.get_renderer()
        legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
        self.assertTrue(legends, "no legend")
        W, H = fig.bbox.width, fig.bbox.height
        for leg in legends:
            lb = leg.get_window_extent(renderer)
            self.assertTrue(lb.x0 >= -1 and lb.y0 >= -1 and lb.x1 <= W + 1 and lb.y1 <= H + 1,
                            f"legend {lb} cut off by the figure ({W} x {H})")
            for ax in fig.axes:
                self.assertFalse(lb.overlaps(ax.get_window_extent(renderer)),
                                 f"legend {lb} covers the axes {ax.get_window_extent(renderer)}")
        return legends

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
        fig = self.figure_of("plot-tasks", os.path.join(out, "trace.h5"), "-o", png)
        legends = self.assert_legends_outside_the_data(fig)
        self.assertIn("pair", {t.get_text() for leg in legends for t in leg.get_texts()})
        r = self.tool("plot-tasks", f"{self.out}/thermo.h5", code=2)
        self.assertIn("holds no task trace", r.stderr)

    def test_rdf_rejects_a_bad_frame_selection(self):
        r = self.tool("rdf", f"{self.out}/trajectory.h5md", "--frames", "50:", code=2)
        self.assertIn("selects no frame", r.stderr)


    def test_plot_thermo_colours_each_run_alike_in_every_panel(self):
        files = [f"{self.out}/thermo.h5", f"{self.out2}/thermo.h5"]
        series = []  # per run: the value arrays of its observables
        for path in files:
            with h5py.File(path, "r") as f:
                series.append([g["value"][:] for g in f["observables"].values() if "value" in g])
        fig = self.figure_of("plot-thermo", *files, "-o", os.path.join(self.tmp.name, "runs.png"))
        colours = [set() for _ in files]
        for ax in fig.axes:
            for line in ax.get_lines():
                y = np.asarray(line.get_ydata(), dtype=float)
                runs = [i for i, vs in enumerate(series) if any(len(v) == len(y) and np.array_equal(v, y)
                                                                 for v in vs)]
                if len(runs) == 1:
                    colours[runs[0]].add(tuple(np.round(matplotlib_rgba(line.get_color()), 6)))
        for path, c in zip(files, colours):
            self.assertEqual(len(c), 1, f"{path}: drawn in {len(c)} colours {c}; one per run")
        self.assertNotEqual(colours[0], colours[1], "two runs in the same colour")
        energy = fig.axes[0]
        styles = {line.get_linestyle() for line in energy.get_lines()}
        self.assertGreaterEqual(len(styles), 3, f"energies not told apart by line style: {styles}")
        legends = self.assert_legends_outside_the_data(fig)
        labels = {t.get_text() for leg in legends for t in leg.get_texts()}
        self.assertTrue({"out", "hot"} <= labels, labels)

    def test_plot_thermo_names_runs_of_one_directory_by_file(self):
        png = os.path.join(self.tmp.name, "thermo-two.png")
        self.tool("plot-thermo", f"{self.out}/thermo.h5", f"{self.out}/trajectory.h5md", "-o", png)
        fig = self.figure_of("plot-thermo", f"{self.out}/thermo.h5", f"{self.out}/trajectory.h5md", "-o", png)
        labels = {t.get_text() for leg in fig.legends for t in leg.get_texts()}
        self.assertTrue({"out/thermo.h5", "out/trajectory.h5md"} <= labels, labels)

    def test_rdf_equals_mdanalysis_interrdf(self):
        """tools/rdf against MDAnalysis's InterRDF of the same trajectory,
        frames (1.., the default: frame 0 is the initial lattice) and bins.
        InterRDF(g, g, exclusion_block=(1, 1)) counts every ordered pair
        (2x the distinct pairs) over N*N - N = N(N-1): the same
        N(N-1)/2-pair normalisation; it divides by the mean box volume,
        tools/rdf by each frame's (the same here: the box is constant).
        MDAnalysis holds positions and box as float32 and weft writes
        float64, so a pair within rounding of a bin edge may land in the
        next bin and the volume differs by ~1e-7: g is compared as equal
        up to those."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import MDAnalysis as mda
            from MDAnalysis.analysis.rdf import InterRDF
        traj = f"{self.out}/trajectory.h5md"
        bins = 120
        prefix = os.path.join(self.tmp.name, "rdf-mda")
        self.tool("rdf", traj, "--bins", str(bins), "-o", prefix)
        r, g = np.loadtxt(prefix + ".csv", delimiter=",", skiprows=1).T
        with h5py.File(traj, "r") as f:
            n_frames, n = f["particles/trajectory/position/value"].shape[:2]
            edges = f["particles/trajectory/box/edges/value"][:]
            volumes = [np.prod(np.diag(e)) for e in edges]
            pos = f["particles/trajectory/position/value"][:]
        self.assertTrue(np.allclose(volumes, volumes[0], rtol=0, atol=0), "the box changes: compare per frame")
        rmax = 0.5 * np.diag(edges[0]).min()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            u = mda.Universe(traj, n_atoms=n, format="H5MD", topology_format="MINIMAL", convert_units=False)
            ref = InterRDF(u.atoms, u.atoms, nbins=bins, range=(0.0, rmax), exclusion_block=(1, 1))
            ref.run(start=1)
            u.trajectory.close()
        self.assertEqual(ref.n_frames, n_frames - 1)
        np.testing.assert_allclose(r, ref.results.bins, rtol=0, atol=1e-12)
        # The ideal count of a bin: what one pair more or less changes g by.
        shell = 4.0 / 3.0 * np.pi * np.diff(np.linspace(0.0, rmax, bins + 1) ** 3)
        ideal = 0.5 * n * (n - 1) / volumes[0] * shell * (n_frames - 1)
        # Pairs within 5e-6 sigma of a bin edge may be binned differently
        # (float32 coordinates: distances differ by up to ~2e-6 here).
        width = rmax / bins
        near = np.zeros(bins)
        for fr in range(1, n_frames):
            box = np.diag(edges[fr])
            d = pos[fr][:, None, :] - pos[fr][None, :, :]
            d -= box * np.round(d / box)
            dist = np.sqrt((d ** 2).sum(-1))[np.triu_indices(n, 1)]
            dist = dist[dist <= rmax]
            k = np.round(dist / width)
            close = np.abs(dist - k * width) < 5e-6
            for edge in k[close].astype(int):
                near[max(edge - 1, 0):min(edge + 1, bins)] += 1
        diff = np.abs(g - ref.results.rdf)
        # MDAnalysis's box is float32 too: its volume, hence g, is off by
        # ~1e-7 relative; a pair binned differently changes g by 1/ideal.
        allowed = 1e-6 * np.abs(ref.results.rdf) + near / ideal
        self.assertTrue(np.all(diff <= allowed),
                        f"bins differing by more than rounding: {np.nonzero(diff > allowed)[0]}, "
                        f"max |dg| {diff.max():g}")
        clean = near == 0
        self.assertLess(diff[clean].max(), 1e-6, "bins without pairs at their edges")
        print(f"\nrdf vs MDAnalysis InterRDF: max |dg| = {diff.max():.3g} over {bins} bins "
              f"({int((diff * ideal > 0.5).sum())} bins with a pair binned differently of {int(near.sum())} "
              f"pair-bins near edges); max |dg| in the {int(clean.sum())} other bins {diff[clean].max():.3g}; "
              f"g at r > 0.8 rmax: {g[r > 0.8 * rmax].mean():.5f}", file=sys.stderr)

    def test_rdf_default_skips_the_initial_lattice(self):
        traj = f"{self.out}/trajectory.h5md"
        out = {}
        for name, sel in (("default", ()), ("from1", ("--frames", "1:")), ("all", ("--frames", "all"))):
            prefix = os.path.join(self.tmp.name, f"rdf-{name}")
            r = self.tool("rdf", traj, *sel, "-o", prefix)
            out[name] = (np.loadtxt(prefix + ".csv", delimiter=",", skiprows=1), r.stdout)
        np.testing.assert_array_equal(out["default"][0], out["from1"][0])
        self.assertIn("(6 frames", out["default"][1])
        self.assertIn("(7 frames", out["all"][1])
        self.assertFalse(np.array_equal(out["default"][0], out["all"][0]))
        r = self.tool("rdf", "--help")
        self.assertIn("every frame but", " ".join(r.stdout.split()))

    def test_rdf_of_an_ideal_gas_is_one(self):
        """Uniform random points: the expected pairs in a shell are
        N(N-1)/2 * shell/V, so g = 1 in every bin; dividing by N^2/2 gives
        1 - 1/N = 0.95 for N = 20."""
        rng = np.random.default_rng(7)
        n, frames, side = 20, 1000, 5.0
        path = os.path.join(self.tmp.name, "ideal.h5md")
        with h5py.File(path, "w") as f:
            f.create_group("parameters").create_dataset("deck", data=b"# ideal gas")
            t = f.create_group("particles/trajectory")
            t.create_dataset("position/value", data=rng.uniform(0.0, side, (frames, n, 3)))
            t.create_dataset("box/edges/value", data=np.tile(np.diag([side] * 3), (frames, 1, 1)))
        prefix = os.path.join(self.tmp.name, "rdf-ideal")
        self.tool("rdf", path, "--frames", "all", "--bins", "10", "-o", prefix)
        r, g = np.loadtxt(prefix + ".csv", delimiter=",", skiprows=1).T
        # ~100k pairs with r < 2.5: the mean of g over the sphere is 1 within 1%.
        shell = np.diff(np.linspace(0.0, 2.5, 11) ** 3)
        mean = (g * shell).sum() / shell.sum()
        print(f"\nrdf of an ideal gas of {n}: mean g = {mean:.4f} (N^2/2 pairs would give {1 - 1 / n:.4f})",
              file=sys.stderr)
        self.assertLess(abs(mean - 1.0), 0.01, f"ideal-gas g averages {mean}, not 1")

    def test_user_errors_are_one_line_and_exit_2(self):
        """Hostile inputs to every tool: exit status 2, no traceback, one
        line "TOOL: error: ..." naming the problem, no output written."""
        d = self.tmp.name
        bogus = os.path.join(d, "bogus.txt")
        with open(bogus, "w") as f:
            f.write("not hdf5")
        plain = os.path.join(d, "plain.h5")
        with h5py.File(plain, "w") as f:
            f["x"] = np.arange(3)
        empty_sweep = os.path.join(d, "empty-sweep")
        os.makedirs(empty_sweep, exist_ok=True)
        with open(os.path.join(empty_sweep, "sweep.txt"), "w") as f:
            f.write("nothing here\n")
        traj, thermo = f"{self.out}/trajectory.h5md", f"{self.out}/thermo.h5"
        missing = os.path.join(d, "no-such-dir")
        nodir = os.path.join(d, "no-such-dir", "x.png")
        cases = [
            ("weft-inspect", [missing], "no such file"),
            ("weft-inspect", [d], "is a directory"),
            ("weft-inspect", [bogus], "cannot open as HDF5"),
            ("weft-inspect", [plain], "not a weft output"),
            ("plot-thermo", [missing], "no such file"),
            ("plot-thermo", [plain], "not a weft output"),
            ("plot-thermo", [thermo, "-o", nodir], "does not exist"),
            ("plot-thermo", [thermo, "-o", d], "is a directory"),
            ("plot-thermo", [thermo, "-o", os.path.join(bogus, "x.png")], "not a directory"),
            ("plot-thermo", [thermo, "-o", os.path.join(d, "x.xyz")], "cannot write .xyz"),
            ("rdf", [traj, "--bins", "0"], "--bins: 0 is not > 0"),
            ("rdf", [traj, "--bins", "-5"], "--bins: -5 is not > 0"),
            ("rdf", [traj, "--bins", "ten"], "'ten' is not an integer"),
            ("rdf", [traj, "--rmax", "-1"], "--rmax: -1 is not a finite number > 0"),
            ("rdf", [traj, "--rmax", "0"], "--rmax: 0 is not a finite number > 0"),
            ("rdf", [traj, "--rmax", "nan"], "--rmax: nan is not a finite number > 0"),
            ("rdf", [traj, "--rmax", "100"], "larger than half the shortest box edge"),
            ("rdf", [traj, "--frames", "50"], "'50': no such frame (the file has 7 frames, 0..6)"),
            ("rdf", [traj, "--frames", "-8"], "no such frame"),
            ("rdf", [traj, "--frames", "50:"], "selects no frame"),
            ("rdf", [traj, "--frames", "a:b"], "not a frame selection"),
            ("rdf", [traj, "--frames", "::0"], "step must not be 0"),
            ("rdf", [thermo], "holds no trajectory frames"),
            ("rdf", [missing], "no such file"),
            ("rdf", [bogus], "cannot open as HDF5"),
            ("rdf", [traj, "-o", os.path.join(missing, "rdf")], "does not exist"),
            ("rdf", [traj, "-o", d], "is a directory; -o takes a prefix"),
            ("plot-tasks", [thermo], "holds no task trace"),
            ("plot-tasks", [missing], "no such file"),
            ("plot-tasks", [thermo, "--last-ms", "-1"], "--last-ms: -1 is not a finite number > 0"),
            ("plot-tasks", [thermo, "-o", nodir], "does not exist"),
            ("sweep-table", [missing], "no such directory"),
            ("sweep-table", [bogus], "not a directory"),
            ("sweep-table", [d], "not a sweep directory"),
            ("sweep-table", [empty_sweep], "no key= or value= lines"),
            ("sweep-table", [empty_sweep, "--average-from", "1.5"], "must be in [0, 1)"),
        ]
        if os.geteuid() != 0:  # root writes anywhere
            ro = os.path.join(d, "read-only")
            os.makedirs(ro, exist_ok=True)
            os.chmod(ro, 0o500)
            cases.append(("rdf", [traj, "-o", os.path.join(ro, "rdf")], "not writable"))
        before = set(os.listdir(d))
        for name, args, message in cases:
            with self.subTest(tool=name, args=args):
                r = self.tool(name, *args, code=2)
                self.assertNotIn("Traceback", r.stderr)
                last = r.stderr.strip().splitlines()[-1]
                self.assertTrue(last.startswith(f"{name}: error: "), r.stderr)
                self.assertIn(message, last)
                if not last.startswith(f"{name}: error: argument"):  # argparse's come after the usage
                    self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertEqual(set(os.listdir(d)) - before, set(), "outputs written despite errors")

    def test_a_reader_that_goes_away_ends_a_tool_quietly(self):
        """`weft-inspect ... | head -1`: no traceback, nothing on stderr."""
        inspect = os.path.join(ARGS.tools, "weft-inspect")
        files = [f"{self.out}/thermo.h5"] * 200
        rfd, wfd = os.pipe()
        os.close(rfd)  # the reader is gone before the first write
        try:
            r = subprocess.run([inspect, "--deck", *files], stdout=wfd, stderr=subprocess.PIPE, text=True,
                               timeout=300)
        finally:
            os.close(wfd)
        self.assertEqual(r.stderr, "")
        self.assertIn(r.returncode, (-13, 141), "ends as by SIGPIPE, like cat")
        r = subprocess.run(["bash", "-c", f"'{inspect}' --deck \"$@\" | head -1", "sh", *files],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), files[0])
        self.assertEqual(r.stderr, "")

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--tools", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

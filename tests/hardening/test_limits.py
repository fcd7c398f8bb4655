#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Limits before allocation (issue 14, "Hardening") through the real
executable: threads per rank, the memory estimate against the memory a rank
may use, counts beyond the index types, data files that are not what they
claim, and the number of atom types. Every hostile case must end in exit 2
with a message that names the source, the number and the limit, within
seconds, without a crash signal and without allocating what it asks for."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import weftrun  # noqa: E402

ARGS = None
LIMIT_S = 20  # a refusal must come well within this

# DATA_DECK reads a LAMMPS data file given with --set init.data_file=...
DATA_DECK = """
[[species]]
name = "Ar"
mass = 1.0
[init]
source = "data"
data_file = "{path}"
[velocity]
temperature = 1.44
[run]
steps = 5
"""

HEADER = "LAMMPS data file\n\n{atoms} atoms\n{types} atom types\n\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\n"


class Limits(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def deck(self, cells=4, extra="", name="deck.toml"):
        return weftrun.write_deck(self.tmp, weftrun.small_melt(cells, "[run]\nsteps = 5\n" + extra), name)

    def hostile(self, *args, np_=1, env=None):
        """Runs weft ARGS, which must be refused: exit 2 (no signal) within LIMIT_S seconds.
        Returns stdout + stderr."""
        cmd = [ARGS.weft, *args]
        if np_ > 1:
            cmd = [ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(np_)] + cmd
        t0 = time.time()
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=LIMIT_S, cwd=self.tmp,
                               env=dict(os.environ, **(env or {})))
        except subprocess.TimeoutExpired:
            self.fail(f"{cmd} still running after {LIMIT_S} s")
        elapsed = time.time() - t0
        text = r.stdout + r.stderr
        self.assertGreaterEqual(r.returncode, 0, f"killed by signal {-r.returncode}: {text}")
        self.assertEqual(r.returncode, 2, text)
        self.assertLess(elapsed, LIMIT_S, text)
        self.assertNotIn("internal error", text)
        return text

    def ok(self, *args, np_=1):
        return weftrun.run_weft(ARGS.weft, ARGS.mpiexec, list(args), np_=np_, cwd=self.tmp, timeout=120)

    # ------------------------------------------------------------- threads

    def test_threads_beyond_four_per_core_are_refused(self):
        self.deck()
        for np_ in (1, 2):
            for scheduler in ("openmp", "fibers"):
                text = self.hostile("run", "deck.toml", "--set", f"runtime.scheduler={scheduler}",
                                    np_=np_, env={"WEFT_NUM_THREADS": "100000"})
                self.assertIn("WEFT_NUM_THREADS=100000 asks for 100000 worker threads per rank", text)
                self.assertIn("4 per core", text)
                self.assertIn("set WEFT_NUM_THREADS to at most", text)
        text = self.hostile("run", "deck.toml", "--set", "runtime.threads=1000")
        self.assertIn("runtime.threads = 1000 asks for 1000 worker threads", text)
        self.assertIn("lower runtime.threads to at most", text)
        text = self.hostile("run", "deck.toml", env={"OMP_NUM_THREADS": "5000"})
        self.assertIn("OMP_NUM_THREADS=5000", text)

    def test_grids_beyond_the_rank_count_are_refused(self):
        # The product of the entries overflowed 32 bits; a partial grid that
        # does not divide the ranks reached MPI_Dims_create.
        self.deck()
        out = self.hostile("run", "deck.toml", "--set", "decomposition.grid=[100000, 100000, 100000]")
        self.assertIn("needs 1000000000000000 ranks but the run has 1", out)
        out = self.hostile("run", "deck.toml", "--set", "decomposition.grid=[3, 0, 0]", np_=2)
        self.assertIn("decomposition.grid fixes 3 ranks in some dimensions, which does not divide the 2", out)

    # -------------------------------------------------------------- memory

    def test_a_lattice_beyond_memory_is_refused_at_once(self):
        # 10^15 atoms: fcc, 4 per cell.
        text = weftrun.small_melt(4, "[run]\nsteps = 5\n")
        weftrun.write_deck(self.tmp, text.replace("cells = [4, 4, 4]", "cells = [100000, 100000, 25000]"),
                           "huge.toml")
        for np_ in (1, 2):
            out = self.hostile("run", "huge.toml", np_=np_)
            self.assertIn("the run needs about", out)
            self.assertIn("per rank (1000000000000000 atoms", out)
            self.assertIn("available per rank (", out)
            self.assertTrue("MemAvailable" in out or "cgroup limit" in out, out)
            self.assertIn("runtime.memory_check = false", out)
        # Without the memory check the atoms still cannot be indexed per rank.
        out = self.hostile("run", "huge.toml", "--set", "runtime.memory_check=false")
        self.assertIn("more than the 268435456 one rank can index", out)
        # Beyond 64-bit atom ids.
        out = self.hostile("run", "huge.toml", "--set", "lattice.cells=[2000000000, 2000000000, 2000000000]",
                           "--set", "runtime.memory_check=false")
        self.assertIn("more than weft's 64-bit atom ids can number", out)

    def test_memory_limit_and_override_are_honoured(self):
        self.deck(6)
        out = self.hostile("run", "deck.toml", "--set", "runtime.memory_gb=0.001")
        self.assertIn("the run needs about", out)
        self.assertIn("864 atoms", out)
        self.assertIn("1 MB allowed per rank (runtime.memory_gb = 0.001)", out)
        out = self.hostile("run", "deck.toml", "--set", "runtime.memory_gb=0.001", np_=2)
        self.assertIn("allowed per rank (runtime.memory_gb = 0.001)", out)
        # The override: the same run goes ahead.
        r = self.ok("run", "deck.toml", "--set", "runtime.memory_gb=0.001", "--set",
                    "runtime.memory_check=false", "--set", "output.dir=off", np_=2)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "off", "thermo.dat")), r.stdout)
        self.ok("run", "deck.toml", "--set", "runtime.memory_gb=4", "--set", "output.dir=big")

    # ---------------------------------------------------------- data files

    def data_deck(self, path):
        return weftrun.write_deck(self.tmp, DATA_DECK.format(path=path), "data.toml")

    def test_data_files_are_read_with_bounds(self):
        self.data_deck("/dev/urandom")
        out = self.hostile("run", "data.toml")
        self.assertIn('"/dev/urandom" (init.data_file) is not a regular file', out)
        out = self.hostile("run", "data.toml", np_=2)
        self.assertIn("is not a regular file", out)

        binary = os.path.join(self.tmp, "binary.data")
        with open(binary, "wb") as f:
            f.write(b"LAMMPS data file\n\n" + os.urandom(1 << 20))
        self.data_deck(binary)
        out = self.hostile("run", "data.toml")
        self.assertIn("binary.data:", out)
        self.assertIn("is not text", out)
        self.assertIn("this looks like a binary file", out)

        long_line = os.path.join(self.tmp, "long.data")
        with open(long_line, "w") as f:
            f.write(HEADER.format(atoms=1, types=1) + "Masses\n\n1 1.0" + " " * 5000 + "\n")
        self.data_deck(long_line)
        out = self.hostile("run", "data.toml")
        self.assertIn("long.data:12: the line is longer than 4096 characters", out)

        liar = os.path.join(self.tmp, "liar.data")
        with open(liar, "w") as f:
            f.write(HEADER.format(atoms=10**12, types=1) + "Masses\n\n1 1.0\n\nAtoms # atomic\n\n1 1 1 1 1\n")
        self.data_deck(liar)
        for np_ in (1, 2):
            out = self.hostile("run", "data.toml", np_=np_)
            self.assertIn("liar.data:3: the header declares 1000000000000 atoms but the file has only", out)

        types = os.path.join(self.tmp, "types.data")
        with open(types, "w") as f:
            f.write(HEADER.format(atoms=1, types=10**9) + "Masses\n\n1 1.0\n\nAtoms # atomic\n\n1 1 1 1 1\n")
        self.data_deck(types)
        out = self.hostile("run", "data.toml")
        self.assertIn("types.data:4: 1000000000 atom types: weft allows at most 256", out)

    # ------------------------------------------------------------- species

    def test_species_beyond_the_limit_are_refused(self):
        for n in (257, 100000):
            species = "".join(f'[[species]]\nname = "T{i}"\nmass = 1.0\n' for i in range(n))
            weftrun.write_deck(self.tmp, species + weftrun.small_melt(4, "[run]\nsteps = 5\n")
                               .replace('[[species]]\nname = "Ar"\nmass = 1.0\n', ""), "many.toml")
            out = self.hostile("run", "many.toml", np_=2 if n == 257 else 1)
            self.assertIn(f"{n} [[species]] given; weft allows at most 256 atom types", out)
        out = self.hostile("check", "many.toml")
        self.assertIn("at most 256 atom types", out)


if __name__ == "__main__":
    weftrun.unittest_main(sys.modules[__name__])

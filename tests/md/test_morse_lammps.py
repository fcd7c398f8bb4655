#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""pair.style = "morse" against live LAMMPS (pair_style morse): LAMMPS makes a
two-type fcc liquid (20% of the atoms type 2, twice as heavy) and writes it
with write_data; LAMMPS and weft run 100 NVE steps from that file with the
same three pairs of Morse coefficients (one with its own cutoff) and shifted
energies. Temperature, pair energy, total energy and pressure at steps 0 and
100 must agree to 1e-7 relative (weft's thermo.h5 against LAMMPS's %.15g),
at 1 and 2 ranks, with OpenMP and with fibers."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import weftrun  # noqa: E402

ARGS = None
COEFFS = [((1, 1), 1.0, 6.0, 1.1225, None), ((1, 2), 0.8, 5.0, 1.2, None), ((2, 2), 1.2, 5.5, 1.15, 2.2)]

GEN = """units lj
atom_style atomic
lattice fcc 0.8442
region box block 0 8 0 8 0 8
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.2 4711
mass 1 1.0
mass 2 2.0
velocity all create 1.44 87287 loop geom
write_data morse.data nocoeff
"""


def lammps_input():
    pairs = "".join(f"pair_coeff {i} {j} {d0} {a} {r0}" + (f" {rc}" if rc else "") + "\n"
                    for (i, j), d0, a, r0, rc in COEFFS)
    return ("units lj\natom_style atomic\nread_data morse.data\npair_style morse 2.5\n" + pairs +
            "pair_modify shift yes\nneighbor 0.3 bin\nneigh_modify delay 0 every 20 check no\n"
            "fix 1 all nve\nthermo_style custom step temp epair etotal press\n"
            "thermo_modify format float %.15g\nthermo 100\nrun 100\n")


def weft_deck():
    coeffs = "".join(f"[[pair.coeff]]\ntypes = [{i}, {j}]\nd0 = {d0}\nalpha = {a}\nr0 = {r0}\n"
                     + (f"cutoff = {rc}\n" if rc else "") for (i, j), d0, a, r0, rc in COEFFS)
    return ("[[species]]\nname = \"A\"\nmass = 1.0\n[[species]]\nname = \"B\"\nmass = 2.0\n"
            "[init]\nsource = \"data\"\ndata_file = \"morse.data\"\n[velocity]\ncreate = false\n"
            "[pair]\nstyle = \"morse\"\ncutoff = 2.5\nshift = true\n" + coeffs +
            "[neighbor]\nskin = 0.3\nevery = 20\ncheck = false\n[run]\nsteps = 100\n[thermo]\nevery = 100\n")


def lammps_rows(workdir):
    """step -> (temp, epair, etotal, press) from a live LAMMPS run."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "OMP_NUM_THREADS": "1"}
    for name, text in (("gen.in", GEN), ("run.in", lammps_input())):
        with open(os.path.join(workdir, name), "w") as f:
            f.write(text)
        subprocess.run(["lmp", "-in", name, "-log", name + ".log", "-screen", "none"], cwd=workdir,
                       env=env, check=True, timeout=300)
    rows, table = {}, False
    for line in open(os.path.join(workdir, "run.in.log")):
        parts = line.split()
        if parts[:1] == ["Step"]:
            table = True
        elif parts[:1] == ["Loop"]:
            table = False
        elif table and len(parts) == 5:
            rows[int(parts[0])] = tuple(float(v) for v in parts[1:])
    return rows


@unittest.skipUnless(shutil.which("lmp"), "lmp (LAMMPS) is not on PATH; tools/check installs Debian's lammps")
class MorseAgainstLammps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.lmp = lammps_rows(cls.tmp)
        weftrun.write_deck(cls.tmp, weft_deck(), "morse.toml")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_thermo_at_steps_0_and_100(self):
        self.assertEqual(sorted(self.lmp), [0, 100])
        for np_ in (1, 2):
            for sched in ("openmp", "fibers"):
                with self.subTest(ranks=np_, scheduler=sched):
                    out = f"out-{np_}-{sched}"
                    weftrun.run_weft(ARGS.weft, ARGS.mpiexec,
                                     ["run", "morse.toml", "-q", "--set", f"output.dir={out}",
                                      "--set", f"runtime.scheduler={sched}", "--set",
                                      f"runtime.threads={2 if np_ == 1 else 1}"], np_=np_, cwd=self.tmp)
                    with h5py.File(os.path.join(self.tmp, out, "thermo.h5"), "r") as f:
                        obs = f["observables"]
                        steps = list(obs["temperature/step"][()])
                        self.assertEqual(steps, [0, 100])
                        for k, step in enumerate(steps):
                            mine = (obs["temperature/value"][k], obs["potential_energy/value"][k],
                                    obs["total_energy/value"][k], obs["pressure/value"][k])
                            for name, a, b in zip(("temp", "epair", "etotal", "press"), mine, self.lmp[step]):
                                self.assertLess(abs(a - b) / max(abs(b), 1e-300), 1e-7,
                                                f"step {step} {name}: weft {a!r} LAMMPS {b!r}")


if __name__ == "__main__":
    weftrun.unittest_main(sys.modules[__name__])

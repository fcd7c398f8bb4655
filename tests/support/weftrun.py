# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the Python tests that run the weft executable."""
import argparse
import os
import subprocess
import sys
import unittest

# SMALL_MELT is a small, fast LJ deck (fcc 0.8442, T 1.44) that tests extend.
SMALL_MELT = """
[[species]]
name = "Ar"
mass = 1.0
[lattice]
style = "fcc"
density = 0.8442
cells = [{cells}, {cells}, {cells}]
[velocity]
temperature = 1.44
"""


def small_melt(cells, extra=""):
    return SMALL_MELT.format(cells=cells) + extra


def write_deck(directory, text, name="deck.toml"):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def run_weft(weft, mpiexec, args, np_=1, cwd=None, timeout=300, check=True):
    """Runs `weft ARGS` (under mpirun when np_ > 1); returns the CompletedProcess."""
    cmd = [weft, *args]
    if np_ > 1:
        cmd = [mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(np_)] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    if check and r.returncode != 0:
        raise AssertionError(f"{cmd} -> {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def unittest_main(module):
    """Parses --weft and --mpiexec into module.ARGS, then runs the module's
    tests (remaining arguments go to unittest)."""
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--mpiexec", required=True)
    module.ARGS, rest = p.parse_known_args()
    unittest.main(module=module, argv=[sys.argv[0]] + rest, verbosity=2)

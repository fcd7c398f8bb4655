# SPDX-License-Identifier: Apache-2.0
"""Helpers of the gravity tests: decks, runs, snapshots, and an independent
O(N^2) oracle of the softened force (numpy, written from the kernels'
definitions, not from weft's code)."""
import argparse
import os
import shutil
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import weftrun  # noqa: E402


def deck(initial, gravity="", extra="", steps=10):
    """A gravity deck: [initial] lines, [gravity] lines, more sections."""
    return (f'application = "gravity"\n[gravity]\n{gravity}\n[initial]\n{initial}\n'
            f"[run]\nsteps = {steps}\n{extra}")


def plummer(n, seed=3, extra=""):
    return f'style = "plummer"\ncount = {n}\nseed = {seed}\n{extra}'


def run(args, tmp, np_=1, check=True, timeout=300):
    return weftrun.run_weft(ARGS.weft, ARGS.mpiexec, list(args), np_=np_, cwd=tmp, check=check,
                            timeout=timeout)


def snapshot(path):
    """The PartType1 datasets of a snapshot, by name."""
    with h5py.File(path, "r") as f:
        return {k: f["PartType1"][k][()] for k in f["PartType1"]}


def series(path):
    """thermo.h5 observables: {name: (step, time, value)}."""
    with h5py.File(path, "r") as f:
        o = f["observables"]
        return {k: (o[k]["step"][()], o[k]["time"][()], o[k]["value"][()]) for k in o}


def spline(r2, eps):
    """Gadget's cubic spline (h = 2.8 eps): F/r and phi for unit mass and G,
    from the kernel's definition (Springel, Yoshida & White 2001, eq. A.1)."""
    h = 2.8 * eps
    r = np.sqrt(r2)
    u = r / h
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(u < 0.5, (32 / 3 + u**2 * (32 * u - 38.4)) / h**3,
                     np.where(u < 1, (64 / 3 - 48 * u + 38.4 * u**2 - 32 / 3 * u**3 - 1 / 15 / u**3) / h**3,
                              1 / r**3))
        p = np.where(u < 0.5, (-14 / 5 + u**2 * (16 / 3 + u**2 * (32 / 5 * u - 48 / 5))) / h,
                     np.where(u < 1, (-16 / 5 + 1 / 15 / u + u**2 * (32 / 3 + u * (-16 + u * (48 / 5 - 32 / 15 * u)))) / h,
                              -1 / r))
    return f, p


def plummer_kernel(r2, eps):
    s = 1 / np.sqrt(r2 + eps * eps)
    return s**3, -s


def direct_oracle(x, m, G, eps, kind):
    """Acceleration and potential of every particle: a plain loop over
    targets, each summing over every other particle."""
    kernel = spline if kind == "spline" else plummer_kernel
    n = len(m)
    acc = np.zeros((n, 3))
    pot = np.zeros(n)
    for i in range(n):
        d = x - x[i]
        r2 = np.sum(d * d, axis=1)
        keep = np.arange(n) != i
        f, p = kernel(r2[keep], eps)
        acc[i] = G * np.sum((m[keep] * f)[:, None] * d[keep], axis=0)
        pot[i] = G * np.sum(m[keep] * p)
    return acc, pot


class TmpTest(unittest.TestCase):
    """A test case with a fresh directory self.tmp, removed afterwards."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)


ARGS = None  # --weft, --mpiexec (set by main)


def main(module_name):
    """Parses --weft and --mpiexec, then runs the tests of the module
    (remaining arguments, e.g. a test class name, go to unittest)."""
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--mpiexec", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(module=module_name, argv=[sys.argv[0]] + rest, verbosity=2)

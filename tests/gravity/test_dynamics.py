#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Physics of the gravity application with direct summation: the Plummer
initial conditions (mass profile, virial ratio, the same on 1, 2 and 4
ranks) and a Kepler orbit over 100 periods (energy and period errors from
the step size). The Plummer sphere's equilibrium over 10 crossing times,
with the tree: test_equilibrium.py."""
import math
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gravity_support as gs  # noqa: E402

# Lagrangian radii of the Plummer sphere (G = M = a = 1) at 10/50/90 % of
# the mass: r = (m^(-2/3) - 1)^(-1/2).
FRACTIONS = np.array([0.1, 0.5, 0.9])
PLUMMER_RADII = (FRACTIONS ** (-2 / 3) - 1) ** -0.5  # 0.5240, 1.3048, 3.7071


def radius_sigma(n):
    """Relative standard deviation of the Lagrangian radius at each fraction
    f from sampling N particles: the enclosed count is binomial, so the
    enclosed fraction has sigma_f = sqrt(f (1 - f) / N), and
    d ln M / d ln r = 3 / (1 + r^2) for the Plummer profile:
    sigma_r / r = sigma_f / f * (1 + r^2) / 3."""
    sf = np.sqrt(FRACTIONS * (1 - FRACTIONS) / n)
    return sf / FRACTIONS * (1 + PLUMMER_RADII ** 2) / 3


def radii(pos, mass):
    """Lagrangian radii of equal-mass particles about their centre of mass:
    the radius of particle ceil(f N) in order of radius."""
    com = np.sum(pos * mass[:, None], axis=0) / mass.sum()
    r = np.sort(np.linalg.norm(pos - com, axis=1))
    return np.array([r[math.ceil(f * len(r) - 1e-9) - 1] for f in FRACTIONS])


class InitialConditions(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_plummer_profile_virial_and_same_on_every_rank_count(self):
        n = 20000
        text = gs.deck(gs.plummer(n, seed=5), 'epsilon = 0.01\nsoftening = "plummer"\n',
                       "[thermo]\nevery = 1\n[output]\nsnapshot_every = 1\n", steps=1)
        gs.weftrun.write_deck(self.tmp, text, "ic.toml")
        snaps = {}
        for np_ in (1, 2, 4):
            gs.run(["run", "ic.toml", "-q", "--set", f"output.dir=o{np_}", "--set", "runtime.threads=1"],
                   self.tmp, np_=np_)
            snaps[np_] = gs.snapshot(os.path.join(self.tmp, f"o{np_}", "snapshot_000000.hdf5"))
        for np_ in (2, 4):  # the same bits whatever the number of ranks
            for k in ("Coordinates", "Velocities", "Masses", "ParticleIDs"):
                self.assertTrue(np.array_equal(snaps[1][k], snaps[np_][k]), (np_, k))
        s = snaps[1]
        got = radii(s["Coordinates"], s["Masses"])
        sigma = radius_sigma(n)  # 0.9 %, 0.64 %, 1.16 % at N = 20000
        dev = got / PLUMMER_RADII - 1
        self.assertTrue(np.all(np.abs(dev) < 4 * sigma), (got, dev, sigma))
        # weft's own Lagrangian radii at step 0 are the same numbers.
        obs = gs.series(os.path.join(self.tmp, "o1", "thermo.h5"))
        mine = [obs[f"lagrangian_radius_{p}"][2][0] for p in (10, 50, 90)]
        np.testing.assert_allclose(mine, got, rtol=1e-12)
        # Virial ratio 2K/|W| = 1 in equilibrium; sampling noise of K and W
        # at N = 20000 is ~1 % (softening 0.01 changes W by < 1 %).
        q = obs["virial_ratio"][2][0]
        self.assertLess(abs(q - 1), 0.03, q)
        # Total energy of the Plummer sphere: -3 pi / 64.
        e = obs["total_energy"][2][0]
        self.assertLess(abs(e / (-3 * math.pi / 64) - 1), 0.03, e)
        # centre of mass at rest at the origin
        self.assertLess(obs["momentum"][2][0], 1e-14)
        com = np.sum(s["Coordinates"] * s["Masses"][:, None], axis=0)
        self.assertLess(np.abs(com).max(), 1e-14)


def pericentre_times(t, r):
    """Times of the minima of r(t), each refined by the parabola through the
    smallest sample and its neighbours."""
    k = np.where((r[1:-1] < r[:-2]) & (r[1:-1] <= r[2:]))[0] + 1
    y0, y1, y2 = r[k - 1], r[k], r[k + 1]
    return t[k] + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2) * (t[k + 1] - t[k])


class Kepler(unittest.TestCase):
    """Two bodies of mass 0.5 (G = 1), a = 1, e = 0.5, from pericentre, for
    100 orbits (period T = 2 pi sqrt(a^3 / (G M)) = 2 pi) at fixed steps
    dt = T/500 and T/1000. Leapfrog is symplectic and second order: the
    energy error oscillates without drift, with an amplitude ~ (Omega dt)^2
    set by the fastest angular speed of the orbit, at pericentre:
    Omega_p = n sqrt(1 + e) / (1 - e)^(3/2) = 3.46 n (n = 2 pi / T), so
    Omega_p dt = 0.0435 and 0.0218. The leapfrog orbit is a Kepler orbit of
    the shadow Hamiltonian H + O(dt^2), so its period is off by O((Omega_p
    dt)^2) too. Bounds: |dE/E| < (Omega_p dt)^2 / 2 (measured 0.23 (Omega_p
    dt)^2), |dT/T| < (Omega_p dt)^2 (measured 0.33 (Omega_p dt)^2); halving
    dt divides both by 4 +- 25 %; the last 10 orbits' energy error is no
    larger than the first 10 orbits' (no secular drift)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def orbit(self, per_orbit):
        T = 2 * math.pi
        text = gs.deck('style = "kepler"\nmass1 = 0.5\nmass2 = 0.5\nsemi_major = 1.0\neccentricity = 0.5\n',
                       "epsilon = 1e-4\n",  # h = 2.8e-4, far below r_p = 0.5: Newtonian
                       f"[timestep]\ndt = {T / per_orbit!r}\n[thermo]\nevery = 1\n[checkpoint]\nat_end = false\n",
                       steps=100 * per_orbit)
        name = f"k{per_orbit}"
        gs.weftrun.write_deck(self.tmp, text, name + ".toml")
        gs.run(["run", name + ".toml", "-q", "--set", f"output.dir={name}"], self.tmp, np_=2)
        obs = gs.series(os.path.join(self.tmp, name, "thermo.h5"))
        t = obs["potential_energy"][1]
        r = -0.5 * 0.5 / obs["potential_energy"][2]  # W = -G m1 m2 / r beyond h
        err = obs["energy_error"][2]
        # t = 0 is the first pericentre (the start, not a local minimum);
        # the 100th may fall just after the end when the period is long.
        peri = np.concatenate([[0.0], pericentre_times(t, r)])
        self.assertIn(len(peri), (100, 101))
        period = (peri[-1] - peri[0]) / (len(peri) - 1)
        omega_dt = math.sqrt(1.5) / 0.5 ** 1.5 * (T / per_orbit)
        e_err = np.abs(err).max()
        p_err = abs(period / T - 1)
        print(f"T/{per_orbit}: |dE/E| {e_err:.3e} = {e_err / omega_dt ** 2:.3f} (Omega_p dt)^2, "
              f"|dT/T| {p_err:.3e} = {p_err / omega_dt ** 2:.3f} (Omega_p dt)^2")
        self.assertLess(e_err, 0.5 * omega_dt ** 2, (per_orbit, e_err, omega_dt))
        self.assertLess(p_err, omega_dt ** 2, (per_orbit, p_err, omega_dt))
        steps10 = 10 * per_orbit
        self.assertLess(np.abs(err[-steps10:]).max(), 1.05 * np.abs(err[:steps10 + 1]).max())
        return e_err, p_err

    def test_energy_and_period_errors_follow_the_step(self):
        e500, p500 = self.orbit(500)
        e1000, p1000 = self.orbit(1000)
        self.assertTrue(3 < e500 / e1000 < 5, (e500, e1000))  # second order
        self.assertTrue(3 < p500 / p1000 < 5, (p500, p1000))


if __name__ == "__main__":
    gs.main(__name__)

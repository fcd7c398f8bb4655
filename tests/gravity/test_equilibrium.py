#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The issue's equilibrium check with the production force method: a Plummer
sphere keeps its 10/50/90 % Lagrangian radii within 2 % over 10 crossing
times, with total energy error below 1e-3 (Barnes-Hut tree, relative
criterion)."""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gravity_support as gs  # noqa: E402
from test_dynamics import radius_sigma  # noqa: E402

N = 70000
DT = 0.1
EPS = 0.05
# Crossing time t_cr = G M^(5/2) / (2|E|)^(3/2) with E = -3 pi / 64 (G = M =
# a = 1): 6.26, which is 2 sqrt(2) in Henon units (E = -1/4: lengths 16/(3 pi)
# a, times (16/(3 pi))^(3/2) = 2.21 of ours).
T_CR = (3 * math.pi / 32) ** -1.5
BAR = 0.02  # the bar on the Lagrangian radii


class PlummerEquilibrium(gs.TmpTest):
    """N = 70000 Plummer sphere (G = M = a = 1, seed 2026), the tree with the
    relative criterion alpha = 0.005 and quadrupoles (Gadget's usual
    tolerance; p99 force error 1.3e-3 at 10^5, docs/gravity-tree.md),
    Gadget's spline softening with epsilon = 0.05 (h = 2.8 epsilon = 0.14, a quarter of the
    10 % radius 0.524, which holds 100 times the mass inside h), fixed
    dt = 0.1 = t_dyn / 20 (t_dyn = (G rho_0)^(-1/2) = 2.05), 627 steps =
    10.0 t_cr, on 2 ranks x 1 thread.

    Noise. The radius r_f holding a fraction f of N particles moves with the
    binomial count inside it: sigma_f = sqrt(f (1 - f) / N) in mass, and
    d ln M / d ln r = 3 / (1 + r^2), so sigma_r / r = sigma_f / f (1 + r^2)
    / 3 (radius_sigma(); near the centre r ~ M^(1/3): (1/3) sqrt(0.9 / (0.1
    N))): 0.48 %, 0.34 %, 0.62 % at N = 70000, so 2 % is 3.2-5.9 sigma
    (measured: the series' standard deviation is 0.39/0.21/0.44 %, its
    largest deviation 1.07/0.69/0.98 %; at N = 5e4 the 90 % radius reached
    1.72 %, too close to the bar). The
    reference is the mean over the first crossing time, not step 0: r(0) is
    one draw of that noise, and comparing every later draw with it adds its
    error to all of them (sqrt(2) sigma); the mean of the ~13 observations
    within t_cr is the sphere's own radius to sigma / 2 or better, so the
    bar measures the sphere's change (expansion, core collapse), not the
    noise of its first snapshot. Both are printed. Two-body relaxation takes
    N / (8 ln N) t_cr ~ 800 t_cr: nothing should change.

    Energy. Leapfrog's error at dt = t_dyn / 20 oscillates without drift, at
    most ~(dt / t_dyn)^2 / 10 = 2.5e-4 for the mean field; a close pass at v ~ 0.7 crosses the spline's
    support h = 0.14 in two steps, so encounters cost little at epsilon =
    0.05 (at epsilon = 0.02 and dt = 0.1 they drift by 2.8e-3 over 10 t_cr at
    N = 5e4; dt = 0.05 cuts it ten-fold at twice the cost); tree force errors
    (random, ~1e-3) do not build up a drift of that size. Measured: max
    |dE/E| = 8.6e-5 (docs/gravity.md)."""

    def test_lagrangian_radii_within_2_percent_and_energy_over_10_crossing_times(self):
        steps = math.ceil(10 * T_CR / DT)
        text = gs.deck(gs.plummer(N, seed=2026),
                       f'softening = "spline"\nepsilon = {EPS}\nmethod = "tree"\n'
                       'opening = "relative"\ntolerance = 0.005\nquadrupole = true\n',
                       f"[timestep]\ndt = {DT}\n[thermo]\nevery = 5\n[checkpoint]\nat_end = false\n",
                       steps=steps)
        gs.weftrun.write_deck(self.tmp, text, "eq.toml")
        gs.run(["run", "eq.toml", "-q", "--set", "output.dir=o", "--set", "runtime.threads=1"], self.tmp,
               np_=2, timeout=600)
        obs = gs.series(os.path.join(self.tmp, "o", "thermo.h5"))
        t = obs["total_energy"][1]
        self.assertGreaterEqual(t[-1], 10 * T_CR)
        d_e = np.abs(obs["energy_error"][2]).max()
        r = np.array([obs[f"lagrangian_radius_{p}"][2] for p in (10, 50, 90)])  # 3 x rows
        ref = r[:, t <= T_CR].mean(axis=1)
        rel = np.abs(r / ref[:, None] - 1).max(axis=1)
        rel0 = np.abs(r / r[:, :1] - 1).max(axis=1)
        print(f"max |dE/E| {d_e:.2e}; sampling sigma of r10/r50/r90 {radius_sigma(N)}")
        print("max |r(t)/<r>_(t<=t_cr) - 1|:", rel, " max |r(t)/r(0) - 1|:", rel0)
        print("mean 2K/|W|:", obs["virial_ratio"][2].mean())
        self.assertLess(d_e, 1e-3)
        for k in range(3):
            self.assertLess(rel[k], BAR, k)
        self.assertLess(abs(obs["virial_ratio"][2].mean() - 1), 0.02)


if __name__ == "__main__":
    gs.main(__name__)

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The gravity application's files: Gadget-layout snapshots (h5py checks of
the header, yt loads them as GadgetHDF5Dataset), Gadget initial conditions
read back, and a restart that continues bit for bit."""
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gravity_support as gs  # noqa: E402

SNAP = "[timestep]\ndt = 0.01\n[thermo]\nevery = 5\n[output]\nsnapshot_every = 10\n"


class Files(gs.TmpTest):
    def test_snapshot_header_and_yt(self):
        gs.weftrun.write_deck(self.tmp, gs.deck(gs.plummer(1000), "epsilon = 0.05\n", SNAP, steps=10), "p.toml")
        gs.run(["run", "p.toml", "-q", "--set", "output.dir=o", "--set", "runtime.threads=1"], self.tmp, np_=4)
        path = os.path.join(self.tmp, "o", "snapshot_000010.hdf5")
        with h5py.File(path, "r") as f:
            h = f["Header"].attrs
            for k in ("NumPart_ThisFile", "NumPart_Total", "NumPart_Total_HighWord", "MassTable"):
                self.assertEqual(len(h[k]), 6, k)
            self.assertEqual(list(h["NumPart_ThisFile"]), [0, 1000, 0, 0, 0, 0])
            self.assertEqual(list(h["NumPart_Total"]), [0, 1000, 0, 0, 0, 0])
            self.assertEqual(list(h["NumPart_Total_HighWord"]), [0] * 6)
            self.assertAlmostEqual(h["Time"], 0.1, places=12)
            self.assertEqual(h["NumFilesPerSnapshot"], 1)
            for k in ("Redshift", "BoxSize", "Omega0", "OmegaLambda", "HubbleParam", "Flag_Sfr", "Flag_Cooling",
                      "Flag_StellarAge", "Flag_Metals", "Flag_Feedback", "Flag_Entropy_ICs"):
                self.assertIn(k, h)
            code = f["Header"].attrs.get_id("Code")
            self.assertFalse(code.get_type().is_variable_str())  # fixed-length, as Gadget writes it
            self.assertEqual(h["Code"], b"weft")
            p = f["PartType1"]
            self.assertEqual(sorted(p), ["Acceleration", "Coordinates", "Masses", "ParticleIDs", "Potential",
                                         "Velocities"])
            self.assertEqual(p["Coordinates"].shape, (1000, 3))
            self.assertEqual(sorted(p["ParticleIDs"][()]), list(range(1, 1001)))
            self.assertIn('application = "gravity"', f["Parameters/deck"][()].decode())
            self.assertIn("Units", f)
            self.assertNotIn("Constants", f)  # with Parameters + Units it would read as OWLS in yt
            pos = p["Coordinates"][()]
            box = h["BoxSize"]
        import yt
        yt.set_log_level(50)
        half = box / 2 * 1.0001
        ds = yt.load(path, bounding_box=[[-half, half]] * 3)
        self.assertEqual(type(ds).__name__, "GadgetHDF5Dataset")
        ad = ds.all_data()
        got = ad["PartType1", "Coordinates"]
        self.assertEqual(got.shape, (1000, 3))
        ids = ad["PartType1", "ParticleIDs"].d.astype(np.int64)
        order = np.argsort(ids)
        np.testing.assert_allclose(got.d[order], pos, rtol=1e-12, atol=0)  # same units: code_length
        self.assertAlmostEqual(float(ds.current_time.d), 0.1, places=12)

    def test_gadget_initial_conditions_read_back(self):
        # A snapshot of one run is the initial conditions of another: same
        # particles, same forces (also on another number of ranks).
        gs.weftrun.write_deck(self.tmp, gs.deck(gs.plummer(500), "epsilon = 0.05\n", SNAP, steps=10), "p.toml")
        gs.run(["run", "p.toml", "-q", "--set", "output.dir=a"], self.tmp, np_=1)
        ic = os.path.join(self.tmp, "a", "snapshot_000010.hdf5")
        shutil.copy(ic, os.path.join(self.tmp, "ic.hdf5"))
        gs.weftrun.write_deck(self.tmp, gs.deck('style = "gadget"\nfile = "ic.hdf5"', "epsilon = 0.05\n", SNAP,
                                                steps=10), "g.toml")
        gs.run(["run", "g.toml", "-q", "--set", "output.dir=b"], self.tmp, np_=2)
        a = gs.snapshot(ic)
        b = gs.snapshot(os.path.join(self.tmp, "b", "snapshot_000000.hdf5"))
        for k in ("Coordinates", "Velocities", "Masses", "ParticleIDs", "Acceleration", "Potential"):
            self.assertTrue(np.array_equal(a[k], b[k]), k)

    def test_restart_continues_bit_for_bit(self):
        gs.weftrun.write_deck(self.tmp, gs.deck(gs.plummer(600), "epsilon = 0.05\n",
                                                "[timestep]\nmode = \"accuracy\"\n[thermo]\nevery = 5\n"
                                                "[output]\nsnapshot_every = 20\n", steps=20), "r.toml")
        gs.run(["run", "r.toml", "-q", "--set", "output.dir=whole"], self.tmp, np_=2)
        gs.run(["run", "r.toml", "-q", "--set", "output.dir=seg", "--set", "run.steps=10"], self.tmp, np_=2)
        gs.run(["run", "r.toml", "-q", "--restart", "seg/ckpt-0000000010.h5"], self.tmp, np_=2)
        a = gs.snapshot(os.path.join(self.tmp, "whole", "snapshot_000020.hdf5"))
        b = gs.snapshot(os.path.join(self.tmp, "seg", "snapshot_000020.hdf5"))
        for k in a:
            self.assertTrue(np.array_equal(a[k], b[k]), k)
        sa = gs.series(os.path.join(self.tmp, "whole", "thermo.h5"))
        sb = gs.series(os.path.join(self.tmp, "seg", "thermo.h5"))
        for k in sa:
            for i in range(3):
                self.assertTrue(np.array_equal(sa[k][i], sb[k][i]), k)
        with h5py.File(os.path.join(self.tmp, "whole", "snapshot_000020.hdf5"), "r") as f:
            t_whole = f["Header"].attrs["Time"]
        with h5py.File(os.path.join(self.tmp, "seg", "snapshot_000020.hdf5"), "r") as f:
            self.assertEqual(f["Header"].attrs["Time"], t_whole)
        # On another number of ranks the continuation is the same bits too
        # (forces are recomputed, in the same global order).
        shutil.copytree(os.path.join(self.tmp, "seg"), os.path.join(self.tmp, "seg1"))
        os.remove(os.path.join(self.tmp, "seg1", "snapshot_000020.hdf5"))
        gs.run(["run", "r.toml", "-q", "--restart", "seg1/ckpt-0000000010.h5"], self.tmp, np_=1)
        c = gs.snapshot(os.path.join(self.tmp, "seg1", "snapshot_000020.hdf5"))
        for k in a:
            self.assertTrue(np.array_equal(a[k], c[k]), k)

    def test_signal_stops_with_a_checkpoint_and_the_run_continues(self):
        # SIGTERM (the shared run loop): exit 75 with a checkpoint; the
        # continuation ends with the same bits as a run never stopped.
        steps = 10000  # ~2.5 s on 2 busy vCPUs: the signal comes well before the end
        gs.weftrun.write_deck(self.tmp, gs.deck(gs.plummer(200), "epsilon = 0.05\n",
                                                "[timestep]\ndt = 0.005\n[thermo]\nevery = 100\n"
                                                f"[output]\nsnapshot_every = {steps}\n", steps=steps), "s.toml")
        gs.run(["run", "s.toml", "-q", "--set", "output.dir=whole"], self.tmp)
        p = subprocess.Popen([gs.ARGS.weft, "run", "s.toml", "-q", "--set", "output.dir=sig"], cwd=self.tmp,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = time.time()
        while not os.path.exists(os.path.join(self.tmp, "sig", "thermo.dat")) and time.time() - started < 60:
            time.sleep(0.02)  # the run is past its set-up
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 75, out + err)
        ckpts = sorted(f for f in os.listdir(os.path.join(self.tmp, "sig")) if f.startswith("ckpt-"))
        self.assertEqual(len(ckpts), 1, ckpts)
        self.assertLess(int(ckpts[0][5:15]), steps)  # stopped in the middle
        gs.run(["run", "s.toml", "-q", "--restart", f"sig/{ckpts[0]}"], self.tmp)
        a = gs.snapshot(os.path.join(self.tmp, "whole", f"snapshot_{steps:06d}.hdf5"))
        b = gs.snapshot(os.path.join(self.tmp, "sig", f"snapshot_{steps:06d}.hdf5"))
        for k in a:
            self.assertTrue(np.array_equal(a[k], b[k]), k)


if __name__ == "__main__":
    gs.main(__name__)

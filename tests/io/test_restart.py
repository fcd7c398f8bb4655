#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checkpoints and restarts of real runs: a segmented run continues
bit-identically; another rank count continues to rounding; SIGTERM stops a
run with a checkpoint and exit 75; SIGKILL at random moments never loses the
run; damaged, truncated, foreign or mismatched checkpoints are refused with
exit 2 and nothing is overwritten."""
import glob
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import weftrun  # noqa: E402

ARGS = None
DECK = weftrun.small_melt(5, """
[integrator]
style = "nose-hoover"
temperature = 1.2
damping = 0.5
[run]
steps = 200
[thermo]
every = 10
[checkpoint]
every = 20
keep = 3
[output]
trajectory_every = 25
""")


def weft(workdir, *args, np_=1, timeout=300, check=True):
    return weftrun.run_weft(ARGS.weft, ARGS.mpiexec, ["run", os.path.join(workdir, "deck.toml"), "-q", *args],
                            np_, cwd=workdir, timeout=timeout, check=check)


def state(path):
    """(step, unwrapped positions and velocities sorted by id) of a
    checkpoint (positions with their image flags: when a run rebuilds its
    neighbour lists, and so wraps atoms into the box, depends on the layout)."""
    with h5py.File(path, "r") as f:
        c = f["checkpoint"]
        a = c["atoms"]
        order = np.argsort(a["id"][:])
        length = c.attrs["box_hi"] - c.attrs["box_lo"]
        unwrapped = [a[k][:] + a["im" + k][:] * length[d] for d, k in enumerate("xyz")]
        return int(c.attrs["step"]), np.stack([v[order] for v in unwrapped] +
                                              [a[k][:][order] for k in ("vx", "vy", "vz")])


def newest_checkpoint(outdir):
    done = sorted(glob.glob(os.path.join(outdir, "ckpt-*.h5")))
    return done[-1] if done else None


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Restart(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.ref = cls.workdir("ref")
        weft(cls.ref, "--set", "output.dir=out", np_=2)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def workdir(cls, name, deck=DECK):
        d = os.path.join(cls.tmp.name, name)
        weftrun.write_deck(d, deck)
        return d

    def ref_final(self):
        return state(os.path.join(self.ref, "out", "ckpt-0000000200.h5"))

    def test_segmented_run_is_bit_identical(self):
        d = self.workdir("segmented")
        weft(d, "--set", "output.dir=out", "--set", "run.steps=130", np_=2)
        weft(d, "--restart", "out/ckpt-0000000120.h5", np_=2)
        step, s = state(os.path.join(d, "out", "ckpt-0000000200.h5"))
        ref_step, ref = self.ref_final()
        self.assertEqual(step, ref_step)
        self.assertTrue(np.array_equal(s, ref), "positions/velocities differ from the uninterrupted run")
        a = np.loadtxt(os.path.join(d, "out", "thermo.dat"))
        b = np.loadtxt(os.path.join(self.ref, "out", "thermo.dat"))
        np.testing.assert_array_equal(a, b)
        with h5py.File(os.path.join(d, "out", "trajectory.h5md")) as t, \
                h5py.File(os.path.join(self.ref, "out", "trajectory.h5md")) as r:
            np.testing.assert_array_equal(t["particles/trajectory/position/step"][:],
                                          r["particles/trajectory/position/step"][:])
            np.testing.assert_array_equal(t["particles/trajectory/position/value"][:],
                                          r["particles/trajectory/position/value"][:])

    def test_other_rank_counts_continue_to_rounding(self):
        for np_ in (1, 4):
            d = self.workdir(f"ranks{np_}")
            shutil.copytree(os.path.join(self.ref, "out"), os.path.join(d, "out"))
            for f in glob.glob(os.path.join(d, "out", "ckpt-000000020*.h5")) + \
                    glob.glob(os.path.join(d, "out", "ckpt-000000018*.h5")):
                os.remove(f)
            weft(d, "--restart", "out/ckpt-0000000160.h5", np_=np_)
            _, s = state(os.path.join(d, "out", "ckpt-0000000200.h5"))
            _, ref = self.ref_final()
            np.testing.assert_allclose(s, ref, rtol=0, atol=1e-8, err_msg=f"{np_} ranks")

    def test_semaphore_left_taken_by_a_killed_run_does_not_hang_the_next(self):
        # Open MPI's OMPIO `sm` shared-file-pointer component takes a POSIX
        # semaphore named after the file (/dev/shm/sem.OMPIO_<base name>) in
        # every MPI_File_open; one left taken by a killed run (32 zero bytes:
        # a glibc semaphore of value 0) hung every later run at that
        # checkpoint. weft's mpi::Session leaves that component out.
        sem = "/dev/shm/sem.OMPIO_ckpt-0000000013.h5.part"
        if os.path.exists(sem):
            self.skipTest(f"{sem} exists already")
        with open(sem, "wb") as f:
            f.write(bytes(32))
        try:
            d = self.workdir("sem", DECK.replace("steps = 200", "steps = 26").replace("every = 20", "every = 13"))
            env = {k: v for k, v in os.environ.items() if k != "OMPI_MCA_sharedfp"}
            r = subprocess.run([ARGS.weft, "run", "deck.toml", "-q", "--set", "output.dir=out"], cwd=d, env=env,
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.exists(os.path.join(d, "out", "ckpt-0000000013.h5")))
        finally:
            os.remove(sem)

    def test_sigterm_stops_with_a_checkpoint_and_exit_75(self):
        d = self.workdir("signal", DECK.replace("steps = 200", "steps = 1000000")
                         .replace("every = 20", "every = 0"))
        p = subprocess.Popen([ARGS.weft, "run", "deck.toml", "-q", "--set", "output.dir=out"], cwd=d,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 75, out + err)
        self.assertIn("stopped by signal", err)
        self.assertIn("--restart", err)
        ckpt = newest_checkpoint(os.path.join(d, "out"))
        self.assertIsNotNone(ckpt)
        step, _ = state(ckpt)
        self.assertGreater(step, 0)
        rows = np.loadtxt(os.path.join(d, "out", "thermo.dat"))
        self.assertLessEqual(rows[-1, 0], step)
        # It continues from there (a few more steps).
        r = weft(d, "--restart", os.path.relpath(ckpt, d), "--set", f"run.steps={step + 30}")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(os.path.exists(os.path.join(d, "out", f"ckpt-{step + 30:010d}.h5")))

    def test_killed_after_its_final_checkpoint_the_restart_finishes_the_outputs(self):
        """A run killed between its final checkpoint and the end leaves the
        trajectory as .part; --restart from that checkpoint runs no step, but
        renames the trajectory and rewrites the thermo series, and exits 0."""
        ref = self.workdir("final-ref")
        weft(ref, "--set", "output.dir=out")
        d = self.workdir("final")
        weft(d, "--set", "output.dir=out")
        out = os.path.join(d, "out")
        os.rename(os.path.join(out, "trajectory.h5md"), os.path.join(out, "trajectory.h5md.part"))
        os.remove(os.path.join(out, "thermo.h5"))
        r = weft(d, "--set", "output.dir=out", "--restart", "out/ckpt-0000000200.h5", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "trajectory.h5md.part")))
        with h5py.File(os.path.join(out, "trajectory.h5md"), "r") as a, \
                h5py.File(os.path.join(ref, "out", "trajectory.h5md"), "r") as b:
            for k in ("particles/trajectory/position/value", "particles/trajectory/position/step",
                      "particles/trajectory/velocity/value"):
                self.assertTrue(np.array_equal(a[k][()], b[k][()]), k)
        with h5py.File(os.path.join(out, "thermo.h5"), "r") as a, \
                h5py.File(os.path.join(ref, "out", "thermo.h5"), "r") as b:
            self.assertEqual(sorted(a.keys()), sorted(b.keys()))
        np.testing.assert_array_equal(np.loadtxt(os.path.join(out, "thermo.dat")),
                                      np.loadtxt(os.path.join(ref, "out", "thermo.dat")))
        # Beyond the final step the deck asks for less than was done: refused.
        r = weft(d, "--set", "output.dir=out", "--set", "run.steps=100", "--restart",
                 "out/ckpt-0000000200.h5", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("nothing left to run", r.stderr)

    def test_sigkill_at_random_moments_never_loses_the_run(self):
        deck = DECK.replace("steps = 200", "steps = 3000").replace("every = 20", "every = 7")
        ref = self.workdir("kill-ref", deck)
        weft(ref, "--set", "output.dir=out")
        d = self.workdir("kill", deck)
        rng = random.Random(20261127)
        kills = 0
        for attempt in range(40):
            ckpt = newest_checkpoint(os.path.join(d, "out"))
            # Killed before its first checkpoint, a run starts over (replacing
            # what it had begun), as a job chain does.
            args = ["--set", "output.dir=out"] + (["--restart", os.path.relpath(ckpt, d)] if ckpt
                                                  else ["--set", "output.overwrite=true"])
            p = subprocess.Popen([ARGS.weft, "run", "deck.toml", "-q", *args], cwd=d,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                p.wait(timeout=rng.uniform(0.3, 1.2))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                kills += 1
                continue
            self.assertEqual(p.returncode, 0, p.stderr.read())
            break
        else:
            self.fail("the run never completed")
        self.assertGreaterEqual(kills, 3, "the run finished before it could be killed often enough")
        _, a = state(os.path.join(d, "out", "ckpt-0000003000.h5"))
        _, b = state(os.path.join(ref, "out", "ckpt-0000003000.h5"))
        self.assertTrue(np.array_equal(a, b), f"after {kills} kills the final state differs")
        np.testing.assert_array_equal(np.loadtxt(os.path.join(d, "out", "thermo.dat")),
                                      np.loadtxt(os.path.join(ref, "out", "thermo.dat")))

    def bad_restart(self, name, prepare, expect):
        d = self.workdir(name)
        shutil.copytree(os.path.join(self.ref, "out"), os.path.join(d, "out"))
        target = prepare(d)
        before = {f: digest(f) for f in glob.glob(os.path.join(d, "out", "*"))}
        r = weft(d, "--restart", target, "--set", "run.steps=400", check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(expect, r.stderr)
        after = {f: digest(f) for f in glob.glob(os.path.join(d, "out", "*"))}
        self.assertEqual(before, after, "a refused restart changed the output directory")

    def test_damaged_checkpoint_is_refused(self):
        def corrupt(d):
            path = os.path.join(d, "out", "ckpt-0000000200.h5")
            with h5py.File(path, "r") as f:
                offset = f["checkpoint/atoms/x"].id.get_chunk_info(0).byte_offset
            with open(path, "r+b") as f:
                f.seek(offset + 100)
                f.write(b"\xde\xad\xbe\xef" * 4)
            return "out/ckpt-0000000200.h5"
        self.bad_restart("damaged", corrupt, "the checkpoint is damaged")

    def test_truncated_checkpoint_is_refused(self):
        def truncate(d):
            path = os.path.join(d, "out", "ckpt-0000000200.h5")
            os.truncate(path, os.path.getsize(path) // 2)
            return "out/ckpt-0000000200.h5"
        self.bad_restart("truncated", truncate, "cannot read it as a weft checkpoint")

    def test_other_kind_of_file_is_refused(self):
        self.bad_restart("kind", lambda d: "out/trajectory.h5md.part" if os.path.exists(
            os.path.join(d, "out", "trajectory.h5md.part")) else "out/trajectory.h5md",
            "not a weft checkpoint")

    def test_checkpoint_of_another_deck_is_refused(self):
        def other_deck(d):
            with open(os.path.join(d, "deck.toml"), "a") as f:
                f.write("[pair]\ncutoff = 3.0\n")
            return "out/ckpt-0000000180.h5"
        self.bad_restart("otherdeck", other_deck, "pair.cutoff: the checkpoint's run had 2.5, the deck has 3.0")


if __name__ == "__main__":
    weftrun.unittest_main(sys.modules[__name__])

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Crash safety of H5MD trajectories (docs/io.md, "Signals and crashes").

1. Systematic: a 1-rank run is killed (strace fault injection: SIGKILL on
   entry to the K-th pwrite64 or pwritev, so at every write boundary of
   frames, checkpoints and the thermo series). After each kill the
   trajectory opens with h5py and MDAnalysis, holds every frame whose
   commit completed before the kill (counted from the traced flushes) and
   only frames equal to the uninterrupted run's; a restart from the newest
   checkpoint then ends with the uninterrupted run's trajectory, bit for bit.
2. Random: a 2-rank frame-heavy run is SIGKILLed (whole process group) at
   random moments and restarted from what is on disk each time, with the
   same checks after every kill.
"""
import glob
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import weftrun  # noqa: E402

ARGS = None
SERIES = ("position", "velocity", "force", "image")
# SHORT runs with OpenMP: the kills are injected by strace at the k-th write
# call, and strace numbers a call per thread. With fibers the run loop is a
# task that moves between worker threads, so the k-th write of the counting
# run is not the k-th of any one thread (the fibers scheduler writes the
# same bytes: LONG's random kills run with it).
SHORT = weftrun.small_melt(5, """
[runtime]
scheduler = "openmp"
[run]
steps = 40
[thermo]
every = 10
[checkpoint]
every = 10
keep = 2
[output]
trajectory_every = 4
forces = true
""")
LONG = weftrun.small_melt(5, """
[run]
steps = 3000
[thermo]
every = 50
[checkpoint]
every = 50
keep = 2
[output]
trajectory_every = 3
forces = true
""")


def load(path, n=None):
    """Every series of a trajectory, cut to its complete frames (the length
    of position/value); checks that no series is shorter than that."""
    with h5py.File(path, "r") as f:
        t = f["particles/trajectory"]
        n_all = t["position/value"].shape[0]
        n = n_all if n is None else n
        out = {"frames": n_all}
        for name in SERIES:
            assert t[name]["value"].shape[0] >= n_all, f"{name} shorter than position"
            out[name] = t[name]["value"][:n]
        for name in ("step", "time"):
            assert t["position"][name].shape[0] >= n_all, f"{name} shorter than position"
            out[name] = t["position"][name][:n]
        out["box"] = t["box/edges/value"][:n]
        for name, g in f["observables"].items():
            assert g["value"].shape[0] >= n_all, f"observable {name} shorter than position"
            out["obs/" + name] = g["value"][:n]
        return out


def on_disk(outdir):
    """The trajectory a reader would open: finished, else .part (None when
    only the .part.new of a file without a complete frame exists)."""
    for name in ("trajectory.h5md", "trajectory.h5md.part"):
        if os.path.exists(os.path.join(outdir, name)):
            return os.path.join(outdir, name)
    return None


def newest_checkpoint(outdir):
    done = sorted(glob.glob(os.path.join(outdir, "ckpt-*.h5")))
    return done[-1] if done else None


def kill_session(sid):
    """SIGKILLs every process of session `sid` (mpirun and its ranks: Open
    MPI puts each rank in a process group of its own) and waits for them."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == sid:
                    pids.append(int(entry))
            except OSError:
                pass
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    def alive(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    for pid in pids:
        while alive(pid):
            time.sleep(0.01)


def committed_frames(trace):
    """(frames whose commit completed, whether the kill hit a write to the
    trajectory) in a traced run: the trajectory file is flushed (fsync)
    once when created and twice per frame, the second after
    position/value's extent is written."""
    fd, syncs, hit = None, 0, False
    with open(trace) as f:
        for line in f:
            m = re.search(r'openat\(.*"out/trajectory\.h5md\.part\.new", .*\) = (\d+)', line)
            if m:
                fd = m.group(1)
            elif fd and re.search(rf"fsync\({fd}\)\s+= 0", line):
                syncs += 1
            elif fd and re.search(rf"pwrite(64|v)\({fd}, .*= \?", line):
                hit = True
    return max(0, (syncs - 1) // 2), hit


class TrajectoryCrash(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import MDAnalysis
        cls.mda = MDAnalysis
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def workdir(self, name, deck):
        d = os.path.join(self.tmp.name, name)
        shutil.rmtree(d, ignore_errors=True)
        weftrun.write_deck(d, deck)
        return d

    def reference(self, name, deck, np_):
        d = self.workdir(name, deck)
        weftrun.run_weft(ARGS.weft, ARGS.mpiexec, ["run", "deck.toml", "-q", "--set", "output.dir=out"],
                         np_, cwd=d)
        return load(os.path.join(d, "out", "trajectory.h5md"))

    def check_prefix(self, path, ref, at_least, what):
        """The file's complete frames are a prefix of the reference, at
        least `at_least` of them, and MDAnalysis reads exactly those."""
        got = load(path)
        n = got["frames"]
        self.assertGreaterEqual(n, at_least, f"{what}: frames lost")
        for key, value in got.items():
            if key != "frames":
                bad = [i for i in range(n) if not np.array_equal(value[i], ref[key][i])]
                self.assertFalse(bad, f"{what}: {key} differs in frames {bad[:5]} of {n}"
                                      f" (steps {got['step'][bad[:5]]})")
        if n:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                u = self.mda.Universe(path, n_atoms=got["position"].shape[1], format="H5MD",
                                      topology_format="MINIMAL", convert_units=False)
                self.assertEqual(len(u.trajectory), n, what)
                try:
                    for i in range(max(0, n - 2), n):
                        np.testing.assert_array_equal(u.trajectory[i].positions,
                                                      ref["position"][i].astype(np.float32))
                except Exception as e:
                    raise AssertionError(f"{what}: MDAnalysis: {e}") from e
                # Closed, or HDF5 would serve this process the stale open
                # file when the renamed file is opened again.
                u.trajectory.close()
        return n

    def restart_to_end(self, d, np_, ref, what, check=True):
        ckpt = newest_checkpoint(os.path.join(d, "out"))
        args = ["run", "deck.toml", "-q", "--set", "output.dir=out"] + (
            ["--restart", os.path.relpath(ckpt, d)] if ckpt else ["--set", "output.overwrite=true"])
        r = weftrun.run_weft(ARGS.weft, ARGS.mpiexec, args, np_, cwd=d, check=False)
        self.assertEqual(r.returncode, 0, f"{what}: restart failed\n{r.stderr}")
        if check:
            got = load(os.path.join(d, "out", "trajectory.h5md"))
            self.assertEqual(got["frames"], len(ref["step"]), f"{what}\n{r.stderr}")
            for key, value in got.items():
                if key != "frames":
                    self.assertTrue(np.array_equal(value, ref[key]), f"{what}: {key} differs after restart")

    def test_kill_at_every_write_boundary(self):
        ref = self.reference("inject-ref", SHORT, 1)
        d = self.workdir("inject-count", SHORT)
        def strace(trace):
            return ["strace", "-f", "-qq", "-o", trace, "-e", "trace=openat,fsync,pwrite64,pwritev"]
        weft = [ARGS.weft, "run", "deck.toml", "-q", "--set", "output.dir=out"]
        trace = os.path.join(d, "trace.txt")
        subprocess.run(strace(trace) + weft, cwd=d, check=True, capture_output=True)
        with open(trace) as f:
            lines = f.readlines()
        calls = {s: sum(1 for line in lines if re.search(rf"\b{s}\(", line)) for s in ("pwrite64", "pwritev")}
        # The calls (1-based, per syscall) that write the trajectory after
        # its first frame: kills there land in the middle of a frame, which
        # a stride over all calls may mostly miss (checkpoints and thermo.h5
        # write too, and their share shifts as the outputs change).
        traj_calls = {s: [] for s in calls}
        seen, fd, syncs = dict.fromkeys(calls, 0), None, 0
        for line in lines:
            m = re.search(r'openat\(.*"out/trajectory\.h5md\.part\.new", .*\) = (\d+)', line)
            if m:
                fd = m.group(1)
            elif fd and re.search(rf"fsync\({fd}\)\s+= 0", line):
                syncs += 1
            for sc in calls:
                if re.search(rf"\b{sc}\(", line):
                    seen[sc] += 1
                    if fd and syncs >= 3 and re.search(rf"\b{sc}\({fd},", line):
                        traj_calls[sc].append(seen[sc])
        rng = random.Random(5)
        kills = in_frames = 0
        for syscall, total in calls.items():
            stride = max(1, total // 25)
            points = set(range(1 + rng.randrange(stride), total + 1, stride))
            mid = traj_calls[syscall]
            points |= set(mid[::max(1, len(mid) // 24)])
            for k in sorted(points):
                d = self.workdir(f"inject-{syscall}-{k}", SHORT)
                trace = os.path.join(d, "trace.txt")
                r = subprocess.run(strace(trace) + ["-e", f"inject={syscall}:signal=KILL:when={k}"] + weft, cwd=d,
                                   capture_output=True, text=True)
                self.assertNotEqual(r.returncode, 0, f"{syscall} #{k}: the run was not killed")
                kills += 1
                what = f"killed at {syscall} #{k}"
                path = on_disk(os.path.join(d, "out"))
                done, hit = committed_frames(trace)
                in_frames += hit and done > 0
                if path is None:
                    self.assertEqual(done, 0, f"{what}: committed frames but no .part file")
                else:
                    # Kills land on write entries, so the last commit's
                    # flush has always completed: exactly `done` frames.
                    self.assertEqual(self.check_prefix(path, ref, done, what), done, what)
                self.restart_to_end(d, 1, ref, what)
        self.assertGreater(kills, 40)
        self.assertGreater(in_frames, 10, "too few kills in the middle of a frame")
        print(f"\n{kills} injected kills, {in_frames} in the middle of a frame after the first",
              file=sys.stderr)

    def test_kill_at_every_write_boundary_of_a_restart(self):
        """A run killed after frames beyond its newest checkpoint is restarted
        (the kept frames are copied into a new file) and that restart is
        killed at its write boundaries in turn."""
        ref = self.reference("restart-ref", SHORT, 1)
        base = self.workdir("restart-base", SHORT)
        subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwritev",
                        "-e", "inject=pwritev:signal=KILL:when=190", ARGS.weft, "run", "deck.toml", "-q",
                        "--set", "output.dir=out"], cwd=base, capture_output=True)
        ckpt = newest_checkpoint(os.path.join(base, "out"))
        step = int(re.search(r"ckpt-(\d+)\.h5", ckpt).group(1))
        kept = int(np.searchsorted(ref["step"], step, side="right"))
        self.assertGreater(load(on_disk(os.path.join(base, "out")))["frames"], kept,
                           "no frame beyond the checkpoint to drop")
        restart = [ARGS.weft, "run", "deck.toml", "-q", "--set", "output.dir=out",
                   "--restart", os.path.relpath(ckpt, base)]
        trace = os.path.join(base, "trace.txt")
        d = self.workdir("restart-count", SHORT)
        shutil.copytree(os.path.join(base, "out"), os.path.join(d, "out"))
        subprocess.run(["strace", "-f", "-qq", "-o", trace, "-e", "trace=pwrite64"] + restart, cwd=d,
                       check=True, capture_output=True)
        with open(trace) as f:
            total = sum(1 for line in f if "pwrite64(" in line)
        kills = 0
        for k in range(1, total + 1, max(1, total // 20)):
            d = self.workdir(f"restart-{k}", SHORT)
            shutil.copytree(os.path.join(base, "out"), os.path.join(d, "out"))
            r = subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64", "-e",
                                f"inject=pwrite64:signal=KILL:when={k}"] + restart, cwd=d, capture_output=True)
            self.assertNotEqual(r.returncode, 0, f"pwrite64 #{k} of the restart: not killed")
            kills += 1
            what = f"restart killed at pwrite64 #{k}"
            self.check_prefix(on_disk(os.path.join(d, "out")), ref, kept, what)
            self.restart_to_end(d, 1, ref, what)
        self.assertGreater(kills, 15)

    def test_random_kills_of_a_parallel_run(self):
        t0 = time.monotonic()
        ref = self.reference("random-ref", LONG, 2)
        duration = time.monotonic() - t0
        d = self.workdir("random", LONG)
        out = os.path.join(d, "out")
        rng = random.Random(20261127)
        mpirun = [ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "2"]
        kills = 0
        history = []
        while True:
            ckpt = newest_checkpoint(out)
            if ckpt and ckpt.endswith(f"{ref['step'][-1]:010d}.h5"):
                break  # complete, or killed after its last checkpoint
            # Frames up to the newest checkpoint survive a restart.
            before = 0
            if ckpt and on_disk(out):
                step = int(re.search(r"ckpt-(\d+)\.h5", ckpt).group(1))
                before = int(np.searchsorted(ref["step"], step, side="right"))
            args = ["run", "deck.toml", "-q", "--set", "output.dir=out"] + (
                ["--restart", os.path.relpath(ckpt, d)] if ckpt else ["--set", "output.overwrite=true"])
            # Kills at random moments of a run's first half (startup and
            # resume included), then one run to the end.
            wait = rng.uniform(0.1, 0.5) * duration if kills < 15 else 600
            history.append(f"{' '.join(args[5:])}: killed after {wait:.2f} s")
            with open(os.path.join(d, "stderr.txt"), "w") as log:
                p = subprocess.Popen(mpirun + [ARGS.weft, *args], cwd=d, stdout=subprocess.DEVNULL,
                                     stderr=log, start_new_session=True)
            try:
                p.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                kill_session(p.pid)
                p.wait()
                kills += 1
                path = on_disk(out)
                if path:
                    self.check_prefix(path, ref, before, f"random kill {kills}: " + "; ".join(history))
                continue
            with open(os.path.join(d, "stderr.txt")) as f:
                self.assertEqual(p.returncode, 0, f.read())
        self.assertGreaterEqual(kills, 15)
        # Finished, or killed after its last checkpoint (then still .part).
        got = load(on_disk(out))
        self.assertEqual(got["frames"], len(ref["step"]))
        for key, value in got.items():
            if key != "frames":
                self.assertTrue(np.array_equal(value, ref[key]), f"after {kills} kills: {key} differs")


if __name__ == "__main__":
    weftrun.unittest_main(sys.modules[__name__])

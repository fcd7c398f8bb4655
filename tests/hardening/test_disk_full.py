#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Full disks through the real executable (issue 14): the output directory
on a small tmpfs of several sizes, at 1, 2 and 4 ranks, so that the space
runs out at each kind of write (the files of the start, the trajectory, a
checkpoint); and a write that fails on one rank only (strace injects
ENOSPC), where parallel HDF5 itself can wait for ever. Each run must end in
bounded time with exit 3, a message that says the disk is full, no crash
signal and no partial checkpoint left; a restart from its newest checkpoint
(in a roomy directory) must end exactly as the uninterrupted run does."""
import glob
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
DECK = weftrun.small_melt(12, """
[run]
steps = 100
[thermo]
every = 25
[checkpoint]
every = 25
keep = 2
[output]
trajectory_every = 20
""")
CRASH = ("Segmentation fault", "Signal:", "signal 11", "core dumped", "Traceback")


def launcher(np_):
    return [ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(np_)]


def last_row(out_dir):
    with open(os.path.join(out_dir, "thermo.dat")) as f:
        rows = [line for line in f if not line.startswith("#")]
    return rows[-1].split()


def used_bytes(path):
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(path, "**"), recursive=True)
               if os.path.isfile(p))


class DiskFull(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        weftrun.write_deck(cls.tmp, DECK)
        ref = os.path.join(cls.tmp, "ref")
        weftrun.run_weft(ARGS.weft, ARGS.mpiexec, ["run", "deck.toml", "-q", "--set", f"output.dir={ref}"],
                         cwd=cls.tmp)
        cls.ref_row = last_row(ref)
        cls.ref_bytes = used_bytes(ref)
        cls.mnt = os.path.join(cls.tmp, "small")
        os.makedirs(cls.mnt)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["umount", cls.mnt], capture_output=True)
        shutil.rmtree(cls.tmp)

    def mount(self, kib):
        subprocess.run(["umount", self.mnt], capture_output=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", self.mnt],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs (needs root): {r.stderr.strip()}")

    def run_into(self, out, np_, env=None, wrapper=()):
        cmd = launcher(np_) + list(wrapper) + [ARGS.weft, "run", "deck.toml", "-q",
                                               "--set", f"output.dir={out}"]
        t0 = time.monotonic()
        r = subprocess.run(cmd, cwd=self.tmp, capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, **(env or {})))
        return r, time.monotonic() - t0

    def check_failure(self, r, seconds, out, what, limit=60):
        text = r.stdout + r.stderr
        self.assertEqual(r.returncode, 3, f"{what}: exit {r.returncode}\n{text}")
        self.assertLess(seconds, limit, f"{what}: took {seconds:.1f} s")
        for c in CRASH:
            self.assertNotIn(c, text, f"{what}: crashed\n{text}")
        self.assertEqual(glob.glob(os.path.join(out, "ckpt-*.h5.part")), [],
                         f"{what}: a partial checkpoint was left")

    def restart_reproduces(self, out, np_, what):
        ckpts = sorted(glob.glob(os.path.join(out, "ckpt-*.h5")))
        if not ckpts:
            return False
        roomy = os.path.join(self.tmp, f"roomy-{np_}")
        shutil.rmtree(roomy, ignore_errors=True)
        shutil.copytree(out, roomy)
        ckpt = os.path.join(roomy, os.path.basename(ckpts[-1]))
        r = subprocess.run(launcher(np_) + [ARGS.weft, "run", "deck.toml", "-q", "--set", f"output.dir={roomy}",
                                            "--restart", ckpt], cwd=self.tmp, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, f"{what}: restart failed\n{r.stdout}{r.stderr}")
        self.assertEqual(last_row(roomy), self.ref_row, f"{what}: the restart ends differently")
        return True

    def test_small_file_systems_at_1_2_4_ranks(self):
        full_kib = self.ref_bytes // 1024
        # From too small for anything to a little short of the whole run.
        sizes = [1024, 3072, 2048 + full_kib // 2, 2048 + full_kib * 3 // 4, 2048 + full_kib - 300]
        kinds, restarts = set(), 0
        for np_ in (1, 2, 4):
            for kib in sizes:
                what = f"{kib} KiB tmpfs, {np_} ranks"
                self.mount(kib)
                out = os.path.join(self.mnt, "out")
                r, seconds = self.run_into(out, np_)
                first = next((line for line in (r.stdout + r.stderr).splitlines() if "error:" in line), "")
                print(f"{what}: exit {r.returncode} in {seconds:.1f} s; {first[:160]}", file=sys.stderr)
                if r.returncode == 0:
                    continue
                self.check_failure(r, seconds, out, what)
                text = r.stdout + r.stderr
                self.assertIn("no space left on device on", text, what)
                self.assertRegex(text, r"needs [0-9.]+ MB, [0-9.]+ MB free|keeps [0-9.]+ MB there", what)
                self.assertEqual(text.count("error: the run failed"), min(1, text.count("error: the run failed")),
                                 f"{what}: more than one rank reports the failure\n{text}")
                for kind in ("keeps", "trajectory", "ckpt-"):
                    if kind in text:
                        kinds.add(kind)
                restarts += self.restart_reproduces(out, np_, what)
        self.assertEqual(kinds, {"keeps", "trajectory", "ckpt-"}, "not every kind of write ran out of space")
        self.assertGreater(restarts, 2, "too few runs left a checkpoint to restart from")
        # The whole run fits in its size plus the reserve.
        self.mount(2048 + full_kib + 1024)
        r, _ = self.run_into(os.path.join(self.mnt, "out"), 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(last_row(os.path.join(self.mnt, "out")), self.ref_row)
        self.assertFalse(os.path.exists(os.path.join(self.mnt, "out", ".weft.reserve")))

    @unittest.skipUnless(shutil.which("strace"), "needs strace")
    def test_a_write_failing_on_one_rank_ends_the_job(self):
        # ENOSPC on the K-th pwritev of rank 1 only: the other rank may wait
        # inside parallel HDF5 for ever; the write timer ends the job.
        wrap = os.path.join(self.tmp, "enospc-on-rank-1.sh")
        with open(wrap, "w") as f:
            f.write('#!/bin/sh\nif [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then exec strace -f -qq -o /dev/null '
                    '-e inject=pwritev:error=ENOSPC:when=$INJECT_WHEN "$@"; fi\nexec "$@"\n')
        os.chmod(wrap, 0o755)
        for when in (3, 60, 120):
            out = os.path.join(self.tmp, f"inject-{when}")
            r, seconds = self.run_into(out, 2, env={"WEFT_IO_TIMEOUT": "5", "INJECT_WHEN": str(when)},
                                       wrapper=[wrap])
            what = f"ENOSPC at pwritev #{when} of rank 1"
            print(f"{what}: exit {r.returncode} in {seconds:.1f} s", file=sys.stderr)
            self.check_failure(r, seconds, out, what, limit=40)
            self.assertIn("No space left on device", r.stdout + r.stderr, what)
            self.assertRegex(r.stdout + r.stderr, r"writing .* did not complete \(waited 5 s", what)


if __name__ == "__main__":
    weftrun.unittest_main(sys.modules[__name__])

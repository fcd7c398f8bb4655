#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hardening (issue 14) through the real executable: keys that do what they
say (thermo.columns, decomposition.grid zeros, --dry-run on the output
directory), outputs that never replace an input, and neighbour defaults that
conserve energy (LAMMPS's own: every 1, check yes)."""
import os
import shlex
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


class Hardening(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def weft(self, *args, np_=1, check=True):
        return weftrun.run_weft(ARGS.weft, ARGS.mpiexec, list(args), np_=np_, cwd=self.tmp, check=check)

    def deck(self, cells=4, extra="", name="deck.toml"):
        return weftrun.write_deck(self.tmp, weftrun.small_melt(cells, "[run]\nsteps = 20\n" + extra), name)

    def test_neighbor_defaults_conserve_energy(self):
        # 2048 atoms of the in.lj liquid with shifted energies (no jumps at
        # the cutoff), 20 tau: the total energy per atom drifts by ~1.5e-3
        # per 1000 tau with the defaults and by ~-2.6e-2 with bench/in.lj's
        # every 20 / check no, as in LAMMPS.
        self.deck(8, "[pair]\nshift = true\n[thermo]\nevery = 20\n")
        slopes = {}
        for name, sets in (("defaults", []), ("in.lj", ["neighbor.every=20", "neighbor.check=false"])):
            args = ["run", "deck.toml", "-q", "--set", "run.steps=4000", "--set", f"output.dir={name}"]
            for s in sets:
                args += ["--set", s]
            self.weft(*args)
            d = np.loadtxt(os.path.join(self.tmp, name, "thermo.dat"))
            t, e = d[:, 1], d[:, 5]
            keep = t >= 2.0
            slopes[name] = np.polyfit(t[keep], e[keep], 1)[0] * 1000
        self.assertLess(abs(slopes["defaults"]), 5e-3, slopes)
        self.assertLess(slopes["in.lj"], -1e-2, slopes)  # the test can tell them apart
        with open(os.path.join(self.tmp, "defaults", "deck.toml")) as f:
            text = f.read()
        self.assertIn("every = 1\ncheck = true", text)

    def test_thermo_columns_choose_the_table(self):
        self.deck(4, '[thermo]\nevery = 10\ncolumns = ["step", "pe", "temp", "atoms"]\n')
        r = self.weft("run", "deck.toml", "--set", "output.dir=o")
        rows = np.loadtxt(os.path.join(self.tmp, "o", "thermo.dat"))
        with open(os.path.join(self.tmp, "o", "thermo.dat")) as f:
            header = [l for l in f if l.startswith("#")][-1].split()
        self.assertEqual(header, ["#", "Step", "PotEng", "Temp", "Atoms"])
        self.assertIn(" ".join(["Step", "PotEng", "Temp", "Atoms"]), " ".join(r.stdout.split()))
        with h5py.File(os.path.join(self.tmp, "o", "thermo.h5"), "r") as f:
            o = f["observables"]
            np.testing.assert_array_equal(rows[:, 0], o["potential_energy/step"][()])
            np.testing.assert_allclose(rows[:, 1], o["potential_energy/value"][()], rtol=1e-7)
            np.testing.assert_allclose(rows[:, 2], o["temperature/value"][()], rtol=1e-7)
            np.testing.assert_array_equal(rows[:, 3], o["atoms/value"][()])
            self.assertIn("pressure", o)  # thermo.h5 keeps every quantity
        self.deck(4, '[thermo]\ncolumns = ["step", "pe", "pe"]\n', "twice.toml")
        r = self.weft("check", "twice.toml", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn('"pe" is given twice in thermo.columns', r.stderr)

    def test_grid_zeros_are_chosen_automatically(self):
        self.deck(6, "[decomposition]\ngrid = [0, 0, 2]\n")
        r = self.weft("run", "deck.toml", "--set", "output.dir=o", np_=2)
        self.assertIn("grid 1x1x2", r.stdout)
        r = self.weft("run", "deck.toml", "--set", "output.dir=o3", "--set", "decomposition.grid=[0,0,3]",
                      np_=2, check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("does not divide", r.stderr)

    def test_dry_run_checks_the_output_directory(self):
        self.deck()
        self.weft("run", "deck.toml", "--set", "output.dir=o")
        r = self.weft("run", "deck.toml", "--set", "output.dir=o", "--dry-run", check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("holds the results of an earlier run", r.stderr)
        r = self.weft("run", "deck.toml", "--set", "output.dir=new", "--dry-run")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "new")))

    def test_outputs_never_replace_an_input(self):
        path = self.deck()
        with open(path) as f:
            before = f.read()
        r = self.weft("run", "deck.toml", "--set", "output.dir=.", "--set", "output.overwrite=true",
                      check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("would overwrite the input file", r.stderr)
        with open(path) as f:
            self.assertEqual(f.read(), before)

    def test_set_of_a_table_merges_its_keys(self):
        self.deck(4)
        r = self.weft("check", "deck.toml", "--set", 'lattice={style="sc"}')
        self.assertIn('style = "sc"', r.stdout)
        self.assertIn("cells = [4, 4, 4]", r.stdout)  # kept, not reset to the default

    def start(self, args, np_):
        cmd = [ARGS.weft, *args]
        if np_ > 1:
            cmd = [ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(np_)] + cmd
        return subprocess.Popen(cmd, cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)

    def ranks_of(self, p, np_, timeout=60):
        """The pids of the weft ranks of a started run (once all exist)."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            out = subprocess.run(["pgrep", "-f", f"^{ARGS.weft} run"], capture_output=True, text=True).stdout
            pids = [int(x) for x in out.split() if int(x) != p.pid or np_ == 1]
            if len(pids) >= np_:
                return pids
            time.sleep(0.05)
        self.fail("the ranks did not start")

    def test_every_stop_signal_checkpoints_and_the_printed_command_continues(self):
        # HUP, USR2, INT, TERM, USR1 to the ranks: a checkpoint and exit 75;
        # the printed continuation (launcher, ranks, every --set) runs.
        self.deck(6)
        for k, sig in enumerate((signal.SIGHUP, signal.SIGUSR2, signal.SIGINT, signal.SIGTERM, signal.SIGUSR1)):
            out = f"s{k}"
            p = self.start(["run", "deck.toml", "--set", "run.steps=10000000", "--set", f"output.dir={out}",
                            "--set", 'thermo.columns=["step", "pe"]'], 2)
            pids = self.ranks_of(p, 2)
            time.sleep(1.0)
            for pid in pids:
                os.kill(pid, sig)
            text, _ = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 75, f"{sig.name}: {text}")
            self.assertIn(f"stopped by signal {int(sig)} ({sig.name})", text)
            self.assertEqual(text.count("Continue with"), 1, text)  # one message, from rank 0
            ckpts = [f for f in os.listdir(os.path.join(self.tmp, out)) if f.startswith("ckpt-")]
            self.assertEqual(len(ckpts), 1)
        command = text.splitlines()[text.splitlines().index(next(l for l in text.splitlines()
                                                                   if "Continue with" in l)) + 1]
        words = shlex.split(command)
        self.assertIn("--oversubscribe", words)  # the launcher as used
        self.assertIn('thermo.columns=["step", "pe"]', words)
        self.assertEqual(words[-2:], ["--restart", os.path.join(out, ckpts[0])])
        words[words.index("run.steps=10000000")] = "run.steps=" + str(int(ckpts[0][5:15]) + 20)
        r = subprocess.run(words, cwd=self.tmp, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Continuing from", r.stdout)

    def test_signal_during_set_up_stops_with_a_checkpoint(self):
        self.deck(40)  # 256000 atoms: set-up takes a while
        p = self.start(["run", "deck.toml", "--set", "output.dir=early", "--set", "run.steps=100000"], 1)
        # The banner's placement line comes out (flushed) before the set-up
        # (~0.2 s on a fast machine, where a fixed sleep of 0.3 s missed it):
        # the signal is sent as soon as it is read.
        head = ""
        for line in p.stdout:
            head += line
            if "rank 0 on" in line:
                break
        p.send_signal(signal.SIGINT)
        text, _ = p.communicate(timeout=300)
        text = head + text
        self.assertEqual(p.returncode, 75, text)
        self.assertIn("stopped by signal 2 (SIGINT) after step 0", text)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "early", "ckpt-0000000000.h5")))

    def test_restart_compares_every_key_of_the_system(self):
        # lattice.cells was not compared: deck.toml then recorded a system
        # that did not match the atoms. Outputs and run length may change.
        self.deck(5, "[checkpoint]\nevery = 10\n")
        self.weft("run", "deck.toml", "--set", "output.dir=o")
        r = self.weft("run", "deck.toml", "--restart", "o/ckpt-0000000010.h5", "--set",
                      "lattice.cells=[6,6,6]", "--set", "run.steps=30", check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("lattice.cells: the checkpoint's run had [5, 5, 5], the deck has [6, 6, 6]",
                      r.stderr)
        r = self.weft("run", "deck.toml", "--restart", "o/ckpt-0000000020.h5", "--set", "run.steps=30",
                      "--set", "thermo.every=5", "--set", "runtime.threads=1")
        self.assertIn("Continuing from", r.stdout)

    def test_log_txt_and_no_escape_codes_in_a_file(self):
        # mpirun gives its ranks a pseudo-terminal even when its own output
        # goes to a file: the live progress line must not go there.
        self.deck(6, "[output]\nprogress_seconds = 1\n")
        with open(os.path.join(self.tmp, "screen.txt"), "w") as screen:
            subprocess.run([ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", "2", ARGS.weft,
                            "run", "deck.toml", "--set", "output.dir=o", "--set", "run.steps=200"],
                           cwd=self.tmp, stdout=screen, stderr=subprocess.STDOUT, check=True, timeout=300)
        with open(os.path.join(self.tmp, "screen.txt")) as f:
            screen = f.read()
        self.assertNotIn("\x1b", screen)
        self.assertNotIn("\r", screen)
        self.assertIn("progress: step 200/200", screen)
        with open(os.path.join(self.tmp, "o", "log.txt")) as f:
            log = f.read()
        for text in ("2 ranks", "Resolved deck", "Step           Time", "Loop time of", "Outputs in"):
            self.assertIn(text, log)
        self.assertNotIn("\x1b", log)

    def test_a_directory_in_use_is_refused_and_orphans_stop(self):
        # A second run into the directory of a live run is refused, naming
        # the processes; after `kill -9` of mpirun alone the ranks notice
        # within seconds, checkpoint and end; the directory is then free.
        self.deck(6)
        p = self.start(["run", "deck.toml", "--set", "run.steps=10000000", "--set", "output.dir=o"], 2)
        pids = self.ranks_of(p, 2)
        deadline = time.time() + 60
        while not os.path.exists(os.path.join(self.tmp, "o", "thermo.dat")) and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        r = self.weft("run", "deck.toml", "--set", "output.dir=o", "--set", "output.overwrite=true",
                      check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("is in use by a run that is still alive (held by 2 ranks", r.stderr)
        for pid in pids:
            self.assertIn(f":{pid}", r.stderr)
        p.kill()  # mpirun alone
        p.wait()
        t0 = time.time()
        while any(os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z"
                  for pid in pids) and time.time() - t0 < 30:
            time.sleep(0.1)
        self.assertLess(time.time() - t0, 10, "orphaned ranks kept running")
        ckpts = sorted(f for f in os.listdir(os.path.join(self.tmp, "o")) if f.startswith("ckpt-"))
        self.assertTrue(ckpts, "the orphans wrote no checkpoint")
        step = int(ckpts[-1][5:15])
        r = self.weft("run", "deck.toml", "--restart", f"o/{ckpts[-1]}", "--set", f"run.steps={step + 10}")
        self.assertIn("Continuing from", r.stdout)

    def test_check_takes_several_decks(self):
        inputs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "inputs")
        decks = sorted(os.path.join(inputs, n) for n in os.listdir(inputs) if n.endswith(".toml"))
        r = self.weft("check", *decks)
        self.assertEqual(r.stdout.splitlines(), [f"{d}: valid" for d in decks])
        bad = weftrun.write_deck(self.tmp, "[lattice]\nstyle = \"fcc\"\n", "bad.toml")
        r = self.weft("check", decks[0], bad, decks[-1], check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stdout.splitlines(), [f"{decks[0]}: valid", f"{decks[-1]}: valid"])
        self.assertIn(f"{bad}: error: run.steps: missing required key", r.stderr)
        self.assertIn("1 of 3 decks are not valid", r.stderr)
        r = self.weft("check", decks[0])  # one deck: printed resolved
        self.assertIn("valid. The resolved deck", r.stdout)


if __name__ == "__main__":
    weftrun.unittest_main(sys.modules[__name__])

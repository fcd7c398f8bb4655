#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Kill -9 at random moments and restart (ctest events.kill.np<N>): a seeded
tools/make-events data set (CRLF, quoted newlines, malformed rows), run
once without a kill (ingest before step 1, no checkpoints) and once as a
chain of segments with events.ingest_steps parts and a checkpoint after
every step, each segment killed by SIGKILL to its whole process group
(mpirun and its ranks: the launcher's session) and continued with `--restart DIR` (the newest
complete checkpoint). The kills, in order:

  1. before the first checkpoint: `--restart DIR` says there is nothing to
     restart from (exit 2); a plain run into the directory is refused
     (exit 2: not mixed with the killed run's files); with
     output.overwrite=true it starts again;
  2. inside the ingest: a random delay after the checkpoint of a random
     ingest step;
  3. while a checkpoint is written (its .part exists): the restart takes
     the newest complete one, never the .part;
  4. inside the later stages (shuffle, aggregate, detect, write): a random
     delay after the checkpoint of a random step from the ingest's last on.

Moments come from random.Random(seed) (printed, with where each kill
landed). The segments alternate the schedulers. After the last segment
every CSV export and every table of events.h5 equals the uninterrupted
run's exactly (bytes; HDF5 datasets value by value, bit for bit).

  test_kill.py --weft W --mpiexec M --gen G --np N [--rows R] [--seed S]
"""
import argparse
import glob
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

import h5py

FAILURES = []
TABLES = ["aggregates.csv", "per_day.csv", "flags.csv", "quarantine.csv"]
GROUPS = ["aggregates", "per_day", "flags", "flag_events", "quarantine"]
INGEST_STEPS = 6
STAGES = 4  # shuffle, aggregate, detect, write


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        FAILURES.append(what)


def command(args, deck, sets):
    cmd = [args.weft, "run", deck, *sum((["--set", s] for s in sets), [])]
    if args.np > 1:
        cmd = [args.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(args.np)] + cmd
    return cmd


def run(args, deck, sets, restart=None):
    """Runs to the end; returns (exit code, stdout + stderr)."""
    cmd = command(args, deck, sets) + (["--restart", restart] if restart else [])
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def last_step(out):
    """The step of thermo.dat's last row (-1: none yet)."""
    try:
        with open(os.path.join(out, "thermo.dat")) as f:
            rows = [line.split() for line in f if line.strip() and not line.startswith("#")]
        return int(rows[-1][0]) if rows else -1
    except (OSError, ValueError, IndexError):
        return -1


def checkpoints(out):
    """Complete checkpoints by step (a .part is not one)."""
    return sorted(int(re.search(r"ckpt-(\d+)\.h5$", p).group(1)) for p in glob.glob(os.path.join(out, "ckpt-*.h5")))


def killed_segment(args, deck, sets, restart, until, delay):
    """Starts a segment in its own process group, waits until `until()` is
    true (polled every 2 ms), sleeps `delay` s and kills the whole group with
    SIGKILL. Returns False when the segment ended before the kill."""
    cmd = command(args, deck, sets) + (["--restart", restart] if restart else [])
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    t0 = time.monotonic()
    while not until() and p.poll() is None and time.monotonic() - t0 < 60:
        time.sleep(0.002)
    if delay > 0 and p.poll() is None:
        time.sleep(delay)
    if p.poll() is not None:
        print(f"     the segment ended (exit {p.returncode}) before the kill:\n{p.stdout.read().decode()}")
        return False
    # Open MPI gives each rank a process group of its own (in mpirun's
    # session): SIGKILL to every process of the session, ranks first (a
    # rank outliving mpirun would stop cleanly with a checkpoint).
    victims = session(p.pid)
    for pid in sorted(victims, key=lambda q: q == p.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.wait()
    p.stdout.close()
    print(f"     killed {len(victims)} process(es) at {time.monotonic() - t0:.3f} s after the start", flush=True)
    for _ in range(500):
        if not session(p.pid):
            break
        time.sleep(0.01)
    check(not session(p.pid), "no process of the killed run is left")
    return True


def session(sid):
    """The live processes of session `sid` (the test's own launcher's)."""
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid and fields[0] != "Z":
                    pids.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return pids


def stage_of(step):
    if step <= INGEST_STEPS:
        return f"ingest part {step} of {INGEST_STEPS}"
    return ["shuffle", "aggregate", "detect", "write"][step - INGEST_STEPS - 1]


def landed(out):
    """Says where the kill landed; checks every complete checkpoint reads."""
    done, steps = last_step(out), checkpoints(out)
    parts = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out, "ckpt-*.h5.part")))
    if f"ckpt-{done:010d}.h5.part" in parts:
        where = f"while ckpt-{done:010d}.h5 was written"
    elif done == INGEST_STEPS + STAGES:
        where = "after the last step's row (writing events.h5 and the CSV tables, or the last checkpoint)"
    else:
        where = f"after step {done}'s row: its checkpoint or step {done + 1} ({stage_of(done + 1)})"
    print(f"     landed {where}; complete checkpoints {steps}, unfinished {parts}", flush=True)
    for s in steps:
        with h5py.File(os.path.join(out, f"ckpt-{s:010d}.h5"), "r") as f:
            check(int(f["checkpoint"].attrs["step"]) == s, f"ckpt-{s:010d}.h5 is complete and readable")
    return steps


def restart_from(args, deck, out, sets, want_step):
    """`--restart DIR` continues from the newest complete checkpoint: the
    one of `want_step`. Returns the --restart argument."""
    code, text = run(args, deck, sets + ["runtime.scheduler=openmp", "run.steps=" + str(want_step)], out)
    # run.steps = the checkpoint's step: the run only finishes, so this
    # probes which checkpoint --restart DIR takes without running further.
    m = re.search(r"Continuing from (\S+) at step (\d+)", text)
    check(m is not None and int(m.group(2)) == want_step,
          f"--restart {os.path.basename(out)} continues from the newest complete checkpoint (step {want_step})")
    return out


def same_outputs(ref, out, what):
    for t in TABLES:
        with open(os.path.join(ref, t), "rb") as a, open(os.path.join(out, t), "rb") as b:
            check(a.read() == b.read(), f"{what}: {t} equals the uninterrupted run's")
    with h5py.File(os.path.join(ref, "events.h5"), "r") as a, h5py.File(os.path.join(out, "events.h5"), "r") as b:
        for g in GROUPS:
            names = sorted(a[g].keys())
            check(names == sorted(b[g].keys()), f"{what}: events.h5 /{g} has the same datasets")
            for n in names:
                x, y = a[g][n][()], b[g][n][()]
                check(x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(),
                      f"{what}: events.h5 /{g}/{n} ({x.shape[0]} rows) equal bit for bit")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--mpiexec", required=True)
    p.add_argument("--gen", required=True)
    p.add_argument("--np", type=int, default=1)
    p.add_argument("--rows", type=int, default=300000)
    p.add_argument("--seed", type=int, default=int(os.environ.get("WEFT_KILL_SEED", 1313)))
    args = p.parse_args()
    rng = random.Random(args.seed * 10 + args.np)
    print(f"seed {args.seed} (WEFT_KILL_SEED), np {args.np}, {args.rows} rows", flush=True)
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="weft-kill-")
    data = os.path.join(tmp, "tx.csv")
    subprocess.run([args.gen, "--rows", str(args.rows), "--seed", str(args.seed), "--out", data,
                    "--keys", "10000", "--malformed", "0.01", "--crlf"], check=True, capture_output=True)
    deck = os.path.join(tmp, "deck.toml")
    with open(deck, "w") as f:
        f.write(f'application = "events"\n[events]\ndomain = "transactions"\ninputs = ["{data}"]\n'
                f'rates = "{data[:-4]}.rates.csv"\nmax_bad_fraction = 0.5\n'
                "[rules.velocity]\nenabled = true\ncount = 10\nwindow = 3600\n"
                "[rules.zscore]\nenabled = true\nk = 50\nmin_history = 20\n"
                "[output]\ncsv = true\n[checkpoint]\nat_end = false\n")
    ref = os.path.join(tmp, "ref")
    t0 = time.monotonic()
    code, text = run(args, deck, [f"output.dir={ref}", "runtime.scheduler=openmp"])
    check(code == 0, f"the uninterrupted run ({time.monotonic() - t0:.2f} s) ends with exit 0\n{text if code else ''}")
    if code:
        return

    last = INGEST_STEPS + STAGES
    print("kill 1: before the first checkpoint (as soon as thermo.dat has its step 0 row)", flush=True)
    for attempt in range(3):  # a loaded machine may let the first part end before the kill
        out = os.path.join(tmp, f"out{attempt}")
        chain = [f"output.dir={out}", f"events.ingest_steps={INGEST_STEPS}", "checkpoint.every=1",
                 "checkpoint.keep=2"]
        fibers, openmp = chain + ["runtime.scheduler=fibers"], chain + ["runtime.scheduler=openmp"]
        killed = killed_segment(args, deck, fibers, None, lambda: last_step(out) >= 0, 0)
        if killed and not landed(out):
            break
        print("     the kill fell after the first checkpoint: again, in a new directory", flush=True)
    check(killed and not checkpoints(out), "kill 1 fell before the first checkpoint")
    code, text = run(args, deck, fibers, out)
    check(code == 2 and "nothing to restart from" in text,
          f"--restart DIR without a checkpoint: exit 2, nothing to restart from ({text.strip()[:200]})")
    code, text = run(args, deck, fibers)
    check(code == 2 and "holds the results of an earlier run" in text,
          "a plain run into the killed run's directory is refused (exit 2), not mixed with it")

    k = rng.randint(1, INGEST_STEPS - 1)
    delay = rng.uniform(0, 0.15)
    print(f"kill 2: inside the ingest, {delay:.3f} s after ckpt-{k:010d}.h5 (a fresh run, overwrite=true)",
          flush=True)
    killed = killed_segment(args, deck, openmp + ["output.overwrite=true"], None,
                            lambda: k in checkpoints(out), delay)
    steps = landed(out) if killed else []
    check(killed and steps and steps[-1] < INGEST_STEPS, "kill 2 landed inside the ingest, after a checkpoint")
    if not steps:
        return
    restart = restart_from(args, deck, out, openmp, steps[-1])

    k = rng.randint(steps[-1] + 1, last - 2)
    print(f"kill 3: while ckpt-{k:010d}.h5 is written", flush=True)
    part = os.path.join(out, f"ckpt-{k:010d}.h5.part")
    for old in glob.glob(os.path.join(out, "ckpt-*.h5.part")):
        os.remove(old)  # a leftover of an earlier kill would end the wait at once
    killed = killed_segment(args, deck, fibers, restart, lambda: os.path.exists(part), 0)
    if killed:
        steps = landed(out)
        if os.path.exists(part):
            check(k not in steps, f"the unfinished ckpt-{k:010d}.h5.part is not taken as a checkpoint")
        else:
            print(f"     (the write of step {k} ended between its .part appearing and the kill)")
        restart = restart_from(args, deck, out, fibers, steps[-1])

    k = rng.randint(max(INGEST_STEPS, steps[-1] + 1), last - 1)
    delay = rng.uniform(0, 0.05)
    print(f"kill 4: after the ingest, {delay:.3f} s after ckpt-{k:010d}.h5", flush=True)
    killed = killed_segment(args, deck, openmp, restart, lambda: k in checkpoints(out), delay)
    if killed:
        steps = landed(out)
        check(steps[-1] >= INGEST_STEPS, "kill 4 landed after the ingest")
        restart = restart_from(args, deck, out, openmp, steps[-1])

    print("the last segment runs to the end", flush=True)
    code, text = run(args, deck, fibers, restart)
    check(code == 0, f"the last segment ends with exit 0\n{text if code else ''}")
    check(last_step(out) == last, f"thermo.dat ends at step {last}")
    same_outputs(ref, out, f"np {args.np}, after the kills")
    print(f"{time.monotonic() - started:.1f} s", flush=True)
    if not FAILURES:
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
    if FAILURES:
        print(f"FAIL: {len(FAILURES)} check(s) failed", flush=True)
        sys.exit(1)

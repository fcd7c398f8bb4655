#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""weft's job scripts (jobs/) against a real Slurm (tests/slurm/cluster.sh start).

  test_slurm.py --weft build/bin/weft --root . --work DIR CHECK
  CHECK: run | chain | walltime | sweep | bad-input | retries

run        sbatch jobs/run.sbatch inputs/lj-melt.toml on 2 tasks equals a direct mpirun -np 2
chain      a chain interrupted twice by USR1 finishes bit-identical to an uninterrupted run
walltime   #SBATCH --signal with a 1-minute limit really interrupts a run, which completes
sweep      a 3-temperature job array completes; tools/sweep-table gives three rows
bad-input  a missing deck and a box too small for 8 ranks fail within seconds, not requeued
retries    a run that keeps failing (exit 3) is retried a bounded number of times, then stops

Every wait has a deadline; on failure the job's output file is printed and the job is
cancelled. Slurm delays a requeued job by about two minutes (BeginTime); to keep the
tests short they set such a job's start time to now (`scontrol update StartTime=now`),
which only shortens the wait the scripts would otherwise sit out.
"""
import argparse
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import time

import h5py
import numpy as np

SMALL_DECK = """# 500 atoms: fcc 5x5x5 cells
[lattice]
cells = [5, 5, 5]

[velocity]
temperature = 1.44
seed = 87287

[run]
steps = {steps}

[thermo]
every = {thermo}
"""


class Fail(Exception):
    pass


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sh(cmd, timeout=60, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise Fail(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r


class Ctx:
    def __init__(self, a):
        self.weft = os.path.abspath(a.weft)
        self.root = os.path.abspath(a.root)
        self.work = os.path.abspath(a.work)
        self.jobs = []
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.env = dict(os.environ, WEFT_BIN=self.weft)
        self.env.pop("WEFT_NUM_THREADS", None)

    def deck(self, name, steps, thermo=50):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(SMALL_DECK.format(steps=steps, thermo=thermo))
        return path

    def sbatch(self, *args, env=None):
        r = sh(["sbatch", "--parsable", *args], cwd=self.work, env=env or self.env)
        jid = r.stdout.strip().split(";")[0]
        self.jobs.append(jid)
        log(f"submitted job {jid}: sbatch {' '.join(args)}")
        return jid

    def mpirun(self, np_, *args, timeout=300):
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(np_), self.weft, *args]
        env = dict(self.env, WEFT_NUM_THREADS="1")
        t0 = time.time()
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.work, env=env)
        if r.returncode != 0:
            raise Fail(f"direct run failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
        log(f"direct mpirun -np {np_} took {time.time() - t0:.1f} s")

    def cancel_all(self):
        for j in self.jobs:
            subprocess.run(["scancel", j], capture_output=True, timeout=30)


def squeue(jid):
    """[(job id, state, reason)] of the job's (or array's) pending/running parts."""
    r = sh(["squeue", "-h", "-j", jid, "-o", "%i|%T|%r"], check=False)
    if r.returncode != 0:
        return []  # finished jobs drop out of squeue ("Invalid job id" once purged)
    return [tuple(line.split("|")) for line in r.stdout.split() if line]


def job_info(jid):
    r = sh(["scontrol", "show", "job", "-o", jid])
    out = []
    for line in r.stdout.splitlines():
        out.append(dict(m.groups() for m in re.finditer(r"(\S+?)=(\S*)", line)))
    return out


PENDING_SINCE = {}


def nudge_requeued(parts):
    """Starts a requeued job soon instead of after Slurm's ~2 minute BeginTime delay. Not
    at once: slurmd refuses to start a job again in the second its credential was revoked
    ("Job credential revoked"), and the old instance's steps must be gone."""
    for jid, state, reason in parts:
        if state == "PENDING" and reason == "BeginTime":
            since = PENDING_SINCE.setdefault(jid, time.time())
            if time.time() - since >= 4:
                log(f"job {jid} requeued, waiting for BeginTime: starting it now")
                sh(["scontrol", "update", f"jobid={jid}", "starttime=now"], check=False)
                PENDING_SINCE.pop(jid, None)
        else:
            PENDING_SINCE.pop(jid, None)


def wait_done(jid, deadline_s, nudge=True):
    t_end = time.time() + deadline_s
    while time.time() < t_end:
        parts = squeue(jid)
        if not parts:
            return job_info(jid)
        if nudge:
            nudge_requeued(parts)
        time.sleep(0.5)
    raise Fail(f"job {jid} not finished after {deadline_s} s: {squeue(jid)}")


def wait_for(what, pred, deadline_s, jid=None):
    """Waits until pred() holds. Time the job spends pending (waiting for the node while
    other tests load the machine) does not count, up to 5 more minutes."""
    t_end = time.time() + deadline_s
    t_cap = t_end + 300
    parts = []
    while time.time() < t_end:
        if pred():
            return
        if jid:
            parts = squeue(jid)
            nudge_requeued(parts)
            if parts and all(state == "PENDING" for _, state, _ in parts):
                t_end = min(t_cap, t_end + 0.3)
        time.sleep(0.3)
    raise Fail(f"timed out after {deadline_s} s waiting for {what}"
               + (f" (job state: {parts})" if jid else ""))


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def h5_datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def assert_h5_equal(a, b, skip=("parameters/deck",)):
    """Every dataset of two HDF5 files equal to the bit (the resolved deck differs in
    output.dir, so it is skipped)."""
    da, db = h5_datasets(a), h5_datasets(b)
    keys = sorted(k for k in set(da) | set(db) if k not in skip)
    if set(da) - set(skip) != set(db) - set(skip):
        raise Fail(f"{a} and {b} hold different datasets: {sorted(set(da) ^ set(db))}")
    for k in keys:
        x, y = np.asarray(da[k]), np.asarray(db[k])
        if x.shape != y.shape or x.dtype != y.dtype:
            raise Fail(f"{k}: shape/dtype {x.shape}/{x.dtype} vs {y.shape}/{y.dtype} ({a} vs {b})")
        if x.tobytes() != y.tobytes():
            diff = np.max(np.abs(x.astype(float) - y.astype(float))) if x.dtype.kind in "fiu" else "?"
            raise Fail(f"{k} differs between {a} and {b} (max |diff| {diff})")
    return len(keys)


def final_ckpt(d):
    c = sorted(glob.glob(os.path.join(d, "ckpt-" + "[0-9]" * 10 + ".h5")))
    if not c:
        raise Fail(f"no checkpoint in {d}")
    return c[-1]


def expect_state(info, state, exit_code, jid, outfile):
    got = (info.get("JobState"), info.get("ExitCode"))
    if got != (state, exit_code):
        raise Fail(f"job {jid}: state {got}, expected ({state}, {exit_code})\n--- {outfile}:\n{read(outfile)[-4000:]}")


def check_run(c):
    """sbatch on 2 tasks == direct mpirun -np 2, thermo and final checkpoint to the bit."""
    deck = os.path.join(c.root, "inputs", "lj-melt.toml")
    sets = ["--set", "lattice.cells=[5,5,5]", "--set", "run.steps=300"]
    jid = c.sbatch("-n", "2", "-t", "10", os.path.join(c.root, "jobs", "run.sbatch"), deck, *sets)
    info = wait_done(jid, 120)[0]
    outfile = os.path.join(c.work, f"weft-{jid}.out")
    expect_state(info, "COMPLETED", "0:0", jid, outfile)
    text = read(outfile)
    out = os.path.join(c.work, "out", f"lj-melt-{jid}")
    for needle in (f"deck:     {deck}", "layout:   2 ranks", f"output:   {out}", "run complete"):
        if needle not in text:
            raise Fail(f"job log lacks '{needle}':\n{text[-3000:]}")
    ref = os.path.join(c.work, "direct")
    c.mpirun(2, "run", deck, *sets, "--set", f"output.dir={ref}", "-q")
    n = assert_h5_equal(os.path.join(out, "thermo.h5"), os.path.join(ref, "thermo.h5"))
    m = assert_h5_equal(final_ckpt(out), final_ckpt(ref))
    if os.path.basename(final_ckpt(out)) != "ckpt-0000000300.h5":
        raise Fail(f"unexpected final checkpoint {final_ckpt(out)}")
    log(f"sbatch run equals direct mpirun: {n} thermo and {m} checkpoint datasets identical")


def max_thermo_step(path):
    last = -1
    for line in read(path).splitlines():
        parts = line.split()
        if parts and parts[0].isdigit():
            last = max(last, int(parts[0]))
    return last


def check_chain(c):
    """A chain stopped twice by USR1 ends bit-identical to an uninterrupted run."""
    steps = 30000
    deck = c.deck("chain.toml", steps, thermo=250)
    ref = os.path.join(c.work, "direct")
    c.mpirun(2, "run", deck, "--set", f"output.dir={ref}", "-q")
    jid = c.sbatch("-n", "2", "-t", "10", os.path.join(c.root, "jobs", "run.sbatch"), deck)
    out = os.path.join(c.work, "out", f"chain-{jid}")
    outfile = os.path.join(c.work, f"weft-{jid}.out")
    chain_log = os.path.join(out, "chain.log")
    try:
        stop_step = 0
        for seg in (1, 2):
            wait_for(f"segment {seg} to start", lambda: f"segment {seg} starts" in read(chain_log), 90, jid)
            # Let it make progress beyond the previous stop before interrupting it.
            target = stop_step + 1500
            wait_for(f"segment {seg} to pass step {target}",
                     lambda: max_thermo_step(os.path.join(out, "thermo.dat")) >= target, 60, jid)
            log(f"segment {seg} at step {max_thermo_step(os.path.join(out, 'thermo.dat'))}: scancel --signal=USR1 --batch")
            sh(["scancel", "--signal=USR1", "--batch", jid])
            wait_for(f"segment {seg} to stop with 75",
                     lambda: re.search(rf"segment {seg} exit 75, newest checkpoint step (\d+)", read(chain_log)), 60, jid)
            stop_step = int(re.search(rf"segment {seg} exit 75, newest checkpoint step (\d+)", read(chain_log)).group(1))
            log(f"segment {seg} stopped at step {stop_step} with a checkpoint")
            if stop_step >= steps:
                raise Fail("the run ended before it could be interrupted; make it longer")
        info = wait_done(jid, 180)[0]
    finally:
        print(read(chain_log), end="")
    expect_state(info, "COMPLETED", "0:0", jid, outfile)
    if read(chain_log).count("exit 75") < 2 or "segment 3 exit 0" not in read(chain_log):
        raise Fail(f"expected 2 interrupted segments then a complete one:\n{read(chain_log)}")
    if "status=complete" not in read(os.path.join(out, "chain.state")):
        raise Fail("chain.state does not say complete")
    final = final_ckpt(out)
    if not final.endswith(f"ckpt-{steps:010d}.h5"):
        raise Fail(f"final checkpoint is {final}")
    n = assert_h5_equal(final, final_ckpt(ref))
    m = assert_h5_equal(os.path.join(out, "thermo.h5"), os.path.join(ref, "thermo.h5"))
    log(f"chain of 3 segments (job restarted {info.get('Restarts')} times) is bit-identical to the "
        f"uninterrupted run: {n} checkpoint and {m} thermo datasets")


def check_walltime(c):
    """The real time-limit signal: with --signal=B:USR1@50 and a 1-minute limit Slurm sends
    USR1 10-40 s into the job; weft checkpoints, the job requeues itself and the next
    segment continues from that checkpoint. Then a plain scancel (TERM) stops the chain
    with a checkpoint and no requeue."""
    steps = 10_000_000  # far more than fits: only the signals end the segments
    deck = c.deck("walltime.toml", steps, thermo=1000)
    jid = c.sbatch("-n", "2", "-t", "1", "--signal=B:USR1@50", os.path.join(c.root, "jobs", "run.sbatch"), deck)
    out = os.path.join(c.work, "out", f"walltime-{jid}")
    chain_log = os.path.join(out, "chain.log")
    outfile = os.path.join(c.work, f"weft-{jid}.out")
    # Slurm may send the warning up to 60 s early (sbatch(1)): right at the start of a
    # segment the script requeues without starting weft, and a later segment is the one
    # that weft stops. (Before run.sbatch trapped USR1 first thing, such an early signal
    # killed the batch script: "died by signal: 10", JobLaunchFailure, ~1 CI run in 10.)
    pat = r"segment (\d+) exit 75, newest checkpoint step (\d+)"
    try:
        wait_for("the time-limit signal to stop a segment", lambda: re.search(pat, read(chain_log)), 180, jid)
    except Fail as e:
        raise Fail(f"{e}\njob: {job_info(jid)}\nchain.log:\n{read(chain_log)[-2000:]}\n"
                   f"{outfile}:\n{read(outfile)[-3000:]}") from None
    m = re.search(pat, read(chain_log))
    seg, stop = int(m.group(1)), int(m.group(2))
    log(f"Slurm's time-limit warning stopped segment {seg} at step {stop}")
    wait_for(f"segment {seg + 1} to start from that checkpoint",
             lambda: f"segment {seg + 1} starts from ckpt-{stop:010d}.h5" in read(chain_log), 60, jid)
    wait_for(f"segment {seg + 1} to make progress",
             lambda: max_thermo_step(os.path.join(out, "thermo.dat")) >= stop + 2000, 60, jid)
    sh(["scancel", jid])
    info = wait_done(jid, 60, nudge=False)[0]
    print(read(chain_log), end="")
    text = read(outfile)
    if info.get("JobState") != "CANCELLED" or "status=stopped" not in read(os.path.join(out, "chain.state")) \
            or "terminated with a checkpoint written; continue with: sbatch" not in text:
        raise Fail(f"after scancel: state {info.get('JobState')}, chain.state "
                   f"{read(os.path.join(out, 'chain.state'))!r}\n{text[-3000:]}")
    last = int(re.search(rf"segment {seg + 1} exit 75, newest checkpoint step (\d+)", read(chain_log)).group(1))
    if last <= stop:
        raise Fail(f"segment {seg + 1} did not checkpoint beyond step {stop} on scancel")
    log(f"segment {seg + 1} continued from step {stop}; scancel stopped it with a checkpoint at step {last}, no requeue")


def check_sweep(c):
    """A 3-temperature array completes; sweep-table gives three rows and a PNG."""
    deck = c.deck("sweep.toml", 300)
    temps = ["0.8", "1.0", "1.2"]
    jid = c.sbatch("--array=0-2", "-n", "1", "-t", "10", os.path.join(c.root, "jobs", "sweep.sbatch"),
                   deck, "velocity.temperature=" + ",".join(temps))
    infos = wait_done(jid, 180)
    for info in infos:
        expect_state(info, "COMPLETED", "0:0", info.get("JobId"),
                     os.path.join(c.work, f"weft-sweep-{jid}_{info.get('ArrayTaskId')}.out"))
    base = os.path.join(c.work, "out", f"sweep-sweep-{jid}")
    csv_path, png = os.path.join(c.work, "sweep.csv"), os.path.join(c.work, "sweep.png")
    r = sh(["/usr/bin/python3", os.path.join(c.root, "tools", "sweep-table"), base, "--csv", csv_path, "--png", png])
    print(r.stdout, end="")
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 3:
        raise Fail(f"sweep-table gave {len(rows)} rows, expected 3")
    if [r["velocity.temperature"] for r in rows] != temps or any(r["status"] != "complete" for r in rows):
        raise Fail(f"unexpected rows: {rows}")
    # Each element really ran at its temperature: step 0 of thermo is the created one.
    for t, r in zip(temps, rows):
        with h5py.File(os.path.join(base, r["dir"], "thermo.h5"), "r") as f:
            t0 = f["observables/temperature/value"][0]
        if abs(t0 - float(t)) > 1e-12:
            raise Fail(f"element {r['dir']} started at T={t0}, not {t}")
    if os.path.getsize(png) < 1000:
        raise Fail("sweep.png is missing or empty")
    log("sweep of 3 temperatures: 3 complete rows, PNG written")


def check_bad_input(c):
    """Bad input fails within seconds with the reason in the job's output, no requeue."""
    run = os.path.join(c.root, "jobs", "run.sbatch")
    cases = [
        ("missing deck", ["-n", "2", run, "no-such-deck.toml"], "deck not found: no-such-deck.toml"),
        ("box too small for 8 ranks",
         ["-n", "8", "--overcommit", run, c.deck("tiny.toml", 100), "--set", "lattice.cells=[2,2,2]",
          "--set", "decomposition.grid=[2,2,2]"],
         "the subdomain along x is"),
    ]
    for what, args, needle in cases:
        t0 = time.time()
        jid = c.sbatch("-t", "10", *args)
        info = wait_done(jid, 60, nudge=False)[0]
        dt = time.time() - t0
        outfile = os.path.join(c.work, f"weft-{jid}.out")
        expect_state(info, "FAILED", "2:0", jid, outfile)
        text = read(outfile)
        if needle not in text or "not retrying" not in text and what != "missing deck":
            raise Fail(f"{what}: job {jid}'s output lacks the reason ('{needle}'):\n{text[-3000:]}")
        if info.get("Restarts") != "0":
            raise Fail(f"{what}: job {jid} was requeued {info.get('Restarts')} times")
        if dt > 30:
            raise Fail(f"{what}: job {jid} took {dt:.0f} s to fail")
        reason = next(line for line in text.splitlines() if needle in line)
        log(f"{what}: job {jid} FAILED with exit 2 after {dt:.1f} s, not requeued: {reason.strip()}")


def check_retries(c):
    """A run that keeps blowing up (exit 3) is retried WEFT_MAX_RETRIES times, then stops."""
    deck = c.deck("blowup.toml", 200)
    env = dict(c.env, WEFT_MAX_RETRIES="1")
    jid = c.sbatch("-n", "2", "-t", "10", os.path.join(c.root, "jobs", "run.sbatch"), deck,
                   "--set", "integrator.dt=0.5", env=env)
    info = wait_done(jid, 150)[0]
    outfile = os.path.join(c.work, f"weft-{jid}.out")
    expect_state(info, "FAILED", "3:0", jid, outfile)
    text = read(outfile)
    if info.get("Restarts") != "1" or "retry 1 of 1" not in text or "retries (WEFT_MAX_RETRIES) are used up" not in text:
        raise Fail(f"expected one retry then giving up (restarts {info.get('Restarts')}):\n{text[-4000:]}")
    log(f"failing run: retried once, then gave up (job {jid} FAILED 3:0, restarts {info.get('Restarts')})")


CHECKS = {"run": check_run, "chain": check_chain, "walltime": check_walltime, "sweep": check_sweep, "bad-input": check_bad_input,
          "retries": check_retries}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weft", required=True)
    p.add_argument("--root", required=True, help="the weft source tree (jobs/, tools/, inputs/)")
    p.add_argument("--work", required=True, help="scratch directory (emptied first)")
    p.add_argument("check", choices=sorted(CHECKS))
    a = p.parse_args()
    if not shutil.which("sbatch") or not squeue_ok():
        print("error: no Slurm cluster answers (start one with tests/slurm/cluster.sh start)", file=sys.stderr)
        return 1
    c = Ctx(a)
    t0 = time.time()
    try:
        CHECKS[a.check](c)
    except (Fail, subprocess.TimeoutExpired) as e:
        print(f"FAIL {a.check}: {e}", file=sys.stderr)
        c.cancel_all()
        return 1
    log(f"PASS {a.check} in {time.time() - t0:.1f} s")
    return 0


def squeue_ok():
    try:
        return subprocess.run(["squeue", "-h"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


if __name__ == "__main__":
    sys.exit(main())

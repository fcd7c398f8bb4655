#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Every example deck in inputs/ gives the same outputs, bit for bit, as the
code that made tests/regression/reference.json: thermo.dat rows, thermo.h5
series, every dataset of the H5MD trajectory frames and of the checkpoints.

The reference was made with `--make` by the weft of commit b489b63 (before
the application seam, issue 11), under OpenMP, and remade on 2026-12-02 when
the force kernels' block order changed (issue 15: with messages, half of the
blocks that read no message ghost run after the border blocks, so the ghost
forces go back while they compute; the sums of a 4-rank run changed in the
last bits at 2 and 4 ranks, not at 1); both schedulers must match it at 1, 2
and 4 ranks with 2 threads per rank. Each deck runs 200 steps with a
thermo row every 10 steps, a frame every 50 and a checkpoint every 100.

Only the resolved deck embedded in the files (thermo.dat's `#` lines,
/parameters) is left out of the comparison: later code may add keys to it.

    test_outputs_unchanged.py --weft BIN --mpiexec MPIRUN --root DIR --np N
    test_outputs_unchanged.py --weft BIN --mpiexec MPIRUN --root DIR --make   # all N
"""
import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "reference.json")
# neighbor.every/check pin the neighbour defaults the reference was made with
# (LAMMPS's benchmark settings; the defaults became LAMMPS's own later).
SETS = ["run.steps=200", "thermo.every=10", "output.trajectory_every=50", "output.forces=true",
        "neighbor.every=20", "neighbor.check=false",
        "checkpoint.every=100", "checkpoint.keep=10", "checkpoint.minutes=0", "runtime.threads=2",
        "output.overwrite=true"]


def digest(array):
    a = np.ascontiguousarray(array)
    h = hashlib.sha256()
    h.update(str(a.dtype.str).encode())
    h.update(str(a.shape).encode())
    h.update(a.tobytes())
    return h.hexdigest()[:32]


def h5_digests(path, groups, with_attrs=()):
    """Digests of every dataset under `groups` (and the attributes of the
    groups named in `with_attrs`), keyed by their path."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = digest(obj[()])
        for g in groups:
            if g in f:
                f[g].visititems(lambda n, o, g=g: visit(f"{g}/{n}", o))
        for g in with_attrs:
            for k, v in sorted(f[g].attrs.items()):
                out[f"{g}@{k}"] = digest(np.asarray(v))
    return out


def outputs_of(outdir):
    res = {}
    with open(os.path.join(outdir, "thermo.dat")) as f:
        lines = f.read().splitlines()
    res["thermo.dat"] = [lines[i] for i in range(len(lines))
                         if not lines[i].startswith("#") or i + 1 < len(lines) and not lines[i + 1].startswith("#")]
    res["thermo.h5"] = h5_digests(os.path.join(outdir, "thermo.h5"), ["observables"])
    res["trajectory.h5md"] = h5_digests(os.path.join(outdir, "trajectory.h5md"),
                                        ["particles", "observables"])
    for ck in sorted(glob.glob(os.path.join(outdir, "ckpt-*.h5"))):
        res[os.path.basename(ck)] = h5_digests(ck, ["checkpoint"], with_attrs=["checkpoint"])
    return res


def run_deck(args, deck, np_, scheduler, outdir):
    cmd = [args.weft, "run", deck, "-q", "--set", f"output.dir={outdir}",
           "--set", f"runtime.scheduler={scheduler}"]
    for s in SETS:
        cmd += ["--set", s]
    if np_ > 1:
        cmd = [args.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(np_)] + cmd
    env = dict(os.environ, OMP_WAIT_POLICY="passive")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    return outputs_of(outdir)


def compare(name, want, got):
    """Lists the differences between two outputs_of() results."""
    problems = []
    for f in sorted(set(want) | set(got)):
        if f not in got:
            problems.append(f"{name}: {f} missing")
        elif f not in want:
            problems.append(f"{name}: {f} not in the reference")
        elif f == "thermo.dat":
            if want[f] != got[f]:
                diff = [f"    want {a}\n    got  {b}" for a, b in zip(want[f], got[f]) if a != b][:3]
                problems.append(f"{name}: thermo.dat differs ({len(want[f])} vs {len(got[f])} lines)\n"
                                + "\n".join(diff))
        else:
            for k in sorted(set(want[f]) | set(got[f])):
                if want[f].get(k) != got[f].get(k):
                    problems.append(f"{name}: {f} {k}: "
                                    + ("missing" if k not in got[f] else "not in the reference" if k not in want[f]
                                       else "differs"))
    return problems


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--mpiexec", required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--np", type=int, action="append")
    p.add_argument("--make", action="store_true", help="write the reference (OpenMP) instead of checking")
    p.add_argument("--reference", default=REFERENCE, help="the reference file (default: %(default)s)")
    args = p.parse_args()
    decks = sorted(glob.glob(os.path.join(args.root, "inputs", "*.toml")))
    if len(decks) < 4:
        raise SystemExit(f"expected the example decks in {args.root}/inputs")
    nps = args.np or [1, 2, 4]
    tmp = tempfile.mkdtemp()
    try:
        if args.make:
            # The decks of the current reference (the MD decks: the other
            # applications' decks have their own tests).
            with open(args.reference) as f:
                names = sorted({k.split()[0] for k in json.load(f)})
            ref = {}
            for deck in (os.path.join(args.root, "inputs", n) for n in names):
                for n in nps:
                    ref[f"{os.path.basename(deck)} np{n}"] = run_deck(args, deck, n, "openmp",
                                                                      os.path.join(tmp, "out"))
                    shutil.rmtree(os.path.join(tmp, "out"))
            with open(args.reference, "w") as f:
                json.dump(ref, f, indent=1, sort_keys=True)
                f.write("\n")
            print(f"wrote {args.reference} ({len(ref)} runs)")
            return 0
        with open(args.reference) as f:
            ref = json.load(f)
        problems, runs = [], 0
        # The decks of the reference (decks added later have nothing to be
        # compared with); each must still be in inputs/.
        for deck in sorted({os.path.join(args.root, "inputs", k.split()[0]) for k in ref}):
            for n in nps:
                key = f"{os.path.basename(deck)} np{n}"
                for sched in ("openmp", "fibers"):
                    got = run_deck(args, deck, n, sched, os.path.join(tmp, "out"))
                    shutil.rmtree(os.path.join(tmp, "out"))
                    problems += compare(f"{key} {sched}", ref[key], got)
                    runs += 1
                    print(f"{key} {sched}: {sum(len(v) for v in got.values())} outputs compared", flush=True)
        for pr in problems:
            print("DIFFERS:", pr)
        print(f"{runs} runs; {len(problems)} differences from the reference")
        return 1 if problems else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

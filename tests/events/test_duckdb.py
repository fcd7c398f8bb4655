#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""weft's events exports against DuckDB (ctest events.duckdb.<domain>): a
seeded data set of tools/make-events (injected patterns, malformed rows of
every kind, ground truth), read by weft at each rank count with both
schedulers and by the DuckDB oracle tools/duckdb/oracle.mjs. Every weft run
gives the same bytes; its aggregates.csv, per_day.csv and flags.csv equal
DuckDB's (integers, times and ids exactly, doubles to 1e-12 relative); its
flags are exactly the injected patterns (recall and precision 1.0) and its
quarantine holds exactly the truth's malformed lines with their reasons.

  test_duckdb.py --weft W --mpiexec M --gen G --oracle O [--node N]
                 --domain transactions|sensors [--np 1 2 4] [--rows R] [--seed S]
"""
import argparse
import filecmp
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "events_oracle"))
import events_check as ec  # noqa: E402  (the generator truth's patterns)
import oracle  # noqa: E402

FAILURES = []
TABLES = ["aggregates.csv", "per_day.csv", "flags.csv", "quarantine.csv"]


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        FAILURES.append(what)


def close(a, b, rel=1e-12):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def seconds(us):
    """Microseconds as an exact decimal of seconds for the deck."""
    return f"{us // 10**6}.{us % 10**6:06d}"


def deck_of(truth, path):
    """A deck with the truth's data and rule parameters (docs/events-data.md)."""
    r = truth["rules"]
    text = (f'application = "events"\n[events]\ndomain = "{truth["domain"]}"\ninputs = ["{truth["csv"]}"]\n'
            "max_bad_fraction = 0.5\n")
    if truth["domain"] == "transactions":
        v, s, z = r["velocity"], r["structuring"], r["zscore"]
        text += (f'rates = "{truth["rates"]}"\nbase_currency = "{truth["base"]}"\ndecimals = {truth["decimals"]}\n'
                 f'[rules.velocity]\nenabled = true\ncount = {v["k"]}\nwindow = {seconds(v["window_us"])}\n'
                 f'[rules.structuring]\nenabled = true\ncount = {s["n"]}\nfloor = {s["floor"]}\n'
                 f'threshold = {s["threshold"]}\nwindow = {seconds(s["window_us"])}\n'
                 f'[rules.zscore]\nenabled = true\nk = {z["k"]}\nmin_history = {z["min_history"]}\n')
    else:
        text += (f'[rules.gap]\nenabled = true\nseconds = {seconds(r["gap"]["gap_us"])}\n'
                 f'[rules.stuck]\nenabled = true\nrun = {r["stuck"]["r"]}\n')
    text += "[output]\ncsv = true\n[checkpoint]\nat_end = false\n"
    with open(path, "w") as f:
        f.write(text)


def launch(a, np_, cmd):
    """CMD (a weft command line) run at NP_ ranks; the CompletedProcess."""
    if np_ > 1:
        cmd = [a.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(np_)] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def run_weft(a, deck, out, np_, scheduler):
    # The fibers runs shuffle in rounds of 4 KiB (hundreds of rounds, events
    # cut at every boundary); the OpenMP runs in the default 64 MiB.
    small = ["--set", "events.shuffle_bytes=4096"] if scheduler == "fibers" else []
    r = launch(a, np_, [a.weft, "run", deck, "-q", "--set", f"output.dir={out}", "--set",
                        f"runtime.scheduler={scheduler}", "--set", "runtime.threads=2", *small])
    check(r.returncode == 0, f"weft at {np_} ranks, {scheduler}: exit {r.returncode} {r.stderr.strip()[-300:]}")


def same_cell(got, want, kind):
    """kind: i (integer), s (text), f (double to 1e-12; both empty for a missing stddev)."""
    if kind == "i":
        return int(got) == int(want)
    if kind == "f":
        return got == want == "" or (got != "" and want != "" and close(float(got), float(want)))
    return got == want


def compare_table(name, got_rows, want_rows, columns):
    """columns: [(weft column, DuckDB column, kind)]; rows in the same order."""
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(got_rows, want_rows))
           if not all(same_cell(g[c], w[d], k) for c, d, k in columns)]
    check(len(got_rows) == len(want_rows) and not bad,
          f"{name}: weft's {len(got_rows)} rows equal DuckDB's {len(want_rows)}" +
          (f" (first difference: {bad[0]})" if bad else ""))


def compare_with_duckdb(domain, out, duck):
    tx = domain == "transactions"
    key = "account" if tx else "sensor"
    num = "i" if tx else "f"
    read = lambda d, t: oracle.read_table(os.path.join(d, t))  # noqa: E731
    agg = [("key", key, "s"), ("count", "count", "i"), ("sum", "sum", num), ("mean", "mean", "f"),
           ("stddev", "stddev", "f"), ("min", "min", num), ("max", "max", num),
           ("first_time", "first_time", "s"), ("last_time", "last_time", "s")]
    if tx:
        agg.append(("distinct_counterparties", "distinct_counterparties", "i"))
    rows = read(duck, "aggregates.csv")
    check(not tx or any(r["stddev"] == "" for r in rows), "some accounts have a single event (empty stddev)")
    compare_table("aggregates.csv", read(out, "aggregates.csv"), rows, agg)
    compare_table("per_day.csv", read(out, "per_day.csv"), read(duck, "per_day.csv"),
                  [("day", "day", "s"), ("count", "count", "i"), ("sum", "sum", num)])
    compare_table("flags.csv", read(out, "flags.csv"), read(duck, "flags.csv"),
                  [(c, c, "s") for c in ("rule", "key", "event_ids")] + [("score", "score", "f")])
    counts = {r["reason"]: int(r["count"]) for r in read(duck, "quarantine_counts.csv")}
    got = {}
    for r in read(out, "quarantine.csv"):
        got[r["reason"]] = got.get(r["reason"], 0) + 1
    check(all(got.get(k, 0) == v for k, v in counts.items()) and set(got) <= set(counts),
          f"quarantine counts per reason equal DuckDB's {counts}")


def compare_with_truth(truth, out):
    want = ec.injected_flags(truth)
    got = ec.read_flags(os.path.join(out, "flags.csv"))
    found = set(want) & set(got)
    check(len(want) > 0 and found == set(want),
          f"recall 1.0: {len(found)} of {len(want)} injected patterns flagged (missed: {sorted(set(want) - found)[:3]})")
    check(found == set(got), f"precision 1.0: {len(found)} of {len(got)} flags injected "
          f"(extra: {sorted(set(got) - found)[:3]})")
    check(all(want[k] is None or close(got[k], want[k]) for k in found),
          "scores: window counts, run lengths and gap seconds as injected")
    lines = {}
    for r in oracle.read_table(os.path.join(out, "quarantine.csv")):
        lines.setdefault(r["reason"], []).append(int(r["line"]))
    want_lines = {k: v["lines"] for k, v in truth["malformed"].items() if v["count"] > 0}
    check(all(len(v) > 0 for k, v in truth["malformed"].items()
              if truth["domain"] == "transactions" or k != "unknown_currency"),
          "the generator injected malformed rows of every kind")
    check({k: sorted(v) for k, v in lines.items()} == want_lines,
          "quarantine: the truth's malformed lines, each with its reason " +
          str({k: len(v) for k, v in want_lines.items()}))


def parser():
    """The options of the tests that run weft on a generated data set."""
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--mpiexec", required=True)
    p.add_argument("--gen", required=True)
    p.add_argument("--np", type=int, nargs="+", default=[1, 2, 4])
    return p


def main():
    p = parser()
    p.add_argument("--oracle", required=True)
    p.add_argument("--node", default="node")
    p.add_argument("--domain", choices=["transactions", "sensors"], required=True)
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--seed", type=int, default=31)
    a = p.parse_args()
    if not os.path.isdir(os.path.join(os.path.dirname(a.oracle), "node_modules")):
        print("FAIL tools/duckdb/node_modules is missing: run tools/check (ensure_duckdb)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = os.path.join(tmp, f"{a.domain}.csv")
        extra = ["--keys", "3000", "--crlf"] if a.domain == "transactions" else ["--keys", "40"]
        subprocess.run([a.gen, "--domain", a.domain, "--rows", str(a.rows), "--seed", str(a.seed),
                        "--malformed", "0.02", "--patterns", "3", "--out", csv_path, *extra], check=True)
        with open(csv_path + ".truth.json") as f:
            truth = json.load(f)
        duck = os.path.join(tmp, "duckdb")
        subprocess.run([a.node, a.oracle, "--spec", csv_path + ".truth.json", "--out", duck, "--threads", "2"],
                       check=True)
        deck = os.path.join(tmp, "deck.toml")
        deck_of(truth, deck)
        outs = []
        for np_ in a.np:
            for scheduler in ("openmp", "fibers"):
                out = os.path.join(tmp, f"weft-np{np_}-{scheduler}")
                run_weft(a, deck, out, np_, scheduler)
                outs.append(out)
        for o in outs[1:]:
            same = [t for t in TABLES if filecmp.cmp(os.path.join(outs[0], t), os.path.join(o, t), shallow=False)]
            check(same == TABLES, f"{os.path.basename(o)}: the same bytes as {os.path.basename(outs[0])}")
        compare_with_duckdb(a.domain, outs[0], duck)
        compare_with_truth(truth, outs[0])
    print(f"{len(FAILURES)} failures" if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

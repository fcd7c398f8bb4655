#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of tools/make-events and tools/duckdb/oracle.mjs (ctest events.generator.*,
events.oracle.*). Each subcommand is one test; exit 0 pass, 1 fail.

  test_events.py deterministic --gen EXE
  test_events.py malformed --gen EXE --domain transactions|sensors
  test_events.py oracle --gen EXE --oracle ORACLE.mjs --domain transactions|sensors
  test_events.py bad_input --gen EXE --oracle ORACLE.mjs
  test_events.py edge_cases --gen EXE --oracle ORACLE.mjs   (the hand-made file of edges.py)
"""
import argparse
import collections
import csv
import datetime
import filecmp
import json
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edges  # noqa: E402
import events_check as ec  # noqa: E402

FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def generate(gen, out, *args):
    subprocess.run([gen, "--out", out, *map(str, args)], check=True)
    with open(out + ".truth.json") as f:
        return json.load(f)


def deterministic(a, tmp):
    # 150000 rows: three blocks of 65536, so 2 jobs generate blocks side by side.
    for domain, extra in (("transactions", ["--crlf"]), ("sensors", ["--keys", "64"])):
        common = ["--domain", domain, "--rows", 150000, "--seed", 11, "--malformed", 0.02, *extra]
        outs = []
        for jobs in (1, 2):
            out = os.path.join(tmp, f"{domain}-j{jobs}.csv")
            truth = generate(a.gen, out, *common, "--jobs", jobs)
            truth.pop("csv"), truth.pop("rates", None)
            outs.append((out, truth))
        (o1, t1), (o2, t2) = outs
        check(filecmp.cmp(o1, o2, shallow=False), f"{domain}: same seed, 1 and 2 jobs: same CSV bytes")
        check(t1 == t2, f"{domain}: same ground truth at 1 and 2 jobs")
        if domain == "transactions":
            r1, r2 = (o[:-4] + ".rates.csv" for o in (o1, o2))
            check(filecmp.cmp(r1, r2, shallow=False), "transactions: same rates table")
        other = os.path.join(tmp, f"{domain}-seed12.csv")
        generate(a.gen, other, *common[:4], "--seed", 12, *common[6:])
        check(not filecmp.cmp(o1, other, shallow=False), f"{domain}: another seed, other bytes")
        with open(o1, "rb") as f:
            data = f.read()
        crlf = domain == "transactions"
        check((b"\r\n" in data) == crlf, f"{domain}: line ends {'CRLF' if crlf else 'LF'} as asked")


def malformed(a, tmp):
    out = os.path.join(tmp, f"{a.domain}.csv")
    extra = ["--keys", "40"] if a.domain == "sensors" else ["--crlf"]
    truth = generate(a.gen, out, "--domain", a.domain, "--rows", 60000, "--seed", 5,
                     "--malformed", 0.06, *extra)
    rates = ec.read_rates(out[:-4] + ".rates.csv") if a.domain == "transactions" else None
    bad, events = ec.classify(a.domain, out, rates)
    kinds = [k for k in truth["malformed"] if a.domain == "transactions" or k != "unknown_currency"]
    for kind in kinds:
        want = truth["malformed"][kind]["lines"]
        got = bad.get(kind, [])
        check(len(want) > 0, f"{kind}: the generator injected some ({len(want)})")
        check(got == want, f"{kind}: csv-module reading finds {len(got)} rows on the truth's "
              f"{len(want)} lines" + ("" if got == want else f" (first differences: "
                                      f"{sorted(set(got) ^ set(want))[:5]})"))
    check(set(bad) <= set(kinds), f"no other reasons ({sorted(set(bad) - set(kinds))})")
    total = sum(len(v) for v in bad.values()) + len(events)
    check(total == truth["rows"], f"every row read: {total} rows, truth says {truth['rows']}")
    if a.domain == "transactions":
        with open(out, "rb") as f:
            data = f.read()
        check(b'""' in data and b',"' in data, "some counterparties quoted, with doubled quotes")
        check(any("\n" in e[4] for e in events), "some counterparties hold a newline")
        check(any("," in e[4] for e in events), "some counterparties hold a comma")


def iso(us):
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def close(x, y, rel=1e-9):
    return x == y or abs(x - y) <= rel * max(abs(x), abs(y))


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def compare_aggregates(domain, events, outdir):
    by_key = collections.defaultdict(list)
    for e in events:
        by_key[e[0]].append(e)
    rows = read_csv(os.path.join(outdir, "aggregates.csv"))
    key_col = "account" if domain == "transactions" else "sensor"
    check([r[key_col] for r in rows] == sorted(by_key), f"aggregates: the same {len(by_key)} keys")
    exact = domain == "transactions"
    bad = []
    for r in rows:
        ev = by_key[r[key_col]]
        xs = [e[3] for e in ev]
        n, s = len(xs), sum(xs)
        want = {"count": n, "min": min(xs), "max": max(xs), "first_time": iso(min(e[2] for e in ev)),
                "last_time": iso(max(e[2] for e in ev))}
        got = {"count": int(r["count"]), "first_time": r["first_time"], "last_time": r["last_time"],
               "min": int(r["min"]) if exact else float(r["min"]),
               "max": int(r["max"]) if exact else float(r["max"])}
        if exact:
            want["sum"], got["sum"] = s, int(r["sum"])
            want["distinct_counterparties"] = len({e[4] for e in ev})
            got["distinct_counterparties"] = int(r["distinct_counterparties"])
            var = (n * sum(x * x for x in xs) - s * s) / (n * (n - 1)) if n > 1 else None
        else:
            m = math.fsum(xs) / n
            var = math.fsum((x - m) ** 2 for x in xs) / (n - 1) if n > 1 else None
            if not close(float(r["sum"]), math.fsum(xs)):
                bad.append((r[key_col], "sum", r["sum"], math.fsum(xs)))
        if got != want:
            bad.append((r[key_col], got, want))
        if not close(float(r["mean"]), (s if exact else math.fsum(xs)) / n):
            bad.append((r[key_col], "mean", r["mean"]))
        if var is not None and not close(float(r["stddev"]), math.sqrt(var)):
            bad.append((r[key_col], "stddev", r["stddev"], math.sqrt(var)))
    check(not bad, f"aggregates equal the csv-module computation (exact integers, floats to 1e-9) {bad[:3]}")
    days = collections.defaultdict(lambda: [0, 0])
    for e in events:
        d = days[iso(e[2])[:10]]
        d[0] += 1
        d[1] += e[3]
    got = {r["day"]: (int(r["count"]), float(r["sum"])) for r in read_csv(os.path.join(outdir, "per_day.csv"))}
    ok = sorted(got) == sorted(days) and all(
        got[d][0] == days[d][0] and close(got[d][1], days[d][1]) for d in days)
    check(ok, f"per-day totals equal the csv-module computation ({len(days)} days)")


def oracle(a, tmp):
    out = os.path.join(tmp, f"{a.domain}.csv")
    keys = a.keys or (100 if a.domain == "sensors" else 3000)
    extra = ["--keys", keys] + (["--crlf"] if a.domain == "transactions" else [])
    extra += ["--no-quoted-newlines"] if a.no_quoted_newlines else []
    truth = generate(a.gen, out, "--domain", a.domain, "--rows", a.rows, "--seed", a.seed,
                     "--malformed", 0.01, "--patterns", 4, "--jobs", 2, *extra)
    outdir = os.path.join(tmp, "oracle")
    subprocess.run([a.node, a.oracle, "--spec", out + ".truth.json", "--out", outdir,
                    "--threads", "2"], check=True)
    want = ec.injected_flags(truth)
    got = ec.read_flags(os.path.join(outdir, "flags.csv"))
    found = set(want) & set(got)
    check(len(want) == (12 if a.domain == "transactions" else 8), f"{len(want)} patterns injected")
    with open(os.path.join(outdir, "timings.json")) as f:
        serial = json.load(f).get("serial_read", False)
    check(not (serial and a.no_quoted_newlines), f"DuckDB read the file {'serially' if serial else 'in parallel'}")
    check(found == set(want), f"recall 1.0: {len(found)} of {len(want)} injected patterns flagged "
          f"(missed: {sorted(set(want) - found)[:3]})")
    check(found == set(got), f"precision 1.0: {len(found)} of {len(got)} flags injected "
          f"(extra: {sorted(set(got) - found)[:3]})")
    scores_ok = all(want[k] is None or close(got[k], want[k]) for k in found)
    check(scores_ok, "scores: window counts, run lengths and gap seconds as injected")
    q = {r["reason"]: int(r["count"]) for r in read_csv(os.path.join(outdir, "quarantine_counts.csv"))}
    tq = {k: v["count"] for k, v in truth["malformed"].items() if k in q}
    check(q == tq and len(q) == (7 if a.domain == "transactions" else 6),
          f"quarantine counts equal the generator's truth {q}")
    rates = ec.read_rates(out[:-4] + ".rates.csv") if a.domain == "transactions" else None
    _, events = ec.classify(a.domain, out, rates)
    compare_aggregates(a.domain, events, outdir)


def bad_input(a, tmp):
    out = os.path.join(tmp, "tx.csv")
    r = subprocess.run([a.gen, "--out", out, "--rows", "5"], capture_output=True, text=True)
    check(r.returncode == 2 and "--rows" in r.stderr and not os.listdir(tmp),
          f"make-events --rows 5: exit 2, names the option, writes nothing ({r.returncode}, {r.stderr.strip()})")
    generate(a.gen, out, "--rows", 2000, "--days", 3)
    rates = out[:-4] + ".rates.csv"
    with open(rates) as f:
        lines = f.readlines()
    with open(rates, "w") as f:  # drop the USD rate of the second day
        f.writelines(l for l in lines if not l.startswith(lines[5][:10] + ",USD"))
    outdir = os.path.join(tmp, "oracle")
    r = subprocess.run([a.node, a.oracle, "--spec", out + ".truth.json", "--out", outdir],
                       capture_output=True, text=True)
    check(r.returncode == 2 and "no rate for USD on" in r.stderr and not os.path.exists(outdir),
          f"oracle, rates with a gap: exit 2, says which rate, writes nothing ({r.returncode}, {r.stderr.strip()})")


def edge_cases(a, tmp):
    edges.write(os.path.join(tmp, "edges.csv"), os.path.join(tmp, "edges.rates.csv"))
    with open(os.path.join(tmp, "spec.json"), "w") as f:
        json.dump(edges.SPEC, f)
    outdir = os.path.join(tmp, "oracle")
    subprocess.run([a.node, a.oracle, "--spec", os.path.join(tmp, "spec.json"), "--out", outdir],
                   check=True)
    q = {r["reason"]: int(r["count"]) for r in read_csv(os.path.join(outdir, "quarantine_counts.csv"))}
    check(q == edges.QUARANTINE, f"quarantine counts as derived by hand {q}")
    flags = [(r["rule"], r["key"], r["event_ids"], float(r["score"]))
             for r in read_csv(os.path.join(outdir, "flags.csv"))]
    same = len(flags) == len(edges.FLAGS) and all(
        f[:3] == e[:3] and close(f[3], e[3], 1e-12) for f, e in zip(flags, edges.FLAGS))
    check(same, f"flags as derived by hand: {flags}")
    agg = {r["account"]: (int(r["count"]), int(r["sum"]), int(r["min"]), int(r["max"]),
                          int(r["distinct_counterparties"]))
           for r in read_csv(os.path.join(outdir, "aggregates.csv"))}
    check(agg == edges.AGGREGATES, f"aggregates as derived by hand {agg}")
    days = {r["day"]: (int(r["count"]), int(r["sum"])) for r in read_csv(os.path.join(outdir, "per_day.csv"))}
    check(days == edges.PER_DAY, f"per-day totals as derived by hand {days}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("test", choices=["deterministic", "malformed", "oracle", "bad_input", "edge_cases"])
    p.add_argument("--gen", required=True)
    p.add_argument("--oracle")
    p.add_argument("--domain", default="transactions")
    p.add_argument("--node", default="node")
    p.add_argument("--rows", type=int, default=100000, help="oracle: rows to generate")
    p.add_argument("--keys", type=int, help="oracle: keys (default 3000 accounts, 100 sensors)")
    p.add_argument("--seed", type=int, default=3, help="oracle: the generator's seed")
    p.add_argument("--no-quoted-newlines", action="store_true",
                   help="oracle: no newline in counterparties (DuckDB reads in parallel)")
    a = p.parse_args()
    if a.oracle and not os.path.isdir(os.path.join(os.path.dirname(a.oracle), "node_modules")):
        print("FAIL tools/duckdb/node_modules is missing: run tools/check (ensure_duckdb)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        globals()[a.test](a, tmp)
    print(f"{len(FAILURES)} failures" if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

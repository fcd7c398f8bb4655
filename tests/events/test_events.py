#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The events application through the weft executable: results against an
independent Python oracle (oracle.py), identical bytes over ranks,
schedulers and chunk sizes, quarantine lines and reasons, detection rules
on crafted streams, bad inputs (exit 2, nothing written) and the bad-row
threshold (exit 3)."""
import argparse
import filecmp
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

ARGS = None
TABLES = ["aggregates.csv", "per_day.csv", "flags.csv", "quarantine.csv"]


def run(deck, out, np_=1, sets=(), check=True):
    cmd = [ARGS.weft, "run", deck, "-q", "--set", f"output.dir={out}", *sum((["--set", s] for s in sets), [])]
    if np_ > 1:
        cmd = [ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(np_)] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"{cmd} -> {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def restart(deck, ckpt, sets=()):
    """Continues a run from checkpoint CKPT at ARGS.np ranks; the CompletedProcess."""
    cmd = [ARGS.weft, "run", deck, "-q", "--restart", ckpt, *sum((["--set", x] for x in sets), [])]
    if ARGS.np > 1:
        cmd = [ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(ARGS.np)] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def deck_text(inputs, domain="transactions", rates="", extra=""):
    files = ", ".join(f'"{p}"' for p in inputs)
    text = f'application = "events"\n[events]\ndomain = "{domain}"\ninputs = [{files}]\n'
    if rates:
        text += f'rates = "{rates}"\n'
    return text + 'max_bad_fraction = 0.5\n[output]\ncsv = true\n[checkpoint]\nat_end = false\n' + extra


def close(a, b, rel=1e-12):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def same_stddev(text, want):
    """An exported stddev: empty for one event (want None), else close."""
    return text == "" if want is None else text != "" and close(float(text), want)


def flag_ids(row):
    return tuple(int(x) for x in row["event_ids"].split(";"))


class Events(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def deck(self, text, name="deck.toml"):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def runs_agree(self, deck, variants):
        """Runs the deck once per (np, sets); every CSV table equal byte for byte. Returns the first dir."""
        dirs = []
        for k, (np_, sets) in enumerate(variants):
            out = self.path(f"out{k}")
            run(deck, out, np_, sets)
            dirs.append(out)
        for d in dirs[1:]:
            for t in TABLES:
                self.assertTrue(filecmp.cmp(os.path.join(dirs[0], t), os.path.join(d, t), shallow=False),
                                f"{t} differs between {variants[0]} and {variants[dirs.index(d)]}")
        return dirs[0]

    def check_quarantine(self, out, truth):
        got = {int(r["line"]): r["reason"] for r in oracle.read_table(os.path.join(out, "quarantine.csv"))}
        self.assertEqual(got, truth)

    def test_transactions_match_the_oracle(self):
        records, truth = oracle.make_transactions(seed=13, rows=260)
        data = self.path("tx.csv")
        oracle.write_csv(data, oracle.TX_HEADER, records, crlf_every=3)
        rates = self.path("rates.csv")
        oracle.write_rates(rates, ["USD", "GBP", "CHF"], "2026-03-01", 3)
        rules = '[rules.velocity]\nenabled = true\ncount = 2\nwindow = 7200\n' \
                '[rules.zscore]\nenabled = true\nk = 1.5\nmin_history = 4\n' \
                '[rules.structuring]\nenabled = true\ncount = 2\nfloor = 9000.00\nthreshold = 10000.00\n' \
                'window = 86400\n'
        deck = self.deck(deck_text([data], rates=rates, extra=rules))
        variants = [(1, ["runtime.scheduler=openmp"]), (1, ["runtime.scheduler=fibers", "events.chunk_bytes=97"])]
        if ARGS.np > 1:
            variants += [(ARGS.np, ["runtime.scheduler=openmp", "events.chunk_bytes=13"]),
                         (ARGS.np, ["runtime.scheduler=fibers", "runtime.threads=2"])]
        out = self.runs_agree(deck, variants)
        self.check_quarantine(out, truth)
        events, bad = oracle.load_events(data, "transactions", oracle.read_rates(rates))
        self.assertEqual(bad, truth)  # the oracle reads the injected faults too
        want = oracle.aggregates(events, "transactions")
        got = {r["key"]: r for r in oracle.read_table(os.path.join(out, "aggregates.csv"))}
        self.assertEqual(sorted(got), sorted(want))
        for key, w in want.items():
            g = got[key]
            for col in ["count", "sum", "min", "max", "distinct_counterparties"]:
                self.assertEqual(int(g[col]), w[col], f"{key} {col}")
            for col in ["first_time", "last_time"]:
                self.assertEqual(g[col], w[col], f"{key} {col}")
            self.assertTrue(close(float(g["mean"]), w["mean"]), f"{key} mean: {g['mean']} vs {w['mean']}")
            self.assertTrue(same_stddev(g["stddev"], w["stddev"]), f"{key} stddev: {g['stddev']} vs {w['stddev']}")
        days = {r["day"]: r for r in oracle.read_table(os.path.join(out, "per_day.csv"))}
        self.assertEqual({d: {"count": int(r["count"]), "sum": int(r["sum"])} for d, r in days.items()},
                         oracle.per_day(events, "transactions"))
        want = oracle.flags(events, {"velocity": (2, 7200), "zscore": (1.5, 4),
                                     "structuring": (2, "9000.00", "10000.00", 86400, 2)})
        self.assertTrue(any(rule == "structuring" for rule, _, _ in want), "some structuring flags")
        self.check_flags(out, want)
        self.assertTrue(any(s < 0 for (r, _, _), s in oracle.flags(events, {"zscore": (1.5, 4)}).items()),
                        "some z-scores are negative (the score is signed)")
        self.check_h5_matches_csv(self.path(f"out{len(variants) - 1}"))

    def check_h5_matches_csv(self, out):
        """events.h5 (rows in rank order) holds what the sorted CSV tables hold."""
        import h5py
        text = lambda col: [bytes(v).rstrip(b"\0").decode() for v in col]  # noqa: E731
        with h5py.File(os.path.join(out, "events.h5"), "r") as f:
            a = f["aggregates"]
            got = dict(zip(text(a["key"][:]), zip(a["count"][:].tolist(), a["sum"][:].tolist())))
            fl, ids = f["flags"], f["flag_events/event_id"][:].tolist()
            flags = sorted((r, k, tuple(ids[s:s + n])) for r, k, s, n in zip(
                text(fl["rule"][:]), text(fl["key"][:]), fl["first_row"][:].tolist(), fl["events"][:].tolist()))
            bad = sorted(zip(f["quarantine/line"][:].tolist(), text(f["quarantine/reason"][:])))
            self.assertIn("deck", f["parameters"])
        agg = oracle.read_table(os.path.join(out, "aggregates.csv"))
        self.assertEqual(got, {r["key"]: (int(r["count"]), int(r["sum"])) for r in agg})
        csv_flags = oracle.read_table(os.path.join(out, "flags.csv"))
        self.assertEqual(flags, sorted((r["rule"], r["key"], flag_ids(r)) for r in csv_flags))
        self.assertEqual([(r["rule"], r["key"], flag_ids(r)[0]) for r in csv_flags],
                         sorted((r["rule"], r["key"], flag_ids(r)[0]) for r in csv_flags),
                         "flags.csv is sorted by rule, key, smallest id")
        self.assertEqual(bad, sorted((int(r["line"]), r["reason"])
                                     for r in oracle.read_table(os.path.join(out, "quarantine.csv"))))

    def check_flags(self, out, want):
        got = {}
        for r in oracle.read_table(os.path.join(out, "flags.csv")):
            got[(r["rule"], r["key"], flag_ids(r))] = float(r["score"])
        self.assertEqual(sorted(got), sorted(want))
        for k, s in want.items():
            self.assertTrue(close(got[k], s, 1e-9), f"{k}: {got[k]} vs {s}")

    def test_sensor_rules_on_crafted_streams(self):
        # S1: a gap of exactly G (not flagged) then G + 1 us (flagged); S2: a
        # stuck run of exactly R, one of R - 1; S3: velocity windows whose
        # oldest event sits exactly at t - W (outside) or 1 us later (inside).
        rows, eid = [], 1

        def add(key, t_us, v):
            nonlocal eid
            rows.append(f"{eid},{key},{oracle.iso(t_us)},{v}")
            eid += 1
        t0 = oracle.parse_time("2026-05-01T00:00:00Z")
        for k, dt_s in enumerate([0, 600, 1200, 1800, 2400 + 0.000001, 3000]):
            add("S1", t0 + round(dt_s * 10**6), 20.5 + k)
        for v in [1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0]:
            add("S2", t0 + eid * 10**6, v)
        for s in [0, 10, 20, 60, 70, 80.000001]:
            add("S3", t0 + round(s * 10**6), 5.0 + s)
        for k in range(12):
            add("S4", t0 + k * 10**6, 21.375 if k != 9 else 40.0)
        add("S4", t0 + 30 * 10**6, "1000.0")
        data = self.path("sensors.csv")
        oracle.write_csv(data, "event_id,sensor,timestamp,value", rows)
        rules = ('[rules.gap]\nenabled = true\nseconds = 600\n[rules.stuck]\nenabled = true\nrun = 3\n'
                 '[rules.velocity]\nenabled = true\ncount = 2\nwindow = 60\n'
                 '[rules.zscore]\nenabled = true\nk = 3\nmin_history = 5\n')
        deck = self.deck(deck_text([data], domain="sensors", extra=rules))
        out = self.runs_agree(deck, [(1, []), (ARGS.np, ["runtime.scheduler=fibers"])])
        events, bad = oracle.load_events(data, "sensors")
        self.assertEqual(bad, {})
        want = oracle.flags(events, {"gap": 600, "stuck": 3, "velocity": (2, 60), "zscore": (3, 5)})
        # The edges, by hand: S1's 600 s step is no gap, 600.000001 s is.
        self.assertIn(("gap", "S1", (4, 5)), want)
        self.assertNotIn(("gap", "S1", (3, 4)), want)
        self.assertIn(("stuck", "S2", (8, 9, 10, 11)), want)
        self.assertIn(("stuck", "S2", (12, 13, 14)), want)
        # S3's hot windows (16-18, 17-19, 18-20, 19-21) chain into one flag;
        # t=0 is exactly W before event 19: outside its window, so the score is 3, not 4.
        self.assertEqual(want[("velocity", "S3", (16, 17, 18, 19, 20, 21))], 3)
        self.check_flags(out, want)
        agg = {r["key"]: r for r in oracle.read_table(os.path.join(out, "aggregates.csv"))}
        for key, w in oracle.aggregates(events, "sensors").items():
            for col in ["sum", "mean", "min", "max"]:
                self.assertTrue(close(float(agg[key][col]), w[col]), f"{key} {col}")
            self.assertTrue(same_stddev(agg[key]["stddev"], w["stddev"]), f"{key} stddev")
        days = oracle.read_table(os.path.join(out, "per_day.csv"))
        want_days = oracle.per_day(events, "sensors")
        self.assertEqual(len(days), len(want_days))
        for r in days:
            self.assertEqual(int(r["count"]), want_days[r["day"]]["count"])
            self.assertTrue(close(float(r["sum"]), want_days[r["day"]]["sum"]))

    def test_quoted_newlines_across_chunk_borders(self):
        # Every record holds a quoted newline; chunk sizes of 1 .. 23 bytes
        # cut records everywhere, also inside quotes and between \r and \n.
        rows = [f'{i},A{i % 3},2026-03-01T00:00:{i:02d}Z,{i}.5,EUR,"p{i}\r\nline ""{i}"", x",c' for i in range(40)]
        rows[7] = '7,A1,2026-03-01T00:00:07Z,7.5x,EUR,"p\n7",c'
        data = self.path("q.csv")
        oracle.write_csv(data, oracle.TX_HEADER, rows, crlf_every=2)
        deck = self.deck(deck_text([data]))
        variants = [(1, [f"events.chunk_bytes={n}"]) for n in (1, 5, 23, 1 << 20)]
        variants.append((ARGS.np, ["events.chunk_bytes=3"]))
        # The fibers' channel pipeline (splitter, parsers, collector) on the same cuts.
        variants += [(1, ["runtime.scheduler=fibers", "runtime.threads=2", f"events.chunk_bytes={n}"])
                     for n in (1, 7)]
        variants.append((ARGS.np, ["runtime.scheduler=fibers", "runtime.threads=2", "events.chunk_bytes=2"]))
        out = self.runs_agree(deck, variants)
        self.check_quarantine(out, {2 + 2 * 7: "unparsable_field"})
        agg = oracle.read_table(os.path.join(out, "aggregates.csv"))
        self.assertEqual(sum(int(r["count"]) for r in agg), 39)
        self.assertEqual([int(r["distinct_counterparties"]) for r in agg], [14, 12, 13])

    def test_a_slow_ranks_range_is_shared_and_the_tables_stay_the_same(self):
        # WEFT_EVENTS_SLOW_RANK=0 makes rank 0 sleep after each piece of
        # its range (pieces of 64 chunks of 64 bytes): the others, done
        # early, parse the back halves of its rest (events.share_ranges),
        # their events and bad rows numbered by the file's lines all the same.
        if ARGS.np == 1:
            self.skipTest("one rank has no peer to share with")
        # No quoted newlines: a cut inside one would be a wrong guess, read again.
        records, truth = oracle.make_transactions(seed=29, rows=3000)
        flat, flat_truth, line = [], {}, 2
        for rec in records:
            if line in truth:
                flat_truth[2 + len(flat)] = truth[line]
            line += 1 + rec.count("\n")
            flat.append(rec.replace("\r\n", " ").replace("\n", " "))
        records, truth = flat, flat_truth
        data = self.path("tx.csv")
        oracle.write_csv(data, oracle.TX_HEADER, records, crlf_every=5)
        rates = self.path("rates.csv")
        oracle.write_rates(rates, ["USD", "GBP", "CHF"], "2026-03-01", 3)
        rules = '[rules.velocity]\nenabled = true\ncount = 2\nwindow = 7200\n'
        deck = self.deck(deck_text([data], rates=rates, extra=rules))
        one = self.path("one")
        run(deck, one, 1, ["events.chunk_bytes=64"])
        for sets in (["events.chunk_bytes=64"], ["events.chunk_bytes=64", "events.share_ranges=false"]):
            many = self.path("many")
            shutil.rmtree(many, ignore_errors=True)
            cmd = [ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(ARGS.np), "-x",
                   "WEFT_EVENTS_SLOW_RANK=0", ARGS.weft, "run", deck, "--set", f"output.dir={many}",
                   *sum((["--set", s] for s in sets), [])]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            shared = re.search(r"Parse ranges shared: (\d+) parts", r.stdout + r.stderr)
            if "events.share_ranges=false" in sets:
                self.assertIsNone(shared, r.stdout)
            else:
                self.assertIsNotNone(shared, r.stdout)
                self.assertGreaterEqual(int(shared.group(1)), 1)
            for t in TABLES:
                self.assertEqual(read_bytes(os.path.join(many, t)), read_bytes(os.path.join(one, t)), f"{t} {sets}")
        self.check_quarantine(one, truth)

    def test_quoted_newline_across_a_rank_start(self):
        # Several ranks guess where their ranges' first records start (no
        # counting pass over the file); a quoted newline across a rank's
        # chunk start makes the guess wrong: the run reads the file again
        # from counted ranges, says so in its report, and gives the tables
        # of one rank.
        if ARGS.np == 1:
            self.skipTest("one rank reads the whole file: nothing to guess")

        def wrong_guess(text, a):  # the first newline after a, quotes counted from a
            q = 0
            for i in range(a, len(text)):
                if text[i] == ord('"'):
                    q += 1
                elif text[i] == ord("\n") and q % 2 == 0:
                    return text.count(b'"', 0, i) % 2 == 1
            return False

        data = self.path("q.csv")
        for pad in range(400):
            rows = [f'{i},A{i % 3},2026-03-01T00:00:{i:02d}Z,{i}.5,EUR,"p{i}\n{"x" * pad if i == 0 else ""}\n\nq",c'
                    for i in range(40)]
            oracle.write_csv(data, oracle.TX_HEADER, rows)
            text = read_bytes(data)
            h = text.index(b"\n") + 1
            if any(wrong_guess(text, h + (len(text) - h) * r // ARGS.np) for r in range(1, ARGS.np)):
                break
        else:
            self.fail("no padding puts a quoted newline across a chunk start")
        deck = self.deck(deck_text([data]))
        one = self.path("one")
        run(deck, one, 1)
        many = self.path("many")
        cmd = [ARGS.mpiexec, "--allow-run-as-root", "--oversubscribe", "-np", str(ARGS.np), ARGS.weft, "run", deck,
               "--set", f"output.dir={many}"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("CSV inputs read twice (a quoted newline across a rank's chunk start): 1", r.stdout + r.stderr)
        for t in TABLES:
            self.assertEqual(read_bytes(os.path.join(many, t)), read_bytes(os.path.join(one, t)), t)
        agg = oracle.read_table(os.path.join(one, "aggregates.csv"))
        self.assertEqual(sum(int(r["count"]) for r in agg), 40)

    def test_restart_from_every_stage_gives_the_same_tables(self):
        records, truth = oracle.make_transactions(seed=21, rows=150)
        data = self.path("tx.csv")
        oracle.write_csv(data, oracle.TX_HEADER, records)
        rates = self.path("rates.csv")
        oracle.write_rates(rates, ["USD", "GBP", "CHF"], "2026-03-01", 3)
        rules = '[rules.velocity]\nenabled = true\ncount = 2\nwindow = 7200\n'
        deck = self.deck(deck_text([data], rates=rates, extra=rules))
        out = self.path("out")
        every = ["checkpoint.every=1", "checkpoint.keep=4", "runtime.scheduler=fibers"]
        run(deck, out, ARGS.np, every)
        want = {t: open(os.path.join(out, t), "rb").read() for t in TABLES}
        for stage in (1, 2, 3):
            for t in TABLES:
                os.remove(os.path.join(out, t))
            r = restart(deck, os.path.join(out, f"ckpt-{stage:010d}.h5"), every)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            for t in TABLES:
                with open(os.path.join(out, t), "rb") as f:
                    self.assertEqual(f.read(), want[t], f"{t} after a restart from stage {stage}")
        if ARGS.np > 1:  # the state is per rank: another rank count is refused
            r = subprocess.run([ARGS.weft, "run", deck, "-q", "--restart", os.path.join(out, "ckpt-0000000002.h5")],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("number of ranks that wrote it", r.stderr)

    def test_restart_inside_the_ingest(self):
        # Two inputs (one cursor each) with quoted newlines and CRLF, cut into
        # 5 ingest steps (parts end at record starts) and tiny parse chunks.
        records, _ = oracle.make_transactions(seed=23, rows=160)
        data = [self.path("a.csv"), self.path("b.csv")]
        oracle.write_csv(data[0], oracle.TX_HEADER, records[:100], crlf_every=3)
        oracle.write_csv(data[1], oracle.TX_HEADER, records[100:])
        rates = self.path("rates.csv")
        oracle.write_rates(rates, ["USD", "GBP", "CHF"], "2026-03-01", 3)
        rules = '[rules.velocity]\nenabled = true\ncount = 2\nwindow = 7200\n'
        deck = self.deck(deck_text(data, rates=rates, extra=rules))
        ref = self.path("ref")
        run(deck, ref, ARGS.np)  # the ingest before step 1, no checkpoint
        want = {t: read_bytes(os.path.join(ref, t)) for t in TABLES}
        out = self.path("out")
        every = ["events.ingest_steps=5", "checkpoint.every=1", "checkpoint.keep=20", "events.chunk_bytes=7"]
        run(deck, out, ARGS.np, every)
        for t in TABLES:
            self.assertEqual(read_bytes(os.path.join(out, t)), want[t], f"{t} with 5 ingest steps")
        with open(os.path.join(out, "thermo.dat")) as f:
            valid = [int(x.split()[1]) for x in f if x.strip() and not x.startswith("#")]
        self.assertEqual(len(valid), 10)  # step 0, 5 ingest parts, 4 stages
        self.assertTrue(0 == valid[0] < valid[1] < valid[2] < valid[3] < valid[4], valid)  # parts of both files
        for step in (1, 2, 3, 4, 5):
            for t in TABLES:
                os.remove(os.path.join(out, t))
            sets = every + [f"runtime.scheduler={'fibers' if step % 2 else 'openmp'}"]
            r = restart(deck, os.path.join(out, f"ckpt-{step:010d}.h5"), sets)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            for t in TABLES:
                self.assertEqual(read_bytes(os.path.join(out, t)), want[t], f"{t} after a restart from ingest step {step}")
        # A rates table missing a day of the events, found at the ingest's
        # end: the run has begun (exit 3), and the message names the day.
        bad_rates = self.path("short-rates.csv")
        oracle.write_rates(bad_rates, ["USD", "GBP", "CHF"], "2026-03-01", 2)
        r = run(deck, self.path("out-rates"), ARGS.np, ["events.ingest_steps=2", f"events.rates={bad_rates}"],
                check=False)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("no rate of", r.stdout + r.stderr)
        self.assertIn("found at the end of the ingest", r.stdout + r.stderr)

    def test_bad_row_threshold_fails_the_run(self):
        records, truth = oracle.make_transactions(seed=5, rows=120)
        data = self.path("tx.csv")
        oracle.write_csv(data, oracle.TX_HEADER, records)
        rates = self.path("rates.csv")
        oracle.write_rates(rates, ["USD", "GBP"], "2026-03-01", 3)
        deck = self.deck(deck_text([data], rates=rates))
        r = run(deck, self.path("out"), ARGS.np, ["events.max_bad_fraction=0.01"], check=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(f"{len(truth)} of 120 rows", r.stdout + r.stderr)

    def test_every_row_quarantined_with_threshold_one(self):
        data = self.path("allbad.csv")
        oracle.write_csv(data, oracle.TX_HEADER, ["1,A,bad,1.00,EUR,p,c", "2,A,2026-01-01T00:00:00Z,x,EUR,p,c"])
        deck = self.deck(deck_text([data]))
        out = self.path("out")
        run(deck, out, ARGS.np, ["events.max_bad_fraction=1"])
        self.check_quarantine(out, {2: "bad_timestamp", 3: "unparsable_field"})
        self.assertEqual(oracle.read_table(os.path.join(out, "aggregates.csv")), [])
        import h5py
        with h5py.File(os.path.join(out, "events.h5"), "r") as f:
            self.assertEqual(f["aggregates/key"].shape, (0, 2))
            self.assertEqual(f["quarantine/line"][:].tolist(), [2, 3])

    def test_unix_timestamps_give_the_tables_of_iso_text(self):
        # The same events with ISO text times and with integer counts since
        # 1970 (seconds, milliseconds, microseconds, nanoseconds: times at
        # the unit's resolution, nanoseconds floored to the microsecond):
        # the same aggregates, per-day totals and flags; a timestamp that is
        # not an integer, or beyond year 9999, is a bad_timestamp row.
        rates = self.path("rates.csv")
        oracle.write_rates(rates, ["USD", "GBP"], "2026-03-01", 3)
        t0 = oracle.parse_time("2026-03-01T00:00:00Z")
        rules = "[rules.velocity]\nenabled = true\ncount = 1\nwindow = 3600\n"
        for unit, per in (("unix_s", 10**6), ("unix_ms", 10**3), ("unix_us", 1), ("unix_ns", None)):
            with self.subTest(format=unit):
                rnd = random.Random(unit)
                iso_rows, unix_rows, bad = [], [], {}
                for i in range(240):
                    us = rnd.randrange(0, 3 * 86400 * 10**6)
                    if per:
                        us -= us % per
                        count = str((t0 + us) // per)
                    else:  # nanoseconds: the ISO time is their floor to the microsecond
                        count = str((t0 + us) * 1000 + rnd.randrange(1000))
                    rest = f"{100 + rnd.randrange(99900)}.{rnd.randrange(100):02},{rnd.choice(['EUR', 'USD', 'GBP'])},p{i % 5},c"
                    key = f"A{rnd.randrange(6)}"
                    iso_rows.append(f"{i},{key},{oracle.iso(t0 + us)},{rest}")
                    unix_rows.append(f"{i},{key},{count},{rest}")
                for line, (text_iso, text_unix) in {30: ("2026-03-01", "12x"),
                                                     90: ("9999-99-99T00:00:00Z", "9" * 18 + "0")}.items():
                    iso_rows[line - 2] = iso_rows[line - 2].replace(iso_rows[line - 2].split(",")[2], text_iso)
                    unix_rows[line - 2] = unix_rows[line - 2].replace(unix_rows[line - 2].split(",")[2], text_unix)
                    bad[line] = "bad_timestamp"
                iso_csv, unix_csv = self.path(f"iso-{unit}.csv"), self.path(f"{unit}.csv")
                oracle.write_csv(iso_csv, oracle.TX_HEADER, iso_rows)
                oracle.write_csv(unix_csv, oracle.TX_HEADER, unix_rows)
                ref, out = self.path(f"ref-{unit}"), self.path(f"out-{unit}")
                run(self.deck(deck_text([iso_csv], rates=rates, extra=rules), f"iso-{unit}.toml"), ref, ARGS.np)
                extra = rules + f'[events.columns]\ntimestamp_format = "{unit}"\n'
                run(self.deck(deck_text([unix_csv], rates=rates, extra=extra), f"{unit}.toml"), out, ARGS.np)
                for t in ("aggregates.csv", "per_day.csv", "flags.csv"):
                    self.assertEqual(read_bytes(os.path.join(out, t)), read_bytes(os.path.join(ref, t)), t)
                self.check_quarantine(out, bad)
                self.check_quarantine(ref, bad)
                flags = oracle.read_table(os.path.join(out, "flags.csv"))
                self.assertTrue(flags, "the velocity rule flags something: the times matter")

    def test_bad_inputs_exit_2_and_write_nothing(self):
        good = [f"{i},A1,2026-03-01T00:00:0{i}Z,1.00,EUR,p,c" for i in range(5)]
        rates = self.path("rates.csv")
        oracle.write_rates(rates, ["USD"], "2026-03-01", 1)
        cases = {
            "missing column": (oracle.TX_HEADER.replace(",currency", ""), good, [], "no column 'currency'"),
            "key column absent": (oracle.TX_HEADER, good, ["events.columns.key=acct"], "no column 'acct'"),
            "wrong type mapping": (oracle.TX_HEADER, good, ["events.columns.value=category"], "mapping is wrong"),
            "empty file": (None, [], [], "is empty"),
            "header only": (oracle.TX_HEADER, [], [], "no rows"),
            "truncated HDF5 file": (b"\x89HDF\r\n\x1a\n\x00\x00", [], [], "cannot be read as an HDF5 table"),
            "binary file": (b"PK\x03\x04\x14\x00\x00\x00", [], [], "neither an HDF5 file nor CSV text"),
            "rates with gaps": (oracle.TX_HEADER, good + ["9,A1,2026-03-02T00:00:00Z,1.00,USD,p,c"],
                                [f"events.rates={rates}"], "no rate of USD on 2026-03-02"),
        }
        # An event holds its currency in 8 bits: at most 127 besides the base.
        many = self.path("rates-128.csv")
        codes = ["Q" + chr(65 + i // 26) + chr(65 + i % 26) for i in range(128)]  # QAA .. QEX
        oracle.write_rates(many, codes, "2026-03-01", 1)
        cases["too many currencies"] = (oracle.TX_HEADER, good, [f"events.rates={many}"],
                                        "128 currencies besides the base; weft converts at most 127")
        r = run(self.deck(deck_text([]).replace("inputs = []\n", "")), self.path("out-none"), ARGS.np, check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("no input file", r.stderr)
        self.assertFalse(os.path.exists(self.path("out-none")))
        # An event holds its file's index in 14 bits and its line in 42.
        data = self.path("one.csv")
        with open(data, "w") as f:
            f.write("\n".join([oracle.TX_HEADER] + good) + "\n")
        r = run(self.deck(deck_text([data] * 8193)), self.path("out-many"), ARGS.np, check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("8193 files; a run reads at most 8192", r.stderr)
        self.assertFalse(os.path.exists(self.path("out-many")))
        huge = self.path("huge.csv")
        with open(huge, "wb") as f:
            f.write((oracle.TX_HEADER + "\n").encode())
            try:
                f.truncate(2 ** 41)  # sparse: no block written
            except OSError:
                huge = None
        if huge:
            r = run(self.deck(deck_text([huge])), self.path("out-huge"), ARGS.np, check=False)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("weft reads input files of up to", r.stderr)
            self.assertFalse(os.path.exists(self.path("out-huge")))
            os.remove(huge)
        for name, (header, rows, sets, message) in cases.items():
            with self.subTest(case=name):
                data = self.path(name.replace(" ", "_") + ".csv")
                with open(data, "wb") as f:
                    if isinstance(header, bytes):
                        f.write(header)
                    elif header is not None:
                        f.write(("\n".join([header] + rows) + "\n").encode())
                deck = self.deck(deck_text([data]))
                out = self.path("out-" + name.replace(" ", "_"))
                r = run(deck, out, ARGS.np, sets, check=False)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn(message, r.stderr)
                self.assertFalse(os.path.exists(out), f"{out} was created")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--weft", required=True)
    p.add_argument("--mpiexec", required=True)
    p.add_argument("--np", type=int, default=1)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

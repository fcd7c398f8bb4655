# SPDX-License-Identifier: Apache-2.0
"""An independent oracle of the events pipeline for the tests: small data
sets written by hand-built rules (seeded), and the expected tables computed
from the definitions of docs/events-data.md with Python's csv module and
exact arithmetic (decimal, fractions). It shares no code with weft."""
import csv
import datetime as dt
import math
import random
import re
from decimal import Decimal
from fractions import Fraction

REASONS = ["unparsable_field", "missing_field", "bad_timestamp", "non_finite", "out_of_range",
           "unknown_currency", "duplicate_event_id"]
TX_HEADER = "event_id,account,timestamp,amount,currency,counterparty,category"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def iso(us):
    """ISO text of microseconds since the epoch, 6 fraction digits."""
    t = EPOCH + dt.timedelta(microseconds=us)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}Z"


def parse_time(text):
    """Microseconds since the epoch of YYYY-MM-DDTHH:MM:SS[.f{0,6}]Z, or None."""
    if len(text) < 20 or text[-1] != "Z" or text[10] != "T":
        return None
    frac = ""
    if len(text) > 20:
        if text[19] != "." or not 1 <= len(text) - 21 <= 6:
            return None
        frac = text[20:-1]
        if not frac.isdigit():
            return None
    try:
        t = dt.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None
    if not text[:4].isdigit():
        return None
    return (t - EPOCH) // dt.timedelta(microseconds=1) + int((frac + "000000")[:6] or 0)


def q(text):
    """A CSV field, quoted when it needs to be."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def make_transactions(seed, rows, start_day="2026-03-01", days=3):
    """Rows of a transactions CSV (list of record texts, without line ends)
    and the injected malformed rows as {line: reason}: one of each kind,
    quoted counterparties with commas, doubled quotes and newlines."""
    rnd = random.Random(seed)
    t0 = parse_time(start_day + "T00:00:00Z")
    # Texts longer than 15 bytes (IBAN keys, a long name) live on the heap in
    # weft's events and travel through shuffles and checkpoints differently.
    parties = ["ACME", "Smith, John", 'He said "hi"', "two\nlines", 'Zed "Q" Ltd', "x,y\r\nz",
               "Grand Long-Named Trading Partners, \"Ltd\""]
    out, truth = [], {}
    ids = []
    line = 2
    for i in range(rows):
        eid = 1000 + 7 * i
        k = rnd.randint(1, 12)
        key = f"A{k:06d}" if k <= 9 else f"DE89370400440532{k:06d}"
        us = t0 + rnd.randrange(days * 86400 * 10**6)
        ts = iso(us)
        if rnd.random() < 0.3:
            ts = ts[:19] + "Z"
        elif rnd.random() < 0.3:
            ts = ts[:19] + "." + ts[20:20 + rnd.randint(1, 6)] + "Z"
        cents = rnd.randint(-50000, 2000000)
        amount = f"{cents / 100:.2f}" if rnd.random() < 0.8 else str(Decimal(cents) / 100)
        cur = rnd.choice(["EUR", "USD", "GBP", "USD"])
        fields = [str(eid), key, ts, amount, cur, q(rnd.choice(parties)),
                  q(rnd.choice(["food", "rent", "misc, etc"]))]
        kind = i % 37
        if kind == 3:
            fields[5] = ""; truth[line] = "missing_field"
        elif kind == 7:
            fields[3] = rnd.choice([".5", "5.", "1e3"]); truth[line] = "unparsable_field"
        elif kind == 13:
            fields[2] = fields[2][:19] + ".Z"; truth[line] = "bad_timestamp"
        elif kind == 5:
            fields[3] = "12.3x"; truth[line] = "unparsable_field"
        elif kind == 11:
            fields = fields[:4]; truth[line] = "missing_field"
        elif kind == 17:
            fields[2] = "2026-02-30T10:00:00Z"; truth[line] = "bad_timestamp"
        elif kind == 23:
            fields[3] = rnd.choice(["nan", "inf", "-inf"]); truth[line] = "non_finite"
        elif kind == 29:
            fields[3] = "1.234"; truth[line] = "out_of_range"
        elif kind == 31:
            fields[4] = "XYZ"; truth[line] = "unknown_currency"
        elif kind == 35 and ids:
            fields[0] = str(rnd.choice(ids)); truth[line] = "duplicate_event_id"
        if line not in truth:
            ids.append(eid)
        rec = ",".join(fields)
        out.append(rec)
        line += 1 + rec.count("\n")
    return out, truth


def write_csv(path, header, records, crlf_every=0):
    with open(path, "w", newline="") as f:
        f.write(header + "\n")
        for i, r in enumerate(records):
            f.write(r + ("\r\n" if crlf_every and i % crlf_every == 0 else "\n"))


def write_rates(path, currencies, first_day, days, seed=7):
    rnd = random.Random(seed)
    d0 = dt.date.fromisoformat(first_day)
    with open(path, "w") as f:
        f.write("date,currency,rate\n")
        for k in range(days):
            for c in currencies:
                f.write(f"{d0 + dt.timedelta(days=k)},{c},{rnd.uniform(0.5, 1.5):.8f}\n")


def read_rates(path):
    rates = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rates[(row["date"], row["currency"])] = int(Decimal(row["rate"]) * 10**8)
    return rates


def load_events(path, domain, rates=None, dp=2, base="EUR"):
    """(valid events, quarantine {line: reason}) by the definitions."""
    known = {base} | {c for (_, c) in (rates or {})}
    events, bad, seen = [], {}, {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        col = {n: i for i, n in enumerate(header)}
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields:
                continue
            if len(fields) < len(header) or "" in fields[:len(header)]:
                bad[line] = "missing_field"; continue
            if len(fields) > len(header) or not re.fullmatch(r"-?[0-9]+", fields[col["event_id"]]):
                bad[line] = "unparsable_field"; continue
            eid = int(fields[col["event_id"]])
            key = fields[col["account" if domain == "transactions" else "sensor"]]
            t = parse_time(fields[col["timestamp"]])
            if t is None:
                bad[line] = "bad_timestamp"; continue
            text = fields[col["amount" if domain == "transactions" else "value"]]
            if text.lstrip("+-").lower() in ("nan", "inf", "infinity"):
                bad[line] = "non_finite"; continue
            if not re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", text):
                bad[line] = "unparsable_field"; continue
            e = {"id": eid, "key": key, "t": t, "line": line}
            if domain == "transactions":
                d = Decimal(text)
                if -d.as_tuple().exponent > dp or abs(d) > 10**12:
                    bad[line] = "out_of_range"; continue
                cur = fields[col["currency"]]
                if cur not in known:
                    bad[line] = "unknown_currency"; continue
                minor = int(d * 10**dp)
                day = iso(t)[:10]
                rate = 10**8 if cur == base else rates[(day, cur)]
                e["units"] = round(Fraction(minor * rate, 10**8))  # half to even
                e["value"] = float(e["units"])  # x: base minor units
                e["party"] = fields[col["counterparty"]]
            else:
                e["value"] = float(text)
                if abs(e["value"]) > 1e12:
                    bad[line] = "out_of_range"; continue
            if eid in seen:
                bad[line] = "duplicate_event_id"; continue
            seen[eid] = line
            events.append(e)
    return events, bad


def by_key(events):
    keys = {}
    for e in sorted(events, key=lambda e: (e["key"], e["t"], e["id"])):
        keys.setdefault(e["key"], []).append(e)
    return keys


def aggregates(events, domain):
    """{key: {column: value}}: exact sums, floats from exact arithmetic;
    transactions in base minor units, stddev None for one event."""
    out = {}
    for key, es in by_key(events).items():
        n = len(es)
        row = {"count": n, "first_time": iso(es[0]["t"]), "last_time": iso(es[-1]["t"])}
        if domain == "transactions":
            units = [e["units"] for e in es]
            vals = [Fraction(u) for u in units]
            row.update(sum=sum(units), min=min(units), max=max(units),
                       distinct_counterparties=len({e["party"] for e in es}))
        else:
            vals = [Fraction(e["value"]) for e in es]
            row.update(sum=float(sum(vals)), min=float(min(vals)), max=float(max(vals)))
        mean = sum(vals) / n
        row["mean"] = float(mean)
        row["stddev"] = math.sqrt(sum((v - mean) ** 2 for v in vals) / (n - 1)) if n > 1 else None
        out[key] = row
    return out


def per_day(events, domain):
    """{day: {count, sum}}: the sum in base minor units (transactions, exact) or of the readings."""
    days = {}
    for e in events:
        d = days.setdefault(iso(e["t"])[:10], [0, 0, Fraction(0)])
        d[0] += 1
        d[1] += e.get("units", 0)
        d[2] += Fraction(e["value"])
    if domain == "transactions":
        return {k: {"count": v[0], "sum": v[1]} for k, v in days.items()}
    return {k: {"count": v[0], "sum": float(v[2])} for k, v in days.items()}


def bursts(es, w_us, hot):
    """Flags of a window rule over es (one key, in order): the window of
    event j holds the i <= j with t_j - t_i < w_us; windows for which
    hot(count) holds are merged when they share an event: {ids: score}."""
    groups = []  # [lo, hi, score] index ranges of es
    for j, e in enumerate(es):
        lo = min(i for i in range(j + 1) if e["t"] - es[i]["t"] < w_us)
        if not hot(j - lo + 1):
            continue
        if groups and lo <= groups[-1][1]:
            groups[-1][1], groups[-1][2] = j, max(groups[-1][2], j - lo + 1)
        else:
            groups.append([lo, j, j - lo + 1])
    return {tuple(sorted(x["id"] for x in es[lo:hi + 1])): score for lo, hi, score in groups}


def flags(events, rules):
    """Every flag of the definitions, naively (each window recomputed):
    {(rule, key, ids ascending): score}. Rules: velocity (K, W seconds),
    structuring (N, floor, threshold, W, decimals), zscore (k, M), gap G, stuck R."""
    out = {}
    for key, es in by_key(events).items():
        if "velocity" in rules:
            k, w = rules["velocity"]
            for ids, score in bursts(es, w * 10**6, lambda c: c > k).items():
                out[("velocity", key, ids)] = score
        if "structuring" in rules:  # floor and threshold in major units, x in minor units
            n, floor, threshold, w, dp = rules["structuring"]
            lo, hi = Fraction(Decimal(str(floor))) * 10**dp, Fraction(Decimal(str(threshold))) * 10**dp
            band = [x for x in es if lo <= x["units"] < hi]
            for ids, score in bursts(band, w * 10**6, lambda c: c >= n).items():
                out[("structuring", key, ids)] = score
        if "zscore" in rules:
            k, m = rules["zscore"]
            for i, e in enumerate(es):
                prior = [Fraction(x["value"]) for x in es[:i]]
                if len(prior) < m:
                    continue
                mean = sum(prior) / len(prior)
                sd = math.sqrt(sum((p - mean) ** 2 for p in prior) / (len(prior) - 1))
                dev = float(Fraction(e["value"]) - mean)
                if sd > 0 and abs(dev) > k * sd:
                    out[("zscore", key, (e["id"],))] = dev / sd
        if "gap" in rules:
            for p, n in zip(es, es[1:]):
                if n["t"] - p["t"] > rules["gap"] * 10**6:
                    out[("gap", key, tuple(sorted((p["id"], n["id"]))))] = (n["t"] - p["t"]) / 1e6
        if "stuck" in rules:
            i = 0
            while i < len(es):
                j = i
                while j < len(es) and es[j]["value"] == es[i]["value"]:
                    j += 1
                if j - i >= rules["stuck"]:
                    out[("stuck", key, tuple(sorted(x["id"] for x in es[i:j])))] = j - i
                i = j
    return out


def read_table(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def make_sensors(seed, sensors, readings, start="2026-04-01T00:00:00Z", every_s=60):
    """Rows of a sensors CSV: `readings` per sensor every ~`every_s` seconds
    (jittered), values around 20 with 3 decimals; sensor 1 has a gap of an
    hour, sensor 2 a stuck run of 8, sensor 3 an outlier."""
    rnd = random.Random(seed)
    t0 = parse_time(start)
    rows, eid = [], 1
    for s in range(1, sensors + 1):
        t = t0
        for k in range(readings):
            t += (every_s + rnd.randint(-5, 5)) * 10**6 + rnd.randrange(10**6)
            if s == 1 and k == readings // 2:
                t += 3600 * 10**6
            value = round(rnd.gauss(20.0 + s, 0.5), 3)
            if s == 2 and readings // 3 <= k < readings // 3 + 8:
                value = 22.125
            if s == 3 and k == readings // 2:
                value = 95.5
            rows.append(f"{eid},S{s:04d},{iso(t)},{value}")
            eid += 1
    rnd.shuffle(rows)
    return rows

# SPDX-License-Identifier: Apache-2.0
"""An independent reading of an events CSV with Python's csv module: the
validation rules, the conversion and the aggregates of docs/events-data.md,
written again without DuckDB, to check both tools/make-events' ground truth
and tools/duckdb/oracle.mjs."""
import csv
import datetime
import re
from decimal import Decimal

COLUMNS = {
    "transactions": ["event_id", "account", "timestamp", "amount", "currency", "counterparty",
                     "category"],
    "sensors": ["event_id", "sensor", "timestamp", "value"],
}
TS = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z")
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
NON_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)
EPOCH = datetime.date(1970, 1, 1)
DAY_US = 86_400_000_000


def parse_ts(text):
    """Microseconds since the epoch, or None for a bad timestamp."""
    m = TS.fullmatch(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    try:
        day = datetime.date(y, mo, d)
    except ValueError:
        return None
    if h > 23 or mi > 59 or s > 59:
        return None
    frac = int((m.group(7) or "").ljust(6, "0"))
    return (day - EPOCH).days * DAY_US + ((h * 60 + mi) * 60 + s) * 1_000_000 + frac


def records(path):
    """(line of the record's first physical line, fields) for each data record."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        last = reader.line_num
        for fields in reader:
            yield last + 1, fields
            last = reader.line_num
    return header


def reason(domain, fields, currencies, decimals):
    """The quarantine reason of a record (before duplicates), or None."""
    n = len(COLUMNS[domain])
    if len(fields) < n or any(x == "" for x in fields[:n]):
        return "missing_field"
    if len(fields) > n:
        return "unparsable_field"
    if not re.fullmatch(r"-?[0-9]+", fields[0]) or not -2**63 <= int(fields[0]) < 2**63:
        return "unparsable_field"
    if parse_ts(fields[2]) is None:
        return "bad_timestamp"
    num = fields[3]
    if NON_FINITE.fullmatch(num):
        return "non_finite"
    if not NUMBER.fullmatch(num):
        return "unparsable_field"
    if domain == "transactions":
        places = len(num.split(".")[1]) if "." in num else 0
        if places > decimals or abs(Decimal(num)) > Decimal(10) ** 12:
            return "out_of_range"
        if fields[4] not in currencies:
            return "unknown_currency"
    elif abs(float(num)) > 1e12:
        return "out_of_range"
    return None


def read_rates(path):
    """{(day since epoch, currency): rate x 10^8}."""
    rates = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            day = (datetime.date.fromisoformat(row["date"]) - EPOCH).days
            rates[(day, row["currency"])] = int(Decimal(row["rate"]) * 10**8)
    return rates


def round_half_even_div(p, d):
    q, r = divmod(abs(p), d)
    if 2 * r > d or (2 * r == d and q % 2 == 1):
        q += 1
    return q if p >= 0 else -q


def classify(domain, path, rates=None, base="EUR", decimals=2):
    """(bad: {reason: [lines]}, events: [(key, id, ts_us, x, counterparty)]).
    x is base minor units (transactions) or the reading (sensors)."""
    currencies = {c for (_, c) in rates} | {base} if rates is not None else set()
    bad = {}
    seen = set()
    events = []
    for line, f in records(path):
        why = reason(domain, f, currencies, decimals)
        if why is None and int(f[0]) in seen:
            why = "duplicate_event_id"
        if why is not None:
            bad.setdefault(why, []).append(line)
            continue
        seen.add(int(f[0]))
        ts = parse_ts(f[2])
        if domain == "transactions":
            minor = int(Decimal(f[3]) * 10**decimals)
            rate = 10**8 if f[4] == base else rates[(ts // DAY_US, f[4])]
            x = round_half_even_div(minor * rate, 10**8)
            events.append((f[1], int(f[0]), ts, x, f[5]))
        else:
            events.append((f[1], int(f[0]), ts, float(f[3]), None))
    return bad, events


def injected_flags(truth):
    """The flags a generator truth file's patterns must raise:
    {(rule, key, event ids): score}, score None where the truth has none
    (a z-score outlier's score depends on its account's history)."""
    p, want = truth["patterns"], {}
    if truth["domain"] == "transactions":
        for rule in ("velocity", "structuring"):
            for x in p[rule]:
                want[(rule, x["key"], tuple(x["event_ids"]))] = float(len(x["event_ids"]))
        for x in p["outlier"]:
            want[("zscore", x["key"], (x["event_id"],))] = None
    else:
        for x in p["gap"]:
            gap = (parse_ts(x["to"]) - parse_ts(x["from"])) / 1e6
            want[("gap", x["sensor"], tuple(x["event_ids"]))] = gap
        for x in p["stuck"]:
            want[("stuck", x["sensor"], tuple(x["event_ids"]))] = float(len(x["event_ids"]))
    return want


def read_flags(path):
    """A flags.csv (rule,key,event_ids,score) as {(rule, key, event ids): score}."""
    with open(path, newline="") as f:
        return {(r["rule"], r["key"], tuple(int(i) for i in r["event_ids"].split(";"))): float(r["score"])
                for r in csv.DictReader(f)}

# SPDX-License-Identifier: Apache-2.0
"""The events pipeline in pandas, single process: tools/bench/events' baseline.

The definitions are docs/events-data.md's (transactions only): read the CSV
with every column as text, quarantine with the first failing check in the
contract's order, drop later duplicates of an event id, convert to base
minor units exactly (int64, half to even), aggregate per account and per
day, and run the velocity, structuring and z-score rules. Writes the DuckDB
oracle's tables (aggregates.csv, per_day.csv, flags.csv,
quarantine_counts.csv) and timings.json (seconds per stage) into OUT.

    /usr/bin/python3 tools/bench/events_pandas.py SPEC.json OUT
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd

REASONS = ["unparsable_field", "missing_field", "bad_timestamp", "non_finite", "out_of_range",
           "unknown_currency", "duplicate_event_id"]
COLUMNS = ["event_id", "account", "timestamp", "amount", "currency", "counterparty", "category"]
US_PER_DAY = 86400 * 10**6
INT64_MAX = "9223372036854775807"


def decimal_units(text, dp):
    """A decimal string as an int of 10^-dp units."""
    neg = text.startswith("-")
    ip, _, fp = text.lstrip("+-").partition(".")
    v = int(ip) * 10**dp + int((fp + "0" * dp)[:dp] or 0)
    return -v if neg else v


def load_rates(path, base):
    r = pd.read_csv(path, dtype=str, keep_default_na=False)
    r = r[r["currency"] != base]
    day = pd.to_datetime(r["date"], format="%Y-%m-%d").values.astype("datetime64[D]").astype(np.int64)
    rate = np.array([decimal_units(s, 8) for s in r["rate"]], dtype=np.int64)
    return pd.DataFrame({"day": day, "currency": r["currency"].values, "rate_e8": rate})


def int64_ok(ids):
    """event_id text that is -?[0-9]+ within int64."""
    ok = ids.str.fullmatch(r"-?[0-9]+").values
    n = ids.str.len().values
    long = np.nonzero(ok & (n >= 19))[0]  # the few that may overflow: compare the digits
    for i in long:
        text = ids.iat[i]
        mag = text.lstrip("-").lstrip("0")
        limit = "9223372036854775808" if text.startswith("-") else INT64_MAX
        ok[i] = len(mag) < 19 or (len(mag) == 19 and mag <= limit)
    return ok


def parse_times(ts):
    """Microseconds since the epoch (int64) and whether the text is a valid timestamp."""
    fmt = ts.str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")
    # pandas' ISO parser takes the fraction of 0-6 digits; calendar and clock checked (NaT)
    when = pd.to_datetime(ts.str.slice(0, -1).where(fmt), format="%Y-%m-%dT%H:%M:%S.%f", errors="coerce")
    valid = (fmt & when.notna()).values
    return np.where(valid, when.values.astype(np.int64) // 1000, 0), valid


def iso(us):
    return pd.to_datetime(us, unit="us").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def islands(rule, keys, codes, ts, ids, window_us, hot_of):
    """Merged hot windows of a sliding count rule over events sorted by (key, ts, id)."""
    if len(ts) == 0:
        return []
    t0 = ts.min()
    if ts.max() - t0 >= 2**42 or codes.max() >= 2**21:
        raise SystemExit("events_pandas: time range or key count too large for the composite key")
    comp = codes.astype(np.int64) * 2**42 + (ts - t0)
    idx = np.arange(len(comp))
    start = np.searchsorted(comp, comp - window_us + 1, side="left")
    count = idx - start + 1
    hot = np.nonzero(hot_of(count))[0]
    flags = []
    lo = hi = score = None
    for e in hot:
        s, c = start[e], count[e]
        if lo is not None and codes[e] == codes[hi] and s <= hi:
            hi, score = e, max(score, c)
            continue
        if lo is not None:
            flags.append((rule, keys[lo], sorted(ids[lo:hi + 1]), float(score)))
        lo, hi, score = s, e, c
    if lo is not None:
        flags.append((rule, keys[lo], sorted(ids[lo:hi + 1]), float(score)))
    return flags


def main(spec_path, out):
    t = {}
    clock = [time.perf_counter()]

    def lap(name):
        now = time.perf_counter()
        t[name] = now - clock[0]
        clock[0] = now

    with open(spec_path) as f:
        spec = json.load(f)
    here = os.path.dirname(os.path.abspath(spec_path))
    csv = os.path.join(here, spec["csv"])
    base, dp = spec["base"], spec.get("decimals", 2)
    rules = spec.get("rules", {})
    if not 0 <= dp <= 2:
        raise SystemExit("events_pandas: decimals must be 0-2 (the amounts go through doubles)")
    df = pd.read_csv(csv, dtype=str, keep_default_na=False, na_filter=False, engine="c")
    if list(df.columns) != COLUMNS:
        raise SystemExit(f"events_pandas: {csv}: header must be {','.join(COLUMNS)}")
    rates = load_rates(os.path.join(here, spec["rates"]), base)
    lap("read")

    # The checks, in the contract's order: the first that fails is the reason.
    missing = np.zeros(len(df), dtype=bool)
    for c in COLUMNS:
        missing |= (df[c] == "").values
    ts_us, ts_ok = parse_times(df["timestamp"])
    amount = df["amount"]
    non_finite = amount.str.lower().str.fullmatch(r"[+-]?(nan|inf|infinity)").values
    plain = amount.str.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?").values
    # minor = amount x 10^dp: exact through a double while |minor| < 2^53 / 4
    # (10^12 x 10^dp with dp <= 2; the text's digits decide the range first)
    dot = amount.str.find(".").values
    frac_digits = np.where(dot >= 0, amount.str.len().values - dot - 1, 0)
    value = pd.to_numeric(amount.where(plain, "0"), errors="coerce").values
    out_of_range = (frac_digits > dp) | ~(np.abs(value) <= 1e12)
    minor = np.rint(np.where(out_of_range, 0.0, value) * 10**dp).astype(np.int64)
    known = set(rates["currency"]) | {base}
    unknown = ~df["currency"].isin(known).values
    reason = np.select([missing, ~int64_ok(df["event_id"]), ~ts_ok, non_finite, ~plain, out_of_range, unknown],
                       ["missing_field", "unparsable_field", "bad_timestamp", "non_finite", "unparsable_field",
                        "out_of_range", "unknown_currency"], default="")
    valid = reason == ""
    ids = np.zeros(len(df), dtype=np.int64)
    ids[valid] = df["event_id"][valid].astype(np.int64).values
    dup = np.zeros(len(df), dtype=bool)
    dup[valid] = pd.Series(ids[valid]).duplicated(keep="first").values
    reason = np.where(dup, "duplicate_event_id", reason)
    valid &= ~dup
    lap("validate")

    # Exact conversion: x = round_half_even(minor * rate_e8 / 10^8).
    ev = pd.DataFrame({"key": df["account"].values[valid], "id": ids[valid], "ts": ts_us[valid],
                       "minor": minor[valid], "currency": df["currency"].values[valid],
                       "cp": df["counterparty"].values[valid]})
    ev["day"] = ev["ts"] // US_PER_DAY
    ev = ev.merge(rates, on=["day", "currency"], how="left", sort=False)
    ev.loc[ev["currency"] == base, "rate_e8"] = 10**8
    if ev["rate_e8"].isna().any():
        bad = ev[ev["rate_e8"].isna()].iloc[0]
        raise SystemExit(f"events_pandas: no rate for {bad['currency']} on day {bad['day']}")
    rate = ev["rate_e8"].astype(np.int64).values
    am = np.abs(ev["minor"].values)
    lo = (am % 10**8) * rate
    q = (am // 10**8) * rate + lo // 10**8
    r = lo % 10**8
    q += (2 * r > 10**8) | ((2 * r == 10**8) & (q % 2 == 1))
    ev["x"] = np.where(ev["minor"].values < 0, -q, q)
    ev = ev.drop(columns=["minor", "currency", "rate_e8"])
    lap("convert")

    ev = ev.sort_values(["key", "ts", "id"], kind="stable", ignore_index=True)
    g = ev.groupby("key", sort=True)
    agg = g.agg(count=("x", "size"), sum=("x", "sum"), min=("x", "min"), max=("x", "max"),
                first=("ts", "min"), last=("ts", "max"), distinct_counterparties=("cp", "nunique"))
    agg["mean"] = agg["sum"] / agg["count"]
    agg["stddev"] = ev["x"].astype(np.float64).groupby(ev["key"], sort=True).std(ddof=1)
    per_day = ev.groupby("day", sort=True)["x"].agg(["size", "sum"])
    lap("aggregate")

    codes = pd.factorize(ev["key"], sort=False)[0]
    keys, ts, evids, x = ev["key"].values, ev["ts"].values, ev["id"].values, ev["x"].values
    flags = []
    if "velocity" in rules:
        v = rules["velocity"]
        flags += islands("velocity", keys, codes, ts, evids, v["window_us"], lambda c: c > v["k"])
    if "structuring" in rules:
        s = rules["structuring"]
        band = (x >= decimal_units(s["floor"], dp)) & (x < decimal_units(s["threshold"], dp))
        flags += islands("structuring", keys[band], codes[band], ts[band], evids[band], s["window_us"],
                         lambda c: c >= s["n"])
    if "zscore" in rules:
        z = rules["zscore"]
        # the history before each event: exclusive running sums of x - the key's mean
        xs = x.astype(np.float64) - agg["mean"].reindex(ev["key"]).values
        grp = pd.Series(xs).groupby(codes)
        n = grp.cumcount().values.astype(np.float64)
        s1 = grp.cumsum().values - xs
        s2 = pd.Series(xs * xs).groupby(codes).cumsum().values - xs * xs
        with np.errstate(invalid="ignore", divide="ignore"):
            m = s1 / n
            sd = np.sqrt(np.maximum((s2 - n * m * m) / (n - 1), 0.0))
            hit = (n >= z["min_history"]) & (n > 1) & (sd > 0) & (np.abs(xs - m) > z["k"] * sd)
        for i in np.nonzero(hit)[0]:
            flags.append(("zscore", keys[i], [evids[i]], float((xs[i] - m[i]) / sd[i])))
    flags.sort(key=lambda f: (f[0], f[1], f[2][0]))
    lap("detect")

    os.makedirs(out, exist_ok=True)
    table = pd.DataFrame({"account": agg.index, "count": agg["count"].values, "sum": agg["sum"].values,
                          "mean": agg["mean"].values, "stddev": agg["stddev"].values,
                          "min": agg["min"].values, "max": agg["max"].values,
                          "first_time": iso(agg["first"].values), "last_time": iso(agg["last"].values),
                          "distinct_counterparties": agg["distinct_counterparties"].values})
    table.to_csv(os.path.join(out, "aggregates.csv"), index=False, float_format="%.17g")
    days = pd.to_datetime(per_day.index.values, unit="D").strftime("%Y-%m-%d")
    pd.DataFrame({"day": days, "count": per_day["size"].values, "sum": per_day["sum"].values}).to_csv(
        os.path.join(out, "per_day.csv"), index=False)
    with open(os.path.join(out, "flags.csv"), "w") as f:
        f.write("rule,key,event_ids,score\n")
        for rule, key, idl, score in flags:
            f.write(f"{rule},{key},{';'.join(str(i) for i in idl)},{score!r}\n")
    counts = pd.Series(reason).value_counts()
    with open(os.path.join(out, "quarantine_counts.csv"), "w") as f:
        f.write("reason,count\n")
        for r_ in REASONS:
            f.write(f"{r_},{int(counts.get(r_, 0))}\n")
    lap("write")
    t["rows"] = len(df)
    with open(os.path.join(out, "timings.json"), "w") as f:
        json.dump(t, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

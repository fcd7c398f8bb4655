#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""HDF5 input of the events application (ctest events.hdf5): a seeded
tools/make-events data set and its HDF5 form (tools/events-to-h5; fixed-length
strings for transactions, variable-length ones for sensors) read by weft at
each rank count with both schedulers. Every HDF5 run gives the same bytes;
aggregates.csv, per_day.csv and flags.csv equal those of weft on the CSV
(which events.duckdb.* checks against DuckDB) byte for byte, and so do
those of a table with other dataset names in the root group mapped by the
deck; the quarantine holds exactly the CSV run's rows that the HDF5 form
kept (the file's csv_line maps rows to lines), with the same reasons. Bad
HDF5 inputs exit 2 with a message naming what is wrong and write nothing.

  test_h5.py --weft W --mpiexec M --gen G --tools T [--np 1 2 4] [--rows R]
"""
import filecmp
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle  # noqa: E402
import test_duckdb as td  # noqa: E402  (decks, runs and checks of the DuckDB comparison)

check = td.check
SAME = ["aggregates.csv", "per_day.csv", "flags.csv"]


def deck(truth, data, path, extra=""):
    td.deck_of(dict(truth, csv=data), path)
    if extra:
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:  # [events] keys go before the first rule table
            f.write(text.replace("max_bad_fraction = 0.5\n", "max_bad_fraction = 0.5\n" + extra, 1))


def quarantine(out):
    return [(int(r["line"]), r["reason"]) for r in oracle.read_table(os.path.join(out, "quarantine.csv"))]


def compare_with_csv(name, csv_out, h5_out, h5_path, group="/events"):
    for t in SAME:
        check(filecmp.cmp(os.path.join(csv_out, t), os.path.join(h5_out, t), shallow=False),
              f"{name}: {t} equals the CSV run's byte for byte")
    with h5py.File(h5_path, "r") as f:
        lines = f[group]["csv_line"][()]
    kept = set(int(x) for x in lines)
    want = sorted((line, why) for line, why in quarantine(csv_out) if line in kept)
    got = sorted((int(lines[row]), why) for row, why in quarantine(h5_out))
    reasons = sorted({why for _, why in got})
    check(got == want and len(reasons) >= 4,
          f"{name}: quarantine = the CSV run's {len(want)} rows the HDF5 form kept, same reasons {reasons}")


def domain_runs(a, tmp, domain, strings):
    """The CSV run, the HDF5 runs at every rank count and scheduler, compared."""
    base = os.path.join(tmp, domain)
    extra = ["--keys", "3000", "--crlf"] if domain == "transactions" else ["--keys", "40"]
    subprocess.run([a.gen, "--domain", domain, "--rows", str(a.rows), "--seed", "31", "--malformed", "0.02",
                    "--patterns", "3", "--out", base + ".csv", *extra], check=True, capture_output=True)
    with open(base + ".csv.truth.json") as f:
        truth = json.load(f)
    subprocess.run([os.path.join(a.tools, "events-to-h5"), base + ".csv", base + ".h5", "--strings", strings],
                   check=True, capture_output=True)
    deck(truth, base + ".csv", base + "-csv.toml")
    deck(truth, base + ".h5", base + "-h5.toml")
    csv_out = base + "-out-csv"
    td.run_weft(a, base + "-csv.toml", csv_out, 1, "openmp")
    outs = []
    for np_ in a.np:
        for scheduler in ("openmp", "fibers"):
            outs.append(f"{base}-out-h5-np{np_}-{scheduler}")
            td.run_weft(a, base + "-h5.toml", outs[-1], np_, scheduler)
    for o in outs[1:]:
        same = [t for t in td.TABLES if filecmp.cmp(os.path.join(outs[0], t), os.path.join(o, t), shallow=False)]
        check(same == td.TABLES, f"{os.path.basename(o)}: the same bytes as {os.path.basename(outs[0])}")
    compare_with_csv(f"{domain} ({strings} strings)", csv_out, outs[0], base + ".h5")
    return truth, base, csv_out


def restart_inside_the_ingest(a, base, csv_out):
    """events.ingest_steps = 3 on the HDF5 table (row offsets), a
    checkpoint after every step, the rows read in blocks of 7
    (events.chunk_bytes): restarts from the checkpoints inside the ingest
    give the uninterrupted CSV run's tables."""
    np_ = a.np[-1]
    out = base + "-out-h5-steps"
    sets = ["events.ingest_steps=3", "checkpoint.every=1", "checkpoint.keep=10", "runtime.scheduler=fibers",
            "events.chunk_bytes=7"]
    cmd = [a.weft, "run", base + "-h5.toml", "-q", "--set", f"output.dir={out}", *sum((["--set", s] for s in sets), [])]
    r = td.launch(a, np_, cmd)
    check(r.returncode == 0, f"HDF5 table in 3 ingest steps at {np_} ranks: exit {r.returncode} {r.stderr[-300:]}")
    for step in (1, 2):
        for t in td.TABLES:
            os.remove(os.path.join(out, t))
        r = td.launch(a, np_, cmd + ["--restart", os.path.join(out, f"ckpt-{step:010d}.h5")])
        same = [t for t in SAME if filecmp.cmp(os.path.join(csv_out, t), os.path.join(out, t), shallow=False)]
        check(r.returncode == 0 and same == SAME,
              f"HDF5 table, restart inside the ingest (after part {step} of 3, {np_} ranks): the CSV run's "
              f"{SAME} {r.stderr[-300:]}")


def renamed_root_table(a, truth, base, csv_out):
    """Sensors with other dataset names in the root group, mapped by the deck."""
    path = base + "-root.h5"
    with h5py.File(base + ".h5", "r") as src, h5py.File(path, "w") as f:
        for old, new in (("event_id", "id"), ("sensor", "device"), ("timestamp", "time"), ("value", "reading"),
                         ("csv_line", "csv_line")):
            src.copy(src["events"][old], f, name=new)
    d = base + "-root.toml"
    deck(truth, path, d, 'hdf5_group = "/"\n[events.columns]\nevent_id = "id"\nkey = "device"\n'
                         'timestamp = "time"\nvalue = "reading"\n')
    out = base + "-out-root"
    td.run_weft(a, d, out, a.np[-1], "fibers")
    compare_with_csv("root group, renamed datasets", csv_out, out, path, group="/")


def integer_times(a, truth, base, csv_out):
    """Sensors with their timestamps as int64 microseconds since 1970, read
    with events.columns.timestamp_format = "unix_us": the CSV run's tables.
    A text that is no timestamp becomes 2^63 - 1, beyond year 9999: a
    bad_timestamp row as in the CSV."""
    path = base + "-us.h5"
    with h5py.File(base + ".h5", "r") as src, h5py.File(path, "w") as f:
        for name in src["events"]:
            if name != "timestamp":
                src.copy(src["events"][name], f, name="events/" + name)
        us = [oracle.parse_time(t) for t in src["events"]["timestamp"].asstr()[()]]
        f.create_dataset("events/timestamp", data=[2**63 - 1 if u is None else u for u in us], dtype="i8")
    d = base + "-us.toml"
    deck(truth, path, d, '[events.columns]\ntimestamp_format = "unix_us"\n')
    out = base + "-out-us"
    td.run_weft(a, d, out, a.np[-1], "openmp")
    compare_with_csv("int64 microsecond timestamps", csv_out, out, path)


def bad_inputs(a, tmp, truth, base):
    """Each bad HDF5 input: exit 2, the message, no output directory."""
    def variant(name, edit):
        path = os.path.join(tmp, name + ".h5")
        with h5py.File(base + ".h5", "r") as src, h5py.File(path, "w") as f:
            src.copy(src["events"], f, name="events")
            edit(f)
        return path

    def write_nonnumeric(f):
        v = f["events/value"][()]
        del f["events/value"]
        f["events/value"] = np.array([repr(x).encode() for x in v])

    def shorten(f):
        v = f["events/value"][()]
        del f["events/value"]
        f["events/value"] = v[:-1]

    def to_2d(f):
        v = f["events/value"][()]
        del f["events/value"]
        f["events/value"] = np.stack([v, v], axis=1)

    def move(f):
        f.move("events", "readings")

    def empty(f):
        for k in list(f["events"]):
            d = f["events"][k]
            del f["events"][k]
            f["events"].create_dataset(k, (0,), dtype=d.dtype)

    with open(os.path.join(tmp, "random.bin"), "wb") as f:
        f.write(bytes(np.random.default_rng(5).integers(0, 256, 4096, dtype=np.uint8)))
    cases = [
        ("missing dataset", variant("missing", lambda f: f["events"].pop("sensor")), [],
         "no dataset 'sensor' in /events"),
        ("different lengths", variant("short", shorten), [], "differ in length"),
        ("text in a number column", variant("text", write_nonnumeric), [], "that column needs numbers"),
        ("2-D column", variant("wide", to_2d), [], "every column is a 1-D dataset"),
        ("no group", variant("nogroup", move), [], "no group '/events'"),
        ("no rows", variant("empty", empty), [], "has no rows"),
        ("neither CSV nor HDF5", os.path.join(tmp, "random.bin"), [], "neither an HDF5 file nor CSV text"),
        ("a CSV as hdf5", base + ".csv", ["events.format=hdf5"], "is not an HDF5 file"),
    ]
    for name, data, sets, message in cases:
        d = os.path.join(tmp, "bad.toml")
        deck(truth, data, d)
        out = os.path.join(tmp, "out-bad")
        r = td.launch(a, a.np[-1], [a.weft, "run", d, "-q", "--set", f"output.dir={out}",
                                    *sum((["--set", s] for s in sets), [])])
        lines = [x for x in r.stderr.splitlines() if "error:" in x]
        check(r.returncode == 2 and len(lines) == 1 and message in lines[0] and not os.path.exists(out),
              f"bad input, {name}: exit {r.returncode}, {lines[:1]}")


def main():
    p = td.parser()
    p.add_argument("--tools", required=True)
    p.add_argument("--rows", type=int, default=10000)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _, base, csv_out = domain_runs(a, tmp, "transactions", "fixed")
        restart_inside_the_ingest(a, base, csv_out)
        truth, base, csv_out = domain_runs(a, tmp, "sensors", "vlen")
        renamed_root_table(a, truth, base, csv_out)
        integer_times(a, truth, base, csv_out)
        bad_inputs(a, tmp, truth, base)
    print(f"{len(td.FAILURES)} failures" if td.FAILURES else "all passed")
    return 1 if td.FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

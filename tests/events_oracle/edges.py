# SPDX-License-Identifier: Apache-2.0
"""A small hand-made transactions file whose expected oracle outputs follow
from the definitions of docs/events-data.md by hand: window edges (exactly W
apart is outside), ties in time ordered by event_id, merged windows, the
structuring band's edges, half-even conversion of ties, a constant history,
the first valid occurrence of a duplicated id, and one row of each
malformed kind. The events application can check itself on the same file."""

# Rounding half away from zero would make E's sum 8 and max 5, half up sum 9.
# (event_id, account, seconds after 2024-01-01T00:00:00Z or a literal timestamp,
#  amount, currency, counterparty as written in the CSV, category)
ROWS = [
    (1, "A", 0, "1.00", "EUR", "Shop", "food"),
    (2, "A", 5, "1.00", "EUR", "Shop", "food"),
    (4, "A", 10, "1.00", "EUR", '"Say ""hi"""', "food"),  # same time as 3, after it by id
    (3, "A", 10, "1.00", "EUR", '"X, Ltd"', "food"),
    (5, "A", 14.999999, "1.00", "EUR", '"two\nlines"', "food"),
    (6, "A", 60, "1.00", "EUR", "Shop", "food"),
    (7, "A", 61, "1.00", "EUR", "Shop", "food"),
    (8, "A", 62, "1.00", "EUR", "Shop", "food"),
    (10, "B", 0, "95.00", "EUR", "Bank", "cash"),
    (11, "B", 100, "95", "EUR", "Bank", "cash"),         # exactly W after 10: 10 not in its window
    (12, "B", 115, "190.00", "USD", "Bank", "cash"),     # 190 USD x 0.5 = 9500 EUR minor
    (13, "B", 130, "100.00", "EUR", "Bank", "cash"),     # = threshold: not a band event
    (14, "B", 145, "90.00", "EUR", "Bank", "cash"),      # = floor: a band event
    (20, "C", 0, "10.00", "EUR", "Cafe", "food"),
    (21, "C", 20, "12.00", "EUR", "Cafe", "food"),
    (22, "C", 40, "14.00", "EUR", "Cafe", "food"),
    (23, "C", 60, "15.99", "EUR", "Cafe", "food"),       # 399 < 2 x 200: no flag
    (24, "C", 80, "30.00", "EUR", "Cafe", "food"),
    (30, "D", 0, "5.00", "EUR", "Cafe", "food"),
    (31, "D", 20, "5.00", "EUR", "Cafe", "food"),
    (32, "D", 40, "5.00", "EUR", "Cafe", "food"),
    (33, "D", 60, "50.00", "EUR", "Cafe", "food"),       # constant history, s = 0: no flag
    (40, "E", 86400, "0.05", "USD", "Shop", "food"),     # 2.5 -> 2
    (41, "E", 86420, "0.07", "USD", "Shop", "food"),     # 3.5 -> 4
    (42, "E", 86440, "0.09", "USD", "Shop", "food"),     # 4.5 -> 4
    (43, "E", 86460, "-0.07", "USD", "Shop", "food"),    # -3.5 -> -4
    (50, "F", 0, "1000000000000", "EUR", "Shop", "food"),
    (51, "F", 20, "1000000000000.01", "EUR", "Shop", "food"),   # out_of_range
    (60, "G", "2024-01-01T24:00:00Z", "1.00", "EUR", "Shop", "food"),  # bad_timestamp
    (61, "G", "2024-01-01T00:00:00.Z", "1.00", "EUR", "Shop", "food"),  # bad_timestamp
    (62, "G", 0, "1.5e2", "EUR", "Shop", "food"),        # unparsable_field
    (63, "G", 0, "1.00", "eur", "Shop", "food"),         # unknown_currency
    (64, "G", 0, "+Infinity", "EUR", "Shop", "food"),    # non_finite
    (65, "G", 0, "1.005", "EUR", "Shop", "food"),        # out_of_range
    (66, "G", 0, "1.00", "EUR", "Shop", None),           # missing_field (six fields)
    (67, "G", 0, "1.00", "EUR", '""', "food"),           # missing_field (empty)
    (70, "H", "2024-01-01T00:00:00", "1.00", "EUR", "Shop", "food"),  # bad_timestamp (no Z)
    (70, "H", 300, "1.00", "EUR", "Shop", "food"),       # the first valid 70: kept
    (70, "H", 310, "1.00", "EUR", "Shop", "food"),       # duplicate_event_id
    (1, "A", 300, "1.00", "EUR", "Shop", "food"),        # duplicate_event_id
]

RATES = "date,currency,rate\r\n2024-01-01,USD,0.5\r\n2024-01-02,USD,0.50000000\r\n"

SPEC = {
    "domain": "transactions", "csv": "edges.csv", "rates": "edges.rates.csv", "base": "EUR",
    "decimals": 2,
    "rules": {
        "velocity": {"window_us": 10_000_000, "k": 2},
        "structuring": {"window_us": 100_000_000, "n": 2, "floor": "90.00", "threshold": "100.00"},
        "zscore": {"k": 2, "min_history": 3},
    },
}

QUARANTINE = {"unparsable_field": 1, "missing_field": 2, "bad_timestamp": 3, "non_finite": 1,
              "out_of_range": 2, "unknown_currency": 1, "duplicate_event_id": 2}

# zscore of C 24: history 1000 1200 1400 1599 (mean 1299.75, s^2 = 199400.75 / 3);
# of B 14: history 9500 9500 9500 10000 (mean 9625, s = 250): (9000 - 9625) / 250.
C24 = (3000 - 1299.75) / (199400.75 / 3) ** 0.5
FLAGS = [
    ("structuring", "B", "11;12;14", 3.0),
    ("velocity", "A", "2;3;4;5", 4.0),
    ("velocity", "A", "6;7;8", 3.0),
    ("zscore", "B", "14", -2.5),
    ("zscore", "C", "24", C24),
    ("zscore", "E", "43", (-4 - 10 / 3) / (4 / 3) ** 0.5),  # history 2 4 4: mean 10/3, s^2 4/3
]

# account: (count, sum, min, max, distinct counterparties)
AGGREGATES = {
    "A": (8, 800, 100, 100, 4), "B": (5, 47500, 9000, 10000, 1), "C": (5, 8199, 1000, 3000, 1),
    "D": (4, 6500, 500, 5000, 1), "E": (4, 6, -4, 4, 1), "F": (1, 100000000000000,
                                                               100000000000000, 100000000000000, 1),
    "H": (1, 100, 100, 100, 1),
}


def write(path_csv, path_rates):
    """Writes the file (CRLF line ends; the quoted newline stays LF)."""
    lines = ["event_id,account,timestamp,amount,currency,counterparty,category"]
    for (i, acct, t, amount, cur, cp, cat) in ROWS:
        if not isinstance(t, str):
            whole, frac = divmod(round(t * 1_000_000), 1_000_000)
            day, rest = divmod(whole, 86400)
            t = f"2024-01-{1 + day:02d}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"
            t += (f".{frac:06d}".rstrip("0") if frac else "") + "Z"
        fields = [str(i), acct, t, amount, cur, cp] + ([cat] if cat is not None else [])
        lines.append(",".join(fields))
    with open(path_csv, "w", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")
    with open(path_rates, "w", newline="") as f:
        f.write(RATES)

PER_DAY = {"2024-01-01": (24, 100000000063099), "2024-01-02": (4, 6)}

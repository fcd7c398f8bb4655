// SPDX-License-Identifier: Apache-2.0
// The oracle's SQL (DuckDB): reading and validating an events CSV, exact
// currency conversion, aggregates and the detection rules, exactly as
// docs/events-data.md defines them. Every function returns SQL text.

export const REASONS = ['unparsable_field', 'missing_field', 'bad_timestamp', 'non_finite',
  'out_of_range', 'unknown_currency', 'duplicate_event_id'];

export const COLUMNS = {
  transactions: ['event_id', 'account', 'timestamp', 'amount', 'currency', 'counterparty', 'category'],
  sensors: ['event_id', 'sensor', 'timestamp', 'value'],
};

const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;

// Macros: timestamps from and to ISO 8601 text.
export const macros = String.raw`
-- parse_ts: microseconds since the epoch of YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z, or NULL.
CREATE MACRO parse_ts(s) AS
  CASE WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z')
       THEN epoch_us(try_strptime(s, ['%Y-%m-%dT%H:%M:%S.%fZ', '%Y-%m-%dT%H:%M:%SZ']))
  END;
CREATE MACRO iso_ts(us) AS strftime(make_timestamp(us), '%Y-%m-%dT%H:%M:%S.%fZ');
CREATE MACRO iso_day(us) AS strftime(make_timestamp(us)::DATE, '%Y-%m-%d');
`;

// raw: the CSV as text columns in file order (rowid), short rows padded with
// NULL. DuckDB's parallel reader refuses null_padding with quoted newlines:
// such a file is read again with parallel = false (oracle.mjs).
export function readRaw(spec, parallel = true) {
  const cols = COLUMNS[spec.domain].map((c) => `${lit(c)}: 'VARCHAR'`).join(', ');
  return `CREATE TABLE raw AS SELECT * FROM read_csv(${lit(spec.csv)}, header = true,
    columns = {${cols}}, delim = ',', quote = '"', escape = '"', null_padding = true,
    parallel = ${parallel}, auto_detect = false);`;
}

// rates: the rates table with rate x 10^8 as an integer (base currency added).
export function readRates(spec) {
  return `CREATE TABLE rates AS
    SELECT try_cast(date AS DATE) AS day, currency, rate,
           try_cast(try_cast(rate AS DECIMAL(18, 8)) * 100000000 AS BIGINT) AS rate_e8
    FROM read_csv(${lit(spec.rates)}, header = true, auto_detect = false,
      columns = {'date': 'VARCHAR', 'currency': 'VARCHAR', 'rate': 'VARCHAR'});
  CREATE TABLE currencies AS
    SELECT DISTINCT currency FROM rates UNION SELECT ${lit(spec.base)};`;
}

// checked: raw plus the quarantine reason (NULL for a valid row), first
// failing check in column order; duplicates among the otherwise valid rows.
// Also ts_us and, for transactions, minor: the amount x 10^decimals.
export function validate(spec) {
  const cols = COLUMNS[spec.domain];
  const empty = cols.map((c) => `coalesce("${c}", '') = ''`).join(' OR ');
  const tx = spec.domain === 'transactions';
  const num = tx ? 'amount' : 'value';
  const dp = spec.decimals ?? 2;
  // minor = amount x 10^dp: a DECIMAL(18, dp) cast while 18 - dp digits hold
  // 10^12, else from the digits (the integer part x 10^dp plus the fraction
  // padded to dp digits; more than 13 integer digits is out of range anyway).
  const minor = dp <= 5
    ? `(try_cast(amount AS DECIMAL(18, ${dp})) * ${10n ** BigInt(dp)})::BIGINT`
    : `CASE WHEN length(ltrim(split_part(ltrim(amount, '+-'), '.', 1), '0')) <= 13 THEN
      (CASE WHEN starts_with(amount, '-') THEN -1 ELSE 1 END)
      * (split_part(ltrim(amount, '+-'), '.', 1)::BIGINT * ${10n ** BigInt(dp)}
         + coalesce(try_cast(rpad(split_part(amount, '.', 2), ${dp}, '0') AS BIGINT), 0)) END`;
  const range = tx
    ? `length(split_part(amount, '.', 2)) > ${dp}
       OR coalesce(abs(minor) > ${10n ** 12n * 10n ** BigInt(dp)}, true)`
    : `abs(try_cast(value AS DOUBLE)) > 1e12`;
  return `CREATE TABLE checked AS
    WITH p AS (
      SELECT rowid AS rec, *, parse_ts("timestamp") AS ts_us
        ${tx ? `, CASE WHEN regexp_full_match(amount, '[+-]?[0-9]+(\\.[0-9]+)?') THEN ${minor} END AS minor` : ''}
      FROM raw),
    r AS (
      SELECT *,
        CASE
          WHEN ${empty} THEN 'missing_field'
          WHEN NOT regexp_full_match(event_id, '-?[0-9]+') OR try_cast(event_id AS BIGINT) IS NULL
            THEN 'unparsable_field'
          WHEN ts_us IS NULL THEN 'bad_timestamp'
          WHEN regexp_full_match(lower(${num}), '[+-]?(nan|inf|infinity)') THEN 'non_finite'
          WHEN NOT regexp_full_match(${num}, '[+-]?[0-9]+(\\.[0-9]+)?') THEN 'unparsable_field'
          WHEN ${range} THEN 'out_of_range'
          ${tx ? `WHEN currency NOT IN (SELECT currency FROM currencies) THEN 'unknown_currency'` : ''}
        END AS reason0
      FROM p)
    SELECT *, CASE WHEN reason0 IS NOT NULL THEN reason0
                   WHEN row_number() OVER (PARTITION BY reason0 IS NULL, try_cast(event_id AS BIGINT)
                                           ORDER BY rec) > 1 THEN 'duplicate_event_id' END AS reason
    FROM r;`;
}

// ev: the valid events with x, the value the aggregates and rules use:
// base-currency minor units (transactions) or the reading (sensors).
export function events(spec) {
  if (spec.domain === 'sensors') {
    return `CREATE TABLE ev AS SELECT event_id::BIGINT AS id, sensor AS key, ts_us,
      value::DOUBLE AS x FROM checked WHERE reason IS NULL;`;
  }
  // x = round_half_even(minor * rate_e8 / 10^8) in BIGINT arithmetic: with
  // |minor| = a1 10^8 + a0, |minor| rate_e8 / 10^8 = a1 rate_e8 + a0 rate_e8 / 10^8
  // (a0 rate_e8 < 2^63 for rates below 900; the oracle refuses larger ones).
  return `CREATE TABLE ev AS
    SELECT id, key, ts_us, counterparty,
      sign(minor) * (q + CASE WHEN 2 * r > 100000000 OR (2 * r = 100000000 AND q % 2 = 1)
                              THEN 1 ELSE 0 END) AS x
    FROM (SELECT *, (am // 100000000) * rate + lo // 100000000 AS q, lo % 100000000 AS r
          FROM (SELECT *, (am % 100000000) * rate AS lo
                FROM (SELECT c.event_id::BIGINT AS id, c.account AS key, c.ts_us, c.counterparty,
                        c.minor, abs(c.minor) AS am,
                        CASE WHEN c.currency = ${lit(spec.base)} THEN 100000000 ELSE r.rate_e8 END AS rate
                      FROM checked c LEFT JOIN rates r
                        ON r.currency = c.currency AND r.day = make_timestamp(c.ts_us)::DATE
                      WHERE c.reason IS NULL)));`;
}

export function aggregates(spec) {
  const tx = spec.domain === 'transactions';
  return `SELECT key AS ${tx ? 'account' : 'sensor'}, count(*) AS count, sum(x) AS sum,
      sum(x)::DOUBLE / count(*) AS mean, stddev_samp(x::DOUBLE) AS stddev,
      min(x) AS min, max(x) AS max, iso_ts(min(ts_us)) AS first_time, iso_ts(max(ts_us)) AS last_time
      ${tx ? ', count(DISTINCT counterparty) AS distinct_counterparties' : ''}
    FROM ev GROUP BY key ORDER BY key`;
}

export const perDay = `SELECT iso_day(ts_us) AS day, count(*) AS count, sum(x) AS sum
  FROM ev GROUP BY day ORDER BY day`;

// windowIslands: flags of a sliding-window count rule over `src` (key, id,
// ts_us): event j's window holds the key's events i <= j (order ts_us, id)
// with ts_j - ts_i < W us; windows whose count passes `test` are merged when
// they share an event; a flag lists the union's events, score = max count.
export function windowIslands(rule, src, windowUs, test) {
  return `WITH o AS (
      SELECT key, id, ts_us, row_number() OVER (PARTITION BY key ORDER BY ts_us, id) AS idx
      FROM ${src}),
    w AS (
      SELECT *, min(idx) OVER (PARTITION BY key ORDER BY ts_us
                               RANGE BETWEEN ${windowUs - 1} PRECEDING AND CURRENT ROW) AS s
      FROM o),
    q AS (SELECT key, idx AS e, s, idx - s + 1 AS cnt FROM w WHERE ${test('idx - s + 1')}),
    g AS (
      SELECT *, sum(CASE WHEN s <= prev_e THEN 0 ELSE 1 END)
                  OVER (PARTITION BY key ORDER BY e ROWS UNBOUNDED PRECEDING) AS island
      FROM (SELECT *, lag(e) OVER (PARTITION BY key ORDER BY e) AS prev_e FROM q)),
    islands AS (SELECT key, island, min(s) AS lo, max(e) AS hi, max(cnt) AS score
                FROM g GROUP BY key, island)
    SELECT ${lit(rule)} AS rule, i.key, string_agg(o.id::VARCHAR, ';' ORDER BY o.id) AS event_ids,
           i.score::DOUBLE AS score, min(o.id) AS first_id
    FROM islands i JOIN o ON o.key = i.key AND o.idx BETWEEN i.lo AND i.hi
    GROUP BY i.key, i.island, i.score`;
}

// minor: a decimal string in base units as base minor units.
const minor = (text, dp) => `(${lit(text)}::DECIMAL(38, ${dp}) * ${10n ** BigInt(dp)})::BIGINT`;

// flags: the union of the configured rules, as (rule, key, event_ids, score, first_id).
export function flags(spec) {
  const r = spec.rules ?? {};
  const parts = [];
  if (r.velocity) {
    parts.push(windowIslands('velocity', 'ev', r.velocity.window_us, (c) => `${c} > ${r.velocity.k}`));
  }
  if (r.structuring) {
    const s = r.structuring, dp = spec.decimals ?? 2;
    const band = `(SELECT * FROM ev WHERE x >= ${minor(s.floor, dp)} AND x < ${minor(s.threshold, dp)})`;
    parts.push(windowIslands('structuring', band, s.window_us, (c) => `${c} >= ${s.n}`));
  }
  if (r.zscore) {
    parts.push(`SELECT 'zscore' AS rule, key, id::VARCHAR AS event_ids, (x - m) / sd AS score,
        id AS first_id
      FROM (SELECT key, id, x::DOUBLE AS x, count(*) OVER p AS n, avg(x::DOUBLE) OVER p AS m,
                   stddev_samp(x::DOUBLE) OVER p AS sd
            FROM ev WINDOW p AS (PARTITION BY key ORDER BY ts_us, id
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
      WHERE n >= ${r.zscore.min_history} AND sd > 0 AND abs(x - m) > ${r.zscore.k} * sd`);
  }
  if (r.gap) {
    parts.push(`SELECT 'gap' AS rule, key, least(pid, id)::VARCHAR || ';' || greatest(pid, id)::VARCHAR
        AS event_ids, (ts_us - pts) / 1e6 AS score, least(pid, id) AS first_id
      FROM (SELECT key, id, ts_us, lag(ts_us) OVER w AS pts, lag(id) OVER w AS pid
            FROM ev WINDOW w AS (PARTITION BY key ORDER BY ts_us, id))
      WHERE ts_us - pts > ${r.gap.gap_us}`);
  }
  if (r.stuck) {
    parts.push(`SELECT 'stuck' AS rule, key, string_agg(id::VARCHAR, ';' ORDER BY id) AS event_ids,
        count(*)::DOUBLE AS score, min(id) AS first_id
      FROM (SELECT *, sum(CASE WHEN x = px THEN 0 ELSE 1 END)
                        OVER (PARTITION BY key ORDER BY ts_us, id ROWS UNBOUNDED PRECEDING) AS run
            FROM (SELECT key, id, ts_us, x, lag(x) OVER (PARTITION BY key ORDER BY ts_us, id) AS px
                  FROM ev))
      GROUP BY key, run HAVING count(*) >= ${r.stuck.r}`);
  }
  if (parts.length === 0) {
    return `SELECT NULL::VARCHAR AS rule, NULL::VARCHAR AS key, NULL::VARCHAR AS event_ids,
      NULL::DOUBLE AS score WHERE false`;
  }
  return `SELECT rule, key, event_ids, score FROM (${parts.map((p) => `SELECT * FROM (${p})`).join('\nUNION ALL\n')})
    ORDER BY rule, key, first_id`;
}

#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// tools/duckdb/oracle.mjs: DuckDB as the live oracle of weft's events
// application. Reads an events CSV (and for transactions a rates table)
// with DuckDB's read_csv, validates, converts and evaluates the rules in SQL
// (sql.mjs; definitions in docs/events-data.md) and writes CSV files:
// aggregates.csv, per_day.csv, flags.csv, quarantine_counts.csv, and
// timings.json (seconds per step).
//
//   node tools/duckdb/oracle.mjs --spec SPEC.json --out DIR [--threads N] [--only aggregates]
//
// --only aggregates stops after aggregates.csv (for timing the aggregates).
//
// SPEC is JSON: {domain, csv, rates, base, decimals, rules: {velocity:
// {window_us, k}, structuring: {window_us, n, floor, threshold}, zscore:
// {k, min_history}, gap: {gap_us}, stuck: {r}}} (each rule optional; paths
// relative to SPEC's directory). The generator's <out>.truth.json is such a
// spec. Exit 2 on bad input (message says what and how to fix), 3 on failure.
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import * as sql from './sql.mjs';

class InputError extends Error {}

function parseArgs(argv) {
  const a = { threads: 2 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    if (k === '--spec') { a.spec = v; i++; }
    else if (k === '--out') { a.out = v; i++; }
    else if (k === '--threads') { a.threads = Number(v); i++; }
    else if (k === '--only' && v === 'aggregates') { a.only = v; i++; }
    else throw new InputError(`unknown argument ${k} (usage: --spec SPEC.json --out DIR [--threads N])`);
  }
  if (!a.spec || !a.out) throw new InputError('--spec and --out are required');
  if (!Number.isInteger(a.threads) || a.threads < 1) throw new InputError('--threads must be a positive integer');
  return a;
}

function loadSpec(file) {
  let spec;
  try {
    spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${file}: cannot read the spec as JSON (${e.message})`);
  }
  const dir = path.dirname(path.resolve(file));
  if (!(spec.domain in sql.COLUMNS)) throw new InputError(`${file}: domain must be transactions or sensors`);
  if (!spec.csv) throw new InputError(`${file}: "csv" (the events file) is missing`);
  spec.csv = path.resolve(dir, spec.csv);
  if (!fs.existsSync(spec.csv)) throw new InputError(`${spec.csv}: no such events file`);
  if (spec.domain === 'transactions') {
    if (!spec.rates || !spec.base) throw new InputError(`${file}: transactions need "rates" and "base"`);
    spec.rates = path.resolve(dir, spec.rates);
    if (!fs.existsSync(spec.rates)) throw new InputError(`${spec.rates}: no such rates file`);
    spec.decimals ??= 2;
    if (!Number.isInteger(spec.decimals) || spec.decimals < 0 || spec.decimals > 8)
      throw new InputError(`${file}: decimals must be an integer in [0, 8]`);
  }
  return spec;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const spec = loadSpec(args.spec);
  const db = await DuckDBInstance.create(':memory:', { threads: String(args.threads) });
  const con = await db.connect();
  const timings = { threads: args.threads };
  const step = async (name, text) => {
    const t0 = performance.now();
    const r = await con.runAndReadAll(text);
    timings[name] = (timings[name] ?? 0) + (performance.now() - t0) / 1000;
    return r;
  };
  const scalar = async (text) => (await con.runAndReadAll(text)).getRows()[0][0];
  await con.run(sql.macros);

  // The header must name the domain's columns, in order.
  const fd = fs.openSync(spec.csv, 'r');
  const buf = Buffer.alloc(4096);
  const head = buf.subarray(0, fs.readSync(fd, buf, 0, 4096, 0)).toString('utf8').split(/\r?\n/)[0];
  fs.closeSync(fd);
  if (head !== sql.COLUMNS[spec.domain].join(',')) {
    throw new InputError(`${spec.csv}: header is "${head}", expected "${sql.COLUMNS[spec.domain].join(',')}"`);
  }
  try {
    await step('read', sql.readRaw(spec));
  } catch (e) {
    if (!/null_padding in conjunction with quoted new lines/.test(e.message)) throw e;
    await con.run('DROP TABLE IF EXISTS raw');
    await step('read', sql.readRaw(spec, false));
    timings.serial_read = true;
  }
  if (spec.domain === 'transactions') {
    await step('read', sql.readRates(spec));
    const bad = await scalar(`SELECT count(*) FROM rates WHERE day IS NULL OR rate_e8 IS NULL
      OR rate_e8 <= 0 OR rate_e8 >= 90000000000 OR length(coalesce(regexp_extract(rate, '\\.([0-9]+)$', 1), '')) > 8`);
    if (bad > 0n) throw new InputError(`${spec.rates}: ${bad} rows with a bad date or rate (YYYY-MM-DD, 0 < rate < 900 with up to 8 decimals)`);
    const twice = await scalar(`SELECT count(*) FROM (SELECT day, currency FROM rates
      GROUP BY ALL HAVING count(*) > 1)`);
    if (twice > 0n) throw new InputError(`${spec.rates}: ${twice} (date, currency) pairs given more than once: give each rate once`);
    const base = await scalar(`SELECT count(*) FROM rates WHERE currency = '${spec.base}' AND rate_e8 <> 100000000`);
    if (base > 0n) throw new InputError(`${spec.rates}: the base currency ${spec.base} has a rate other than 1: omit it or give 1`);
  }
  await step('validate', sql.validate(spec));
  if (spec.domain === 'transactions') {
    const missing = await con.runAndReadAll(`SELECT currency, make_timestamp(ts_us)::DATE::VARCHAR AS day
      FROM checked c WHERE reason IS NULL AND currency <> '${spec.base}' AND NOT EXISTS
        (SELECT 1 FROM rates r WHERE r.currency = c.currency AND r.day = make_timestamp(c.ts_us)::DATE)
      GROUP BY ALL ORDER BY day, currency LIMIT 5`);
    const rows = missing.getRows();
    if (rows.length > 0) {
      throw new InputError(`${spec.rates}: no rate for ${rows.map((r) => `${r[0]} on ${r[1]}`).join(', ')}: every currency needs a rate for every day of the events`);
    }
  }
  await step('convert', sql.events(spec));
  fs.mkdirSync(args.out, { recursive: true });
  const copy = (query, name) => `COPY (${query}) TO '${path.join(args.out, name).replaceAll("'", "''")}' (HEADER, DELIMITER ',')`;
  await step('aggregates', copy(sql.aggregates(spec), 'aggregates.csv'));
  if (args.only !== 'aggregates') {
    await step('per_day', copy(sql.perDay, 'per_day.csv'));
    await step('flags', copy(sql.flags(spec), 'flags.csv'));
    const reasons = sql.REASONS.filter((r) => spec.domain === 'transactions' || r !== 'unknown_currency');
    await step('quarantine', copy(`SELECT r.reason, count(c.reason) AS count
      FROM (VALUES ${reasons.map((r) => `('${r}', ${reasons.indexOf(r)})`).join(', ')}) AS r(reason, o)
      LEFT JOIN checked c ON c.reason = r.reason GROUP BY r.reason, r.o ORDER BY r.o`, 'quarantine_counts.csv'));
  }
  timings.rows = Number(await scalar('SELECT count(*) FROM raw'));
  fs.writeFileSync(path.join(args.out, 'timings.json'), JSON.stringify(timings, null, 1) + '\n');
  process.stderr.write(`oracle: ${timings.rows} rows, ${JSON.stringify(timings)}\n`);
}

main().catch((e) => {
  process.stderr.write(`oracle: ${e.message}\n`);
  process.exit(e instanceof InputError ? 2 : 3);
});

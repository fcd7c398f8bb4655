// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "csv.hpp"
#include "fields.hpp"
#include "model.hpp"
#include "rates.hpp"
#include "route.hpp"
#include "weft/core/error.hpp"
#include "weft/events/config.hpp"
#include "weft/go/executor.hpp"
#include "weft/mpi/collectives.hpp"

// Stage 1 of the pipeline: reading the input files in parallel (CSV: byte
// ranges over the ranks, chunks over the tasks of a rank; HDF5 tables: row
// ranges, h5_input.hpp), parsing and validating their rows.
namespace weft::events {

// Mapping is where each role's column is in a file's header (-1: none).
struct Mapping {
  int id = -1, key = -1, time = -1, value = -1, currency = -1, counterparty = -1, category = -1;
  int fields = 0;  // columns of the header
  TimeFormat time_format = TimeFormat::iso8601;
};

// map_header() finds the deck's columns in a header; weft::InputError
// naming the file, the missing column and the deck key when one is absent.
Mapping map_header(const std::vector<std::string>& names, const Config& c, const std::string& path);

// check_input() checks input file `file` before the run: it exists, is
// not empty, and is an HDF5 table (check_h5_input) or text (no control
// bytes) with a header with the mapped columns and rows whose first ones
// hold the mapped types. weft::InputError
// otherwise. Not collective (rank 0 runs it).
void check_input(const Config& c, int file);

// Ingested is one rank's share of the input after stage 1.
struct Ingested {
  Events events;            // valid rows (amounts not yet converted)
  std::vector<BadRow> bad;  // quarantined rows
  std::int64_t rows = 0;    // records read (valid + bad; blank lines excluded)
  std::int64_t bytes = 0;   // bytes read
  double read_seconds = 0, parse_seconds = 0;
  double parked_seconds = 0;  // tasks waiting on channels (Scheduler::fibers)
  // line_offset[f] is to be added to the lines of input f's rows (events
  // and bad rows): nonzero where they were counted from their range's start
  // (ingest_csv() on several ranks); ingest_part() sizes it, one per input.
  std::vector<std::int64_t> line_offset;
  std::int64_t recounted = 0;     // inputs whose guessed ranges were wrong (read twice)
  std::int64_t shared_parts = 0;  // parts of other ranks' ranges this rank parsed (RangeShare)
  // route: the events went to the owners of their keys (ingest() on several
  // ranks: a Router, route.hpp), `blocks` their sources; the routing's time
  // and its time waiting in MPI.
  bool route = false;
  SourceBlocks blocks;
  double shuffle_seconds = 0, mpi_seconds = 0;
  // source_line_offset[s] is to be added to the lines of the events of
  // `blocks` from source s (one CSV input routed piece by piece while the
  // ranges' first lines were not known yet: the ranks' ranges and the parts
  // they shared, numbered in input order); empty: none.
  std::vector<std::int64_t> source_line_offset;
};

// agree_on_failure() runs `read` on every rank and agrees on its failures: every rank
// throws the first rank's error (InputError stays InputError) or none does.
// Collective over `comm`.
template <class F>
void agree_on_failure(const mpi::Comm& comm, F&& read) {
  std::string input, run;
  try {
    read();
  } catch (const InputError& e) {
    input = e.what();
  } catch (const std::exception& e) {
    run = e.what();
  }
  if (!(input = mpi::first_error(input, comm)).empty()) throw InputError(input);
  if (!(run = mpi::first_error(run, comm)).empty()) throw RunError(run);
}

// Cursor is where one rank's reading of one input stands: the rest of its
// range, [pos, end) in bytes (CSV) or rows (HDF5), and the line number of
// `pos` (CSV). end < 0 until the range is known (the first part opens it).
struct Cursor {
  std::int64_t pos = 0, end = -1, line = 0;
};

// ingest_part() reads and parses part `part` of `parts` (0 <= part <
// parts) of every input file, `cursors` holding one Cursor per input and
// moved on: each rank takes the next (end - pos) / (parts - part) rows of
// its range (HDF5), or bytes of it up to the first record start from there
// on (CSV; the whole rest for the last part), and appends their rows to
// `out`. The parts of all steps together give the rows, in order, of one
// ingest() call. Collective over `comm`; each rank parses with `exec`'s
// workers.
void ingest_part(const Config& c, const Rates& rates, go::Executor& exec, MPI_Comm comm,
                 std::int64_t part, std::int64_t parts, std::vector<Cursor>& cursors,
                 Ingested& out);

// ingest() reads every input file at once (ingest_part() of one part) and,
// on several ranks, sends each event to the owner of its key on the way
// (`route` set): one CSV input piece by piece during the parse (its lines
// still relative: source_line_offset), else after the parse
// (route_chunks(), the lines already the files' own).
Ingested ingest(const Config& c, const Rates& rates, go::Executor& exec, MPI_Comm comm);

// owners_from_sample() is whether the key owners of the shuffle come from a
// sample of the input's records at fixed offsets (one CSV input: the same
// sample on any number of ranks, taken before the parse so that each piece
// is routed as it is parsed) rather than from the parsed events.
bool owners_from_sample(const Config& c);

// key_owners() is the owners of the keys for the shuffle of `events` (this
// rank's, all of them parsed): from the input's sample when
// owners_from_sample(c), else KeyOwners::build(events); the same owners as
// ingest() routes by. An input no longer there (a restart after the
// ingest) gives KeyOwners::build(events): other owners, the same results.
// Collective over `comm`.
KeyOwners key_owners(const Config& c, const Events& events, MPI_Comm comm);

// parse_row() validates one record of file `file`: true with `e` filled,
// or false with `bad` saying why.
bool parse_row(const Record& r, const Mapping& m, const Config& c, const Rates& rates, int file,
               Event& e, BadRow& bad);

}  // namespace weft::events

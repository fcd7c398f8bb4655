// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ingest.hpp"
#include "weft/go/executor.hpp"

// Parsing one rank's text (which starts at a record start) with the
// workers of its executor, in chunks of Config::chunk_bytes whose record
// starts follow from the quote parity of the chunks before them (csv.hpp).
namespace weft::events {

// ChunkResult is what one task parsed of one record-aligned range: its
// valid rows are slots[0, events) (slots in the rank's events array, one a
// line of the range, so chunks never overlap; ingest_part() moves them
// together), its bad rows in `bad`.
struct ChunkResult {
  Event* slots = nullptr;
  std::int64_t events = 0;
  std::vector<BadRow> bad;
  std::int64_t rows = 0;
};

// TextJob is the rank's text, the line number of its first byte, what its
// rows need for parsing and where their events go: the record at line L
// into slots[L - first_line] at the latest (count_newlines(text) + 1 slots).
struct TextJob {
  std::string_view text;
  std::int64_t first_line = 1;
  const Mapping* mapping;
  const Config* config;
  const Rates* rates;
  int file = 0;
  Event* slots = nullptr;
};

// take_record() validates record `r` of the job's file (parse_row) and
// adds it to `out`: an event or a quarantined row (`e` and `bad` are
// scratch space, reused from record to record).
void take_record(const Record& r, const TextJob& job, ChunkResult& out, Event& e, BadRow& bad);

// parse_text() parses the records of `text` (a record-aligned range whose
// first line is `first_line`) into `out`, its events into the job's slots
// from slots[first_line - job.first_line] on.
void parse_text(std::string_view text, std::int64_t first_line, const TextJob& job,
                ChunkResult& out);

// parse_chunks() parses the whole text; the results, in text order, are
// the same with either scheduler. With Scheduler::fibers it is a pipeline
// of goroutines: a splitter finds the chunks' record starts in order and
// sends each range on a channel to `threads` parsers, which send their
// results on a second channel to the collector (both channels bounded:
// back-pressure); `parked_seconds` grows by the time tasks waited on the
// channels. With Scheduler::openmp the chunks are blocks of
// go::parallel_blocks (quotes, then records). Call from outside a task.
std::vector<ChunkResult> parse_chunks(const TextJob& job, go::Executor& exec,
                                      double& parked_seconds);

}  // namespace weft::events

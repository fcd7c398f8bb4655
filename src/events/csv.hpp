// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

// CSV records (RFC 4180: quoted fields with commas, doubled quotes and
// newlines; LF or CRLF line ends) and the record boundaries of a text
// split into chunks read by different ranks or tasks.
//
// Where records start in a chunk depends on whether the chunk starts inside
// a quoted field. A quote toggles the state (a doubled quote toggles it
// twice), so the state at a chunk's start is the parity of the quotes of
// all chunks before it: each chunk counts its quotes (count_quotes), the
// counts are combined (over ranks by an allgather, over the tasks of a
// rank by a prefix sum), then each chunk finds its first record start
// (first_start) and chunks without one take the next chunk's
// (resolve_starts). A record belongs to the chunk its first byte lies in.
namespace weft::events {

constexpr std::int64_t kNoStart = -1;

// count_quotes() is the number of '"' bytes of `s`.
std::int64_t count_quotes(std::string_view s);
// count_newlines() is the number of '\n' bytes of `s`.
std::int64_t count_newlines(std::string_view s);

// first_start() is the offset in `s` just after its first '\n' outside
// quotes, `s` starting inside quotes when `in_quotes`; kNoStart when there
// is none.
std::int64_t first_start(std::string_view s, bool in_quotes);

// resolve_starts() gives every chunk without a record start (kNoStart) the
// start of the next chunk that has one, or `end`.
void resolve_starts(std::vector<std::int64_t>& starts, std::int64_t end);

// Record is one CSV record: its fields (unquoted, doubled quotes undone)
// and whether its quoting was malformed (text after a closing quote, or a
// quote left open at the end of the text).
struct Record {
  std::vector<std::string_view> fields;
  bool malformed = false;
  bool blank = false;     // an empty line
  std::int64_t line = 0;  // line number of its first physical line
};

// RecordReader splits `text` (starting at a record start) into records;
// line numbers start at `first_line`.
class RecordReader {
 public:
  RecordReader(std::string_view text, std::int64_t first_line) : s_(text), line_(first_line) {}
  // next() reads the next record into `r` (views into the text or into the
  // reader's buffer, valid until the next call); false at the end.
  bool next(Record& r);

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  std::int64_t line_;
  std::deque<std::string> unquoted_;  // fields with doubled quotes undone
};

// split_header() is the header record's field names (the text up to the
// first record start) and that start's offset; throws weft::InputError
// naming `path` when there is no complete header line.
std::vector<std::string> split_header(std::string_view text, const std::string& path,
                                      std::int64_t& header_end);

}  // namespace weft::events

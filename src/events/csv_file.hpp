// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

#include "csv.hpp"
#include "model.hpp"

// Byte ranges of a CSV file read in pieces into reused buffers: the counts,
// record starts and record-aligned parts that the ingest (ingest.cpp) needs
// without holding a rank's whole range in memory (csv.hpp has the scheme).
namespace weft::events {

// InputFile is a file open for reading byte ranges (pread; thread-safe).
class InputFile {
 public:
  // InputFile() opens `path`; weft::RunError when it cannot.
  explicit InputFile(std::string path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // read() appends the bytes [a, b) of the file to `buf` (fewer past its
  // end, none when b <= a); weft::RunError on a read error.
  void read(std::int64_t a, std::int64_t b, Bytes& buf) const;

 private:
  std::string path_;
  int fd_ = -1;
};

// Counts is the '"' and '\n' bytes of a byte range.
struct Counts {
  std::int64_t quotes = 0, newlines = 0;
};

// count_range() counts the quotes and newlines of the bytes [a, b) of
// `in`, read in blocks of at most `block` bytes into `buf` (scratch).
Counts count_range(const InputFile& in, std::int64_t a, std::int64_t b, std::int64_t block,
                   Bytes& buf);

// next_start() is the first record start of `in` in (at, end]: the offset
// just after the first '\n' outside quotes from byte `at` on, byte `at`
// lying inside quotes when `in_quotes`; kNoStart when there is none before
// `end`. It reads blocks of `block` bytes and doubles them. With `keep`
// the bytes from `at` up to that start (or `end`) are appended to `buf`;
// without, `buf` is scratch.
std::int64_t next_start(const InputFile& in, std::int64_t at, std::int64_t end, bool in_quotes,
                        std::int64_t block, Bytes& buf, bool keep);

// kRecordLook is the first block next_start() is given where the record
// start looked for lies near (a record crossing a point ends within a few
// hundred bytes; the look doubles where one is longer).
inline constexpr std::int64_t kRecordLook = std::int64_t{16} << 10;

// read_part() sets `buf` to the bytes [pos, stop) of `in`, `pos` being a
// record start and `stop` the first record start after `target`, or `end`
// when there is none before it (pos <= target <= end): the record-aligned
// part of the range [pos, end) that reaches past `target`. Returns the
// number of quotes in `buf`.
std::int64_t read_part(const InputFile& in, std::int64_t pos, std::int64_t target, std::int64_t end,
                       std::int64_t block, Bytes& buf);

}  // namespace weft::events

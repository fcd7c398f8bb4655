// SPDX-License-Identifier: Apache-2.0
#include "csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "weft/core/error.hpp"

namespace weft::events {

namespace {

// count_byte() is the number of bytes `c` in `s`, 64 bytes at a time: each
// block's matches (-1 a byte) are subtracted from byte counters, which are
// summed every 255 blocks before they overflow. 10x std::count's speed on
// the 2-vCPU EPYC guest (1.48 GB in cache-sized pieces: 0.025 against
// 0.25 s for quotes and newlines; std::count widens every byte to 64 bits).
std::int64_t count_byte(std::string_view s, char c) {
  using Bytes64 = char __attribute__((vector_size(64)));
  using Counts64 = unsigned char __attribute__((vector_size(64)));
  constexpr std::size_t kBlock = 64, kMaxBlocks = 255;
  std::int64_t n = 0;
  std::size_t i = 0;
  while (s.size() - i >= kBlock) {
    Counts64 acc{};
    const std::size_t stop = i + std::min((s.size() - i) / kBlock, kMaxBlocks) * kBlock;
    for (; i < stop; i += kBlock) {
      Bytes64 v;
      std::memcpy(&v, s.data() + i, kBlock);
      acc -= reinterpret_cast<Counts64>(v == c);
    }
    for (std::size_t k = 0; k < kBlock; ++k) n += acc[k];
  }
  for (; i < s.size(); ++i) n += s[i] == c;
  return n;
}

}  // namespace

std::int64_t count_quotes(std::string_view s) { return count_byte(s, '"'); }

std::int64_t count_newlines(std::string_view s) { return count_byte(s, '\n'); }

std::int64_t first_start(std::string_view s, bool in_quotes) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"')
      in_quotes = !in_quotes;
    else if (c == '\n' && !in_quotes)
      return static_cast<std::int64_t>(i + 1);
  }
  return kNoStart;
}

void resolve_starts(std::vector<std::int64_t>& starts, std::int64_t end) {
  std::int64_t next = end;
  for (auto it = starts.rbegin(); it != starts.rend(); ++it) {
    if (*it == kNoStart) *it = next;
    next = *it;
  }
}

bool RecordReader::next(Record& r) {
  r.fields.clear();
  r.malformed = false;
  r.blank = false;
  if (pos_ >= s_.size()) return false;
  r.line = line_;
  std::size_t used = 0;  // unquoted_ buffers used by this record
  const std::size_t n = s_.size();
  std::size_t i = pos_;
  if (s_[i] == '\n' || (s_[i] == '\r' && i + 1 < n && s_[i + 1] == '\n')) {
    r.blank = true;
    pos_ = s_[i] == '\n' ? i + 1 : i + 2;
    ++line_;
    return true;
  }
  for (;;) {  // one field per turn
    if (i < n && s_[i] == '"') {
      if (used == unquoted_.size()) unquoted_.emplace_back();
      std::string& f = unquoted_[used++];
      f.clear();
      ++i;
      bool closed = false;
      while (i < n) {
        const char* q = static_cast<const char*>(std::memchr(s_.data() + i, '"', n - i));
        const std::size_t stop = q ? static_cast<std::size_t>(q - s_.data()) : n;
        const std::string_view piece = s_.substr(i, stop - i);
        line_ += count_newlines(piece);
        f.append(piece);
        i = stop;
        if (i >= n) break;
        if (i + 1 < n && s_[i + 1] == '"') {  // a doubled quote
          f.push_back('"');
          i += 2;
          continue;
        }
        ++i;  // the closing quote
        closed = true;
        break;
      }
      if (!closed) r.malformed = true;
      r.fields.emplace_back(f);
      // After the closing quote: a separator or the end of the record.
      while (i < n && s_[i] != ',' && s_[i] != '\n') {
        if (!(s_[i] == '\r' && i + 1 < n && s_[i + 1] == '\n')) r.malformed = true;
        ++i;
      }
    } else {
      std::size_t j = i;
      while (j < n && s_[j] != ',' && s_[j] != '\n') ++j;
      std::size_t e = j;
      if (j < n && s_[j] == '\n' && e > i && s_[e - 1] == '\r') --e;  // CRLF
      const std::string_view field = s_.substr(i, e - i);
      if (field.find('"') != std::string_view::npos) r.malformed = true;
      r.fields.push_back(field);
      i = j;
    }
    if (i >= n) break;
    if (s_[i] == '\n') {
      ++i;
      ++line_;
      break;
    }
    ++i;  // ','
  }
  pos_ = i;
  return true;
}

std::vector<std::string> split_header(std::string_view text, const std::string& path,
                                      std::int64_t& header_end) {
  header_end = first_start(text, false);
  if (header_end == kNoStart)
    throw InputError(
        fmt::format("{}: no complete header line (a CSV file starts with a line of "
                    "column names ending in a newline)",
                    path));
  RecordReader reader(text.substr(0, static_cast<std::size_t>(header_end)), 1);
  Record r;
  reader.next(r);
  if (r.malformed || r.blank)
    throw InputError(fmt::format("{}: line 1: the header is not a line of column names", path));
  std::vector<std::string> names;
  for (auto f : r.fields) names.emplace_back(f);
  return names;
}

}  // namespace weft::events

// SPDX-License-Identifier: Apache-2.0
#include "csv_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "weft/core/error.hpp"

namespace weft::events {

InputFile::InputFile(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw RunError(fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
}

InputFile::~InputFile() { ::close(fd_); }

void InputFile::read(std::int64_t a, std::int64_t b, Bytes& buf) const {
  if (b <= a) return;
  const std::size_t from = buf.size(), n = static_cast<std::size_t>(b - a);
  buf.resize(from + n);
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd_, buf.data() + from + got, n - got,
                              static_cast<off_t>(a + static_cast<std::int64_t>(got)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw RunError(fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
    if (r == 0) break;  // the end of the file
    got += static_cast<std::size_t>(r);
  }
  buf.resize(from + got);
}

Counts count_range(const InputFile& in, std::int64_t a, std::int64_t b, std::int64_t block,
                   Bytes& buf) {
  Counts n;
  for (std::int64_t at = a; at < b; at += block) {
    buf.clear();
    in.read(at, std::min(b, at + block), buf);
    n.quotes += count_quotes(buf);
    n.newlines += count_newlines(buf);
    if (static_cast<std::int64_t>(buf.size()) < std::min(b, at + block) - at) break;  // the end
  }
  return n;
}

std::int64_t next_start(const InputFile& in, std::int64_t at, std::int64_t end, bool in_quotes,
                        std::int64_t block, Bytes& buf, bool keep) {
  for (std::int64_t len = block; at < end; at += len, len *= 2) {
    if (!keep) buf.clear();
    const std::size_t from = buf.size();
    in.read(at, std::min(end, at + len), buf);
    const std::string_view more = std::string_view(buf).substr(from);
    const std::int64_t f = first_start(more, in_quotes);
    if (f != kNoStart) {
      buf.resize(from + static_cast<std::size_t>(f));
      return at + f;
    }
    if (static_cast<std::int64_t>(more.size()) < std::min(end, at + len) - at) break;  // the end
    in_quotes ^= count_quotes(more) % 2 == 1;
  }
  return kNoStart;
}

std::int64_t read_part(const InputFile& in, std::int64_t pos, std::int64_t target, std::int64_t end,
                       std::int64_t block, Bytes& buf) {
  buf.clear();
  in.read(pos, target, buf);
  const std::int64_t quotes = count_quotes(buf);
  if (target >= end) return quotes;
  const std::size_t head = buf.size();
  // A first look of `block` (1 MiB) read and zero-filled a quarter of a
  // 4 MiB piece again for nothing.
  next_start(in, target, end, quotes % 2 == 1, std::min(block, kRecordLook), buf, true);
  return quotes + count_quotes(std::string_view(buf).substr(head));
}

}  // namespace weft::events

// SPDX-License-Identifier: Apache-2.0
#include "weft/io/columns.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "agree.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::io {

ColumnWriter::ColumnWriter(const std::string& path, MPI_Comm comm, const RunInfo& run,
                           const std::string& kind, ColumnOptions options)
    : path_(path), comm_(comm), rank_(mpi::Comm(comm).rank()), options_(options) {
  ensure_space(path, 0, fmt::format("{} {}", kind, path), comm);
  all_or_none(comm, path, [&] {
    file_ = std::make_unique<h5::File>(path + ".part", h5::Mode::create, comm);
    write_parameters(*file_, run, kind);
  });
}

ColumnWriter::~ColumnWriter() {
  if (committed_) return;
  // The file is incomplete: its space is given back first, so that
  // closing it (HDF5 writes its metadata) succeeds on a full disk.
  if (rank_ == 0) ::truncate((path_ + ".part").c_str(), 0);
  groups_.clear();
  file_.reset();  // closes what it can
  if (rank_ == 0) {
    std::error_code ec;
    std::filesystem::remove(path_ + ".part", ec);
  }
}

h5::Group& ColumnWriter::group(const std::string& name) {
  return groups_.emplace_back(file_->create_group(name));
}

h5::Group& ColumnWriter::group(h5::Group& parent, const std::string& name) {
  return groups_.emplace_back(parent.create_group(name));
}

void ColumnWriter::values(h5::Group& g, const std::string& name, const std::vector<double>& v) {
  const hsize_t n = mpi::bcast(std::uint64_t{v.size()}, 0, comm_);
  all_or_none(comm_, path_, [&] {
    auto d = g.create_dataset<double>(name, {n});
    d.write<double>({0}, {rank_ == 0 ? n : 0}, v.data());
  });
}

void ColumnWriter::rank_counts(h5::Group& g, const std::string& name, std::int64_t count) {
  const std::vector<std::int64_t> counts = mpi::allgather(count, comm_);
  const auto nranks = static_cast<hsize_t>(counts.size());
  all_or_none(comm_, path_, [&] {
    auto d = g.create_dataset<std::int64_t>(name, {nranks});
    d.write<std::int64_t>({0}, {rank_ == 0 ? nranks : 0}, counts.data());
  });
}

ColumnWriter::Table ColumnWriter::table(h5::Group& g, std::int64_t count) {
  Table t;
  const auto [offset, total] = mpi::exclusive_scan_offsets(count, comm_);
  t.group_ = &g;
  t.options_ = options_;
  t.offset_ = offset;
  t.count_ = count;
  t.total_ = total;
  t.path_ = path_;
  t.comm_ = comm_;
  return t;
}

template <class T>
void ColumnWriter::Table::write(const std::string& name, const std::vector<T>& v, int width) {
  const auto w = static_cast<std::size_t>(std::max(width, 1));
  if (v.size() != static_cast<std::size_t>(count_) * w)
    throw RunError(
        fmt::format("column {} has {} values for {} rows of {}", name, v.size(), count_, w));
  // Chunks of up to 65536 rows, each holding whole rows.
  const hsize_t rows = std::max<hsize_t>(1, std::min<hsize_t>(static_cast<hsize_t>(total_), 65536));
  h5::DatasetOptions o;
  o.fletcher32 = options_.fletcher32;
  o.deflate = options_.deflate;
  std::vector<hsize_t> dims{static_cast<hsize_t>(total_)}, offset{static_cast<hsize_t>(offset_)},
      count{static_cast<hsize_t>(count_)};
  o.chunk = {rows};
  if (width > 1) {
    dims.push_back(w);
    offset.push_back(0);
    count.push_back(w);
    o.chunk.push_back(w);
  }
  const auto bytes = static_cast<std::uint64_t>(total_) * w * sizeof(T);
  ensure_space(path_, bytes, fmt::format("{} (column {})", path_, name), comm_);
  std::optional<h5::Dataset> d;
  all_or_none(comm_, path_, [&] { d.emplace(group_->create_dataset<T>(name, dims, o)); });
  all_or_none(comm_, path_, [&] { d->template write<T>(offset, count, v.data()); });
}

void ColumnWriter::Table::column(const std::string& name, const std::vector<double>& v, int width) {
  write(name, v, width);
}
void ColumnWriter::Table::column(const std::string& name, const std::vector<float>& v, int width) {
  write(name, v, width);
}
void ColumnWriter::Table::column(const std::string& name, const std::vector<std::int32_t>& v,
                                 int width) {
  write(name, v, width);
}
void ColumnWriter::Table::column(const std::string& name, const std::vector<std::int64_t>& v,
                                 int width) {
  write(name, v, width);
}
void ColumnWriter::Table::column(const std::string& name, const std::vector<std::uint64_t>& v,
                                 int width) {
  write(name, v, width);
}

void ColumnWriter::Table::column(const std::string& name, const std::vector<std::uint8_t>& v,
                                 int width) {
  write(name, v, width);
}

void ColumnWriter::commit() {
  ensure_space(path_, 0, fmt::format("closing {}", path_), comm_);
  groups_.clear();
  all_or_none(comm_, path_, [&] { file_->close(); });
  file_.reset();
  committed_ = true;
  const std::string part = path_ + ".part";
  mpi::rank0_then_agree(comm_, [&] {
    if (std::rename(part.c_str(), path_.c_str()) != 0)
      throw RunError(fmt::format("cannot rename {} to {}", part, path_));
  });
}

}  // namespace weft::io

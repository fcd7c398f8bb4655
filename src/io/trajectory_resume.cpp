// SPDX-License-Identifier: Apache-2.0
// TrajectoryWriter::resume(): continuing the trajectory of an interrupted
// run, dropping frames after the checkpoint, growing its reserved space by
// copying when the continuation writes more frames than it has room for.
#include <filesystem>

#include "trajectory_state.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::io {
namespace {

// open_all() opens every series of the file (and no other object, so that
// State::close() can close the file).
void open_all(TrajectoryWriter::State& st) {
  auto traj = st.file->open_group("particles").open_group("trajectory");
  st.position = open_series(traj, "position");
  auto box = traj.open_group("box");
  st.box = open_series(box, "edges");
  st.image = open_series(traj, "image");
  if (traj.exists("velocity")) st.velocity = open_series(traj, "velocity");
  if (traj.exists("force")) st.force = open_series(traj, "force");
  st.options.velocities = st.velocity.open();
  st.options.forces = st.force.open();
  auto obs = st.file->open_group("observables");
  for (const std::string& name : st.options.observables)
    if (obs.exists(name)) st.observables.emplace(name, open_series(obs, name));
}

// shrink() sets the number of frames of a series (value only).
void shrink(TimeSeries& ts, hsize_t frames) {
  if (!ts.open()) return;
  auto d = ts.value.dims();
  d[0] = frames;
  ts.value.extend(d);
}

// copy_frames() writes frames [0, keep) of `old` into the new writer `to`
// (same atoms, so the same id-sorted rows).
void copy_frames(TrajectoryWriter::State& old, TrajectoryWriter::State& to, hsize_t keep) {
  const auto steps = old.position.step.read_all<std::int64_t>();
  const auto times = old.position.time.read_all<double>();
  const auto edges = old.box.value.read_all<double>();
  std::vector<std::vector<double>> obs;
  for (const std::string& name : to.options.observables) {
    const auto it = old.observables.find(name);
    obs.push_back(it == old.observables.end() ? std::vector<double>(keep, 0.0)
                                              : it->second.value.read_all<double>());
  }
  const hsize_t off = static_cast<hsize_t>(to.order.offset),
                rows = static_cast<hsize_t>(to.order.count);
  std::vector<double> x(rows * 3), v(old.velocity.open() ? rows * 3 : 0),
      f(old.force.open() ? rows * 3 : 0);
  std::vector<std::int32_t> image(rows * 3);
  for (hsize_t k = 0; k < keep; ++k) {
    FrameData fr;
    fr.step = steps[k];
    fr.time = times[k];
    std::copy(edges.begin() + static_cast<std::ptrdiff_t>(9 * k),
              edges.begin() + static_cast<std::ptrdiff_t>(9 * k + 9), fr.edges);
    for (const auto& series : obs) fr.observables.push_back(series[k]);
    fr.offset = off;
    fr.rows = rows;
    old.position.value.read<double>({k, off, 0}, {1, rows, 3}, x.data());
    old.image.value.read<std::int32_t>({k, off, 0}, {1, rows, 3}, image.data());
    fr.x = x.data();
    fr.image = image.data();
    if (old.velocity.open()) {
      old.velocity.value.read<double>({k, off, 0}, {1, rows, 3}, v.data());
      fr.v = v.data();
    }
    if (old.force.open()) {
      old.force.value.read<double>({k, off, 0}, {1, rows, 3}, f.data());
      fr.f = f.data();
    }
    to.append(fr);
  }
}

}  // namespace

std::unique_ptr<TrajectoryWriter> TrajectoryWriter::resume(const std::string& path, MPI_Comm comm,
                                                           const RunInfo& run, std::int64_t step,
                                                           const ParticleView& system,
                                                           const TrajectoryOptions& o) {
  int which = 0;  // 1: .part, 2: finished file
  if (mpi::Comm(comm).rank() == 0) {
    which = std::filesystem::exists(path + ".part") ? 1 : std::filesystem::exists(path) ? 2 : 0;
    std::error_code ec;  // a file killed before its first frame holds nothing
    std::filesystem::remove(path + ".part.new", ec);
  }
  which = mpi::bcast(which, 0, comm);
  if (which == 0) return nullptr;
  if (which == 2)
    mpi::rank0_then_agree(comm, [&] { std::filesystem::rename(path, path + ".part"); });
  std::unique_ptr<TrajectoryWriter> w(new TrajectoryWriter());
  w->s_ = std::make_unique<State>(comm);
  State& st = *w->s_;
  st.path = path;
  st.options = o;
  st.published = true;
  st.file = std::make_unique<h5::File>(path + ".part", h5::Mode::read_write, comm,
                                       trajectory_file_options(o));
  open_all(st);

  // Complete frames are those of position/value; keep those up to `step`.
  const auto dims = st.position.value.dims();
  st.natoms = static_cast<std::int64_t>(dims[1]);
  const auto steps = st.position.step.read_all<std::int64_t>();
  hsize_t keep = 0;
  while (keep < dims[0] && keep < steps.size() && steps[keep] <= step) ++keep;
  const auto chunk = st.position.value.chunk();
  st.capacity =
      st.position.value.filtered() || chunk.empty() ? 0 : static_cast<std::int64_t>(chunk[0]);
  if (keep == 0) {  // nothing to keep: the caller starts a new file
    st.close();
    return nullptr;
  }
  const bool beyond = dims[0] > keep;
  if (st.capacity > 0 && (beyond || static_cast<std::int64_t>(keep) + o.frames > st.capacity)) {
    // Neither dropping frames nor growing can be done in place safely:
    // HDF5 writes fill values over the frames beyond a shrunk extent before
    // the new extent reaches the file, and growing past the reserved space
    // allocates chunks. So the kept frames are copied into a new file with
    // room for the continuation, which replaces this one by rename only
    // when all of them are in it.
    TrajectoryOptions grown = st.options;
    grown.frames = static_cast<std::int64_t>(keep) + o.frames;
    RunInfo original = run;  // the file keeps the deck of the run that began it
    original.deck = st.file->open_group("parameters").read_string("deck");
    std::unique_ptr<TrajectoryWriter> copy(
        new TrajectoryWriter(path, comm, original, system, grown));
    copy->s_->hold = true;
    copy_frames(st, *copy->s_, keep);
    st.close();
    copy->s_->hold = false;
    copy->s_->publish();
    return copy;
  }
  if (beyond) {  // filtered frames (no crash guarantee): drop them in place
    shrink(st.position, keep);
    st.flush();
    st.position.step.extend({keep});
    st.position.time.extend({keep});
    for (TimeSeries* ts : {&st.box, &st.image, &st.velocity, &st.force}) shrink(*ts, keep);
    for (auto& [name, ts] : st.observables) shrink(ts, keep);
    st.flush();
  }
  // Series one frame longer than position/value (a commit cut short) are
  // left as they are: the next frame rewrites that frame and its extent.
  st.frames = static_cast<std::int64_t>(keep);
  return w;
}

}  // namespace weft::io

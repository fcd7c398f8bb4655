// SPDX-License-Identifier: Apache-2.0
// The events application on the shared run loop (weft::app): its kind
// (deck part, input checks) and one run of it. The pipeline is the run's
// steps: stage 1 (read, parse, validate, convert, remove duplicates) is
// setup() (every input error shows there, before anything is written) or,
// with events.ingest_steps = S > 0, steps 1..S (S parts of the input, so
// that checkpoints fall inside it); then step S+1 shuffles by key, S+2
// aggregates, S+3 detects, S+4 writes the tables. See docs/events.md.
#include "weft/events/application.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <numeric>

#include "analysis.hpp"
#include "exchange.hpp"
#include "ingest.hpp"
#include "outputs.hpp"
#include "schema.hpp"
#include "state.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {
namespace {

constexpr std::int64_t kStages = 4;  // shuffle, aggregate, detect, write
// Stage timings of the report, in order.
enum Stage { kRead, kParse, kDedup, kShuffle, kAggregate, kDetect, kWrite, kStageCount };
constexpr std::array<const char*, kStageCount> kStageNames{
    "read", "parse", "duplicates", "shuffle", "aggregate", "detect", "write"};

class EventsApplication final : public app::Application {
 public:
  EventsApplication(Config c, const app::RunContext& ctx) : c_(std::move(c)), ctx_(ctx) {}

  std::vector<app::Series> series() const override {
    return {{"valid_rows", "Valid"}, {"quarantined", "Bad"}, {"keys", "Keys"}, {"flags", "Flags"}};
  }
  std::vector<std::string> columns() const override {
    return {"step", "valid_rows", "quarantined", "keys", "flags"};
  }
  // setup() loads the rates and, without ingest steps, runs stage 1 (so
  // that every input error shows before anything is written).
  void setup() override {
    if (ctx_.restart) restore(*const_cast<io::CheckpointReader*>(ctx_.restart));
    const mpi::Comm comm(ctx_.comm);
    if (!c_.rates.empty() && (!ctx_.restart || stage_ < c_.ingest_steps))
      agree_on_failure(comm, [&] { rates_ = Rates::load(c_.rates, c_.base_currency); });
    if (ctx_.restart) return;
    if (c_.ingest_steps == 0) {
      take(ingest(c_, rates_, *ctx_.executor, ctx_.comm));
      finish_ingest();
    }
  }
  std::int64_t step() const override { return stage_; }
  double time() const override { return static_cast<double>(stage_); }
  // advance() runs the next step: a part of the ingest (events.ingest_steps
  // of them), then the stages.
  void advance(bool) override {
    const double t0 = mpi::wtime();
    const std::int64_t ingest_steps = c_.ingest_steps;
    if (++stage_ <= ingest_steps) {
      Ingested part;
      ingest_part(c_, rates_, *ctx_.executor, ctx_.comm, stage_ - 1, ingest_steps, s_.cursors,
                  part);
      take(std::move(part));
      if (stage_ < ingest_steps) return;
      s_.cursors.clear();
      try {
        finish_ingest();
      } catch (const InputError& e) {  // the run has begun: its checkpoints stay usable
        throw RunError(
            fmt::format("{} (found at the end of the ingest, step {})", e.what(), ingest_steps));
      }
      return;
    }
    switch (stage_ - ingest_steps) {
      case 1:
        if (routed()) {  // the ingest sent the events to their keys' owners: only the sort
          const bool known = !blocks_.end.empty() && blocks_.end.back() == s_.events.size();
          sort_by_key(s_.events,
                      known ? blocks_.per_event(s_.events.size()) : HugePageVector<std::int32_t>());
          blocks_ = SourceBlocks();
        } else {
          const KeyOwners owners = key_owners(c_, s_.events, ctx_.comm);
          s_.events = shuffle_by_key(std::move(s_.events), owners, c_.shuffle_bytes, ctx_.comm,
                                     mpi_seconds_);
        }
        seconds_[kShuffle] += mpi::wtime() - t0;
        if (dedup_after_shuffle()) {
          const double t1 = mpi::wtime();
          remove_duplicates(s_.events, s_.tables.bad, c_.shuffle_bytes, ctx_.comm, mpi_seconds_);
          seconds_[kDedup] += mpi::wtime() - t1;
          check_bad_fraction();
        }
        shuffled_ = static_cast<std::int64_t>(s_.events.size());
        break;
      case 2:
        s_.tables.keys = aggregate(s_.events, c_, *ctx_.executor);
        s_.tables.days =
            per_day(s_.events, c_.transactions(), c_.shuffle_bytes, ctx_.comm, mpi_seconds_);
        seconds_[kAggregate] = mpi::wtime() - t0;
        break;
      case 3:
        s_.tables.flags = detect(s_.events, c_, *ctx_.executor);
        std::sort(s_.tables.flags.begin(), s_.tables.flags.end(), flag_order);
        seconds_[kDetect] = mpi::wtime() - t0;
        break;
      default:  // the last step: the tables are written by TablesOutput::after_step()
        break;
    }
  }
  std::vector<double> observe() override {
    std::int64_t local[4] = {static_cast<std::int64_t>(s_.events.size()),
                             static_cast<std::int64_t>(s_.tables.bad.size()),
                             static_cast<std::int64_t>(s_.tables.keys.size()),
                             static_cast<std::int64_t>(s_.tables.flags.size())};
    std::int64_t all[4];
    mpi::allreduce(local, all, 4, MPI_SUM, mpi::Comm(ctx_.comm));
    return {static_cast<double>(all[0]), static_cast<double>(all[1]), static_cast<double>(all[2]),
            static_cast<double>(all[3])};
  }
  std::vector<std::unique_ptr<app::Output>> open_outputs() override;
  // restore() continues from a checkpoint written between two steps (of
  // the ingest or the stages) by as many ranks.
  void restore(io::CheckpointReader& r) {
    stage_ = r.step();
    r.rows("events");
    if (!r.exact())
      throw InputError(fmt::format(
          "--restart {}: an events checkpoint continues on the number of ranks that wrote it "
          "({}), not on {}",
          r.path(), io::CheckpointReader::info(r.path()).ranks, mpi::Comm(ctx_.comm).size()));
    try {
      s_ = unpack_state(r.column_int64("state"));
    } catch (const std::runtime_error& e) {
      throw InputError(
          fmt::format("--restart {}: the checkpoint is damaged: {}", r.path(), e.what()));
    }
  }
  // write_tables() is stage 4: events.h5 and the CSV tables. Collective.
  void write_tables() {
    const double t0 = mpi::wtime();
    write_h5(ctx_.out_dir + "/events.h5", s_.tables, c_, ctx_.run, ctx_.comm);
    if (c_.csv) write_csv(ctx_.out_dir, s_.tables, c_, ctx_.comm);
    seconds_[kWrite] = mpi::wtime() - t0;
  }
  // checkpoint() stores every rank's state as one column of words; the
  // stage is the checkpoint's step.
  void checkpoint(io::CheckpointWriter& w) override {
    const std::vector<std::int64_t> words = pack_state(s_);
    w.rows("events", static_cast<std::int64_t>(words.size()));
    w.column("state", words);
  }
  std::string report() override;
  // last_step() is the step that writes the tables.
  std::int64_t last_step() const { return c_.ingest_steps + kStages; }

 private:
  // take() adds rows read by the ingest to the state.
  void take(Ingested in) {
    seconds_[kRead] += in.read_seconds;
    seconds_[kParse] += in.parse_seconds;
    seconds_[kShuffle] += in.shuffle_seconds;
    mpi_seconds_ += in.mpi_seconds;
    if (in.route) {
      blocks_ = std::move(in.blocks);
      source_line_offset_ = std::move(in.source_line_offset);
    }
    parked_seconds_ += in.parked_seconds;
    s_.rows += in.rows;
    s_.bytes += in.bytes;
    recounted_ += in.recounted;
    shared_parts_ += in.shared_parts;
    if (line_offset_.size() < in.line_offset.size()) line_offset_.resize(in.line_offset.size(), 0);
    for (std::size_t f = 0; f < in.line_offset.size(); ++f) line_offset_[f] += in.line_offset[f];
    if (s_.events.empty())
      s_.events = std::move(in.events);
    else {
      s_.events.reserve(s_.events.size() + in.events.size());
      std::move(in.events.begin(), in.events.end(), std::back_inserter(s_.events));
    }
    if (s_.tables.bad.empty())
      s_.tables.bad = std::move(in.bad);
    else
      std::move(in.bad.begin(), in.bad.end(), std::back_inserter(s_.tables.bad));
  }
  // finish_ingest() ends stage 1 once every row is read: currency
  // conversion (weft::InputError when the rates miss a day of the events),
  // duplicates, the bad-row threshold (weft::RunError). Collective.
  void finish_ingest() {
    const mpi::Comm comm(ctx_.comm);
    const double t0 = mpi::wtime();
    // Every currency needs a rate on every day of the events. The rows'
    // lines become the file's where they were counted from a range's start.
    // Events routed while they were parsed: by the rank that parsed them.
    const auto nonzero = [](const std::vector<std::int64_t>& v) {
      return std::any_of(v.begin(), v.end(), [](std::int64_t o) { return o != 0; });
    };
    const bool relative = nonzero(line_offset_);
    std::int64_t first = INT64_MAX, last = INT64_MIN;
    auto visit = [&](Event& e, std::int64_t add) {
      first = std::min(first, day_of(e.time_us));
      last = std::max(last, day_of(e.time_us));
      e.line += add + (relative ? line_offset_[static_cast<std::size_t>(e.file)] : 0);
    };
    if (nonzero(source_line_offset_)) {
      if ((blocks_.end.empty() ? 0 : blocks_.end.back()) != s_.events.size())
        throw std::logic_error("events: the source blocks do not cover the events");
      std::size_t i = 0;
      for (std::size_t b = 0; b < blocks_.end.size(); ++b)
        for (const std::int64_t add =
                 source_line_offset_[static_cast<std::size_t>(blocks_.source[b])];
             i < blocks_.end[b]; ++i)
          visit(s_.events[i], add);
    } else {
      for (Event& e : s_.events) visit(e, 0);
    }
    source_line_offset_.clear();
    if (relative)
      for (BadRow& b : s_.tables.bad) b.line += line_offset_[static_cast<std::size_t>(b.file)];
    line_offset_.clear();
    first = mpi::allreduce(first, MPI_MIN, comm);
    last = mpi::allreduce(last, MPI_MAX, comm);
    if (c_.transactions() && first <= last) {
      rates_.check_covers(first, last);
      for (Event& e : s_.events)  // x: base minor units, exact; the rules see it as a double
        e.amount = rates_.convert(e.amount, static_cast<int>(e.currency), day_of(e.time_us));
    }
    if (!dedup_after_shuffle()) {
      std::vector<std::size_t> removed;
      remove_duplicates(s_.events, s_.tables.bad, c_.shuffle_bytes, ctx_.comm, mpi_seconds_,
                        &removed);
      blocks_.remove(removed);
    }
    seconds_[kDedup] = mpi::wtime() - t0;
    check_bad_fraction();
  }
  // check_bad_fraction() fails the run (weft::RunError) when more rows are
  // quarantined than events.max_bad_fraction allows. Collective.
  void check_bad_fraction() {
    const mpi::Comm comm(ctx_.comm);
    const std::int64_t rows = mpi::allreduce(s_.rows, MPI_SUM, comm);
    const std::int64_t bad =
        mpi::allreduce(static_cast<std::int64_t>(s_.tables.bad.size()), MPI_SUM, comm);
    if (rows > 0 && static_cast<double>(bad) > c_.max_bad_fraction * static_cast<double>(rows))
      throw RunError(fmt::format(
          "{} of {} rows ({:.4g}%) are quarantined, more than events.max_bad_fraction = {} allows",
          bad, rows, 100.0 * static_cast<double>(bad) / static_cast<double>(rows),
          c_.max_bad_fraction));
  }

  Config c_;
  const app::RunContext& ctx_;
  std::int64_t stage_ = 0;
  Rates rates_{c_.base_currency};
  PipelineState s_;
  // routed() is whether the ingest sends the events to their keys' owners
  // (ingest(): in setup(), on several ranks), so that the shuffle stage
  // only sorts; blocks_ is then where they came from (empty after a restart).
  bool routed() const { return c_.ingest_steps == 0 && mpi::Comm(ctx_.comm).size() > 1; }
  // dedup_after_shuffle(): with ingest steps on several ranks the duplicates
  // are removed after the shuffle, so that its key owners are built from the
  // same events as the routing's (before the duplicates leave): the same
  // owners, the same events.h5 rows, with and without ingest steps.
  bool dedup_after_shuffle() const {
    return c_.ingest_steps > 0 && mpi::Comm(ctx_.comm).size() > 1;
  }
  SourceBlocks blocks_;
  std::vector<std::int64_t> source_line_offset_;  // Ingested::source_line_offset
  std::array<double, kStageCount> seconds_{};
  double mpi_seconds_ = 0, parked_seconds_ = 0;
  std::int64_t shuffled_ = -1;  // this rank's events after the shuffle (-1: not in this run)
  // Ingest: what to add to each input's lines (Ingested::line_offset, until
  // finish_ingest()), and the inputs whose guessed ranges were read again.
  std::vector<std::int64_t> line_offset_;
  std::int64_t recounted_ = 0;
  std::int64_t shared_parts_ = 0;  // Ingested::shared_parts
};

// TablesOutput writes the result tables after the last stage.
class TablesOutput final : public app::Output {
 public:
  TablesOutput(EventsApplication& app, bool csv) : app_(app), csv_(csv) {}
  void after_step(std::int64_t step) override {
    if (step == app_.last_step()) app_.write_tables();
  }
  void finish() override {}
  std::string name() const override {
    return csv_ ? "events.h5, aggregates.csv, per_day.csv, flags.csv, quarantine.csv" : "events.h5";
  }

 private:
  EventsApplication& app_;
  bool csv_;
};

std::vector<std::unique_ptr<app::Output>> EventsApplication::open_outputs() {
  std::vector<std::unique_ptr<app::Output>> out;
  out.push_back(std::make_unique<TablesOutput>(*this, c_.csv));
  return out;
}

std::string EventsApplication::report() {
  const mpi::Comm comm(ctx_.comm);
  std::array<double, kStageCount> worst{};
  mpi::allreduce(seconds_.data(), worst.data(), kStageCount, MPI_MAX, comm);
  const double mpi_worst = mpi::allreduce(mpi_seconds_, MPI_MAX, comm);
  const double parked = mpi::allreduce(parked_seconds_, MPI_MAX, comm);
  std::array<std::int64_t, kReasons> local{}, reasons{};
  for (const BadRow& b : s_.tables.bad) ++local[static_cast<std::size_t>(b.reason)];
  mpi::allreduce(local.data(), reasons.data(), kReasons, MPI_SUM, comm);
  const std::int64_t rows = mpi::allreduce(s_.rows, MPI_SUM, comm);
  const std::int64_t bytes = mpi::allreduce(s_.bytes, MPI_SUM, comm);
  std::string out =
      fmt::format("Events ({}): {} rows, {:.3f} MB read\nStage          seconds      rows/s\n",
                  c_.domain, rows, static_cast<double>(bytes) / 1e6);
  for (int s = 0; s < kStageCount; ++s)
    out += fmt::format("{:<12} {:10.4f} {:11.4g}\n", kStageNames[static_cast<std::size_t>(s)],
                       worst[static_cast<std::size_t>(s)],
                       worst[static_cast<std::size_t>(s)] > 0
                           ? static_cast<double>(rows) / worst[static_cast<std::size_t>(s)]
                           : 0.0);
  out += fmt::format("MPI (shuffles, slowest rank): {:.4f} s\n", mpi_worst);
  // The stages after the shuffle go at the pace of the rank with the most events.
  const std::vector<std::int64_t> shuffled = mpi::allgather(shuffled_, comm);
  if (const auto most = *std::max_element(shuffled.begin(), shuffled.end()); most > 0) {
    const double mean =
        static_cast<double>(std::accumulate(shuffled.begin(), shuffled.end(), std::int64_t{0})) /
        static_cast<double>(shuffled.size());
    out += fmt::format("Events per rank after the shuffle: max/mean {:.4f}{}\n",
                       static_cast<double>(most) / mean,
                       shuffled.size() <= 16 ? fmt::format(" ({})", fmt::join(shuffled, " ")) : "");
  }
  if (ctx_.executor->scheduler() == go::Scheduler::fibers)
    out += fmt::format(
        "Parked on channels (parse pipeline, summed over its tasks, slowest rank): {:.4f} s\n",
        parked);
  if (const auto parts = mpi::allreduce(shared_parts_, MPI_SUM, comm); parts > 0)
    out += fmt::format("Parse ranges shared: {} parts of slower ranks' ranges parsed by others\n",
                       parts);
  if (const auto again = mpi::allreduce(recounted_, MPI_MAX, comm); again > 0)
    out += fmt::format("CSV inputs read twice (a quoted newline across a rank's chunk start): {}\n",
                       again);
  out += "Quarantined by reason:";
  for (int r = 0; r < kReasons; ++r)
    out += fmt::format(" {}={}", kReasonNames[static_cast<std::size_t>(r)],
                       reasons[static_cast<std::size_t>(r)]);
  return out;
}

class EventsKind final : public app::KindOf<Config> {
 public:
  std::string summary() const override {
    return "keyed event streams (transactions, sensor readings): parallel CSV and HDF5 ingest, "
           "validation with quarantine, shuffle by key, exact aggregates, detection rules";
  }
  app::Units units() const override { return {"events", "stage"}; }
  // load() reads the deck with run.steps = the pipeline's steps (the
  // ingest's, then the stages) and thermo.every = 1 unless the deck sets
  // them (validate() refuses other steps).
  std::optional<app::LoadedDeck> load(const toml::table& deck, const std::string& path,
                                      deck::Diagnostics& d) const override {
    toml::table t = deck;
    auto put = [&](const char* section, const char* key, std::int64_t v) {
      if (!t.contains(section)) t.insert(section, toml::table{});
      if (auto* s = t[section].as_table(); s && !s->contains(key)) s->insert(key, v);
    };
    std::int64_t ingest_steps = 0;
    if (const auto* e = t["events"].as_table())
      ingest_steps = (*e)["ingest_steps"].value_or(std::int64_t{0});
    put("run", "steps", kStages + std::max<std::int64_t>(ingest_steps, 0));
    put("thermo", "every", 1);
    return KindOf<Config>::load(t, path, d);
  }
  void validate(const app::LoadedDeck& deck, MPI_Comm comm) const override {
    const Config& c = config(deck);
    std::string problem;
    if (mpi::Comm(comm).rank() == 0) {
      try {
        if (deck.common.run.steps != kStages + c.ingest_steps)
          throw InputError(
              fmt::format("run.steps: the events pipeline has {} steps (events.ingest_steps = "
                          "{} of the ingest, then shuffle, aggregate, detect, write); leave "
                          "run.steps out",
                          kStages + c.ingest_steps, c.ingest_steps));
        if (c.inputs.empty())
          throw InputError("events.inputs: no input file; name at least one CSV or HDF5 file");
        if (std::ssize(c.inputs) > Event::kMaxInputs)
          throw InputError(fmt::format(
              "events.inputs: {} files; a run reads at most {}: join some of them (cat) or run "
              "them in several runs",
              c.inputs.size(), Event::kMaxInputs));
        if (!c.rates.empty()) (void)Rates::load(c.rates, c.base_currency);
        for (int f = 0; f < static_cast<int>(c.inputs.size()); ++f) check_input(c, f);
      } catch (const InputError& e) {
        problem = e.what();
      }
    }
    if (!(problem = mpi::first_error(problem, mpi::Comm(comm))).empty()) throw InputError(problem);
  }
  std::string layout(const app::LoadedDeck& deck) const override {
    const Config& c = config(deck);
    return fmt::format("{} from {} input file(s)", c.domain, c.inputs.size());
  }
  std::vector<std::string> inputs(const app::LoadedDeck& deck) const override {
    std::vector<std::string> out = config(deck).inputs;
    if (!config(deck).rates.empty()) out.push_back(config(deck).rates);
    return out;
  }
  std::vector<std::string> output_names() const override {
    return {"events.h5", "aggregates.csv", "per_day.csv", "flags.csv", "quarantine.csv"};
  }
  // restart_sections(): what defines the results (chunk and round sizes do not).
  std::vector<std::string> restart_sections() const override {
    return {"events.domain",     "events.inputs",        "events.format", "events.columns",
            "events.decimals",   "events.base_currency", "events.rates",  "events.max_bad_fraction",
            "events.hdf5_group", "events.ingest_steps",  "rules"};
  }
  std::unique_ptr<app::Application> create(const app::LoadedDeck& deck,
                                           const app::RunContext& ctx) const override {
    return std::make_unique<EventsApplication>(config(deck), ctx);
  }

 protected:
  const deck::Schema<Config>& part() const override { return schema(); }
  void resolve_paths(Config& c, const std::filesystem::path& dir) const override {
    auto resolve = [&](std::string& p) {
      if (!p.empty() && std::filesystem::path(p).is_relative())
        p = (dir / p).lexically_normal().string();
    };
    for (auto& p : c.inputs) resolve(p);
    resolve(c.rates);
  }
};

}  // namespace

const app::ApplicationKind& application_kind() {
  static const EventsKind kind;
  return kind;
}

}  // namespace weft::events

// SPDX-License-Identifier: Apache-2.0
// MD as an application of the shared run loop (weft::app): its kind (deck
// part, input checks, restart sections) and one run of it (a Simulation
// with its observables, trajectory, checkpoint contents and report).
#include "weft/md/application.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "footprint.hpp"
#include "outputs.hpp"
#include "weft/core/error.hpp"
#include "weft/h5/error.hpp"
#include "weft/md/deck.hpp"

namespace weft::md {
namespace {

class MdApplication final : public app::Application {
 public:
  MdApplication(Config cfg, const app::RunContext& ctx) : cfg_(std::move(cfg)), ctx_(ctx) {}

  std::vector<app::Series> series() const override { return thermo_series(); }
  std::vector<std::string> columns() const override { return thermo_columns(cfg_.thermo); }
  void setup() override {
    if (ctx_.restart) {
      Snapshot snap;
      try {
        snap = read_snapshot(*const_cast<io::CheckpointReader*>(ctx_.restart));
      } catch (const h5::Error& e) {
        throw InputError(fmt::format("--restart {}: the checkpoint is damaged: {}",
                                     ctx_.restart->path(), e.what()));
      }
      sim_ = std::make_unique<Simulation>(cfg_, *ctx_.executor, ctx_.comm, std::move(snap));
    } else {
      sim_ = std::make_unique<Simulation>(cfg_, *ctx_.executor, ctx_.comm);
    }
    sim_->setup();
  }
  std::int64_t step() const override { return sim_->system().step; }
  double time() const override { return static_cast<double>(step()) * sim_->system().dt; }
  void advance(bool observe) override { sim_->step(observe); }
  std::vector<double> observe() override {
    const ThermoRow& row = sim_->last_thermo();
    return thermo_values(row.step == step() ? row : sim_->thermo());
  }
  std::vector<std::unique_ptr<app::Output>> open_outputs() override {
    std::vector<std::unique_ptr<app::Output>> out;
    if (auto t = open_trajectory(*sim_, cfg_, ctx_)) out.push_back(std::move(t));
    return out;
  }
  void checkpoint(io::CheckpointWriter& w) override { write_snapshot(w, sim_->snapshot()); }
  std::string report() override { return format_report(sim_->report()); }

 private:
  Config cfg_;
  const app::RunContext& ctx_;
  std::unique_ptr<Simulation> sim_;
};

class MdKind final : public app::KindOf<Config> {
 public:
  std::string summary() const override {
    return "molecular dynamics with LAMMPS conventions (`units lj`, reduced: lengths in sigma, "
           "energies in epsilon, time in tau, temperature in epsilon/k_B)";
  }
  app::Units units() const override { return {"lj", "tau"}; }
  void validate(const app::LoadedDeck& deck, MPI_Comm comm) const override {
    md::validate(with_common(deck), comm);
  }
  app::MemoryEstimate memory_per_rank(const app::LoadedDeck& deck, int ranks,
                                      int threads) const override {
    const Footprint f = footprint(config(deck), ranks, threads);
    return {f.bytes, f.what};
  }
  std::string layout(const app::LoadedDeck& deck) const override {
    const auto& g = config(deck).decomposition.grid;
    if (g == std::array<int, 3>{0, 0, 0}) return "grid automatic";
    auto dim = [](int n) { return n > 0 ? std::to_string(n) : std::string("*"); };
    return fmt::format("grid {}x{}x{}", dim(g[0]), dim(g[1]), dim(g[2]));
  }
  std::vector<std::string> inputs(const app::LoadedDeck& deck) const override {
    const Config& c = config(deck);
    return c.init.source == "data" ? std::vector<std::string>{c.init.data_file}
                                   : std::vector<std::string>{};
  }
  std::vector<std::string> output_names() const override { return {"trajectory.h5md"}; }
  std::vector<std::string> restart_sections() const override {
    return {"species", "box", "init.source", "lattice", "pair", "integrator"};
  }
  std::unique_ptr<app::Application> create(const app::LoadedDeck& deck,
                                           const app::RunContext& ctx) const override {
    return std::make_unique<MdApplication>(with_common(deck), ctx);
  }

 protected:
  const deck::Schema<Config>& part() const override { return md::schema(); }
  void resolve_paths(Config& c, const std::filesystem::path& dir) const override {
    auto& data = c.init.data_file;
    if (!data.empty() && std::filesystem::path(data).is_relative())
      data = (dir / data).lexically_normal().string();
  }

 private:
  // with_common() is the deck's MD config with the run loop's run length
  // and observation interval (md::Config keeps them for md::run()).
  static Config with_common(const app::LoadedDeck& deck) {
    Config c = config(deck);
    c.run.steps = deck.common.run.steps;
    c.thermo.every = static_cast<int>(deck.common.thermo.every);
    return c;
  }
};

}  // namespace

const app::ApplicationKind& application_kind() {
  static const MdKind kind;
  return kind;
}

}  // namespace weft::md

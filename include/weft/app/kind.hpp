// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <any>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weft/app/application.hpp"
#include "weft/app/config.hpp"
#include "weft/deck/diagnostics.hpp"
#include "weft/deck/schema.hpp"

namespace weft::app {

// LoadedDeck is one deck, parsed, checked and resolved: the shared sections,
// the application's own config (its config struct, type-erased; the
// application's kind knows its type) and the resolved TOML text.
struct LoadedDeck {
  CommonConfig common;
  std::any config;       // the application's config struct
  std::string resolved;  // the complete deck, every default filled in (TOML)
  std::string name;      // deck file name without directory and .toml
};

class ApplicationKind;

// MemoryEstimate is what one rank of a run needs, estimated from the deck
// before anything is created (ApplicationKind::memory_per_rank()).
struct MemoryEstimate {
  std::uint64_t bytes = 0;  // the application's memory per rank; 0: unknown
  std::string what;         // the numbers behind it ("32000 atoms: ..."), for messages
};

// Registry is the list of applications by name: the only list of their
// names (the CLI's src/cli/applications.cpp holds the one weft uses).
using Registry = std::map<std::string, const ApplicationKind*>;

// ApplicationKind is what the registry holds for one application: its deck
// part, its input checks and how to make a run of it. Stateless; one
// instance per application, alive for the whole program. Derive from
// KindOf<Config> below rather than from this directly.
class ApplicationKind {
 public:
  virtual ~ApplicationKind() = default;
  // summary() is one line saying what the application simulates.
  virtual std::string summary() const = 0;
  // units() are its unit system and time unit (every output says them).
  virtual Units units() const = 0;
  // load() reads a whole deck (the shared sections and the application's),
  // every problem into `d`; nullopt when there is any. Not collective.
  virtual std::optional<LoadedDeck> load(const toml::table& deck, const std::string& path,
                                         deck::Diagnostics& d) const = 0;
  // docs() are the application's own deck keys (the reference).
  virtual std::vector<deck::KeyDoc> docs() const = 0;
  // validate() checks what the deck alone cannot (input files, the layout
  // for this rank count) before anything is written; weft::InputError
  // saying what, where and how to fix it. Collective.
  virtual void validate(const LoadedDeck& deck, MPI_Comm comm) const = 0;
  // memory_per_rank() estimates the memory one rank of the run needs (the
  // largest rank's share) on `ranks` ranks of `threads` worker threads each,
  // without allocating it: `weft run` checks it against the memory the node
  // has before anything is set up. Default: unknown (no check). May throw
  // weft::InputError when the deck asks for more than the application can
  // hold at all (counts beyond its index types). Not collective.
  virtual MemoryEstimate memory_per_rank(const LoadedDeck& deck, int ranks, int threads) const {
    (void)deck;
    (void)ranks;
    (void)threads;
    return {};
  }
  // layout() is a short note for the start banner ("grid automatic"), or "".
  virtual std::string layout(const LoadedDeck& deck) const = 0;
  // inputs() are the files the deck reads (never overwritten by outputs).
  virtual std::vector<std::string> inputs(const LoadedDeck& deck) const {
    (void)deck;
    return {};
  }
  // output_names() are the files the application writes in output.dir
  // besides the shared ones (checked against an earlier run's results).
  virtual std::vector<std::string> output_names() const { return {}; }
  // restart_sections() are the deck sections (or single keys) that define
  // the system: a restart whose deck differs from the checkpoint's in one of
  // their keys is refused with the key named.
  virtual std::vector<std::string> restart_sections() const = 0;
  // create() makes the application for one run (setup() comes after).
  // Collective.
  virtual std::unique_ptr<Application> create(const LoadedDeck& deck,
                                              const RunContext& ctx) const = 0;
};

// Deck is the whole deck of an application whose own keys fill a Config:
// what KindOf parses.
template <class Config>
struct Deck {
  CommonConfig common;
  Config app;
};

// KindOf<Config> implements load() and docs() from the application's deck
// part (a deck::Schema<Config> with the application's own paths) and the
// shared part. An application supplies the rest:
//
//   class MdKind final : public app::KindOf<md::Config> {
//     const deck::Schema<md::Config>& part() const override { return md::schema(); }
//     void resolve_paths(md::Config& c, const std::filesystem::path& dir) const override;
//     std::string summary() const override { return "Lennard-Jones molecular dynamics"; }
//     ...
//   };
template <class Config>
class KindOf : public ApplicationKind {
 public:
  std::optional<LoadedDeck> load(const toml::table& table, const std::string& path,
                                 deck::Diagnostics& d) const override {
    const deck::Schema<Deck<Config>>& s = whole();
    Deck<Config> parsed = s.parse(table, path, d);
    if (!d.empty()) return std::nullopt;
    resolve_paths(parsed.app, std::filesystem::path(path).parent_path());
    LoadedDeck out;
    out.resolved = s.write_text(parsed);
    out.common = parsed.common;
    out.config = std::move(parsed.app);
    out.name = std::filesystem::path(path).stem().string();
    return out;
  }
  std::vector<deck::KeyDoc> docs() const override { return part().docs(); }

  // config() is the application's config of a deck this kind loaded.
  static const Config& config(const LoadedDeck& deck) {
    return std::any_cast<const Config&>(deck.config);
  }

 protected:
  // part() is the application's deck part.
  virtual const deck::Schema<Config>& part() const = 0;
  // resolve_paths() makes input paths of the config relative to the deck's
  // directory `dir` (before the resolved deck is written).
  virtual void resolve_paths(Config& config, const std::filesystem::path& dir) const {
    (void)config;
    (void)dir;
  }

 private:
  const deck::Schema<Deck<Config>>& whole() const {
    if (!schema_) {
      schema_ = std::make_unique<deck::Schema<Deck<Config>>>();
      using D = Deck<Config>;
      schema_->include(common_schema(), [](D& x) -> CommonConfig& { return x.common; });
      schema_->include(part(), [](D& x) -> Config& { return x.app; });
    }
    return *schema_;
  }
  mutable std::unique_ptr<deck::Schema<Deck<Config>>> schema_;
};

}  // namespace weft::app

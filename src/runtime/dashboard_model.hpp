#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "trading/types.hpp"

/// What the dashboard shows, as plain data: the actor map's summary and
/// search, the sampled equity curve, rates, and orders as JSON. The server
/// (dashboard.hpp) fills it from the actors and serves it.
namespace intuition::runtime {

// -- the actor map ----------------------------------------------------------------

/// One algorithm actor as the actor map shows it.
struct actor_row {
  std::string name;
  std::string node;
  std::string strategy;
  std::string symbol;
  uint64_t epoch = 0;
  int64_t mailbox = 0;
  int64_t processed = 0;
};

/// The row of an algorithm actor's state (strategy, symbol and epoch from
/// its summary; a summary that is not JSON leaves them empty).
actor_row to_actor_row(const actors::actor_state& x);

/// A row as JSON: name, node, strategy, symbol, epoch, mailbox, processed.
nlohmann::json to_json(const actor_row& x);

/// The map's summary, small whatever the number of actors: `total`,
/// `by_node` and `by_strategy` (counts and summed mailboxes) and the
/// `top_n` busiest actors by mailbox (then messages processed).
nlohmann::json summarize_actors(const std::vector<actor_row>& rows,
                                size_t top_n);

/// The rows whose name, node, strategy or symbol holds `query` (case
/// insensitive), at most `limit` of them in list order: `{"matches": N,
/// "rows": [...]}`, where `matches` counts every match.
nlohmann::json search_actors(const std::vector<actor_row>& rows,
                             std::string_view query, size_t limit);

// -- figures over time ------------------------------------------------------------

/// The equity curve the live page draws: one sample per update, bounded.
/// When full, every second sample is dropped, so the whole run stays in
/// view at a coarser resolution.
class equity_samples {
public:
  explicit equity_samples(size_t max_points);

  /// Adds `equity` at `t_ms` (epoch ms).
  void add(int64_t t_ms, double equity);

  const std::vector<std::pair<int64_t, double>>& points() const noexcept {
    return points_;
  }

  /// `[[t_ms, equity], ...]`.
  nlohmann::json to_json() const;

private:
  size_t max_points_;
  std::vector<std::pair<int64_t, double>> points_;
};

/// A rate per second from a counter that only grows.
class rate_meter {
public:
  /// The rate since the last update (0 on the first, or when no time
  /// passed, or when the counter went back: a restarted actor).
  double update(int64_t count, int64_t t_ms);

private:
  int64_t last_count_ = 0;
  int64_t last_ms_ = 0;
  bool started_ = false;
};

// -- orders -------------------------------------------------------------------------

/// An order as the API and the pages show it: the journal record's fields
/// (seq, id, ts, strategy, symbol, side, qty, price, commission).
nlohmann::json to_json(const trading::order& x);

/// Parses the `since` or `limit` query value: a decimal without sign;
/// nothing when it is not one.
std::optional<uint64_t> parse_count(std::string_view text);

} // namespace intuition::runtime

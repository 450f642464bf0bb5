#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "trading/algorithm.hpp"
#include "trading/quote_filter.hpp"
#include "trading/result.hpp"
#include "trading/types.hpp"

/// The algorithm instances of one shard on the node that owns it, as a
/// plain class: quotes of the shard's symbols in, signals out, repeats
/// dropped. The shard worker actor is its thin shell.
namespace intuition::trading {

/// One (strategy, symbol) of a shard.
struct shard_instance {
  std::string strategy;
  std::string algorithm;
  /// The strategy's parameters as a JSON object (text).
  std::string params_json;
  std::string symbol;
  /// The strategy's net position restored from the journal (0: none).
  int64_t restored_position = 0;
};

/// What one intake produced.
struct shard_output {
  /// The quotes accepted, in arrival order.
  std::vector<quote> quotes;
  /// Their signals in quote order (then strategy order); each signal's
  /// `quote_seq` is the index of its quote in `quotes`.
  std::vector<signal> signals;
  /// Quotes dropped as repeats of a (symbol, ts) already taken.
  uint64_t duplicates = 0;
  /// Quotes of symbols outside the shard, dropped.
  uint64_t foreign = 0;
};

/// What a shard's repeat filter remembers beyond its warm-up: a new
/// owner gets again at most the reads its predecessor had not acknowledged
/// (the broker's in-flight window per session, 20 by default in mosquitto),
/// and the coordinator's desk drops any repeat older than that. A node runs
/// dozens of shards, so each cannot keep the 262,144 of the ingress (6 MB).
constexpr size_t shard_recent_window = 16'384;

/// The instances of one shard.
class shard_engine {
public:
  /// Creates every instance; fails (an invalid request naming the
  /// instance) when an algorithm is unknown or refuses its parameters.
  static result<shard_engine> make(const std::vector<shard_instance>& xs);

  /// Feeds past quotes to the instances (indicators only, no signals) and
  /// remembers them, so that a redelivered one is recognised.
  void warm_up(const std::vector<quote>& history);

  /// Runs `quotes` through the instances of their symbols.
  shard_output on_quotes(std::vector<quote> quotes);

  /// Instances, over all symbols.
  size_t instances() const noexcept {
    return instances_;
  }

  /// Accepted (symbol, ts) the repeat filter remembers.
  size_t recent_window() const noexcept {
    return filter_.recent_window();
  }

  /// Symbols with at least one instance.
  size_t symbols() const noexcept {
    return by_symbol_.size();
  }

private:
  struct running {
    std::string strategy;
    std::unique_ptr<algorithm> algo;
  };

  std::unordered_map<std::string, std::vector<running>> by_symbol_;
  size_t instances_ = 0;
  quote_filter filter_{stale_policy::trade, shard_recent_window};
};

} // namespace intuition::trading

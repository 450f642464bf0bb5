#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/actor_types.hpp"
#include "actors/telemetry.hpp"

/// The quote router: every quote enters here, whatever its source.
namespace intuition::actors {

/// One configured strategy as the router sees it.
struct strategy_route {
  std::string name;
  std::string algorithm;
  std::string params_json;
  /// Upper-case symbols this strategy trades; empty means every symbol.
  std::vector<std::string> symbols;

  /// Whether the strategy trades `symbol`.
  bool matches(const std::string& symbol) const;
};

/// Decides where an algorithm instance runs and spawns it there.
using placement_fn
  = std::function<algorithm_actor(caf::actor_system&, const algorithm_spec&)>;

/// Places every instance on the local node.
placement_fn local_placement();

/// A batch between its arrival and its hand-over to the portfolio.
struct pending_batch {
  uint64_t id = 0;
  std::vector<trading::quote> quotes;
  std::vector<trading::signal> signals;
  size_t waiting = 0;
  caf::typed_response_promise<uint64_t> promise;
};

/// An algorithm instance the router spawned.
struct routed_instance {
  size_t strategy = 0;
  /// Unique per spawned instance; keys a batch's per-instance parts.
  uint64_t slot = 0;
  algorithm_actor handle;
};

struct quote_router_state {
  static inline const char* name = "quote_router";
  std::vector<strategy_route> strategies;
  /// Strategy name to its position in the configuration.
  std::unordered_map<std::string, size_t> strategy_index;
  placement_fn place;
  portfolio_actor portfolio;
  /// Receives every signal (live mode); may be null.
  order_publisher_actor publisher;
  /// Instances per symbol, in strategy order; resolved on first sight.
  std::unordered_map<std::string, std::vector<routed_instance>> routes;
  std::deque<pending_batch> pending;
  uint64_t next_batch = 1;
  uint64_t next_seq = 1;
  uint64_t quotes = 0;
  uint64_t spawned = 0;
  uint64_t algorithm_failures = 0;
  uint64_t unrouted = 0;
  actor_probe probe{actor_kind::quote_router};
};

/// Spawns the router. Instances are placed with `place` the first time a
/// symbol appears for a strategy that trades it.
quote_router_actor::behavior_type
quote_router(quote_router_actor::stateful_pointer<quote_router_state> self,
             std::vector<strategy_route> strategies, placement_fn place,
             portfolio_actor portfolio, order_publisher_actor publisher);

} // namespace intuition::actors

#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/actor_types.hpp"
#include "actors/telemetry.hpp"

/// The quote router: every quote enters here, whatever its source. It
/// places one algorithm instance per (strategy, symbol) on the coordinator
/// or on a worker node, and moves the instances of a lost node elsewhere.
namespace intuition::actors {

/// One configured strategy as the router sees it.
struct strategy_route {
  std::string name;
  std::string algorithm;
  std::string params_json;
  /// Upper-case symbols this strategy trades; empty means every symbol.
  std::vector<std::string> symbols;
  /// Past quotes a re-placed instance needs (the algorithm's longest
  /// window); filled in by the router.
  size_t warmup = 0;

  /// Whether the strategy trades `symbol`.
  bool matches(const std::string& symbol) const;
};

/// Spawns an algorithm instance on the coordinator itself.
using placement_fn
  = std::function<algorithm_actor(caf::actor_system&, const algorithm_spec&)>;

/// Spawns instances with `sys.spawn(algorithm, spec)`.
placement_fn local_placement();

/// Rendezvous (highest random weight) hashing: the weight of placing `key`
/// on `member`. Each key goes to the live member with the highest weight,
/// so a lost member moves only its own keys and a new one takes only keys
/// it now wins. Stable across processes and machines (FNV-1a, mixed).
uint64_t rendezvous_weight(const std::string& member, const std::string& key);

constexpr size_t no_member = std::numeric_limits<size_t>::max();

/// Index of the member `key` goes to among `names` whose `alive` flag is
/// set, or `no_member`.
size_t rendezvous_pick(const std::vector<std::string>& names,
                       const std::vector<bool>& alive, const std::string& key);

/// A place algorithm instances may run: the coordinator itself or a node.
struct cluster_node {
  std::string name;
  /// `HOST:PORT`; empty for the coordinator.
  std::string address;
  /// Null for the coordinator.
  node_agent_actor agent;
  bool alive = true;
  /// Instances moved away from this node after it was lost.
  uint64_t replaced = 0;
  /// When it was lost, and how many of its instances still wait for their
  /// new place (for the log line that reports the re-placement time).
  std::chrono::steady_clock::time_point lost_at;
  size_t replacing = 0;
};

/// A batch between its arrival and its hand-over to the portfolio.
struct pending_batch {
  uint64_t id = 0;
  std::vector<trading::quote> quotes;
  std::vector<trading::signal> signals;
  size_t waiting = 0;
  caf::typed_response_promise<uint64_t> promise;
};

/// One (strategy, symbol) and its current incarnation.
struct routed_instance {
  size_t strategy = 0;
  /// Index into `quote_router_state::slots`: keys a batch's parts cheaply.
  uint32_t slot = 0;
  algorithm_actor handle;
  /// Index into `quote_router_state::members`; `no_member` while unplaced.
  size_t member = no_member;
  /// Raised on every placement; replies of an older incarnation are
  /// recognised by it and ignored.
  uint64_t epoch = 0;
  /// Waiting for a node to spawn it.
  bool placing = false;
  /// Failures of a local incarnation; after `max_local_failures` the
  /// instance is given up.
  uint32_t failures = 0;
  bool given_up = false;
  /// Parts sent to the current incarnation and not answered yet, by batch
  /// id. For a remote instance the quotes are kept, so that they can be
  /// sent again to its next incarnation if the node is lost.
  std::map<uint64_t, quote_batch> in_flight;
  /// Parts that arrived while the instance was being placed.
  std::vector<std::pair<uint64_t, quote_batch>> queued;
};

/// Instances and recent history of one symbol.
struct symbol_route {
  std::vector<routed_instance> instances;
  /// The symbol's last quotes, to re-warm a re-placed instance; bounded by
  /// `history_limit` (the longest warm-up among its strategies) and only
  /// kept once a node joined.
  std::deque<trading::quote> history;
  size_t history_limit = 0;
};

/// A local instance that failed this often is not placed again.
constexpr uint32_t max_local_failures = 3;

/// How long a node may take to spawn an instance.
constexpr std::chrono::seconds place_timeout{10};

struct quote_router_state {
  static inline const char* name = "quote_router";
  std::vector<strategy_route> strategies;
  /// Strategy name to its position in the configuration.
  std::unordered_map<std::string, size_t> strategy_index;
  placement_fn local;
  portfolio_actor portfolio;
  /// Receives every signal (live mode); may be null.
  order_publisher_actor publisher;
  /// The coordinator (when it hosts instances) and every node that joined.
  std::vector<cluster_node> members;
  std::unordered_map<std::string, symbol_route> routes;
  /// Every instance as (symbol, position in its route), by slot.
  std::vector<std::pair<std::string, size_t>> slots;
  /// Current incarnations by address, for down messages.
  std::unordered_map<caf::actor_addr, std::pair<std::string, size_t>> by_addr;
  bool keep_history = false;
  std::deque<pending_batch> pending;
  uint64_t next_batch = 1;
  uint64_t next_seq = 1;
  uint64_t quotes = 0;
  uint64_t placements = 0;
  uint64_t replacements = 0;
  uint64_t placement_failures = 0;
  uint64_t stale_replies = 0;
  uint64_t algorithm_failures = 0;
  uint64_t unrouted = 0;
  /// Quotes no instance could see because no member was alive.
  uint64_t unplaced = 0;
  std::chrono::steady_clock::time_point last_unplaced_log;
  actor_probe probe{actor_kind::quote_router};
};

/// Spawns the router. Instances are placed the first time a symbol appears
/// for a strategy that trades it: on the coordinator through `local`
/// (unless null) or on a node that joined (`cluster_member`), whichever
/// wins the rendezvous hash.
quote_router_actor::behavior_type
quote_router(quote_router_actor::stateful_pointer<quote_router_state> self,
             std::vector<strategy_route> strategies, placement_fn local,
             portfolio_actor portfolio, order_publisher_actor publisher);

} // namespace intuition::actors

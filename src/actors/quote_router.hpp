#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/actor_types.hpp"
#include "actors/route_book.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"
#include "trading/result.hpp"
#include "trading/warmup_file.hpp"

/// The quote router: every quote enters here, whatever its source. It
/// places one algorithm instance per (strategy, symbol) on the coordinator
/// or on a worker node, and moves the instances of a lost node elsewhere.
/// Its bookkeeping lives in `route_book`; the actor carries out what the
/// book decides.
namespace intuition::actors {

/// Spawns an algorithm instance on the coordinator itself.
using placement_fn
  = std::function<algorithm_actor(caf::actor_system&, const algorithm_spec&)>;

/// Spawns instances with `sys.spawn(algorithm, spec)`.
placement_fn local_placement();

/// How long a node may take to spawn an instance.
constexpr std::chrono::seconds place_timeout{10};

/// How often the router saves the symbols' history while quotes flow (it
/// also saves it when it stops).
constexpr std::chrono::seconds history_save_interval{5};

/// A strategy added while trading, validated as the configuration validates
/// its strategies: its route and the channels its algorithm asked for.
struct parsed_strategy {
  strategy_route route;
  std::vector<std::string> channels;
  /// The definition as journaled (a JSON object as text).
  std::string definition;
};

/// Validates a strategy definition (a JSON object as text), with the
/// configuration's messages.
using strategy_parser
  = std::function<trading::result<parsed_strategy>(const std::string&)>;

/// What a router starts with besides its strategies.
struct router_options {
  route_limits limits;
  /// File the symbols' recent history is saved to (beside the journal), so
  /// that the next process warms its instances from it; empty: none.
  std::string history_path;
  /// Writes the history file (tests); none: `trading::write_warmup_file`.
  trading::warmup_writer::write_fn write_history;
  /// History an earlier process saved, by symbol.
  std::vector<std::pair<std::string, std::vector<trading::quote_tick>>> history;
  /// Net positions restored from the journal, by `STRATEGY/SYMBOL`; a new
  /// instance is told its own (`trading::algorithm::restore_position`).
  std::unordered_map<std::string, int64_t> positions;
  /// Validates strategies added while trading; none: `add-strategy` is
  /// refused.
  strategy_parser parse_strategy;
};

struct quote_router_state {
  static inline const char* name = "quote_router";
  std::unique_ptr<route_book> book;
  placement_fn local;
  portfolio_actor portfolio;
  /// Receives every signal (live mode); may be null.
  order_publisher_actor publisher;
  /// Node agents by member index (null for the coordinator).
  std::vector<node_agent_actor> agents;
  /// Current incarnations by slot, and their slots by address (for down
  /// messages).
  std::vector<algorithm_actor> handles;
  std::unordered_map<caf::actor_addr, uint32_t> by_addr;
  /// Answers owed to the batches' senders, by batch id, oldest first.
  std::deque<std::pair<uint64_t, caf::typed_response_promise<uint64_t>>>
    promises;
  actor_probe probe{actor_kind::quote_router};
  /// Writes the history file off the quote path (null: none kept).
  std::unique_ptr<trading::warmup_writer> history;
  std::unordered_map<std::string, int64_t> positions;
  strategy_parser parse_strategy;
  /// The channels of each strategy (by index), to find an added one's peers.
  std::vector<std::vector<std::string>> channels;
  /// Strategies added and removed while trading.
  uint64_t strategies_added = 0;
  uint64_t strategies_removed = 0;
  std::chrono::steady_clock::time_point last_history_save;
  /// How long the last snapshot took the router, and the write after it
  /// took its thread: periodic saves wait at least ten times as long, so
  /// that a large history costs at most a tenth of either.
  std::chrono::steady_clock::duration history_save_cost{0};
};

/// What a router reports: its counters, its samples and their help.
const telemetry<quote_router_state>& quote_router_telemetry();

/// Spawns the router. Instances are placed the first time a quote of a
/// symbol reaches a strategy that trades it (a quote from a topic reaches
/// only the strategies of its channel set): on the coordinator through `local`
/// (unless null) or on a node that joined (`cluster_member`), whichever
/// wins the rendezvous hash. Symbols past `opts.limits` are refused and
/// counted as `too_many_symbols`.
quote_router_actor::behavior_type
quote_router(quote_router_actor::stateful_pointer<quote_router_state> self,
             std::vector<strategy_route> strategies, placement_fn local,
             portfolio_actor portfolio, order_publisher_actor publisher,
             router_options opts);

} // namespace intuition::actors

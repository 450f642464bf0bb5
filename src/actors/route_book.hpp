#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "trading/channels.hpp"
#include "trading/types.hpp"

/// The quote router's bookkeeping as a plain class, without CAF: interned
/// symbols, one route per (strategy, symbol), where each instance runs and
/// in which incarnation, the parts it still owes, the batches waiting for
/// their parts, recent history for warm-ups, and the members' liveness. The
/// router actor feeds it events and carries out the actions it returns.
namespace intuition::actors {

// -- strategies and placement ------------------------------------------------------

/// One configured strategy as the router sees it. Which topics it takes
/// quotes from is not its business: quotes arrive with the id of their
/// topic's channel set (`trading::channel_table`), and the book learns once
/// per set which strategies it stands for.
struct strategy_route {
  std::string name;
  std::string algorithm;
  std::string params_json;
  /// Upper-case symbols this strategy trades; empty means every symbol.
  std::vector<std::string> symbols;
  /// Past quotes a re-placed instance needs (the algorithm's longest
  /// window); filled in by the router.
  size_t warmup = 0;
  /// Removed while trading: no instance is placed for it any more.
  bool removed = false;
  /// Added while trading: the strategies whose channel sets it takes (those
  /// with its channels), since the ingress does not know it by name.
  std::vector<uint32_t> peers;

  /// Whether the strategy trades `symbol`.
  bool matches(const std::string& symbol) const;
};

/// Marks "no member": an instance that is not placed anywhere.
constexpr size_t no_member = std::numeric_limits<size_t>::max();

/// Rendezvous (highest random weight) hashing: the weight of placing `key`
/// on `member`. Each key goes to the live member with the highest weight,
/// so a lost member moves only its own keys and a new one takes only keys
/// it now wins. Stable across processes and machines (FNV-1a, mixed).
uint64_t rendezvous_weight(const std::string& member, const std::string& key);

/// Index of the member `key` goes to among `names` whose `alive` flag is
/// set, or `no_member`.
size_t rendezvous_pick(const std::vector<std::string>& names,
                       const std::vector<bool>& alive, const std::string& key);

/// A place algorithm instances may run: the coordinator itself or a node.
struct route_member {
  std::string name;
  /// `HOST:PORT`; empty for the coordinator.
  std::string address;
  /// The coordinator's own process (instances are spawned, not requested).
  bool local = false;
  bool alive = true;
  /// Instances moved away from this member after it was lost.
  uint64_t replaced = 0;
  /// Instances running (or being started) there now.
  uint64_t instances = 0;
  /// When it was lost, and how many of its instances still wait for their
  /// new place (for the line that reports the re-placement time).
  std::chrono::steady_clock::time_point lost_at;
  size_t replacing = 0;
};

// -- instances and batches ----------------------------------------------------------

/// A local instance that failed this often is not placed again.
constexpr uint32_t max_local_failures = 3;

/// One (strategy, symbol) and its current incarnation.
struct route_instance {
  uint32_t symbol = 0;
  uint32_t strategy = 0;
  /// Index into the members; `no_member` while unplaced.
  size_t member = no_member;
  /// Raised on every placement; an older incarnation's replies are
  /// recognised by it and ignored.
  uint64_t epoch = 0;
  /// Placed on `member`, but not running yet (spawn pending).
  bool starting = false;
  /// Failures of a local incarnation; after `max_local_failures` the
  /// instance is given up.
  uint32_t failures = 0;
  bool given_up = false;
  /// Member it had before its current placement (for re-placement logs).
  size_t previous = no_member;
  /// Parts sent to the current incarnation and not answered yet, by batch.
  /// A remote instance's quotes are kept so that its next incarnation gets
  /// them if the node is lost; a local one's are not (it fails only by a
  /// bug, and then its parts are answered empty and counted).
  std::map<uint64_t, std::vector<trading::quote_tick>> in_flight;
  /// Parts that arrived while the instance was starting.
  std::vector<std::pair<uint64_t, std::vector<trading::quote_tick>>> queued;
};

/// Instances and recent history of one symbol.
struct symbol_route {
  std::string symbol;
  /// Slots of the symbol's instances, in strategy order. An instance exists
  /// once a quote of the symbol arrived on a channel its strategy takes.
  std::vector<uint32_t> slots;
  /// The channel set whose strategies were last given their instances
  /// here: quotes of that set need no look at the strategies.
  uint32_t channel = 0;
  /// The symbol's last quotes, to warm a re-placed instance: a ring of at
  /// most `history_limit`, kept only once remote members exist (an empty
  /// vector costs nothing, which matters at 100,000 symbols).
  std::vector<trading::quote_tick> history;
  /// The channel set of each quote in `history` (same ring positions); left
  /// empty until a quote with a channel is remembered, so replays pay
  /// nothing for it.
  std::vector<uint32_t> history_channels;
  size_t history_next = 0;
  size_t history_limit = 0;
  /// History an earlier process saved, kept apart until every instance of
  /// the symbol started from it (the ring may already have moved on).
  std::vector<trading::quote_tick> restored;

  /// Adds `x`, which arrived on `channel`, to the history, dropping the
  /// oldest past the limit.
  void remember(const trading::quote_tick& x, uint32_t channel = 0);

  /// The history, oldest first.
  std::vector<trading::quote_tick> recent() const;

  /// Keeps up to `limit` quotes from now on (no change when smaller).
  void grow(size_t limit);

  /// The channel set of each quote of `recent()`, in the same order.
  std::vector<uint32_t> recent_channels() const;
};

/// A batch of quotes and the signals its parts raised so far.
struct route_batch {
  uint64_t id = 0;
  std::vector<trading::quote> quotes;
  /// Signals with their strategy's index, for the single-threaded order.
  std::vector<std::pair<uint32_t, trading::signal>> signals;
  size_t waiting = 0;
};

/// A batch whose parts all answered: its quotes and its signals in the order
/// of a single-threaded loop (by quote, then by strategy).
struct ready_batch {
  uint64_t id = 0;
  std::vector<trading::quote> quotes;
  std::vector<trading::signal> signals;
};

/// What the router must do after an event, in order.
struct route_action {
  enum kind_type : uint8_t {
    /// Send `ticks` of batch `batch` to the slot's running incarnation.
    send,
    /// Start the slot's incarnation `epoch` on its member (spawn locally or
    /// ask the node), then report `started` or `start_failed`.
    start,
    /// Feed `ticks` to the slot's incarnation to warm its indicators.
    warmup,
    /// Stop the slot's current incarnation (it is being replaced).
    retire,
  };
  kind_type kind = send;
  uint32_t slot = 0;
  uint64_t batch = 0;
  uint64_t epoch = 0;
  std::vector<trading::quote_tick> ticks;
};

using route_actions = std::vector<route_action>;

/// Counters of the routing, for metrics and inspection.
struct route_counters {
  uint64_t quotes = 0;
  uint64_t placements = 0;
  uint64_t replacements = 0;
  uint64_t placement_failures = 0;
  uint64_t stale_replies = 0;
  uint64_t algorithm_failures = 0;
  /// Quotes no strategy takes: of a symbol no strategy trades, or from a
  /// topic none of the strategies trading the symbol asked for.
  uint64_t unrouted = 0;
  /// Quotes no instance could see because no member was alive.
  uint64_t unplaced = 0;
  /// Quotes refused because the symbol or instance cap was reached.
  uint64_t too_many_symbols = 0;
};

/// Caps on what one router keeps: each symbol costs its routes and
/// history, each instance an actor, so a client inventing symbols must not
/// grow the process without bound.
struct route_limits {
  /// Distinct symbols at most.
  size_t max_symbols = std::numeric_limits<size_t>::max();
  /// Algorithm instances (strategy, symbol) at most; a symbol whose
  /// instances would pass it is refused whole.
  size_t max_instances = std::numeric_limits<size_t>::max();
};

// -- the book -----------------------------------------------------------------------

/// Routes, placements and batches of one router.
class route_book {
public:
  /// Starts with `strategies` (their `warmup` filled in) and no member.
  explicit route_book(std::vector<strategy_route> strategies,
                      size_t max_symbols = std::numeric_limits<size_t>::max());

  /// Starts with `strategies` and `limits`.
  route_book(std::vector<strategy_route> strategies, route_limits limits);

  // -- members ----------------------------------------------------------------

  /// Adds a member and returns its index; a member already known by
  /// `address` (a node that rejoins) is marked alive again instead.
  size_t add_member(std::string name, std::string address, bool local);

  /// A member is gone (`reason` is logged): every instance it ran is
  /// placed elsewhere.
  route_actions member_lost(size_t member, const std::string& reason);

  const std::vector<route_member>& members() const noexcept {
    return members_;
  }

  /// Index of the member reached at `address`, or `no_member`.
  size_t member_at(const std::string& address) const;

  // -- quotes -----------------------------------------------------------------

  /// Learns which strategies take the quotes of channel set `set.id` (by
  /// name; names of no strategy here are ignored). A quote whose channel
  /// was never defined is taken by none.
  void define_channels(const trading::channel_set& set);

  /// Whether `strategy` takes quotes of channel set `channel` (every
  /// strategy takes channel 0, the quotes that came from no topic).
  bool takes(uint32_t channel, uint32_t strategy) const;

  /// Numbers `quotes`, splits them per instance (placing the instances a
  /// symbol needs for the channel its quotes came on) and registers them as
  /// batch `id`. A quote reaches the instances of the strategies that trade
  /// its symbol and take its channel.
  route_actions intake(std::vector<trading::quote> quotes, uint64_t& id);

  /// `intake` with the signals of external strategies (external algorithms):
  /// each signal's `quote_seq` is the index of its carrier quote
  /// (`trading::signal_carrier_channel`) in `quotes`. Carriers are numbered
  /// like quotes but reach no instance; their signals join the batch's.
  route_actions intake(std::vector<trading::quote> quotes, uint64_t& id,
                       std::vector<trading::signal> external);

  /// An incarnation answered its part of batch `batch`; an answer of a
  /// replaced incarnation, or a second answer, is counted and ignored.
  void answered(uint32_t slot, uint64_t epoch, uint64_t batch,
                std::vector<trading::signal> signals);

  /// Batches whose parts all answered, oldest first; only a prefix of the
  /// batches in arrival order is ever returned, so the portfolio sees them
  /// in order.
  std::vector<ready_batch> take_ready();

  // -- strategies while trading ----------------------------------------------

  /// Index of the strategy named `name` that is not removed, if any.
  std::optional<uint32_t> find_strategy(const std::string& name) const;

  /// Adds a strategy while trading (its `warmup` and `peers` filled in):
  /// every symbol it trades gets its instance at the symbol's next quote,
  /// warmed from the symbol's history. Returns its index.
  uint32_t add_strategy(strategy_route s);

  /// Removes strategy `index`: its instances are retired wherever they run
  /// and parts they owe answered empty; `stopped` says how many ran.
  route_actions remove_strategy(uint32_t index, size_t& stopped);

  /// Strategies known so far, removed ones included.
  size_t strategy_count() const noexcept {
    return strategies_.size();
  }

  /// Whether quotes arrive with channel sets (a live run): a strategy added
  /// then needs peers to receive anything.
  bool uses_channels() const noexcept {
    return takers_.size() > 1;
  }

  // -- incarnations -----------------------------------------------------------

  /// Incarnation `epoch` of `slot` runs: it gets its warm-up, the parts its
  /// predecessor left unanswered and what queued up. Returns nothing (and
  /// the caller stops the incarnation) when the epoch is stale.
  route_actions started(uint32_t slot, uint64_t epoch, bool& current);

  /// The member could not start incarnation `epoch`: it is no longer used
  /// until it rejoins, and the instance goes elsewhere.
  route_actions start_failed(uint32_t slot, uint64_t epoch,
                             const std::string& reason);

  /// The slot's current incarnation stopped. `unreachable` says its node's
  /// connection broke, which means the whole member is lost.
  route_actions stopped(uint32_t slot, bool unreachable,
                        const std::string& reason);

  // -- queries ----------------------------------------------------------------

  const route_instance& instance(uint32_t slot) const {
    return instances_[slot];
  }

  size_t slot_count() const noexcept {
    return instances_.size();
  }

  const strategy_route& strategy(uint32_t index) const {
    return strategies_[index];
  }

  const std::string& symbol(uint32_t id) const {
    return routes_[id].symbol;
  }

  size_t symbol_count() const noexcept {
    return routes_.size();
  }

  size_t pending_batches() const noexcept {
    return batches_.size();
  }

  const route_counters& counters() const noexcept {
    return counters_;
  }

  /// `STRATEGY/SYMBOL` of a slot.
  std::string instance_key(uint32_t slot) const;

  /// Lines to log (re-placements, failures), taken by the caller.
  std::vector<std::string> take_log();

  /// Adds a line for the `too_many_symbols` refusals not logged yet, at
  /// most once a second unless `force` (when the router stops).
  void log_too_many(bool force = false);

  // -- history across restarts ------------------------------------------------

  /// Keeps every traded symbol's recent history (its longest warm-up, at
  /// least one quote) from now on, so that it can be saved
  /// (`history_snapshot`) and a later process warmed from it. Call before
  /// the first quote.
  void keep_history();

  /// History of `symbol` saved by an earlier process: the symbol's
  /// instances are warmed from it when they first start, and it counts as
  /// the symbol's history until new quotes push it out.
  void restore_history(const std::string& symbol,
                       std::vector<trading::quote_tick> ticks);

  /// Every symbol's kept history, oldest first (`restore_history` input of
  /// the next process).
  std::vector<std::pair<std::string, std::vector<trading::quote_tick>>>
  history_snapshot() const;

private:
  static constexpr uint32_t no_symbol = std::numeric_limits<uint32_t>::max();
  /// A channel no quote carries: a route with it is looked at again.
  static constexpr uint32_t stale_channel
    = std::numeric_limits<uint32_t>::max();

  bool is_external(uint32_t strategy) const;
  bool external_takes(uint32_t channel, const std::string& symbol) const;
  uint32_t route_for(const std::string& symbol, uint32_t channel,
                     std::vector<uint32_t>& fresh);
  const uint8_t* takers(uint32_t channel) const;
  void place(uint32_t slot, route_actions& out);
  void route_part(uint32_t slot, uint64_t batch,
                  std::vector<trading::quote_tick> ticks, route_actions& out);
  void dispatch(uint32_t slot, uint64_t batch,
                std::vector<trading::quote_tick> ticks, route_actions& out);
  void complete(uint64_t batch, uint32_t strategy,
                std::vector<trading::signal> signals);
  void settle_lost(route_instance& inst);
  /// Answers every part `inst` was sent or holds queued with no signals, so
  /// that the batches waiting for it complete.
  void answer_owed_empty(route_instance& inst);
  void replaced_one(size_t member);

  std::vector<strategy_route> strategies_;
  route_limits limits_;
  std::vector<route_member> members_;
  /// A node joined once: history is kept from then on for warm-ups.
  bool has_remote_ = false;
  /// History is kept for the next process (`keep_history`).
  bool persist_ = false;
  /// Restored history of symbols not seen yet in this process.
  std::unordered_map<std::string, std::vector<trading::quote_tick>> restored_;
  std::unordered_map<std::string, uint32_t> symbol_ids_;
  /// By channel set id: a flag per strategy, set when it takes the set's
  /// quotes (index 0 unused: channel 0 reaches every strategy).
  std::vector<std::vector<uint8_t>> takers_;
  /// The flags of a channel never defined: no strategy.
  std::vector<uint8_t> no_takers_;
  /// Deques: growing them never moves (or copies) what they hold.
  std::deque<symbol_route> routes_;
  std::deque<route_instance> instances_;
  /// Part index per slot while a batch is split (`part_batch_` tells which
  /// batch the index belongs to), so splitting needs no map.
  std::vector<uint32_t> part_index_;
  std::vector<uint64_t> part_batch_;
  /// Ticks per part of the batch being split (by part index).
  std::vector<uint32_t> part_size_;
  std::deque<route_batch> batches_;
  uint64_t next_batch_ = 1;
  uint64_t next_seq_ = 1;
  route_counters counters_;
  std::vector<std::string> log_;
  std::chrono::steady_clock::time_point last_unplaced_log_;
  /// `too_many_symbols` when it was last logged (at most once a second).
  uint64_t logged_too_many_ = 0;
  std::chrono::steady_clock::time_point last_too_many_log_;
};

} // namespace intuition::actors

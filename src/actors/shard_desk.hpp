#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_addr.hpp>

#include "actors/actor_types.hpp"
#include "actors/route_book.hpp"
#include "actors/shard_book.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"
#include "trading/quote_filter.hpp"
#include "trading/shard_map.hpp"

/// The shard desk: the coordinator's side of node-local ingress. It places
/// the shards on the nodes (`shard_book`), hands the quotes and signals the
/// owners send to the portfolio once (by (symbol, ts), across owners) and
/// in each shard's order, and refuses what an incarnation sends after its
/// shard moved on (fencing by epoch).
namespace intuition::actors {

/// What a desk starts with.
struct shard_desk_options {
  trading::shard_map map;
  std::vector<strategy_route> strategies;
  /// Names the shards' sessions (`trading::shard_client_id`).
  std::string cluster_name = "intuition";
  /// The broker nodes connect to (`mqtt://HOST:PORT`) and the QoS.
  std::string broker;
  int32_t qos = 1;
  /// Topic base of the topic-per-symbol layout.
  std::string topic_base = "quotes";
  size_t max_moves = 4;
  /// Passed on to the nodes (`shard_assignment::mark_interval_ms`).
  uint32_t mark_interval_ms = 200;
  /// Passed on to the nodes (`shard_assignment::latest_marks`).
  bool latest_marks = false;
  /// Passed on to the nodes (`shard_assignment::read_pause_us`).
  int32_t read_pause_us = 1000;
  /// Net positions restored from the journal, by `STRATEGY/SYMBOL`.
  std::unordered_map<std::string, int64_t> positions;
  /// Recent quotes an earlier process saved (oldest first per symbol): the
  /// first owners of the shards are warmed with them.
  std::vector<trading::quote> history;
};

/// A running incarnation of a shard, as the desk saw it start.
struct shard_worker_ref {
  uint32_t shard = 0;
  uint64_t epoch = 0;
};

struct shard_desk_state {
  static inline const char* name = "shard_desk";
  shard_desk_options opts;
  std::unique_ptr<shard_book> book;
  portfolio_actor portfolio;
  /// Node agents by member index.
  std::vector<node_agent_actor> agents;
  /// Running incarnations by address (for down messages).
  std::unordered_map<caf::actor_addr, shard_worker_ref> workers;
  /// Quotes taken from any owner, by (symbol, ts): a quote an earlier owner
  /// sent before it died, and the next owner got again, is traded once.
  trading::quote_filter filter{trading::stale_policy::trade};
  /// Recent quotes per symbol, to warm a shard's next owner.
  std::unordered_map<std::string, std::deque<trading::quote>> history;
  size_t history_limit = 1;
  uint64_t next_seq = 1;
  uint64_t quotes = 0;
  uint64_t signals = 0;
  uint64_t batches = 0;
  /// Quotes dropped as taken before (redelivered to a shard's next owner).
  uint64_t duplicates = 0;
  /// Quotes nodes took and did not send (`latest_marks`): counted in
  /// `quotes`, never marked, not in the warm-up history.
  uint64_t conflated = 0;
  /// Batches refused because their epoch was stale.
  uint64_t fenced = 0;
  /// Quotes of the fenced batches (not traded; the broker delivers them to
  /// the current owner).
  uint64_t fenced_quotes = 0;
  /// Quotes taken per member (ingress rate per node).
  std::vector<uint64_t> member_quotes;
  /// Members lost whose shards do not all run elsewhere yet: when each was
  /// lost and how many shards it had (for the takeover line).
  std::unordered_map<size_t, std::pair<int64_t, size_t>> taking_over;
  actor_probe probe{actor_kind::shard_desk};
};

/// What a desk reports.
const telemetry<shard_desk_state>& shard_desk_telemetry();

/// Spawns the desk.
shard_desk_actor::behavior_type
shard_desk(shard_desk_actor::stateful_pointer<shard_desk_state> self,
           shard_desk_options opts, portfolio_actor portfolio);

} // namespace intuition::actors

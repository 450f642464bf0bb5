#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include "trading/channels.hpp"
#include "actors/metric_samples.hpp"
#include "trading/report.hpp"
#include "trading/types.hpp"

/// Every message type and atom of Intuition, in one type-ID block, registered
/// once by `register_messages`.
namespace intuition::actors {

/// Quotes in stream order; one message carries many so that replay pays the
/// messaging cost once per batch, not per quote.
struct quote_batch {
  std::vector<trading::quote> quotes;
  /// Steady-clock send time in ns, for the receiver's mailbox-time metric
  /// (transport metadata: not part of equality).
  int64_t sent_ns = 0;
  /// The channel sets the quotes' `channel` ids stand for, each sent once,
  /// with the first batch that may use it (the ingress's `channel_table`).
  std::vector<trading::channel_set> channel_sets{};
  /// Signals of external strategies (external algorithms), each priced and
  /// travelling with a carrier quote (`trading::signal_carrier_channel`):
  /// its `quote_seq` is the index of that carrier in `quotes` until the
  /// router numbers it.
  std::vector<trading::signal> signals{};
};

/// Signals in quote order (to the order publisher).
struct signal_batch {
  std::vector<trading::signal> signals;
};

/// One algorithm instance's quotes of one router batch. Sent, not requested:
/// a batch costs one message per instance each way and no response
/// handler, whatever the number of instances.
struct quote_part {
  /// The router's batch the quotes belong to.
  uint64_t batch = 0;
  /// The instance's slot in the router, echoed in the answer.
  uint32_t slot = 0;
  /// The incarnation the part is meant for, echoed in the answer.
  uint64_t epoch = 0;
  /// The quotes of the instance's symbol, as ticks (it knows the symbol).
  std::vector<trading::quote_tick> ticks;
  /// Steady-clock send time in ns (not part of equality).
  int64_t sent_ns = 0;
};

/// An instance's answer to a `quote_part`: the signals its quotes raised,
/// in quote order, sent back to the part's sender.
struct part_result {
  uint64_t batch = 0;
  uint32_t slot = 0;
  uint64_t epoch = 0;
  std::vector<trading::signal> signals;
};

/// The quotes of one router batch and every signal they raised, sorted by
/// quote sequence: the portfolio's only input.
struct market_batch {
  std::vector<trading::quote> quotes;
  std::vector<trading::signal> signals;
  /// Steady-clock send time in ns (not part of equality).
  int64_t sent_ns = 0;
};

/// Orders the portfolio filled, handed to the order log.
struct order_batch {
  std::vector<trading::order> orders;
  /// Highest input-log position of the quotes the portfolio processed for
  /// this batch (0: none came through the input log). Sent even without
  /// orders, so the order log knows which positions it has seen whole.
  uint64_t input_through = 0;
  /// Steady-clock send time in ns (not part of equality).
  int64_t sent_ns = 0;
};

/// Answer to the generic state query every actor understands.
struct actor_state {
  /// Instance name (`portfolio`, `algorithm/sma/DAX`).
  std::string name;
  /// Actor kind (`portfolio`, `algorithm`, ...), the bounded metrics label.
  std::string kind;
  /// Monotonic counters (`quotes`, `signals`, `orders`, ...).
  std::map<std::string, int64_t> counters;
  /// Kind-specific summary as a JSON object.
  std::string summary_json;
  /// Where the actor runs: the label of its process (`coordinator`, a
  /// node's name).
  std::string node;
  /// Messages waiting in its mailbox when it answered.
  int64_t mailbox_size = 0;
  /// Messages it processed so far.
  int64_t processed = 0;
  /// Its Prometheus samples (singleton actors; algorithm instances leave
  /// this empty and are aggregated per kind instead).
  std::vector<actors::metric_sample> metrics;
};

/// A state reply with the fields every actor fills itself; the probe adds
/// node, mailbox size and messages processed.
actor_state make_actor_state(std::string name, std::string kind,
                             std::map<std::string, int64_t> counters,
                             std::string summary_json);

/// One MQTT message, copied off libmosquitto's network thread.
struct mqtt_message {
  std::string topic;
  std::string payload;
  /// Steady-clock receive time in ns.
  int64_t received_ns = 0;
};

/// A change of an MQTT connection, reported by the client's callbacks.
struct connection_event {
  bool connected = false;
  std::string reason;
};

/// Identifies one algorithm instance and what it runs.
struct algorithm_spec {
  std::string strategy;
  std::string algorithm;
  /// The strategy's parameters as a JSON object (text, so it crosses nodes).
  std::string params_json;
  std::string symbol;
  /// Placement generation of (strategy, symbol): raised whenever the router
  /// places the instance anew, so a stale incarnation is recognisable.
  uint64_t epoch = 0;
  /// The strategy's net position in the symbol restored from the journal
  /// (`trading::algorithm::restore_position`); 0 when none.
  int64_t restored_position = 0;
};

/// A worker node the coordinator connected to, handed to the router.
struct cluster_member {
  /// The node's `--name` (unique within the cluster).
  std::string name;
  /// `HOST:PORT` it was reached at.
  std::string address;
  /// Its published node agent (a `node_agent_actor` handle).
  caf::actor agent;
};

/// An operator's command to a running process (`intuition control`).
struct control_request {
  /// `halt`, `reduce-only`, `resume`, `flatten`, `add-strategy` or
  /// `remove-strategy`.
  std::string command;
  /// `flatten` (empty: every strategy) and `remove-strategy`: the
  /// strategy's name. `add-strategy`: its definition, a JSON object as text.
  std::string strategy;
  /// `remove-strategy`: also close its positions.
  bool flatten = false;
  /// Who asked, for the log (`operator`, or the router passing a
  /// strategy change on).
  std::string origin = "operator";
};

/// The answer to a `control_request`: what changed, or why nothing did.
struct control_reply {
  bool ok = false;
  /// On failure: the request itself was wrong (unknown strategy, invalid
  /// strategy file) rather than the process failing (journal).
  bool invalid = false;
  std::string message;
};

// Node-local ingress (cluster.ingress node).

/// The coordinator's shard desk to a node: run incarnation `epoch` of
/// `shard`, warmed up from `warmup`, then take its symbols' quotes from the
/// broker under the shard's own persistent session.
struct shard_assignment {
  uint32_t shard = 0;
  uint64_t epoch = 0;
  /// The shard's MQTT client id (`trading::shard_client_id`).
  std::string client_id;
  /// The broker, as `mqtt://HOST:PORT` (the node may override it).
  std::string broker;
  int32_t qos = 1;
  /// Topics to subscribe to, one per symbol (`quotes/SYMBOL`).
  std::vector<std::string> topics;
  /// Its (strategy, symbol) instances.
  std::vector<algorithm_spec> instances;
  /// The symbols' recent quotes the coordinator traded, oldest first.
  std::vector<trading::quote> warmup;
  /// The desk, to send `shard_batch`es to (a `shard_desk_actor`).
  caf::actor desk;
  /// Quotes that raised no signal are acknowledged at once and sent to the
  /// desk (for marks and history) at least this often.
  uint32_t mark_interval_ms = 200;
  /// Of those, only each symbol's newest of a batch is sent; the others
  /// are counted (`cluster.marks` `latest`).
  bool latest_marks = false;
  /// `ingress.read_pause_us` for the shard's session (`mqtt_options::
  /// read_pause_us`): after a read of many QoS 0 messages the next waits.
  int32_t read_pause_us = 1000;
};

/// A node's quotes of one shard and the signals they raised, to the
/// coordinator's desk (answered once the portfolio took them). Each
/// signal's `quote_seq` is the index of its quote in `quotes`.
struct shard_batch {
  uint32_t shard = 0;
  uint64_t epoch = 0;
  std::vector<trading::quote> quotes;
  std::vector<trading::signal> signals;
  /// Quotes the node took and left out of `quotes` (`latest_marks`): older
  /// quotes of a symbol in `quotes` that raised no signal.
  uint64_t conflated = 0;
};

// -- inspect ---------------------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_assignment& x) {
  return f(caf::meta::type_name("shard_assignment"), x.shard, x.epoch,
           x.client_id, x.broker, x.qos, x.topics, x.instances, x.warmup,
           x.desk, x.mark_interval_ms, x.latest_marks, x.read_pause_us);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_batch& x) {
  return f(caf::meta::type_name("shard_batch"), x.shard, x.epoch, x.quotes,
           x.signals, x.conflated);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, quote_batch& x) {
  return f(caf::meta::type_name("quote_batch"), x.quotes, x.sent_ns,
           x.channel_sets, x.signals);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_batch& x) {
  return f(caf::meta::type_name("signal_batch"), x.signals);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, quote_part& x) {
  return f(caf::meta::type_name("quote_part"), x.batch, x.slot, x.epoch,
           x.ticks, x.sent_ns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, part_result& x) {
  return f(caf::meta::type_name("part_result"), x.batch, x.slot, x.epoch,
           x.signals);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, market_batch& x) {
  return f(caf::meta::type_name("market_batch"), x.quotes, x.signals,
           x.sent_ns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_batch& x) {
  return f(caf::meta::type_name("order_batch"), x.orders, x.input_through,
           x.sent_ns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_state& x) {
  return f(caf::meta::type_name("actor_state"), x.name, x.kind, x.counters,
           x.summary_json, x.node, x.mailbox_size, x.processed, x.metrics);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_member& x) {
  return f(caf::meta::type_name("cluster_member"), x.name, x.address, x.agent);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mqtt_message& x) {
  return f(caf::meta::type_name("mqtt_message"), x.topic, x.payload,
           x.received_ns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connection_event& x) {
  return f(caf::meta::type_name("connection_event"), x.connected, x.reason);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, algorithm_spec& x) {
  return f(caf::meta::type_name("algorithm_spec"), x.strategy, x.algorithm,
           x.params_json, x.symbol, x.epoch, x.restored_position);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, control_request& x) {
  return f(caf::meta::type_name("control_request"), x.command, x.strategy,
           x.flatten, x.origin);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, control_reply& x) {
  return f(caf::meta::type_name("control_reply"), x.ok, x.invalid, x.message);
}

bool operator==(const quote_batch& x, const quote_batch& y) noexcept;
bool operator==(const signal_batch& x, const signal_batch& y) noexcept;
bool operator==(const quote_part& x, const quote_part& y) noexcept;
bool operator==(const part_result& x, const part_result& y) noexcept;
bool operator==(const market_batch& x, const market_batch& y) noexcept;
bool operator==(const order_batch& x, const order_batch& y) noexcept;
bool operator==(const actor_state& x, const actor_state& y) noexcept;
bool operator==(const algorithm_spec& x, const algorithm_spec& y) noexcept;
bool operator==(const mqtt_message& x, const mqtt_message& y) noexcept;
bool operator==(const connection_event& x, const connection_event& y) noexcept;
bool operator==(const cluster_member& x, const cluster_member& y) noexcept;
bool operator==(const control_request& x, const control_request& y) noexcept;
bool operator==(const control_reply& x, const control_reply& y) noexcept;
bool operator==(const shard_assignment& x, const shard_assignment& y) noexcept;
bool operator==(const shard_batch& x, const shard_batch& y) noexcept;

} // namespace intuition::actors

// The trading core knows nothing of CAF; its types get their inspectors here
// (found by argument-dependent lookup). Enums serialize as their underlying
// integer.
namespace intuition::trading {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, quote& x) {
  return f(caf::meta::type_name("quote"), x.symbol, x.price_micros, x.ts_ms,
           x.seq, x.received_ns, x.input_pos, x.channel);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_set& x) {
  return f(caf::meta::type_name("channel_set"), x.id, x.strategies);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, quote_tick& x) {
  return f(caf::meta::type_name("quote_tick"), x.price_micros, x.ts_ms, x.seq,
           x.received_ns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal& x) {
  return f(caf::meta::type_name("signal"), x.strategy, x.symbol, x.direction,
           x.strength, x.price_micros, x.ts_ms, x.quote_seq);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order& x) {
  return f(caf::meta::type_name("order"), x.seq, x.id, x.ts_ms, x.strategy,
           x.symbol, x.direction, x.qty, x.price_micros, x.commission_micros,
           x.input_pos, x.kind, x.ref, x.type, x.tif, x.limit_micros,
           x.stop_micros, x.reason);
}

} // namespace intuition::trading

namespace intuition::actors {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, metric_sample& x) {
  return f(caf::meta::type_name("metric_sample"), x.name, x.type, x.labels,
           x.value, x.bounds, x.counts);
}

bool operator==(const metric_sample& x, const metric_sample& y) noexcept;

} // namespace intuition::actors

// -- the run report ---------------------------------------------------------------

namespace intuition::actors {

/// A `std::optional` member as CAF 0.17 (which knows no `std::optional`)
/// inspects it: a flag and a value.
template <class T>
struct optional_field {
  std::optional<T>& x;
};

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, optional_field<T>& o) {
  bool has = o.x.has_value();
  T value = has ? *o.x : T{};
  return f(has, value, caf::meta::load_callback([&]() -> caf::error {
             if (has)
               o.x = std::move(value);
             else
               o.x.reset();
             return caf::none;
           }));
}

} // namespace intuition::actors

namespace intuition::trading {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, equity_point& x) {
  return f(caf::meta::type_name("equity_point"), x.ts_ms, x.equity_micros);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, performance_stats& x) {
  return f(caf::meta::type_name("performance_stats"), x.total_return,
           actors::optional_field<double>{x.sharpe}, x.sharpe_missing,
           x.max_drawdown, x.periods_per_year);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, portfolio_counters& x) {
  return f(caf::meta::type_name("portfolio_counters"), x.quotes, x.signals,
           x.orders, x.refusals);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, strategy_pnl& x) {
  return f(caf::meta::type_name("strategy_pnl"), x.realised_micros,
           x.unrealised_micros, x.commission_micros, x.buys, x.sells);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, net_position& x) {
  return f(caf::meta::type_name("net_position"), x.qty, x.last_micros,
           x.value_micros);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, holding_figures& x) {
  return f(caf::meta::type_name("holding_figures"), x.strategy, x.symbol, x.qty,
           x.avg_cost_micros, x.unrealised_micros);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, portfolio_figures& x) {
  return f(caf::meta::type_name("portfolio_figures"), x.counters,
           x.starting_cash_micros, x.cash_micros, x.equity_micros, x.positions,
           x.holdings, x.strategies);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, latency_figures& x) {
  return f(caf::meta::type_name("latency_figures"), x.count, x.p50_ns, x.p99_ns,
           x.max_ns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, input_log_figures& x) {
  return f(caf::meta::type_name("input_log_figures"), x.mean_append_ns,
           x.max_append_ns, x.bytes, x.segments);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ingress_report& x) {
  return f(caf::meta::type_name("ingress_report"), x.counters, x.rejected,
           actors::optional_field<input_log_figures>{x.input_log});
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_info& x) {
  return f(caf::meta::type_name("run_info"), x.mode, x.input, x.elapsed_s,
           x.interrupted, x.rows, x.rejected, x.journal_path, x.journal_durable,
           x.restored_orders, x.halted, x.halt_error,
           actors::optional_field<ingress_report>{x.ingress},
           actors::optional_field<std::map<std::string, int64_t>>{x.mqtt_out},
           actors::optional_field<uint64_t>{x.unconfirmed_orders});
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_report& x) {
  return f(caf::meta::type_name("run_report"), x.portfolio, x.total_return,
           x.session_start_equity_micros, x.session, x.equity_curve,
           x.restored_orders, x.tick_to_order, x.run);
}

} // namespace intuition::trading

// -- type-ID block ------------------------------------------------------------------

CAF_BEGIN_TYPE_ID_BLOCK(intuition, caf::first_custom_type_id)

CAF_ADD_TYPE_ID(intuition, (intuition::trading::quote))
CAF_ADD_TYPE_ID(intuition, (intuition::trading::signal))
CAF_ADD_TYPE_ID(intuition, (intuition::trading::order))
CAF_ADD_TYPE_ID(intuition, (std::vector<intuition::trading::quote>))
CAF_ADD_TYPE_ID(intuition, (std::vector<intuition::trading::signal>))
CAF_ADD_TYPE_ID(intuition, (std::vector<intuition::trading::order>))
// Message ids the broker acknowledged (`puback`).
CAF_ADD_TYPE_ID(intuition, (std::vector<int32_t>))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::quote_batch))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::signal_batch))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::market_batch))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::order_batch))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::actor_state))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::algorithm_spec))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::mqtt_message))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::connection_event))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::metric_sample))
CAF_ADD_TYPE_ID(intuition, (std::vector<intuition::actors::metric_sample>))
CAF_ADD_TYPE_ID(intuition, (std::vector<intuition::actors::actor_state>))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::cluster_member))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::quote_part))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::part_result))
CAF_ADD_TYPE_ID(intuition, (intuition::trading::run_report))
CAF_ADD_TYPE_ID(intuition, (intuition::trading::ingress_report))
// Operator control (`intuition control`).
CAF_ADD_TYPE_ID(intuition, (intuition::actors::control_request))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::control_reply))
// Node-local ingress (cluster.ingress node).
CAF_ADD_TYPE_ID(intuition, (intuition::actors::shard_assignment))
CAF_ADD_TYPE_ID(intuition, (intuition::actors::shard_batch))

// Atoms are verbs; at most 10 characters (CAF 0.17).
CAF_ADD_ATOM(intuition, intuition::actors, get_state_atom, "getstate")
CAF_ADD_ATOM(intuition, intuition::actors, flush_atom, "flush")
CAF_ADD_ATOM(intuition, intuition::actors, tick_atom, "tick")
CAF_ADD_ATOM(intuition, intuition::actors, await_atom, "await")
CAF_ADD_ATOM(intuition, intuition::actors, report_atom, "report")
CAF_ADD_ATOM(intuition, intuition::actors, subscribe_atom, "subscribe")
CAF_ADD_ATOM(intuition, intuition::actors, puback_atom, "puback")
CAF_ADD_ATOM(intuition, intuition::actors, drain_atom, "drain")
CAF_ADD_ATOM(intuition, intuition::actors, list_atom, "list")
CAF_ADD_ATOM(intuition, intuition::actors, metrics_atom, "metrics")
CAF_ADD_ATOM(intuition, intuition::actors, place_atom, "place")
CAF_ADD_ATOM(intuition, intuition::actors, warmup_atom, "warmup")
CAF_ADD_ATOM(intuition, intuition::actors, join_atom, "join")
CAF_ADD_ATOM(intuition, intuition::actors, processed_atom, "processed")
CAF_ADD_ATOM(intuition, intuition::actors, input_atom, "input")
CAF_ADD_ATOM(intuition, intuition::actors, halt_atom, "halt")
// Node-local ingress (cluster.ingress node).
CAF_ADD_ATOM(intuition, intuition::actors, revoke_atom, "revoke")
CAF_ADD_ATOM(intuition, intuition::actors, intake_atom, "intake")

CAF_END_TYPE_ID_BLOCK(intuition)

namespace caf {
class actor_system_config;
} // namespace caf

namespace intuition::actors {

/// Registers every type of the block with `cfg` (call once per actor system).
void register_messages(caf::actor_system_config& cfg);

} // namespace intuition::actors

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/actor_types.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"
#include "trading/in_flight_orders.hpp"
#include "trading/journal.hpp"
#include "trading/result.hpp"

/// MQTT egress: every durable order and every signal, published.
namespace intuition::actors {

/// Sends one MQTT message; returns the message id or the failure. Provided
/// by the runtime (the MQTT client lives there); called from the actor.
using publish_fn = std::function<trading::result<int>(
  const std::string& topic, const std::string& payload, int qos)>;

/// Where the publisher sends. Orders and signals go out on connections of
/// their own: a client numbers everything it publishes from one counter and
/// reports a QoS 0 message as published once written, under its id, so a
/// signal's id, reused after a wrap, would read as the PUBACK of an order.
struct publish_fns {
  /// Orders, QoS 1; every id it returns comes back in one `puback`.
  publish_fn order;
  /// Signals, QoS 0; its ids are never reported to the publisher.
  publish_fn signal;
  /// Optional. `true` lets the order client keep what `order` hands it
  /// until `false`, which sends it all with one write: a batch of orders
  /// becomes one system call and one TCP segment for the broker to read.
  std::function<void(bool)> hold_orders{};
  /// Optional. Acknowledgements that arrived without a `puback` message
  /// (see `runtime::ack_relay`): called whenever the publisher runs, and
  /// what it returns is handled as a `puback` would be.
  std::function<std::vector<int32_t>()> take_acks{};
};

struct order_publisher_config {
  /// Prepended to `orders/<strategy>` and `signals/<strategy>/<symbol>`.
  std::string topic_prefix;
  bool publish_signals = true;
  /// Where the publication mark lives; empty keeps it in memory only.
  std::string mark_path;
  /// Orders journaled by an earlier run and never confirmed, in seq order.
  std::vector<trading::order> unconfirmed;
  /// The mark read at start.
  uint64_t mark = 0;
  /// How often a changed mark is written.
  std::chrono::milliseconds mark_interval{100};
  /// The journal the orders come from; orders beyond `max_queued` are read
  /// back from it. Empty keeps every order in memory.
  std::string journal_path;
  /// Most orders held in memory (unconfirmed); later ones wait in the
  /// journal until the broker confirmed enough of these.
  size_t max_queued = 10000;
};

struct order_publisher_state {
  static inline const char* name = "order_publisher";
  order_publisher_config cfg;
  publish_fns publish;
  bool connected = false;
  /// Orders not yet confirmed by the broker, by seq.
  std::map<uint64_t, trading::order> unconfirmed;
  /// The copies of orders the client holds, by message id and send order.
  trading::in_flight_orders in_flight;
  /// Orders whose publish failed while connected; retried on the next tick.
  std::set<uint64_t> unsent;
  /// Orders [deferred_from, deferred_to] wait in the journal (none while
  /// deferred_from > deferred_to).
  uint64_t deferred_from = 1;
  uint64_t deferred_to = 0;
  uint64_t deferred_total = 0;
  uint64_t peak_queued = 0;
  trading::journal_cursor cursor;
  /// Highest seq such that all orders up to it are confirmed.
  uint64_t mark = 0;
  uint64_t written_mark = 0;
  uint64_t last_seq = 0;
  bool tick_pending = false;
  uint64_t published = 0;
  uint64_t confirmed = 0;
  uint64_t republished = 0;
  uint64_t signals = 0;
  uint64_t publish_errors = 0;
  uint64_t disconnects = 0;
  uint64_t connects = 0;
  std::vector<caf::typed_response_promise<uint64_t>> drains;
  actor_probe probe{actor_kind::order_publisher};
};

/// What a publisher reports: its counters, its samples and their help.
const telemetry<order_publisher_state>& order_publisher_telemetry();

/// Spawns the publisher. Orders are published in seq order on connect,
/// again after a reconnect if still unconfirmed, and acknowledged through
/// `puback` messages the runtime sends from the order client's callback
/// (each with the message ids of one read of the connection);
/// `connection_event`s are those of the order client.
order_publisher_actor::behavior_type order_publisher(
  order_publisher_actor::stateful_pointer<order_publisher_state> self,
  order_publisher_config cfg, publish_fns publish);

/// `orders/<strategy>` with the prefix.
std::string order_topic(const std::string& prefix, const std::string& strategy);

/// `signals/<strategy>/<symbol>` with the prefix.
std::string signal_topic(const std::string& prefix, const std::string& strategy,
                         const std::string& symbol);

} // namespace intuition::actors

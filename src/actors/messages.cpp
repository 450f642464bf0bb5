#include "actors/messages.hpp"

#include <caf/actor_system_config.hpp>

#include "actors/actor_types.hpp"

namespace intuition::actors {

actor_state make_actor_state(std::string name, std::string kind,
                             std::map<std::string, int64_t> counters,
                             std::string summary_json) {
  actor_state out;
  out.name = std::move(name);
  out.kind = std::move(kind);
  out.counters = std::move(counters);
  out.summary_json = std::move(summary_json);
  return out;
}

bool operator==(const quote_batch& x, const quote_batch& y) noexcept {
  return x.quotes == y.quotes && x.channel_sets == y.channel_sets
         && x.signals == y.signals;
}

bool operator==(const signal_batch& x, const signal_batch& y) noexcept {
  return x.signals == y.signals;
}

bool operator==(const quote_part& x, const quote_part& y) noexcept {
  return x.batch == y.batch && x.slot == y.slot && x.epoch == y.epoch
         && x.ticks == y.ticks;
}

bool operator==(const part_result& x, const part_result& y) noexcept {
  return x.batch == y.batch && x.slot == y.slot && x.epoch == y.epoch
         && x.signals == y.signals;
}

bool operator==(const market_batch& x, const market_batch& y) noexcept {
  return x.quotes == y.quotes && x.signals == y.signals;
}

bool operator==(const order_batch& x, const order_batch& y) noexcept {
  return x.orders == y.orders && x.input_through == y.input_through;
}

bool operator==(const actor_state& x, const actor_state& y) noexcept {
  return x.name == y.name && x.kind == y.kind && x.counters == y.counters
         && x.summary_json == y.summary_json && x.node == y.node
         && x.mailbox_size == y.mailbox_size && x.processed == y.processed
         && x.metrics == y.metrics;
}

bool operator==(const algorithm_spec& x, const algorithm_spec& y) noexcept {
  return x.strategy == y.strategy && x.algorithm == y.algorithm
         && x.params_json == y.params_json && x.symbol == y.symbol
         && x.epoch == y.epoch && x.restored_position == y.restored_position;
}

bool operator==(const mqtt_message& x, const mqtt_message& y) noexcept {
  return x.topic == y.topic && x.payload == y.payload
         && x.received_ns == y.received_ns;
}

bool operator==(const connection_event& x, const connection_event& y) noexcept {
  return x.connected == y.connected && x.reason == y.reason;
}

bool operator==(const metric_sample& x, const metric_sample& y) noexcept {
  return x.name == y.name && x.type == y.type && x.labels == y.labels
         && x.value == y.value && x.bounds == y.bounds && x.counts == y.counts;
}

bool operator==(const cluster_member& x, const cluster_member& y) noexcept {
  return x.name == y.name && x.address == y.address && x.agent == y.agent;
}

bool operator==(const control_request& x, const control_request& y) noexcept {
  return x.command == y.command && x.strategy == y.strategy
         && x.flatten == y.flatten && x.origin == y.origin;
}

bool operator==(const control_reply& x, const control_reply& y) noexcept {
  return x.ok == y.ok && x.invalid == y.invalid && x.message == y.message;
}

bool operator==(const shard_assignment& x, const shard_assignment& y) noexcept {
  return x.shard == y.shard && x.epoch == y.epoch && x.client_id == y.client_id
         && x.broker == y.broker && x.qos == y.qos && x.topics == y.topics
         && x.instances == y.instances && x.warmup == y.warmup
         && x.desk == y.desk && x.mark_interval_ms == y.mark_interval_ms
         && x.latest_marks == y.latest_marks
         && x.read_pause_us == y.read_pause_us;
}

bool operator==(const shard_batch& x, const shard_batch& y) noexcept {
  return x.shard == y.shard && x.epoch == y.epoch && x.quotes == y.quotes
         && x.signals == y.signals && x.conflated == y.conflated;
}

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::intuition>();
  // A node agent answers `place` with this handle; a typed handle cannot
  // join the type-ID block above (its interface needs this header).
  cfg.add_message_type<algorithm_actor>("intuition::algorithm_actor");
  // Likewise the answer to a `shard_assignment` (node-local ingress).
  cfg.add_message_type<shard_worker_actor>("intuition::shard_worker_actor");
}

} // namespace intuition::actors

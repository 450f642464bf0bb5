#pragma once

#include <optional>
#include <string>

#include "actors/shard_worker.hpp"
#include "runtime/mqtt_client.hpp"
#include "trading/quote_codec.hpp"

/// A node's side of node-local ingress: each shard's persistent MQTT
/// session, whose reads reach the shard's worker through its gate and are
/// acknowledged to the broker only once the coordinator confirmed them.
namespace intuition::runtime {

/// How a node connects its shards' sessions.
struct shard_ingress_options {
  /// Overrides the broker the coordinator names (`intuition node
  /// --broker`), for a node that reaches the broker at another address.
  std::optional<std::string> broker;
  /// What every session starts from: credentials, TLS files, keepalive and
  /// backoff (`shared_mqtt_options`); broker, client id and clean session
  /// are set per shard.
  mqtt_options session;
  /// Limits applied while decoding quotes.
  trading::codec_limits codec;
};

/// The factory a node agent starts shard sessions with: one persistent
/// session (clean session off, the shard's client id) per shard,
/// subscribed to the shard's topics.
actors::shard_source_factory shard_ingress(shard_ingress_options opts);

} // namespace intuition::runtime

#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/actor_types.hpp"
#include "actors/telemetry.hpp"
#include "trading/quote_codec.hpp"

/// MQTT ingress: payloads in, validated quotes out to the router.
namespace intuition::actors {

struct mqtt_ingress_config {
  trading::codec_limits limits;
  /// Batches the ingress may have at the router at once; while they are
  /// out, new quotes gather into the next batch.
  size_t max_in_flight = 4;
  /// How often rejections are logged (with a count since the last line).
  std::chrono::milliseconds log_interval{1000};
};

struct mqtt_ingress_state {
  static inline const char* name = "mqtt_ingress";
  mqtt_ingress_config cfg;
  quote_router_actor router;
  std::vector<trading::quote> pending;
  size_t in_flight = 0;
  uint64_t messages = 0;
  uint64_t quotes = 0;
  uint64_t delivered = 0;
  /// Quotes of batches the router failed (it stopped); logged when it happens.
  uint64_t dropped = 0;
  uint64_t orders = 0;
  std::array<uint64_t, trading::reject_reason_count> rejected{};
  uint64_t rejected_since_log = 0;
  std::string last_rejection;
  std::chrono::steady_clock::time_point last_log;
  /// Receive times of the first and the latest accepted quote (steady ns).
  int64_t first_received_ns = 0;
  int64_t last_received_ns = 0;
  bool connected = false;
  uint64_t connects = 0;
  std::string connection_reason;
  std::vector<caf::typed_response_promise<uint64_t>> drains;
  /// Accepted payloads per topic (the channel); at most
  /// `max_channel_labels` topics, the rest counted under `other`.
  std::map<std::string, uint64_t> by_channel;
  actor_probe probe{actor_kind::mqtt_ingress};
};

/// Bound on the `channel` label values the ingress reports.
constexpr size_t max_channel_labels = 64;

/// Spawns the ingress. The runtime's MQTT callbacks send it `mqtt_message`
/// and `connection_event`; it never blocks on the network.
mqtt_ingress_actor::behavior_type
mqtt_ingress(mqtt_ingress_actor::stateful_pointer<mqtt_ingress_state> self,
             mqtt_ingress_config cfg, quote_router_actor router);

} // namespace intuition::actors

#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/mqtt_client.hpp"
#include "trading/input_log.hpp"
#include "trading/result.hpp"

/// The ingress's MQTT connection: messages come in batches, and a QoS 1
/// message is acknowledged to the broker only after the batch it came in was
/// taken (appended to the input log), so that nothing acknowledged can be
/// lost with the process.
namespace intuition::runtime {

/// One received message; both views are valid only during the callback.
using inbound_message = trading::message_view;

/// What an `mqtt_source` reports, on its network thread, one call at a
/// time. The same rules as `mqtt_callbacks` apply: no throwing, no long
/// blocking, no `stop()` from inside.
struct source_callbacks {
  /// Messages of one read from the socket, in arrival order. Returns true
  /// once they are safe; only then are they acknowledged. On false the
  /// connection is dropped without acknowledging them, so that the broker
  /// delivers them again.
  std::function<bool(const std::vector<inbound_message>&)> on_messages;
  /// `on_connect`, `on_disconnect`, `on_subscription_refused` and
  /// `on_refused` as for `mqtt_client`; the others are not used.
  mqtt_callbacks events;
};

/// A subscribing MQTT connection with reconnect and resubscription: the
/// part of `mqtt_client`'s contract the ingress uses (see there).
class mqtt_source {
public:
  virtual ~mqtt_source();

  /// Starts connecting; see `mqtt_client::start`.
  virtual trading::status start() = 0;

  /// Disconnects cleanly and joins the network thread; idempotent.
  virtual void stop() = 0;

  /// Subscribes (and resubscribes on every reconnect); see
  /// `mqtt_client::subscribe`.
  virtual trading::status subscribe(const std::string& topic, int qos) = 0;

  /// Whether the broker accepted the current connection.
  virtual bool connected() const noexcept = 0;

  /// Whether the broker acknowledged every subscription of the current
  /// connection, none refused.
  virtual bool subscribed() const noexcept = 0;
};

/// The ingress connection for `opts`: Intuition's own subscriber
/// (`mqtt_subscriber`) for a plain TCP broker, libmosquitto's client over
/// TLS. libmosquitto reads a packet with three system calls and
/// acknowledges a QoS 1 message before its callback runs; the own
/// subscriber reads whatever the socket holds at once and acknowledges after
/// `on_messages` returned true.
std::unique_ptr<mqtt_source> make_mqtt_source(mqtt_options opts,
                                              source_callbacks cb);

} // namespace intuition::runtime

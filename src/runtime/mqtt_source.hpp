#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/mqtt_client.hpp"
#include "trading/input_log.hpp"
#include "trading/result.hpp"

/// The runtime's MQTT connections. The ingress's source: messages come in
/// batches, and a QoS 1 message is acknowledged to the broker only after the
/// batch it came in was taken (appended to the input log), so that nothing
/// acknowledged can be lost with the process. The publisher's sinks: orders
/// (QoS 1) and signals (QoS 0) out.
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

/// Whether `make_mqtt_source` and `make_mqtt_sink` take libmosquitto's
/// client for `opts` (TLS) rather than the own one.
bool uses_libmosquitto(const mqtt_options& opts);

/// The ingress connection for `opts`: Intuition's own client
/// (`mqtt_tcp_client`) for a plain TCP broker, libmosquitto's client over
/// TLS. libmosquitto reads a packet with three system calls and
/// acknowledges a QoS 1 message before its callback runs; the own
/// client reads whatever the socket holds at once and acknowledges after
/// `on_messages` returned true.
std::unique_ptr<mqtt_source> make_mqtt_source(mqtt_options opts,
                                              source_callbacks cb);

/// A publishing MQTT connection with reconnect: the part of `mqtt_client`'s
/// contract the order publisher uses (see there). A QoS 1 message published
/// while disconnected, or not yet acknowledged when the connection ends, is
/// sent (again) after the reconnect; `on_published` reports its id once the
/// broker acknowledged it.
class mqtt_sink {
public:
  virtual ~mqtt_sink();

  /// Starts connecting; see `mqtt_client::start`.
  virtual trading::status start() = 0;

  /// Disconnects cleanly and joins the network thread; idempotent.
  virtual void stop() = 0;

  /// Publishes `payload` to `topic` with `qos` 0 or 1; returns the message
  /// id `on_published` reports, or a failed operation (see
  /// `mqtt_client::publish`).
  virtual trading::result<int> publish(const std::string& topic,
                                       std::string_view payload, int qos)
    = 0;

  /// Whether the broker accepted the current connection.
  virtual bool connected() const noexcept = 0;

  /// `true` keeps what `publish` hands over (up to the client's bounds)
  /// unwritten until `hold(false)`, which writes it all at once. Only for
  /// the thread that publishes. Does nothing unless the client supports it.
  virtual void hold(bool on);

  /// Bytes handed over and not yet written to the socket; 0 for a client
  /// that writes on its own thread (libmosquitto's) and keeps no count.
  virtual size_t unsent_bytes() const;

  /// QoS 1 messages handed over and not yet acknowledged by the broker; 0
  /// for a client that keeps no count (libmosquitto's).
  virtual size_t unacknowledged() const;
};

/// A publishing connection for `opts`: the own client for a plain TCP
/// broker, libmosquitto's over TLS. libmosquitto hands every publish to its
/// network thread (a wake-up, a select and a write per message) and reads
/// each PUBACK with three system calls; the own client writes from the
/// caller's thread and reads every PUBACK that arrived with one read.
std::unique_ptr<mqtt_sink> make_mqtt_sink(mqtt_options opts, mqtt_callbacks cb);

} // namespace intuition::runtime

#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trading/result.hpp"

struct mosquitto;
struct mosquitto_message;

/// A small RAII wrapper over libmosquitto's threaded network loop. Plain C++17,
/// no CAF: actors talk to it through the callbacks, which run on the library's
/// network thread and therefore must only hand copies on (send a message,
/// push into a queue), never touch actor state directly.
namespace intuition::runtime {

// -- broker address -----------------------------------------------------------

/// Where an MQTT broker listens.
struct broker_url {
  /// Host name or IP address (IPv6 without brackets).
  std::string host;
  /// TCP port, 1..65535.
  uint16_t port = 1883;
  /// Whether the connection uses TLS (`mqtts://`).
  bool tls = false;
};

/// Parses `mqtt://HOST:PORT`, `mqtts://HOST:PORT`, `HOST:PORT`, `mqtt://HOST`
/// (port 1883) or `mqtts://HOST` (port 8883). IPv6 hosts go in brackets
/// (`mqtt://[::1]:1883`). Fails with an invalid request naming the input and
/// the expected forms.
trading::result<broker_url> parse_broker_url(std::string_view text);

/// Renders `url` back as `mqtt://HOST:PORT` or `mqtts://HOST:PORT`.
std::string to_string(const broker_url& url);

// -- client -------------------------------------------------------------------

/// Connection settings of an `mqtt_client`.
struct mqtt_options {
  /// The broker to connect to.
  broker_url broker;
  /// MQTT client id. Must be set (and stable across restarts) when
  /// `clean_session` is false, since the broker keys the session on it.
  /// Empty lets the broker assign one (only with `clean_session = true`).
  std::string client_id;
  /// False keeps subscriptions and queued QoS >= 1 messages on the broker
  /// while this client is away. Default: false.
  bool clean_session = false;
  /// Seconds between keepalive pings; 0 disables, otherwise at least 5.
  /// Default: 10.
  int keepalive_s = 10;
  /// Empty connects anonymously. Default: empty.
  std::string username;
  /// Used only with a username. Default: empty.
  std::string password;
  /// PEM file with the CA certificates that sign the broker's certificate.
  /// Setting it enables TLS; with `mqtts://` and no file the operating
  /// system's CA store is used. Default: empty.
  std::string tls_ca_file;
  /// PEM certificate this client presents to a broker that asks for one
  /// (mosquitto's `require_certificate`). Needs `tls_key_file` and
  /// `tls_ca_file`. Default: empty.
  std::string tls_cert_file;
  /// PEM private key of `tls_cert_file`, not encrypted. Default: empty.
  std::string tls_key_file;
  /// First reconnect delay in seconds (0 counts as 1). Default: 1.
  unsigned reconnect_min_s = 1;
  /// Upper bound of the exponentially growing reconnect delay. Default: 30.
  unsigned reconnect_max_s = 30;
  /// Most outgoing QoS >= 1 messages awaiting the broker's acknowledgement;
  /// further publishes wait inside libmosquitto. 0 means no limit (the
  /// protocol maximum of 65535). Default: 0.
  int max_inflight = 0;
  /// After a read that brought `mqtt_tcp_client::coalesce_min` QoS 0
  /// messages or more, the next read waits this many microseconds, so that
  /// reads grow under load (0: never). Only the runtime's own client over
  /// plain TCP. Default: 1000.
  int read_pause_us = 1000;
  /// Whether reads of `mqtt_tcp_client::coalesce_min_qos1` QoS 1 messages
  /// or more wait `read_pause_us` too (the PUBACKs of the read go out
  /// first). A broker's inflight window caps what a waiting read can
  /// bring; the client notices one (see `mqtt_tcp_client`) and stops
  /// waiting. Default: false.
  bool read_pause_qos1 = false;
};

/// A connection attempt refused for a reason that retrying does not change.
struct mqtt_refusal {
  /// What the broker or the TLS library said, such as "not authorised" or
  /// "certificate verify failed".
  std::string reason;
  /// Whether the TLS handshake failed; otherwise the broker's CONNACK refused.
  bool tls = false;
};

/// Whether MQTT 3.1.1 CONNACK return code `rc` refuses for good: 1
/// (protocol version), 2 (client id), 4 (user name or password) and 5 (not
/// authorised) stay as they are until someone changes a configuration; 3
/// (server unavailable) may pass.
bool is_lasting_refusal(int rc) noexcept;

/// Fails (a failed operation) for a topic filter a broker would refuse:
/// empty, not UTF-8, `+` or `#` not a whole level, `#` not last.
trading::status check_topic_filter(const std::string& filter);

/// The reason of CONNACK return code `rc` in a few words ("not
/// authorised"), as libmosquitto words it without its prefix.
std::string connack_reason(int rc);

/// Whether an OpenSSL error reason, as libmosquitto logs it, is a
/// certificate or protocol mismatch that retrying does not change: any
/// reason naming a certificate ("certificate verify failed", "tlsv13 alert
/// certificate required", "sslv3 alert bad certificate"), "unknown ca",
/// "handshake failure", "wrong version number" (TLS to a plain port), "no
/// protocols available" and "unsupported protocol". An unexpected end of the
/// connection during the handshake is not.
bool is_lasting_tls_error(std::string_view reason) noexcept;

/// What an `mqtt_client` reports. Every callback runs on libmosquitto's
/// network thread, one at a time, and must not throw, block for long or call
/// `mqtt_client::stop()` (which joins that very thread). Empty functions are
/// skipped.
struct mqtt_callbacks {
  /// A message arrived. Both strings are copies the callee owns: libmosquitto
  /// frees its message as soon as the callback returns.
  std::function<void(std::string topic, std::string payload)> on_message;
  /// The broker answered a connection attempt; `ok` is false when it refused
  /// (`reason` says why). Runs again after every reconnect.
  std::function<void(bool ok, std::string reason)> on_connect;
  /// The connection ended. `unexpected` is false only for `stop()`.
  std::function<void(std::string reason, bool unexpected)> on_disconnect;
  /// The broker acknowledged the QoS >= 1 publish with this message id, or a
  /// QoS 0 publish was written to the socket.
  std::function<void(int mid)> on_published;
  /// The same ids, all those learnt together at once (the PUBACKs of one
  /// read of the socket): a receiver that hands each report to another
  /// thread pays one hand-off per read, not one per message. When set,
  /// `on_published` is not called.
  std::function<void(const std::vector<int>& mids)> on_published_together;
  /// The broker acknowledged a subscription; `granted_qos` holds one entry per
  /// topic filter, 128 meaning refused.
  std::function<void(int mid, std::vector<int> granted_qos)> on_subscribed;
  /// The broker refused the subscription to `topic` (SUBACK 128, such as an
  /// ACL that denies it): `subscribed()` stays false on this connection.
  std::function<void(std::string topic)> on_subscription_refused;
  /// A connection attempt failed for a reason retrying does not change (see
  /// `is_lasting_refusal` and `is_lasting_tls_error`), once per attempt. The
  /// client goes on retrying with backoff: whether to `stop()` it is the
  /// owner's decision.
  std::function<void(mqtt_refusal)> on_refused;
};

/// One MQTT connection with automatic reconnect and resubscription.
///
/// The client remembers every `subscribe()` and re-issues all of them each
/// time it connects, so a broker that lost its session state (restart without
/// persistence) is brought up to date without the caller's help; the broker
/// then sends retained messages on those topics again. With
/// `clean_session = false` and a stable client id, QoS >= 1 messages published
/// while this client was away are delivered after it reconnects.
///
/// Threads: the owner calls `start()`, `stop()` and the destructor, never
/// concurrently with each other or with `subscribe()` / `publish()`; those two
/// and the observers may be called from any thread, callbacks included. Not
/// copyable and not movable: libmosquitto keeps a pointer to the instance.
class mqtt_client {
public:
  // -- construction -----------------------------------------------------------

  /// Stores options and callbacks; nothing connects before `start()`.
  mqtt_client(mqtt_options options, mqtt_callbacks callbacks);

  mqtt_client(const mqtt_client&) = delete;
  mqtt_client& operator=(const mqtt_client&) = delete;

  /// Calls `stop()` and releases the libmosquitto handle. Must not run on the
  /// network thread (from inside a callback).
  ~mqtt_client();

  // -- lifecycle --------------------------------------------------------------

  /// Creates the libmosquitto handle, applies the options, starts the network
  /// thread and the connection attempt. A broker that refuses TCP connections
  /// (not up yet, restarting) is not an error: the network thread retries with
  /// the configured backoff for as long as the client runs. So does it after a
  /// refused CONNECT or a failed TLS handshake, which `on_refused` reports
  /// when retrying cannot help. Fails (a failed operation) for invalid options,
  /// an unresolvable host, a TLS handshake that fails on the first attempt
  /// (with the TLS library's reason) or a second call (a stopped client stays
  /// stopped: make a new one); after any other error `start()` may be called
  /// again.
  trading::status start();

  /// Disconnects cleanly and joins the network thread. Idempotent; after it
  /// returns no callback runs any more. Must not be called from a callback.
  void stop();

  // -- messaging --------------------------------------------------------------

  /// Subscribes to the topic filter `topic` with `qos` (0..2) and remembers it
  /// for every later reconnect. May be called before `start()` (the filter is
  /// then subscribed on connect) and while disconnected. Fails (a failed
  /// operation) for an invalid filter or QoS.
  trading::status subscribe(const std::string& topic, int qos);

  /// Publishes `payload` (copied; the caller keeps ownership) to `topic` with
  /// `qos` (0..2). Returns the message id that `on_published` reports later,
  /// or a failed operation: invalid topic (empty, or containing `+` or `#`),
  /// invalid QoS, client not started or stopped, QoS 0 while disconnected,
  /// payload too large. A QoS >= 1 message published while disconnected is
  /// kept in memory by libmosquitto and sent after the reconnect (it is lost
  /// if the process ends first).
  trading::result<int> publish(const std::string& topic,
                               std::string_view payload, int qos,
                               bool retain = false);

  // -- observers --------------------------------------------------------------

  /// Whether the broker accepted the current connection.
  bool connected() const noexcept {
    return connected_.load();
  }

  /// Whether the broker acknowledged (SUBACK) every `subscribe()` on the
  /// current connection, none refused: only from then on does the broker
  /// deliver what is published to those topics. False while disconnected
  /// and until the subscriptions issued on a reconnect are acknowledged;
  /// true for a connected client without subscriptions.
  bool subscribed() const noexcept {
    return subscribed_.load();
  }

  /// Successful connections after the first one.
  uint64_t reconnects() const noexcept {
    return reconnects_.load();
  }

  /// The options this client was made with.
  const mqtt_options& options() const noexcept {
    return options_;
  }

private:
  // -- libmosquitto callbacks (network thread) --------------------------------

  static void handle_connect(mosquitto* handle, void* user_data,
                             int rc) noexcept;
  static void handle_disconnect(mosquitto* handle, void* user_data,
                                int rc) noexcept;
  static void handle_message(mosquitto* handle, void* user_data,
                             const mosquitto_message* msg) noexcept;
  static void handle_publish(mosquitto* handle, void* user_data,
                             int mid) noexcept;
  static void handle_subscribe(mosquitto* handle, void* user_data, int mid,
                               int qos_count, const int* granted) noexcept;
  static void handle_log(mosquitto* handle, void* user_data, int level,
                         const char* text) noexcept;

  /// Asks the network thread to disconnect and joins it.
  void join_network_thread();

  /// Destroys a half-configured handle after a failed `start()`.
  void discard_handle() noexcept;

  mqtt_options options_;
  mqtt_callbacks callbacks_;
  mosquitto* handle_ = nullptr;
  std::atomic<bool> running_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> subscribed_{false};
  std::atomic<bool> ever_connected_{false};
  std::atomic<uint64_t> reconnects_{0};
  /// Guards `subscriptions_`, `awaiting_` and `refused_` (user threads and
  /// the network thread).
  std::mutex subscriptions_mtx_;
  /// Topic filter and QoS of every `subscribe()`, re-issued on connect.
  std::vector<std::pair<std::string, int>> subscriptions_;
  /// Message ids and topic filters of the SUBSCRIBE packets sent on the
  /// current connection and not acknowledged yet.
  std::vector<std::pair<int, std::string>> awaiting_;
  /// The broker refused a subscription on the current connection.
  bool refused_ = false;
  /// Guards `tls_error_` (the caller of `start()` and the network thread).
  std::mutex tls_error_mtx_;
  /// The last OpenSSL error libmosquitto logged, for `start()`'s message.
  std::string tls_error_;
};

} // namespace intuition::runtime

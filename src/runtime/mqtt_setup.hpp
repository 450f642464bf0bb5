#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "runtime/config.hpp"
#include "runtime/mqtt_client.hpp"
#include "trading/result.hpp"

/// What the MQTT clients of a run share: their settings and the watch over
/// refusals that retrying cannot heal.
namespace intuition::runtime {

/// QoS 1 messages a publisher (feed, order egress) keeps unacknowledged
/// through libmosquitto (TLS). libmosquitto finds an acknowledged message by
/// walking its in-flight list, so an unbounded window turns a fast publisher
/// quadratic (measured: 7,100 messages/s unbounded).
constexpr int publisher_max_inflight = 256;

/// QoS 1 orders in flight on the order connection of the own client. It
/// finds an acknowledgement at the front of its in-flight list (brokers
/// acknowledge in order), so a wide window costs nothing there, while a
/// narrow one cut every burst of orders into slices of 256 that its network
/// thread sent one by one as acknowledgements freed room: a wake-up of the
/// publisher and of that thread every few orders.
constexpr int own_publisher_max_inflight = 4096;

/// The window of a publishing connection (orders, `intuition feed`) for
/// `opts`: `publisher_max_inflight` with libmosquitto's client (TLS),
/// `own_publisher_max_inflight` otherwise.
int publish_max_inflight(const mqtt_options& opts);

/// The settings every MQTT client of a run shares: keepalive, backoff and
/// credentials, the password read from its file. Fails as
/// `check_mqtt_credentials` does for a flag without its partner. Warns on
/// stderr about a password file or TLS key that others can read, or an
/// empty password; `command` names the program in the warnings
/// (`intuition COMMAND:`).
trading::result<mqtt_options>
shared_mqtt_options(const mqtt_config& cfg, const std::string& command = "run");

/// Refusals that retrying does not change, from any MQTT client of the run.
/// The first one stops the run (sets `stop_requested`) unless
/// `mqtt.retry_refused`; each is explained on stderr once per client.
class refusal_watch {
public:
  refusal_watch(std::string broker, bool keep_retrying);

  /// The `on_refused` callback of the client `client_id`.
  std::function<void(mqtt_refusal)> callback(std::string client_id);

  /// Whether a refusal stopped the run.
  bool stopped() const noexcept {
    return stopped_.load();
  }

private:
  /// Runs on a client's network thread.
  void note(const std::string& client, const mqtt_refusal& x);

  std::string broker_;
  bool keep_retrying_;
  std::atomic<bool> stopped_{false};
  std::mutex mtx_;
  std::set<std::string> reported_;
};

} // namespace intuition::runtime

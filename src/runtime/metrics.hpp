#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/actor_types.hpp"
#include "actors/metric_samples.hpp"
#include "trading/result.hpp"

namespace prometheus {
class Exposer;
struct MetricFamily;
} // namespace prometheus

/// The Prometheus exporter: CAF's metrics under CAF 0.18+ names, process
/// metrics, and the trading metrics the actors report.
namespace intuition::runtime {

/// Every metric this process can export, as declared: CAF's, the
/// process's, and every actor kind's (a metric several kinds export is
/// listed by each). The exporter takes its help texts from here.
std::vector<actors::metric_info> exported_metrics();

/// Turns samples into exposition families: samples of one name become one
/// family, in first-seen order, with its declared help text (a name nothing
/// declares explains itself by its name).
std::vector<prometheus::MetricFamily>
to_families(const std::vector<actors::metric_sample>& samples);

/// Prometheus text exposition of `samples`.
std::string exposition_text(const std::vector<actors::metric_sample>& samples);

/// `process_resident_memory_bytes`, `process_cpu_seconds_total`,
/// `process_open_fds` and friends, read from /proc/self.
std::vector<actors::metric_sample> process_samples();

/// Every sample of this process: CAF's, the process's, and the trading
/// samples `agent` collects from its actors (waiting up to 5 s for them).
std::vector<actors::metric_sample>
collect_samples(caf::actor_system& sys, const actors::node_agent_actor& agent);

/// What a process still waits for before it takes work (such as "the
/// broker's acknowledgement of the subscriptions"); nothing once it is
/// ready. Called on an HTTP thread: it must only read thread-safe state.
using readiness_check = std::function<std::optional<std::string>()>;

/// Serves `/metrics` and `/ready` over HTTP while alive. Destroy it before
/// the actor system and before whatever its readiness check reads.
class metrics_server {
public:
  /// Listens on `bind:port` (port 0 picks a free one). `GET /ready` answers
  /// 200 when `ready` reports nothing (or is empty), and 503 with what it
  /// waits for otherwise. Fails with an invalid request naming the address
  /// when listening fails.
  static trading::result<std::unique_ptr<metrics_server>>
  start(caf::actor_system& sys, actors::node_agent_actor agent,
        const std::string& bind, uint16_t port, readiness_check ready = {});

  ~metrics_server();

  /// The port actually listened on.
  uint16_t port() const noexcept {
    return port_;
  }

private:
  metrics_server() = default;

  class collector;
  std::shared_ptr<collector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  uint16_t port_ = 0;
};

} // namespace intuition::runtime

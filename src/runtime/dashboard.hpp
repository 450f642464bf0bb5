#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/actor_types.hpp"
#include "actors/inspection.hpp"
#include "runtime/config.hpp"
#include "trading/result.hpp"

/// The live dashboard of `run` and `replay`: a page, its JSON API and a
/// stream of server-sent events, served over HTTP by civetweb.
namespace intuition::runtime {

/// What the dashboard reads.
struct dashboard_sources {
  /// `run` or `replay`.
  std::string mode;
  /// The portfolio, the order log and, for `run`, the MQTT actors, each
  /// asked for its state once a second.
  std::vector<actors::inspection_target> singletons;
  /// Lists the algorithm actors (wherever they run) for the actor map.
  actors::quote_router_actor router;
  /// The journal the orders are read from.
  std::string journal_path;
};

/// Limits that keep the server small whatever the run's size.
struct dashboard_limits {
  /// Pages open on the live stream at once; more get 503.
  size_t max_stream_clients = 8;
  /// Points of the sampled equity curve.
  size_t max_equity_points = 4096;
  /// Busiest actors listed in the map's summary.
  size_t top_actors = 20;
  /// Orders one `/api/orders` answer holds at most.
  size_t max_orders = 1000;
  /// Rows one `/api/actors` search answers at most.
  size_t max_search_rows = 200;
};

/// Serves the dashboard while alive. Destroy it before the actor system.
///
/// - `GET /` the page (`/dashboard.js`, `/common.js`, `/style.css`,
///   `/uplot.js`, `/uplot.css`: compiled in, nothing from outside).
/// - `GET /api/state` the latest figures (see README, "Dashboard and
///   reports"), with the sampled equity curve.
/// - `GET /api/events` the same figures (without the curve) as server-sent
///   events, one per update, at most one a second.
/// - `GET /api/orders?since=SEQ&limit=N` journaled orders after SEQ, read
///   from the journal file.
/// - `GET /api/actors?q=TEXT&limit=N` algorithm actors matching TEXT.
class dashboard_server {
public:
  /// Listens on `at` (port 0 picks a free one) and starts sampling. Fails
  /// with an invalid request naming `--http` when listening fails.
  static trading::result<std::unique_ptr<dashboard_server>>
  start(caf::actor_system& sys, dashboard_sources sources, const endpoint& at,
        dashboard_limits limits = {});

  ~dashboard_server();

  dashboard_server(const dashboard_server&) = delete;
  dashboard_server& operator=(const dashboard_server&) = delete;

  /// The port actually listened on.
  uint16_t port() const noexcept;

  class impl;

private:
  explicit dashboard_server(std::unique_ptr<impl> x);

  std::unique_ptr<impl> impl_;
};

} // namespace intuition::runtime

#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/actor_types.hpp"
#include "actors/node_agent.hpp"
#include "runtime/config.hpp"
#include "runtime/metrics.hpp"
#include "trading/result.hpp"

/// What a process offers the outside: its node agent and `/metrics`.
namespace intuition::runtime {

/// What a process offers the outside: its node agent, published over CAF
/// (`--listen`), and `/metrics` over HTTP.
struct control_plane {
  actors::node_agent_actor agent;
  /// The port the agent is published on; 0 when not listening.
  uint16_t listen_port = 0;
  std::unique_ptr<metrics_server> metrics;
};

/// Spawns the node agent, publishes it on `listen` (when enabled) and
/// starts the metrics endpoint (when enabled), printing where each listens
/// on stderr; the endpoint's `/ready` asks `ready` (none: always ready).
/// Warns when binding beyond loopback. Fails with an invalid request naming
/// the setting when an address cannot be bound.
trading::result<control_plane>
start_control(caf::actor_system& sys, const listen_config& listen,
              const metrics_config& metrics, actors::node_agent_config agent,
              bool tls, readiness_check ready = {});

/// Connects to the node agent published at `at` (over TLS when `tls`);
/// blocks until it answers or the middleman's connection timeout passes.
/// Fails (a failed operation) with CAF's reason.
trading::result<actors::node_agent_actor>
connect_agent(caf::actor_system& sys, const endpoint& at, bool tls);

/// Stops serving metrics, unpublishes and stops the agent.
void stop_control(caf::actor_system& sys, control_plane& cp);
} // namespace intuition::runtime

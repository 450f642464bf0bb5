#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/actor_types.hpp"
#include "actors/telemetry.hpp"
#include "runtime/config.hpp"
#include "trading/result.hpp"

namespace caf {
class actor_system;
} // namespace caf

/// The coordinator's side of a cluster: connecting to worker nodes and
/// keeping them connected.
namespace intuition::runtime {

/// One configured node as the connector sees it.
struct node_link {
  actors::node_agent_actor agent;
  std::string name;
  bool connected = false;
  /// Attempts since it was last connected (0 while connected).
  uint64_t failed_attempts = 0;
  uint64_t joins = 0;
};

struct cluster_connector_state {
  static inline const char* name = "cluster_connector";
  actors::quote_router_actor router;
  /// With node-local ingress the desk, not the router, takes the nodes.
  actors::shard_desk_actor desk;
  std::chrono::milliseconds retry{2000};
  bool tls = false;
  std::map<std::string, node_link> links;
  uint64_t joined = 0;
};

/// Spawned detached: connecting blocks its thread until the node answers
/// or the middleman's connection timeout passes. Hands every node that
/// answers to `router`, watches it, and tries lost or unreachable nodes
/// again every `retry`.
actors::cluster_connector_actor::behavior_type cluster_connector(
  actors::cluster_connector_actor::stateful_pointer<cluster_connector_state>
    self,
  actors::quote_router_actor router, std::chrono::milliseconds retry, bool tls,
  actors::shard_desk_actor desk = {});

/// Starts the connector for `cfg.nodes` and waits until each was tried
/// once, printing which joined. Returns the connector, or a failed
/// operation when no node answered and the coordinator may not host
/// algorithm actors itself.
trading::result<actors::cluster_connector_actor>
join_cluster(caf::actor_system& sys, const cluster_config& cfg,
             const actors::quote_router_actor& router, bool tls,
             const actors::shard_desk_actor& desk = {});

} // namespace intuition::runtime

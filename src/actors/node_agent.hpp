#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/node_id.hpp>

#include "actors/actor_types.hpp"
#include "actors/inspection.hpp"
#include "actors/shard_worker.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"

/// The node agent: the one actor a process publishes. Inspection and
/// metrics go through it; on a worker node it also hosts algorithm
/// instances for a coordinator.
namespace intuition::actors {

/// What the agent knows about its process.
struct node_agent_config {
  /// `coordinator` (run, replay) or `node` (a worker).
  std::string role = "node";
  /// The process's long-lived actors (portfolio, order log, ...), listed
  /// and asked for metrics; the router among them also lists the
  /// algorithm instances it placed.
  std::vector<inspection_target> singletons;
  quote_router_actor router;
  /// Samples fixed at start (rows a replay's CSV rejected).
  std::vector<actors::metric_sample> fixed_samples;
  /// Starts a shard's MQTT session (node-local ingress); none: this process
  /// runs no shards.
  shard_source_factory make_shard_source;
};

/// A shard this node runs for a coordinator's desk (node-local ingress).
struct hosted_shard {
  uint64_t epoch = 0;
  shard_worker_actor worker;
  /// The desk that assigned it.
  caf::actor_addr owner;
};

/// An algorithm instance this node runs for a coordinator.
struct hosted_instance {
  algorithm_spec spec;
  algorithm_actor handle;
  /// The coordinator's router that asked for it.
  caf::actor_addr owner;
};

struct node_agent_state {
  static inline const char* name = "node_agent";
  node_agent_config cfg;
  std::unordered_map<caf::actor_addr, hosted_instance> hosted;
  /// Coordinators' actors watched here, with their node: connectors (which
  /// introduce themselves) and routers (which place instances; when one
  /// goes, with its process or its connection, its instances go too).
  std::unordered_map<caf::actor_addr, caf::node_id> peers;
  uint64_t placed = 0;
  uint64_t orphans_stopped = 0;
  /// Operator control requests passed to the router.
  uint64_t control_requests = 0;
  /// Shards running here, by shard.
  std::unordered_map<uint32_t, hosted_shard> shards;
  uint64_t shards_started = 0;
  uint64_t shards_revoked = 0;
  /// Shards asked to hand back before a move.
  uint64_t shards_drained = 0;
  /// Quotes of every shard this node ran, as their gates counted them.
  std::shared_ptr<shard_gate_counters> shard_quotes
    = std::make_shared<shard_gate_counters>();
  actor_probe probe{actor_kind::node_agent};
};

/// What an agent reports: its counters and, on a worker node, its samples
/// (answered to `metrics`, not in its state) and their help.
const telemetry<node_agent_state>& node_agent_telemetry();

/// Spawns the agent.
node_agent_actor::behavior_type
node_agent(node_agent_actor::stateful_pointer<node_agent_state> self,
           node_agent_config cfg);

} // namespace intuition::actors

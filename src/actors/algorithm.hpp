#pragma once

#include <memory>

#include "actors/actor_types.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"
#include "trading/algorithm.hpp"

/// The algorithm actor: a thin shell around one pure algorithm instance.
namespace intuition::actors {

struct algorithm_state {
  static inline const char* name = "algorithm";
  algorithm_spec spec;
  std::unique_ptr<trading::algorithm> algo;
  /// The quote handed to the algorithm, its symbol set once: ticks only
  /// update price, time and sequence.
  trading::quote current;
  uint64_t quotes = 0;
  uint64_t signals = 0;
  /// Quotes fed by `warmup` (not traded on).
  uint64_t warmup_quotes = 0;
  actor_probe probe{actor_kind::algorithm};
};

/// What an algorithm instance reports: its counters (instances export no
/// samples of their own; CAF's figures aggregate them per kind).
const telemetry<algorithm_state>& algorithm_telemetry();

/// Spawns the algorithm `spec.algorithm` for `spec.symbol`. The parameters
/// were validated when the configuration loaded; a failure here quits the
/// actor with the reason.
algorithm_actor::behavior_type
algorithm(algorithm_actor::stateful_pointer<algorithm_state> self,
          algorithm_spec spec);

/// Instance name `algorithm/STRATEGY/SYMBOL`.
std::string algorithm_instance_name(const algorithm_spec& spec);

} // namespace intuition::actors

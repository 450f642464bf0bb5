#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/typed_response_promise.hpp>

#include "actors/actor_types.hpp"
#include "actors/shard_gate.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"
#include "trading/result.hpp"
#include "trading/shard_engine.hpp"
#include "trading/shard_outbox.hpp"

/// The shard worker: one shard's instances on the node that owns it,
/// between the shard's MQTT session and the coordinator's desk. Its logic
/// is `trading::shard_engine`; the actor carries quotes in and results out.
namespace intuition::actors {

/// A shard's running MQTT session; destroying it disconnects.
class shard_source {
public:
  virtual ~shard_source();
};

/// Starts the MQTT session of `a`, whose reads go through `gate` (the
/// runtime provides it: the actors know no MQTT client).
using shard_source_factory
  = std::function<trading::result<std::unique_ptr<shard_source>>(
    const shard_assignment& a, std::shared_ptr<shard_gate> gate)>;

struct shard_worker_state {
  static inline const char* name = "shard_worker";
  uint32_t shard = 0;
  uint64_t epoch = 0;
  std::string client_id;
  shard_desk_actor desk;
  std::unique_ptr<trading::shard_engine> engine;
  std::shared_ptr<shard_gate> gate;
  std::unique_ptr<shard_source> source;
  uint64_t quotes = 0;
  uint64_t signals = 0;
  uint64_t duplicates = 0;
  uint64_t foreign = 0;
  uint64_t batches = 0;
  uint64_t warmup_quotes = 0;
  /// Unix time in ms at which the instances last took a read (0: never).
  int64_t last_quote_at_ms = 0;
  /// What waits for the desk (see `trading::shard_outbox`).
  trading::shard_outbox outbox;
  std::chrono::milliseconds mark_interval{200};
  /// The node's counters of every shard.
  std::shared_ptr<shard_gate_counters> totals;
  bool timer_armed = false;
  /// Handing the shard back (`drain`): no more reads, what waits goes out,
  /// then `drained` is answered and the worker stops.
  bool draining = false;
  caf::typed_response_promise<uint64_t> drained;
  /// `outbox.unsent()` as last added to `totals->unsent`.
  uint64_t reported_unsent = 0;
  actor_probe probe{actor_kind::shard_worker};

  /// Closes the gate first, so that a read waiting on it is refused (not
  /// acknowledged) and the session stops at once; counts the quotes that
  /// were acknowledged and never sent.
  ~shard_worker_state();

  /// Brings `totals->unsent` up to date with the outbox.
  void report_unsent();
};

/// What a worker reports.
const telemetry<shard_worker_state>& shard_worker_telemetry();

/// Spawns the worker of `a`: creates its instances, warms them up, then
/// starts the session through `make_source`. Quits with an error when
/// either fails; quits when the desk refuses a batch (a newer incarnation
/// owns the shard) or cannot be reached: the unconfirmed read is then not
/// acknowledged and the broker delivers it again to the shard's next owner.
shard_worker_actor::behavior_type
shard_worker(shard_worker_actor::stateful_pointer<shard_worker_state> self,
             shard_assignment a, shard_source_factory make_source,
             std::shared_ptr<shard_gate_counters> totals);

/// How long a read waits for the coordinator's confirmation before the
/// worker gives the shard up.
constexpr std::chrono::seconds shard_confirm_timeout{10};

/// How long the desk waits for an owner to hand a shard back before it
/// moves the shard anyway (its waiting quotes are then lost, and counted).
constexpr std::chrono::seconds shard_drain_timeout{15};

} // namespace intuition::actors

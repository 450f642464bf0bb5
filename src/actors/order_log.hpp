#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/actor_types.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"
#include "actors/metric_samples.hpp"
#include "trading/journal.hpp"

/// The order log: the append-only journal's only writer.
namespace intuition::actors {

/// How the order log forces records to disk.
struct order_log_config {
  trading::fsync_policy policy = trading::fsync_policy::always;
  /// Period of `interval` syncs.
  std::chrono::milliseconds interval{10};
  /// Receives every order once it is durable (live mode); may be null.
  order_publisher_actor publisher;
  /// Told `halt` when the journal fails (the runtime's driver); may be null.
  halt_sink_actor observer{};
};

/// The cause an order log names when it halts trading.
constexpr const char* journal_halt_cause = "journal";

struct order_log_state {
  static inline const char* name = "order_log";
  trading::journal_writer writer;
  order_log_config cfg;
  /// Orders appended, and orders known to be on stable storage.
  uint64_t appended = 0;
  uint64_t durable = 0;
  uint64_t syncs = 0;
  uint64_t write_errors = 0;
  /// Why trading halted (`journal_halt_cause`), empty while it goes on; the
  /// failure, naming the file.
  std::string halted;
  std::string halt_error;
  /// Orders that reached the order log after it halted: filled, never
  /// journaled, never published.
  uint64_t refused = 0;
  /// The sender of the last order batch (the portfolio), told of a halt.
  halt_sink_actor source;
  bool sync_pending = false;
  int64_t max_sync_ns = 0;
  /// Appended orders waiting for their sync before they may be published.
  std::vector<trading::order> unsynced;
  /// Highest input position the portfolio reported processed (every order
  /// of quotes up to it was appended before).
  uint64_t seen_input = 0;
  /// `processed` requests waiting until their position was seen and every
  /// order appended so far is durable.
  std::vector<std::pair<caf::typed_response_promise<uint64_t>, uint64_t>>
    processed;
  /// Duration of every fsync, in seconds.
  actors::bucket_histogram fsync_seconds;
  actor_probe probe{actor_kind::order_log};
};

/// What an order log reports: its counters, its samples and their help.
const telemetry<order_log_state>& order_log_telemetry();

/// Spawns the order log around an already opened writer (the runtime opens
/// and replays the journal before any actor exists).
order_log_actor::behavior_type
order_log(order_log_actor::stateful_pointer<order_log_state> self,
          std::shared_ptr<trading::journal_writer> writer,
          order_log_config cfg);

} // namespace intuition::actors

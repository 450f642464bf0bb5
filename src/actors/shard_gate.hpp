#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "trading/types.hpp"

/// Where a shard's MQTT thread meets its worker actor: the thread hands
/// over the quotes of one read and waits until the worker settles them
/// before it acknowledges them to the broker: a read that raised a signal
/// once the coordinator confirmed it, any other once the instances took it
/// (see `trading::shard_outbox`). One read at a time, so a node holds at
/// most one read per shard that the broker has not been told about, and
/// takes nothing more while the coordinator is slow or gone: the quotes
/// wait in the broker's session instead.
namespace intuition::actors {

/// Counters of a gate, readable from any thread.
struct shard_gate_counters {
  /// Quotes handed over by the MQTT thread.
  std::atomic<uint64_t> received{0};
  /// Quotes acknowledged to the broker: once the coordinator confirmed
  /// them when they raised a signal, at once otherwise.
  std::atomic<uint64_t> confirmed{0};
  /// Quotes not confirmed (refused, timed out or the gate closed): not
  /// acknowledged, so the broker delivers them again.
  std::atomic<uint64_t> unconfirmed{0};
  /// Quotes acknowledged (they raised no signal) that the coordinator has
  /// not been sent yet: what a crash of the node now would keep from its
  /// marks and history (kept by the shard workers).
  std::atomic<uint64_t> unsent{0};
  /// Quotes acknowledged and never sent, because their shard stopped.
  std::atomic<uint64_t> unsent_dropped{0};
};

/// One shard's hand-over point; thread safe.
class shard_gate {
public:
  /// Hands quotes and their ticket to the worker (a CAF send).
  using submit_fn = std::function<void(std::vector<trading::quote>, uint64_t)>;

  /// Told once that the session ended (the worker then stops).
  using lost_fn = std::function<void(const std::string& why)>;

  /// `totals`, when given, counts the quotes of every shard of the node
  /// too.
  shard_gate(submit_fn submit, lost_fn lost,
             std::shared_ptr<shard_gate_counters> totals = nullptr);

  /// MQTT thread: submits `quotes` and waits until they are settled, the
  /// gate closes or `timeout` passes. True only when settled `ok`.
  bool pass(std::vector<trading::quote> quotes,
            std::chrono::milliseconds timeout);

  /// Worker: the quotes of `ticket` may be acknowledged (`ok`) or not.
  void settle(uint64_t ticket, bool ok);

  /// Refuses everything from now on and wakes a waiting `pass`.
  void close();

  /// MQTT thread: the session's connection ended (the broker went away, or
  /// another client took the shard's client id over): closes the gate and
  /// tells the worker, so that the session is never taken back from a newer
  /// owner by a reconnect.
  void lost(const std::string& why);

  bool closed() const;

  /// Quotes handed over and not settled yet (0 or one read's worth).
  uint64_t in_flight() const;

  const shard_gate_counters& counters() const noexcept {
    return counters_;
  }

private:
  submit_fn submit_;
  lost_fn lost_;
  bool lost_told_ = false;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  bool closed_ = false;
  uint64_t next_ticket_ = 0;
  uint64_t waiting_ = 0;
  uint64_t waiting_quotes_ = 0;
  uint64_t settled_ = 0;
  bool settled_ok_ = false;
  shard_gate_counters counters_;
  std::shared_ptr<shard_gate_counters> totals_;
};

} // namespace intuition::actors

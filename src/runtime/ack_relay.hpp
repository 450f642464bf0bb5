#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace intuition::runtime {

/// The order connection's acknowledgements on their way from its network
/// thread to the publisher, with fewer wake-ups. A burst of orders comes
/// back as PUBACKs over several reads; telling the publisher after each
/// read woke its thread two or three times per burst. The relay keeps them
/// until nothing more is in flight (the burst is complete) or `batch` wait;
/// meanwhile the publisher takes what waits whenever it runs anyway (a new
/// batch of orders, a reconnect, its timer, a drain).
class ack_relay {
public:
  explicit ack_relay(size_t batch = 64) : batch_(batch < 1 ? 1 : batch) {
  }

  ack_relay(const ack_relay&) = delete;
  ack_relay& operator=(const ack_relay&) = delete;

  /// The network thread: adds the ids of one read. Returns every id that
  /// waits (for one message to the publisher) when `quiet` (no other
  /// message is in flight) or `batch` ids wait; nothing otherwise.
  std::vector<int32_t> add(const std::vector<int>& ids, bool quiet);

  /// The publisher: takes every id that waits.
  std::vector<int32_t> take();

  /// Ids waiting.
  size_t waiting() const;

private:
  size_t batch_;
  mutable std::mutex mtx_;
  std::vector<int32_t> ids_;
};

} // namespace intuition::runtime

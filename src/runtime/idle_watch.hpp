#pragma once

#include <chrono>

namespace intuition::runtime {

/// Decides `--exit-when-idle`: idle time counts from readiness, so a run
/// that never receives a quote stops as well, and starts over with every
/// quote.
class idle_watch {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// Expires after `limit` without a quote; a limit of 0 never expires.
  explicit idle_watch(std::chrono::milliseconds limit) : limit_(limit) {
    // nop
  }

  /// The run became ready at `now` (later calls change nothing).
  void ready(time_point now);

  /// Quotes arrived; seen at `now`. Before readiness this changes nothing.
  void activity(time_point now);

  /// Whether the run was ready and saw no quote for longer than the limit.
  bool expired(time_point now) const;

private:
  std::chrono::milliseconds limit_;
  bool ready_ = false;
  time_point since_{};
};

} // namespace intuition::runtime

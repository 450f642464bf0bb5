#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "trading/report.hpp"

/// Latency samples and their percentiles.
namespace intuition::actors {

/// Keeps up to `capacity` samples (the most recent ones once full) and
/// reports exact percentiles over them.
class latency_recorder {
public:
  explicit latency_recorder(size_t capacity = 1 << 20);

  void record(int64_t ns);

  /// Samples recorded in total (not only those kept).
  uint64_t count() const noexcept {
    return count_;
  }

  /// The p-quantile (0..1) of the kept samples by nearest rank; 0 if none.
  int64_t percentile_ns(double p) const;

  int64_t max_ns() const noexcept {
    return max_;
  }

  /// Count, median, p99 and maximum, for reports.
  trading::latency_figures figures() const;

private:
  size_t capacity_;
  std::vector<int64_t> samples_;
  uint64_t count_ = 0;
  int64_t max_ = 0;
};

} // namespace intuition::actors

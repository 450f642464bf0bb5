#include "actors/latency_recorder.hpp"

#include <algorithm>
#include <cmath>

namespace intuition::actors {

latency_recorder::latency_recorder(size_t capacity) : capacity_(capacity) {
  // nop
}

void latency_recorder::record(int64_t ns) {
  if (samples_.size() < capacity_)
    samples_.push_back(ns);
  else
    samples_[count_ % capacity_] = ns;
  ++count_;
  max_ = std::max(max_, ns);
}

int64_t latency_recorder::percentile_ns(double p) const {
  if (samples_.empty())
    return 0;
  auto sorted = samples_;
  auto rank = static_cast<size_t>(
    std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(sorted.size())));
  auto idx = rank == 0 ? 0 : rank - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(idx),
                   sorted.end());
  return sorted[idx];
}

trading::latency_figures latency_recorder::figures() const {
  return {count(), percentile_ns(0.50), percentile_ns(0.99), max_ns()};
}

} // namespace intuition::actors

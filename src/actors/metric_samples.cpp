#include "actors/metric_samples.hpp"

#include <algorithm>

namespace intuition::actors {

metric_sample counter_sample(std::string name, double value,
                             metric_labels labels) {
  return {
    std::move(name), metric_type::counter, std::move(labels), value, {}, {}};
}

metric_sample gauge_sample(std::string name, double value,
                           metric_labels labels) {
  return {
    std::move(name), metric_type::gauge, std::move(labels), value, {}, {}};
}

metric_sample sample_of(const metric_info& metric, double value,
                        std::vector<std::string> label_values) {
  metric_sample out;
  out.name = metric.name;
  out.type = metric.type;
  for (size_t i = 0; i < metric.labels.size() && i < label_values.size(); ++i)
    out.labels.emplace_back(metric.labels[i], std::move(label_values[i]));
  out.value = value;
  return out;
}

const std::vector<double>& caf_default_buckets() {
  static const std::vector<double> bounds{1e-5, 1e-4, 5e-4, 1e-3, 1e-2,
                                          1e-1, 5e-1, 1.0,  5.0};
  return bounds;
}

size_t bucket_index(const std::vector<double>& bounds, double value) noexcept {
  // Prometheus buckets are "less than or equal": a value on a bound belongs
  // to that bound's bucket.
  return static_cast<size_t>(
    std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
}

bucket_histogram::bucket_histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  // nop
}

void bucket_histogram::observe(double value) {
  ++counts_[bucket_index(bounds_, value)];
  ++count_;
  sum_ += value;
}

metric_sample bucket_histogram::sample(std::string name,
                                       metric_labels labels) const {
  return {std::move(name),   metric_type::histogram,
          std::move(labels), sum_,
          bounds_,           counts_};
}

namespace {

/// Splits off the next '/'-separated segment of `x`.
std::string_view next_segment(std::string_view& x) {
  auto slash = x.find('/');
  auto seg = x.substr(0, slash);
  x = slash == std::string_view::npos ? std::string_view{}
                                      : x.substr(slash + 1);
  return seg;
}

} // namespace

bool instance_matches(std::string_view pattern,
                      std::string_view name) noexcept {
  while (!pattern.empty()) {
    if (name.empty())
      return false;
    auto p = next_segment(pattern);
    auto n = next_segment(name);
    if (p != "*" && p != n)
      return false;
  }
  return true;
}

} // namespace intuition::actors

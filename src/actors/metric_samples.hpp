#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Metric samples as plain values: what an actor reports about itself, and
/// what the Prometheus exporter turns into exposition text. No CAF, no
/// Prometheus library: the samples cross nodes inside state replies.
namespace intuition::actors {

/// The Prometheus metric types Intuition exports.
enum class metric_type : uint8_t { counter, gauge, histogram };

/// Label names and values, in the order they were given.
using metric_labels = std::vector<std::pair<std::string, std::string>>;

/// One time series: a counter, a gauge or a histogram.
struct metric_sample {
  /// Exposition name (`intuition_orders_total`).
  std::string name;
  metric_type type = metric_type::gauge;
  metric_labels labels;
  /// Counter or gauge value; for a histogram, the sum of observations.
  double value = 0.0;
  /// Histogram upper bounds, ascending (the +Inf bucket is implied).
  std::vector<double> bounds;
  /// Histogram observations per bucket, not cumulative; one more entry than
  /// `bounds` (the last counts observations above every bound).
  std::vector<uint64_t> counts;
};

/// A metric as declared: what the exporter says about it.
struct metric_info {
  /// Exposition name (`intuition_orders_total`).
  std::string name;
  metric_type type = metric_type::gauge;
  /// The `# HELP` text.
  std::string help;
  /// Its label names, in order.
  std::vector<std::string> labels;
};

/// A counter sample.
metric_sample counter_sample(std::string name, double value,
                             metric_labels labels = {});

/// A gauge sample.
metric_sample gauge_sample(std::string name, double value,
                           metric_labels labels = {});

/// A counter or gauge sample of `metric`, with `label_values` for its label
/// names in order.
metric_sample sample_of(const metric_info& metric, double value,
                        std::vector<std::string> label_values = {});

/// The bucket bounds (seconds) CAF 0.18+ uses for its actor histograms:
/// 10us, 100us, 500us, 1ms, 10ms, 100ms, 500ms, 1s, 5s.
const std::vector<double>& caf_default_buckets();

/// A histogram over fixed bounds, for one owner (not thread-safe).
class bucket_histogram {
public:
  explicit bucket_histogram(std::vector<double> bounds = caf_default_buckets());

  void observe(double value);

  uint64_t count() const noexcept {
    return count_;
  }

  double sum() const noexcept {
    return sum_;
  }

  /// The histogram as a sample named `name`.
  metric_sample sample(std::string name, metric_labels labels = {}) const;

private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0.0;
};

/// Index of the bucket `value` falls in: the first bound >= value, or
/// `bounds.size()` when it exceeds every bound.
size_t bucket_index(const std::vector<double>& bounds, double value) noexcept;

/// Whether instance `name` (`algorithm/sma/GOOG`) matches `pattern`: both are
/// split at '/', a pattern segment `*` matches any segment, and a shorter
/// pattern matches every name it is a prefix of (`algorithm` matches every
/// algorithm instance). An empty pattern matches everything.
bool instance_matches(std::string_view pattern, std::string_view name) noexcept;

} // namespace intuition::actors

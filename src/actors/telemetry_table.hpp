#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "actors/messages.hpp"
#include "actors/metric_samples.hpp"
#include "trading/checked.hpp"

/// What an actor reports about itself, declared once per actor kind: every
/// figure with its inspect counter, its Prometheus series and help text, and
/// how it is read from the state. The counters and samples of a state reply,
/// and the help lines of the exporter, are generated from the declaration.
namespace intuition::actors {

// -- figures ----------------------------------------------------------------------

/// A figure read from an actor's state: a count, or a measured quantity.
class figure {
public:
  /// Any number (a bool reads as 0 or 1). Implicit, so that a table reads
  /// members and lambdas of whatever number type the state keeps.
  template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
  figure(T x) noexcept {
    if constexpr (std::is_floating_point_v<T>) {
      real_ = true;
      value_ = static_cast<double>(x);
    } else {
      integer_ = static_cast<trading::int128_t>(x);
    }
  }

  /// The figure as an inspect counter: clamped to 64 signed bits (a count
  /// past 2^63 - 1 reads as that bound, never as a negative number); a
  /// measured quantity is truncated, NaN reads as 0.
  int64_t count() const noexcept {
    if (!real_)
      return trading::saturate(integer_);
    if (std::isnan(value_))
      return 0;
    if (value_ >= 9.2e18)
      return std::numeric_limits<int64_t>::max();
    if (value_ <= -9.2e18)
      return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(value_);
  }

  /// The figure as a sample value.
  double value() const noexcept {
    return real_ ? value_ : static_cast<double>(integer_);
  }

private:
  trading::int128_t integer_ = 0;
  double value_ = 0.0;
  bool real_ = false;
};

/// One series of a labelled family: the values of its labels, in the order
/// of the family's label names, and its figure.
struct series {
  std::vector<std::string> label_values;
  figure value;
};

// -- fields -----------------------------------------------------------------------

/// One declared figure of `State`: an inspect counter, a Prometheus metric,
/// or both. Built by the static functions and refined by the members that
/// return a copy, so that a table reads one line per figure.
template <class State>
class telemetry_field {
public:
  /// Reads one figure; a pointer to a member converts too.
  using reader = std::function<figure(const State&)>;
  /// Reads every series of a labelled family.
  using family_reader = std::function<std::vector<series>(const State&)>;
  /// Reads a histogram.
  using histogram_reader = std::function<const bucket_histogram&(const State&)>;

  // -- construction ---------------------------------------------------------------

  /// An inspect counter named `name`.
  static telemetry_field count(std::string name, reader read) {
    telemetry_field out;
    out.counter_ = std::move(name);
    out.read_ = std::move(read);
    return out;
  }

  /// A figure that is no inspect counter; export it with `counter` or
  /// `gauge`.
  static telemetry_field value(reader read) {
    telemetry_field out;
    out.read_ = std::move(read);
    return out;
  }

  /// A labelled family of series, one per entry `read` finds.
  static telemetry_field family(metric_info metric, family_reader read) {
    telemetry_field out;
    out.metric_ = std::move(metric);
    out.read_family_ = std::move(read);
    return out;
  }

  /// A histogram.
  static telemetry_field histogram(std::string name, std::string help,
                                   histogram_reader read) {
    telemetry_field out;
    out.metric_
      = {std::move(name), metric_type::histogram, std::move(help), {}};
    out.read_histogram_ = std::move(read);
    return out;
  }

  /// This figure, exported as the one series of `metric` with the label
  /// values `label_values` (as many as `metric.labels`).
  telemetry_field exported(metric_info metric,
                           std::vector<std::string> label_values = {}) const {
    auto out = *this;
    out.metric_ = std::move(metric);
    out.label_values_ = std::move(label_values);
    return out;
  }

  /// This figure, exported as a Prometheus counter with fixed `labels`.
  telemetry_field counter(std::string name, std::string help,
                          metric_labels labels = {}) const {
    return with(metric_type::counter, std::move(name), std::move(help),
                std::move(labels));
  }

  /// This figure, exported as a Prometheus gauge with fixed `labels`.
  telemetry_field gauge(std::string name, std::string help,
                        metric_labels labels = {}) const {
    return with(metric_type::gauge, std::move(name), std::move(help),
                std::move(labels));
  }

  // -- generated output -----------------------------------------------------------

  /// The inspect counter's name; empty when the field is none.
  const std::string& counter_name() const noexcept {
    return counter_;
  }

  /// The metric; its name is empty when the field is not exported.
  const metric_info& metric() const noexcept {
    return metric_;
  }

  /// The inspect counter's value in `st`.
  int64_t count_of(const State& st) const {
    return read_(st).count();
  }

  /// Appends the field's samples of `st` to `out`.
  void sample(const State& st, std::vector<metric_sample>& out) const {
    if (metric_.name.empty())
      return;
    if (read_histogram_) {
      out.push_back(read_histogram_(st).sample(metric_.name));
      return;
    }
    if (read_family_) {
      for (auto& x : read_family_(st))
        out.push_back(
          sample_of(metric_, x.value.value(), std::move(x.label_values)));
      return;
    }
    out.push_back(sample_of(metric_, read_(st).value(), label_values_));
  }

private:
  telemetry_field() = default;

  telemetry_field with(metric_type type, std::string name, std::string help,
                       metric_labels labels) const {
    metric_info info{std::move(name), type, std::move(help), {}};
    std::vector<std::string> values;
    for (auto& [k, v] : labels) {
      info.labels.push_back(std::move(k));
      values.push_back(std::move(v));
    }
    return exported(std::move(info), std::move(values));
  }

  std::string counter_;
  metric_info metric_;
  std::vector<std::string> label_values_;
  reader read_;
  family_reader read_family_;
  histogram_reader read_histogram_;
};

// -- tables -----------------------------------------------------------------------

/// Whether an actor kind's state reply carries its samples.
enum class samples_in_state : bool {
  /// The exporter asks the actor's state for them (the singletons).
  yes,
  /// The actor hands them out another way (the node agent answers
  /// `metrics` itself), or has none.
  no,
};

/// Everything an actor kind reports, declared once: its fields, in the
/// order its samples are exported.
template <class State>
class telemetry {
public:
  using field = telemetry_field<State>;

  explicit telemetry(std::vector<field> fields,
                     samples_in_state in_state = samples_in_state::yes)
      : fields_(std::move(fields)), in_state_(in_state) {
    // nop
  }

  /// The inspect counters of `st`.
  std::map<std::string, int64_t> counters(const State& st) const {
    std::map<std::string, int64_t> out;
    for (const auto& x : fields_)
      if (!x.counter_name().empty())
        out.emplace(x.counter_name(), x.count_of(st));
    return out;
  }

  /// The Prometheus samples of `st`, in declaration order.
  std::vector<metric_sample> samples(const State& st) const {
    std::vector<metric_sample> out;
    for (const auto& x : fields_)
      x.sample(st, out);
    return out;
  }

  /// Every metric declared, once per name, in declaration order.
  std::vector<metric_info> metrics() const {
    std::vector<metric_info> out;
    for (const auto& x : fields_) {
      const auto& m = x.metric();
      auto seen = [&m](const metric_info& y) {
        return y.name == m.name;
      };
      if (!m.name.empty() && std::none_of(out.begin(), out.end(), seen))
        out.push_back(m);
    }
    return out;
  }

  /// The state reply of `st` (node, mailbox and processed left to the
  /// caller): counters, samples if the kind reports them there, summary.
  actor_state state(const State& st, std::string name,
                    std::string summary_json) const {
    auto out = make_actor_state(std::move(name), State::name, counters(st),
                                std::move(summary_json));
    if (in_state_ == samples_in_state::yes)
      out.metrics = samples(st);
    return out;
  }

  /// The state reply of the actor `self`, stamped by its probe.
  template <class Self>
  actor_state reply(Self* self, std::string summary_json,
                    std::string name = State::name) const {
    auto out = state(self->state, std::move(name), std::move(summary_json));
    self->state.probe.stamp(out, self->mailbox().size());
    return out;
  }

private:
  std::vector<field> fields_;
  samples_in_state in_state_;
};

// -- metrics more than one kind exports ------------------------------------------

/// `intuition_mqtt_connected{client}`: the ingress and the publisher.
const metric_info& mqtt_connected_metric();

/// `intuition_mqtt_reconnects_total{client}`: the ingress and the publisher.
const metric_info& mqtt_reconnects_metric();

/// `intuition_algorithm_actors{node}`: the router (per member) and a worker
/// node's agent (itself).
const metric_info& algorithm_actors_metric();

} // namespace intuition::actors

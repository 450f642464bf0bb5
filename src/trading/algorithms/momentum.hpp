#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/algorithm.hpp"
#include "trading/indicators.hpp"

namespace intuition::trading {

/// Momentum on the rate of change: buys when prices rose by more than a
/// threshold over the lookback, sells when they fell by more than it.
///
/// Parameters (a JSON object; every key optional):
/// - `lookback` (integer in [1, 100000], default 20): periods of the rate of
///   change (p_t - p_{t-lookback}) / p_{t-lookback}.
/// - `threshold` (number >= 0, default 0.05): the rate of change must exceed
///   it in absolute value to count as a move (0.05 = 5%).
/// - `channels` (list of non-empty strings, default `["quotes"]`): data
///   channels to subscribe to.
///
/// Signals fire on regime changes only, so a long rally buys once: the
/// regime is "up" while ROC > threshold, "down" while ROC < -threshold and
/// "flat" otherwise; entering "up" buys and entering "down" sells. Strength
/// is min(1, |ROC|).
class momentum : public algorithm {
public:
  /// Registry name.
  static constexpr const char* name = "momentum";

  /// Default lookback in quotes.
  static constexpr int64_t default_lookback = 20;

  /// Default threshold on the rate of change.
  static constexpr double default_threshold = 0.05;

  /// Creates an instance with the default parameters.
  momentum();

  /// Validates `params`, resets the indicator and returns the channels,
  /// or the failure naming the bad parameter.
  result<std::vector<std::string>>
  initialize(const nlohmann::json& params) override;

  /// Feeds the rate of change and reports a regime change, if any.
  std::optional<signal_decision> on_quote(const quote& q) override;

  /// Name, quotes seen, rate of change (null until ready) and regime, last
  /// signal and parameters.
  nlohmann::json state() const override;

  /// `lookback + 1`: the rate of change needs that many prices.
  size_t warmup() const noexcept override;

private:
  enum class regime { flat, up, down };

  static const char* to_string(regime x) noexcept;

  size_t lookback_;
  double threshold_;
  std::vector<std::string> channels_;
  rate_of_change roc_;
  regime regime_ = regime::flat;
  uint64_t quotes_ = 0;
  std::optional<side> last_signal_;
};

} // namespace intuition::trading

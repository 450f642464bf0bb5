#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/algorithm.hpp"
#include "trading/indicators.hpp"

namespace intuition::trading {

/// Trend follower on two simple moving averages: buys on a golden cross (the
/// fast average rises above the slow one) and sells on a death cross.
///
/// Parameters (a JSON object; every key optional):
/// - `fast` (integer in [1, 100000], default 10): length of the fast average;
///   must be less than `slow`.
/// - `slow` (integer in [2, 100000], default 30): length of the slow average.
/// - `channels` (list of non-empty strings, default `["quotes"]`): data
///   channels to subscribe to.
///
/// Once both averages are ready, the first quote only records which side the
/// fast average is on. Afterwards a buy fires when the previous difference
/// fast - slow was <= 0 and the current one is > 0; a sell when it was >= 0
/// and is now < 0. Touching zero alone never signals. The comparison uses the
/// exact integer sums, so equal averages compare equal. Strength is 1.
class sma_crossover : public algorithm {
public:
  /// Registry name.
  static constexpr const char* name = "sma_crossover";

  /// Default length of the fast average.
  static constexpr int64_t default_fast = 10;

  /// Default length of the slow average.
  static constexpr int64_t default_slow = 30;

  /// Creates an instance with the default parameters.
  sma_crossover();

  /// Validates `params`, resets the averages and returns the channels,
  /// or the failure naming the bad parameter.
  result<std::vector<std::string>>
  initialize(const nlohmann::json& params) override;

  /// Feeds both averages and reports a cross, if any.
  std::optional<signal_decision> on_quote(const quote& q) override;

  /// Name, quotes seen, both averages and their difference (null until
  /// ready), last signal and parameters.
  nlohmann::json state() const override;

  /// The slow length: both averages are ready after that many quotes.
  size_t warmup() const noexcept override;

private:
  /// Sign of fast - slow (-1, 0, 1), exact; nothing until both are ready.
  std::optional<int> diff_sign() const;

  size_t fast_n_;
  size_t slow_n_;
  std::vector<std::string> channels_;
  sma fast_;
  sma slow_;
  uint64_t quotes_ = 0;
  std::optional<int> prev_sign_;
  std::optional<side> last_signal_;
};

} // namespace intuition::trading

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/algorithm.hpp"
#include "trading/indicators.hpp"

namespace intuition::trading {

/// Rescaled-range (R/S) Hurst exponent of `n` values, or nothing when it is
/// undefined (fewer than two chunk sizes with a non-zero spread).
///
/// The classic estimate: for chunk sizes 8, 16, 32, ... up to `n`, split the
/// newest `k * size` values into `k = n / size` chunks (the oldest remainder
/// is left out), take each chunk's range of cumulative deviations from its
/// mean over its population standard deviation (chunks with zero deviation
/// are skipped), and average per size. The exponent is the least-squares
/// slope of log(R/S) against log(size). About 0.5 for independent values,
/// towards 1 for persistent ones, towards 0 for anti-persistent ones.
/// Deterministic: the same values give the same result bit for bit.
std::optional<double> hurst_exponent(const double* xs, size_t n);

/// A regime filter on the Hurst exponent of the symbol's log returns: buys a
/// trending market above its mean, sells a mean-reverting one above its mean.
///
/// Parameters (a JSON object; every key optional):
/// - `window` (integer in [32, 100000], default 256): log returns the
///   exponent is estimated from; they span `window + 1` prices.
/// - `trend_above` (number in (0, 1), default 0.55): an exponent above it
///   reads as a trend.
/// - `revert_below` (number in (0, 1), default 0.45): an exponent below it
///   reads as mean reversion; must be less than `trend_above`.
/// - `channels` (list of non-empty strings, default `["quotes"]`): data
///   channels to subscribe to.
///
/// The exponent is computed afresh on every quote once the window is full,
/// so its cost per quote grows with the window (O(window log window)). The
/// regime is "trend" while the exponent is above `trend_above` and the price
/// above the mean of the window's prices, "revert" while the exponent is
/// below `revert_below` and the price above that mean, and "neutral"
/// otherwise (also while the exponent is undefined, e.g. for a constant
/// price). Entering "trend" buys, entering "revert" sells. Strength is 1.
class hurst : public algorithm {
public:
  /// Registry name.
  static constexpr const char* name = "hurst";

  /// Default window length in log returns.
  static constexpr int64_t default_window = 256;

  /// Shortest window: three chunk sizes (8, 16, 32) for the regression.
  static constexpr int64_t min_window = 32;

  /// Default exponent above which the market reads as trending.
  static constexpr double default_trend_above = 0.55;

  /// Default exponent below which the market reads as mean-reverting.
  static constexpr double default_revert_below = 0.45;

  /// Creates an instance with the default parameters.
  hurst();

  /// Validates `params`, clears the window and returns the channels,
  /// or the failure naming the bad parameter.
  result<std::vector<std::string>>
  initialize(const nlohmann::json& params) override;

  /// Recomputes the exponent and reports a regime change, if any.
  std::optional<signal_decision> on_quote(const quote& q) override;

  /// Name, quotes seen, exponent and mean (null until ready), regime, last
  /// signal and parameters.
  nlohmann::json state() const override;

  /// `window + 1`: the window of returns needs that many prices.
  size_t warmup() const noexcept override;

private:
  enum class regime { neutral, trend, revert };

  static const char* to_string(regime x) noexcept;

  /// Mean of the prices in the window, in units. Precondition: prices full.
  double mean() const noexcept;

  size_t window_;
  double trend_above_;
  double revert_below_;
  std::vector<std::string> channels_;
  /// The last `window + 1` prices, with their exact sum for the mean.
  price_window prices_;
  /// Ring of the last `window` log returns; `next_` is the oldest once full.
  std::vector<double> returns_;
  size_t next_ = 0;
  size_t returns_seen_ = 0;
  /// The returns in time order, rebuilt for each estimate.
  std::vector<double> scratch_;
  std::optional<double> exponent_;
  regime regime_ = regime::neutral;
  uint64_t quotes_ = 0;
  std::optional<side> last_signal_;
};

} // namespace intuition::trading

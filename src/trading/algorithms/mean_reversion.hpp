#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/algorithm.hpp"
#include "trading/indicators.hpp"

namespace intuition::trading {

/// Mean reversion on Bollinger bands: buys a price that fell below the lower
/// band, sells one that rose above the upper band.
///
/// Parameters (a JSON object; every key optional):
/// - `window` (integer in [2, 100000], default 20): prices in the bands,
///   including the current one.
/// - `k` (number > 0, default 2.0): band half-width in population standard
///   deviations. Because the current price is part of the window, it can only
///   leave the bands when k < (window - 1) / sqrt(window).
/// - `channels` (list of non-empty strings, default `["quotes"]`): data
///   channels to subscribe to.
///
/// Signals fire on entering a region only: the regime is "below" while the
/// price is under the lower band, "above" while it is over the upper band and
/// "inside" otherwise; entering "below" buys and entering "above" sells.
/// Strength is 1.
class mean_reversion : public algorithm {
public:
  /// Registry name.
  static constexpr const char* name = "mean_reversion";

  /// Default window length in quotes.
  static constexpr int64_t default_window = 20;

  /// Default band half-width in standard deviations.
  static constexpr double default_k = 2.0;

  /// Creates an instance with the default parameters.
  mean_reversion();

  /// Validates `params`, resets the bands and returns the channels,
  /// or the failure naming the bad parameter.
  result<std::vector<std::string>>
  initialize(const nlohmann::json& params) override;

  /// Feeds the bands and reports a price leaving them, if any.
  std::optional<signal_decision> on_quote(const quote& q) override;

  /// Name, quotes seen, bands and standard deviation (null until ready),
  /// regime, last signal and parameters.
  nlohmann::json state() const override;

  /// The window length: the bands are ready after that many quotes.
  size_t warmup() const noexcept override;

private:
  enum class regime { inside, below, above };

  static const char* to_string(regime x) noexcept;

  size_t window_;
  double k_;
  std::vector<std::string> channels_;
  bollinger_bands bands_;
  regime regime_ = regime::inside;
  uint64_t quotes_ = 0;
  std::optional<side> last_signal_;
};

} // namespace intuition::trading

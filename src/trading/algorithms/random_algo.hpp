#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/algorithm.hpp"

namespace intuition::trading {

/// Reproducible coin flips: each quote draws one uniform number and buys when
/// it exceeds a threshold; never sells. Useful to exercise the pipeline and as
/// a no-skill baseline.
///
/// Parameters (a JSON object; every key optional):
/// - `threshold` (number in [0, 1], default 0.5): a draw must exceed it to
///   buy, so 1 never buys and 0 buys on (almost) every quote.
/// - `seed` (integer, default 42): combined with the symbol, so each symbol
///   draws its own sequence and runs repeat exactly.
/// - `channels` (list of non-empty strings, default `["quotes"]`): data
///   channels to subscribe to.
///
/// The generator is splitmix64 seeded with `seed XOR fnv1a64(symbol)`; a draw
/// is `(next() >> 11) * 2^-53`, in [0, 1). The strength of a buy is the draw.
class random_algo : public algorithm {
public:
  /// Registry name.
  static constexpr const char* name = "random";

  /// Default buy threshold.
  static constexpr double default_threshold = 0.5;

  /// Default seed.
  static constexpr int64_t default_seed = 42;

  /// Creates an instance for `symbol` with the default parameters.
  explicit random_algo(std::string symbol);

  /// Validates `params`, re-seeds the generator and returns the channels,
  /// or the failure naming the bad parameter.
  result<std::vector<std::string>>
  initialize(const nlohmann::json& params) override;

  /// Draws once and buys if the draw exceeds the threshold.
  std::optional<signal_decision> on_quote(const quote& q) override;

  /// Name, symbol, quotes seen, last draw (null before the first quote),
  /// last signal and parameters.
  nlohmann::json state() const override;

  /// Always 0: draws do not depend on past prices.
  size_t warmup() const noexcept override;

  /// 64-bit FNV-1a hash of `str`.
  static uint64_t fnv1a64(std::string_view str) noexcept;

private:
  /// Advances the splitmix64 state and returns the next output.
  uint64_t next() noexcept;

  /// Restarts the generator from `seed_` and the symbol.
  void reseed() noexcept;

  std::string symbol_;
  double threshold_ = default_threshold;
  int64_t seed_ = default_seed;
  std::vector<std::string> channels_;
  uint64_t state_ = 0;
  uint64_t quotes_ = 0;
  std::optional<double> last_draw_;
  std::optional<side> last_signal_;
};

} // namespace intuition::trading

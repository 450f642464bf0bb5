#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/algorithm.hpp"

namespace intuition::trading {

/// Buys once on the first quote and never trades again: the baseline every
/// other strategy is measured against.
///
/// Parameters (a JSON object; every key optional):
/// - `channels` (list of non-empty strings, default `["quotes"]`): data
///   channels to subscribe to.
class buy_and_hold : public algorithm {
public:
  /// Registry name.
  static constexpr const char* name = "buy_and_hold";

  /// Creates an instance that has not bought yet.
  buy_and_hold();

  /// Validates `params`, resets the instance and returns its channels,
  /// or the failure naming the bad parameter.
  result<std::vector<std::string>>
  initialize(const nlohmann::json& params) override;

  /// Buys (strength 1) on the first quote only.
  std::optional<signal_decision> on_quote(const quote& q) override;

  /// Name, quotes seen, whether it bought, last signal and parameters.
  nlohmann::json state() const override;

  /// Always 0: the decision needs no history.
  size_t warmup() const noexcept override;

  /// A restored holding means the one buy already happened (before a
  /// restart): the instance does not buy again.
  void restore_position(quantity net) override;

private:
  std::vector<std::string> channels_;
  uint64_t quotes_ = 0;
  std::optional<side> last_signal_;
  /// The journal says this strategy already holds the symbol.
  bool holding_ = false;
};

} // namespace intuition::trading

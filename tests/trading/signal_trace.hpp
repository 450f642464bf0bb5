#pragma once

// Shared by the algorithm suites: a compact, readable trace of the signals
// an algorithm raises over a price series.

#include <cstdint>
#include <string>
#include <vector>

#include "trading/algorithm.hpp"

namespace intuition::trading::testing {

/// Feeds whole-unit prices and lists the signals as "INDEX SIDE, ..."; a
/// strength other than 1 is shown after the side.
inline std::string run(algorithm& algo, const std::vector<int64_t>& prices) {
  std::string result;
  for (size_t i = 0; i < prices.size(); ++i) {
    quote q{"AAPL", prices[i] * 1'000'000, static_cast<int64_t>(i), i + 1};
    if (auto d = algo.on_quote(q)) {
      if (!result.empty())
        result += ", ";
      result += std::to_string(i) + " " + std::string{to_string(d->direction)};
      if (d->strength != 1.0)
        result += " (strength " + std::to_string(d->strength) + ")";
    }
  }
  return result;
}

} // namespace intuition::trading::testing

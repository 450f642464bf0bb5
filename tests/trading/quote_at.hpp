#pragma once

// Shared by the suites that feed quotes of a symbol at a time: a quote of
// `symbol` at `ts_ms`, priced in whole units.

#include <cstdint>
#include <string>

#include "trading/types.hpp"

namespace intuition::trading {

inline quote quote_at(const std::string& symbol, int64_t ts_ms,
                      int64_t price_units = 100) {
  quote q;
  q.symbol = symbol;
  q.ts_ms = ts_ms;
  q.price_micros = price_units * micros_per_unit;
  return q;
}

} // namespace intuition::trading

#include "trading/types.hpp"

#include "trading/checked.hpp"

namespace intuition::trading {

std::string_view to_string(side x) noexcept {
  return x == side::buy ? "buy" : "sell";
}

bool from_string(std::string_view str, side& x) noexcept {
  if (str == "buy") {
    x = side::buy;
    return true;
  }
  if (str == "sell") {
    x = side::sell;
    return true;
  }
  return false;
}

bool operator==(const quote& x, const quote& y) noexcept {
  return x.symbol == y.symbol && x.price_micros == y.price_micros
         && x.ts_ms == y.ts_ms && x.seq == y.seq
         && x.received_ns == y.received_ns && x.input_pos == y.input_pos
         && x.channel == y.channel;
}

bool operator==(const quote_tick& x, const quote_tick& y) noexcept {
  return x.price_micros == y.price_micros && x.ts_ms == y.ts_ms
         && x.seq == y.seq && x.received_ns == y.received_ns;
}

bool operator==(const signal& x, const signal& y) noexcept {
  return x.strategy == y.strategy && x.symbol == y.symbol
         && x.direction == y.direction && x.strength == y.strength
         && x.price_micros == y.price_micros && x.ts_ms == y.ts_ms
         && x.quote_seq == y.quote_seq;
}

bool operator==(const order& x, const order& y) noexcept {
  return x.seq == y.seq && x.id == y.id && x.ts_ms == y.ts_ms
         && x.strategy == y.strategy && x.symbol == y.symbol
         && x.direction == y.direction && x.qty == y.qty
         && x.price_micros == y.price_micros
         && x.commission_micros == y.commission_micros
         && x.input_pos == y.input_pos;
}

int64_t cash_delta_micros(const order& x) noexcept {
  // The portfolio only fills orders whose cash move fits; 128 bits keep a
  // hand-made record from being undefined behaviour.
  auto notional = static_cast<int128_t>(x.price_micros) * x.qty;
  return saturate(x.direction == side::buy ? -(notional + x.commission_micros)
                                           : notional - x.commission_micros);
}

} // namespace intuition::trading

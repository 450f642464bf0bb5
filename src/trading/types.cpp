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
         && x.input_pos == y.input_pos && x.kind == y.kind && x.ref == y.ref
         && x.type == y.type && x.tif == y.tif
         && x.limit_micros == y.limit_micros && x.stop_micros == y.stop_micros
         && x.reason == y.reason;
}

namespace {

/// Finds the enumerator of `E` (values 0 to `count - 1`) spelled `str`.
template <class E>
bool enum_from_string(std::string_view str, E& x, uint8_t count) noexcept {
  for (uint8_t i = 0; i < count; ++i) {
    if (str == to_string(static_cast<E>(i))) {
      x = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

} // namespace

std::string_view to_string(record_kind x) noexcept {
  switch (x) {
    case record_kind::fill:
      return "fill";
    case record_kind::placed:
      return "new";
    case record_kind::cancelled:
      return "cancelled";
    case record_kind::expired:
      return "expired";
    case record_kind::triggered:
      return "triggered";
  }
  return "invalid";
}

bool from_string(std::string_view str, record_kind& x) noexcept {
  return enum_from_string(str, x, 5);
}

std::string_view to_string(order_type x) noexcept {
  switch (x) {
    case order_type::market:
      return "market";
    case order_type::limit:
      return "limit";
    case order_type::stop:
      return "stop";
    case order_type::stop_limit:
      return "stop_limit";
  }
  return "invalid";
}

bool from_string(std::string_view str, order_type& x) noexcept {
  return enum_from_string(str, x, 4);
}

std::string_view to_string(time_in_force x) noexcept {
  switch (x) {
    case time_in_force::gtc:
      return "gtc";
    case time_in_force::day:
      return "day";
    case time_in_force::ioc:
      return "ioc";
  }
  return "invalid";
}

bool from_string(std::string_view str, time_in_force& x) noexcept {
  return enum_from_string(str, x, 3);
}

int64_t cash_delta_micros(const order& x) noexcept {
  // The portfolio only fills orders whose cash move fits; 128 bits keep a
  // hand-made record from being undefined behaviour.
  auto notional = static_cast<int128_t>(x.price_micros) * x.qty;
  return saturate(x.direction == side::buy ? -(notional + x.commission_micros)
                                           : notional - x.commission_micros);
}

int64_t utc_day(int64_t ts_ms) noexcept {
  auto day = ts_ms / ms_per_day;
  return ts_ms % ms_per_day < 0 ? day - 1 : day;
}

} // namespace intuition::trading

#include "trading/open_orders.hpp"

#include <algorithm>

#include "trading/checked.hpp"

namespace intuition::trading {

bool operator==(const order_spec& x, const order_spec& y) noexcept {
  return x.type == y.type && x.offset_bps == y.offset_bps
         && x.stop_offset_bps == y.stop_offset_bps && x.tif == y.tif;
}

namespace {

/// `price` moved by `bps` basis points up (`up`) or down, rounded.
std::optional<int64_t> moved(int64_t price, double bps, bool up) noexcept {
  auto p = static_cast<double>(price);
  // As the slippage model: add the move, so that whole-micro moves stay exact.
  auto move = p * bps / 1e4;
  auto out = round_to_int64(up ? p + move : p - move);
  if (!out)
    return std::nullopt;
  return std::max<int64_t>(*out, 1);
}

} // namespace

// -- pricing ----------------------------------------------------------------------

std::optional<order_prices> price_order(const order_spec& spec, side direction,
                                        int64_t signal_price_micros) noexcept {
  order_prices out;
  auto buy = direction == side::buy;
  if (spec.type == order_type::limit || spec.type == order_type::stop_limit) {
    auto limit = moved(signal_price_micros, spec.offset_bps, !buy);
    if (!limit)
      return std::nullopt;
    out.limit_micros = *limit;
  }
  if (spec.type == order_type::stop || spec.type == order_type::stop_limit) {
    auto stop = moved(signal_price_micros, spec.stop_offset_bps, buy);
    if (!stop)
      return std::nullopt;
    out.stop_micros = *stop;
  }
  return out;
}

// -- matching ---------------------------------------------------------------------

bool limit_crossed(side direction, int64_t limit_micros,
                   int64_t price_micros) noexcept {
  return direction == side::buy ? price_micros <= limit_micros
                                : price_micros >= limit_micros;
}

bool stop_reached(side direction, int64_t stop_micros,
                  int64_t price_micros) noexcept {
  return direction == side::buy ? price_micros >= stop_micros
                                : price_micros <= stop_micros;
}

execution match(resting_order& x, int64_t price_micros,
                bool arriving) noexcept {
  const auto& o = x.placed;
  execution out;
  switch (o.type) {
    case order_type::market:
      out.kind = execution_kind::at_market;
      return out;
    case order_type::stop:
      if (stop_reached(o.direction, o.stop_micros, price_micros))
        out.kind = execution_kind::at_market;
      return out;
    case order_type::stop_limit:
      if (!x.triggered) {
        if (!stop_reached(o.direction, o.stop_micros, price_micros))
          return out;
        x.triggered = true;
        out.triggered_now = true;
        // The limit enters the market now: it takes this quote if it can.
        arriving = true;
      }
      break;
    case order_type::limit:
      break;
  }
  if (!limit_crossed(o.direction, o.limit_micros, price_micros))
    return out;
  out.kind = arriving ? execution_kind::at_market : execution_kind::at_limit;
  out.limit_micros = o.limit_micros;
  return out;
}

int64_t fill_price(const execution& e, side direction,
                   int64_t market_micros) noexcept {
  if (e.kind == execution_kind::at_limit)
    return e.limit_micros;
  if (e.limit_micros == 0)
    return market_micros;
  return direction == side::buy ? std::min(market_micros, e.limit_micros)
                                : std::max(market_micros, e.limit_micros);
}

// -- the book of resting orders ----------------------------------------------------

void open_orders::add(const order& placed) {
  seen_ref(placed.ref);
  orders_[placed.ref] = resting_order{placed, false};
}

resting_order* open_orders::find(uint64_t ref) {
  auto i = orders_.find(ref);
  return i != orders_.end() ? &i->second : nullptr;
}

bool open_orders::remove(uint64_t ref) {
  return orders_.erase(ref) > 0;
}

order life_record(const resting_order& x, record_kind kind, int64_t ts_ms,
                  std::string reason) {
  auto out = x.placed;
  out.seq = 0;
  out.id = 0;
  out.kind = kind;
  out.ts_ms = ts_ms;
  out.input_pos = 0;
  out.reason = std::move(reason);
  return out;
}

} // namespace intuition::trading

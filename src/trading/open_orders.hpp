#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "trading/types.hpp"

/// Resting paper orders: how limit and stop orders are priced from a
/// signal, when a quote crosses them, and how long they live. Pure rules; the
/// portfolio sizes, checks risk and books the fills.
///
/// The paper venue sees an order at the price of the quote that caused its
/// signal. A `gtc` or `day` order then rests and only later quotes of its
/// symbol can fill it; an `ioc` order is matched against that quote alone
/// and cancelled when it does not fill.
namespace intuition::trading {

// -- pricing ----------------------------------------------------------------------

/// How a strategy's signals become orders (config `order`). Offsets are basis
/// points of the signal's price.
struct order_spec {
  order_type type = order_type::market;
  /// Limit price: below the signal's price for a buy, above for a sell (a
  /// better price); negative puts it on the other side (a marketable limit,
  /// and the usual choice for a stop_limit's limit beyond its stop).
  double offset_bps = 0.0;
  /// Stop price: above the signal's price for a buy, below for a sell.
  double stop_offset_bps = 0.0;
  time_in_force tif = time_in_force::gtc;
};

bool operator==(const order_spec& x, const order_spec& y) noexcept;

/// The limit and stop price of an order (0 where the type has none).
struct order_prices {
  int64_t limit_micros = 0;
  int64_t stop_micros = 0;
};

/// Prices an order of `spec` on a signal at `signal_price_micros`, rounded
/// to the nearest micro and at least 1; nothing when a price leaves 64 bits.
std::optional<order_prices> price_order(const order_spec& spec, side direction,
                                        int64_t signal_price_micros) noexcept;

// -- matching ---------------------------------------------------------------------

/// Whether a quote at `price_micros` reaches a limit: at or below it for a
/// buy, at or above it for a sell.
bool limit_crossed(side direction, int64_t limit_micros,
                   int64_t price_micros) noexcept;

/// Whether a quote at `price_micros` reaches a stop: at or above it for a
/// buy, at or below it for a sell.
bool stop_reached(side direction, int64_t stop_micros,
                  int64_t price_micros) noexcept;

/// A resting order: its `new` record, and whether its stop was reached.
struct resting_order {
  order placed;
  bool triggered = false;
};

/// How a quote fills a resting order.
enum class execution_kind : uint8_t {
  none,      ///< not filled by this quote
  at_limit,  ///< filled at the limit price, no slippage (a resting limit a
             ///< later quote reached: the venue fills it at its price)
  at_market, ///< filled at the quote's price with slippage (a stop that
             ///< triggered, or a limit marketable when it arrived), never
             ///< worse than the limit when the order has one
};

/// What one quote does to a resting order.
struct execution {
  execution_kind kind = execution_kind::none;
  /// Limit price the fill may not be worse than (0: none); for `at_limit`
  /// the fill price.
  int64_t limit_micros = 0;
  /// Whether the quote reached a stop_limit's stop (it rests as a limit from
  /// now on, and the portfolio journals a `triggered` record).
  bool triggered_now = false;
};

/// Matches `x` against a quote at `price_micros`. `arriving` is true for
/// the quote the order was placed on (an `ioc` order's only chance): a
/// limit marketable on arrival takes the quote's price like a market order,
/// capped at its limit. A stop_limit whose stop the quote reaches is marked
/// triggered and matched against the same quote as an arriving limit.
execution match(resting_order& x, int64_t price_micros, bool arriving) noexcept;

/// The fill price of `e` for a quote whose market fill (with slippage)
/// would be at `market_micros`.
int64_t fill_price(const execution& e, side direction,
                   int64_t market_micros) noexcept;

// -- the book of resting orders ----------------------------------------------------

/// Counts of resting orders' lives.
struct order_life_counters {
  uint64_t placed = 0;
  uint64_t filled = 0;
  uint64_t cancelled = 0;
  uint64_t expired = 0;
};

/// The open orders by number (`ref`), oldest first, at most `max_open`.
class open_orders {
public:
  explicit open_orders(size_t max_open = 1000) : max_open_(max_open) {
    // nop
  }

  /// Whether another order would exceed the bound.
  bool full() const noexcept {
    return orders_.size() >= max_open_;
  }

  bool empty() const noexcept {
    return orders_.empty();
  }

  size_t size() const noexcept {
    return orders_.size();
  }

  /// Hands out the next order number.
  uint64_t next_ref() noexcept {
    return next_ref_++;
  }

  /// Makes every later number larger than `ref` (a number found in the
  /// journal).
  void seen_ref(uint64_t ref) noexcept {
    if (ref >= next_ref_)
      next_ref_ = ref + 1;
  }

  /// Adds a `new` record as an open order (also beyond the bound: the
  /// portfolio checks `full` before placing, a restart restores everything).
  void add(const order& placed);

  /// The open order `ref`, or null.
  resting_order* find(uint64_t ref);

  /// Removes `ref`; false when it is not open.
  bool remove(uint64_t ref);

  const std::map<uint64_t, resting_order>& all() const noexcept {
    return orders_;
  }

  std::map<uint64_t, resting_order>& all() noexcept {
    return orders_;
  }

  order_life_counters counters;

private:
  size_t max_open_;
  uint64_t next_ref_ = 1;
  std::map<uint64_t, resting_order> orders_;
};

/// A record of resting order `x`'s life: its `new` record with `kind`,
/// time and (for `cancelled`) reason replaced, no input position.
order life_record(const resting_order& x, record_kind kind, int64_t ts_ms,
                  std::string reason = {});

} // namespace intuition::trading

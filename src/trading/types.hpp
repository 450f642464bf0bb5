#pragma once

#include <cstdint>
#include <string>
#include <string_view>

/// Domain types of the trading core. Nothing here knows about CAF or MQTT.
namespace intuition::trading {

// -- fixed point ----------------------------------------------------------------

/// Prices, cash and commissions are integers in millionths of the quote
/// currency (`_micros`), so sums of money never drift.
constexpr int64_t micros_per_unit = 1'000'000;

/// Quantities are whole shares (or index units); signed where a position may
/// be short.
using quantity = int64_t;

/// Longest symbol the codec accepts.
constexpr size_t max_symbol_length = 32;

// -- side -----------------------------------------------------------------------

/// Direction of a signal or an order.
enum class side : uint8_t { buy, sell };

/// Renders `buy` or `sell`.
std::string_view to_string(side x) noexcept;

/// Parses `buy` or `sell`; returns false for anything else.
bool from_string(std::string_view str, side& x) noexcept;

// -- quote ----------------------------------------------------------------------

/// One price observation for one symbol.
struct quote {
  /// Upper-case symbol, 1 to `max_symbol_length` characters.
  std::string symbol;
  /// Last traded (or quoted) price.
  int64_t price_micros = 0;
  /// Event time in epoch milliseconds (the source's, or arrival time).
  int64_t ts_ms = 0;
  /// Position in the input stream, assigned by the router; 0 until then.
  uint64_t seq = 0;
  /// Steady-clock time (ns) the runtime received the quote, for
  /// tick-to-order latency; 0 for replayed history.
  int64_t received_ns = 0;
  /// Position of the message in the input log (`input_log`) it came from;
  /// 0 for quotes that did not come through the log (replay).
  uint64_t input_pos = 0;
  /// The channel set of the topic the quote arrived on, as the ingress
  /// numbered it (`channel_table`): only the strategies in that set trade
  /// it. 0 for quotes without a topic (replay): every strategy that trades
  /// the symbol does.
  uint32_t channel = 0;
};

bool operator==(const quote& x, const quote& y) noexcept;

/// A quote of a symbol the receiver already knows (an algorithm instance
/// serves one symbol): what travels to the instances, half a quote's size
/// and free of allocations.
struct quote_tick {
  int64_t price_micros = 0;
  int64_t ts_ms = 0;
  uint64_t seq = 0;
  int64_t received_ns = 0;
};

bool operator==(const quote_tick& x, const quote_tick& y) noexcept;

/// The tick of `q`.
inline quote_tick tick_of(const quote& q) noexcept {
  return {q.price_micros, q.ts_ms, q.seq, q.received_ns};
}

/// Sets `q`'s price, time and sequence from `x` (its symbol stays).
inline void assign_tick(quote& q, const quote_tick& x) noexcept {
  q.price_micros = x.price_micros;
  q.ts_ms = x.ts_ms;
  q.seq = x.seq;
  q.received_ns = x.received_ns;
}

// -- signal ---------------------------------------------------------------------

/// What an algorithm says about one quote.
struct signal_decision {
  side direction = side::buy;
  /// Conviction in [0, 1]; informational, sizing does not scale by it.
  double strength = 1.0;
};

/// A decision tagged with where it came from and the quote that caused it.
struct signal {
  std::string strategy;
  std::string symbol;
  side direction = side::buy;
  double strength = 1.0;
  /// Price of the quote that caused the signal: paper fills happen here.
  int64_t price_micros = 0;
  int64_t ts_ms = 0;
  /// Sequence number of the causing quote, for ordering across symbols.
  uint64_t quote_seq = 0;
};

bool operator==(const signal& x, const signal& y) noexcept;

// -- order ----------------------------------------------------------------------

/// What a journal record says happened: today's records are fills; a
/// resting (limit or stop) order adds records for its life around its fill.
enum class record_kind : uint8_t {
  fill,      ///< an order filled (journal: no `kind` field)
  placed,    ///< a resting order was accepted (journal `"kind":"new"`)
  cancelled, ///< a resting order was cancelled (`reason` says why)
  expired,   ///< a `day` order outlived its UTC day
  triggered, ///< a `stop_limit` order's stop was reached: it rests as a limit
};

/// Renders the journal spelling: `fill`, `new`, `cancelled`, `expired`,
/// `triggered`.
std::string_view to_string(record_kind x) noexcept;

/// Parses the journal spelling; returns false for anything else.
bool from_string(std::string_view str, record_kind& x) noexcept;

/// How a strategy's order meets the market.
enum class order_type : uint8_t {
  market,     ///< filled at once at the signal's price plus slippage
  limit,      ///< rests until a quote reaches the limit price
  stop,       ///< rests until a quote reaches the stop, then fills as market
  stop_limit, ///< rests until a quote reaches the stop, then as a limit
};

std::string_view to_string(order_type x) noexcept;
bool from_string(std::string_view str, order_type& x) noexcept;

/// How long a resting order lives.
enum class time_in_force : uint8_t {
  gtc, ///< until filled or cancelled
  day, ///< until the end of the UTC day it was placed on
  ioc, ///< filled by the quote it was placed on, or cancelled at once
};

std::string_view to_string(time_in_force x) noexcept;
bool from_string(std::string_view str, time_in_force& x) noexcept;

/// A journal record: a filled paper order (as journaled and published), or
/// with `kind` other than `fill` a step in the life of a resting order.
struct order {
  /// Position of the record in the journal (1, 2, ...); 0 until journaled.
  uint64_t seq = 0;
  /// Unique order id, never reused across restarts; 0 until journaled.
  uint64_t id = 0;
  /// Timestamp of the quote that caused the order (epoch ms).
  int64_t ts_ms = 0;
  std::string strategy;
  std::string symbol;
  side direction = side::buy;
  /// Always positive; `direction` gives the sign.
  quantity qty = 0;
  /// Fill price including slippage.
  int64_t price_micros = 0;
  int64_t commission_micros = 0;
  /// Input-log position of the quote that caused the order (journal field
  /// `in`, written only when not 0): a restart skips (position, strategy,
  /// symbol) pairs already journaled.
  uint64_t input_pos = 0;
  // -- resting orders (all defaults for a market fill) ------------------------
  /// What the record says happened.
  record_kind kind = record_kind::fill;
  /// Number of the resting order the record belongs to (journal `ref`),
  /// handed out by the portfolio; 0 for a market fill.
  uint64_t ref = 0;
  /// Type, time in force, limit and stop price of the resting order (only
  /// journaled in its `new` record; the other records name it by `ref`).
  order_type type = order_type::market;
  time_in_force tif = time_in_force::gtc;
  int64_t limit_micros = 0;
  int64_t stop_micros = 0;
  /// Why a resting order was cancelled (`cancelled` records only).
  std::string reason;
};

bool operator==(const order& x, const order& y) noexcept;

/// Cash the order moves: negative for a buy (price * qty + commission),
/// positive for a sell (price * qty - commission); clamped to 64 bits (the
/// portfolio refuses orders whose cash move does not fit).
int64_t cash_delta_micros(const order& x) noexcept;

/// Milliseconds in a UTC day.
constexpr int64_t ms_per_day = 86'400'000;

/// The UTC day of an epoch-millisecond timestamp: days since 1970-01-01,
/// rounded down, so times before 1970 fall on the day before, not on day 0.
/// Time in force and the daily loss limit cut days here.
int64_t utc_day(int64_t ts_ms) noexcept;

} // namespace intuition::trading

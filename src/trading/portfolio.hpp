#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <variant>
#include <vector>

#include "trading/book.hpp"
#include "trading/open_orders.hpp"
#include "trading/sizing.hpp"
#include "trading/trading_mode.hpp"
#include "trading/types.hpp"

/// The portfolio decides how much to bet on a signal (sizing), whether the
/// order may exist (risk), and fills it on paper (execution) into the book.
namespace intuition::trading {

// -- execution costs --------------------------------------------------------------

/// Commission per fill: per-share part plus basis points of notional, never
/// below the minimum (a zero minimum means none).
struct commission_model {
  int64_t per_share_micros = 0;
  double bps = 0.0;
  int64_t minimum_micros = 0;

  /// Commission in micros for `qty` at `price_micros`, rounded to nearest;
  /// nothing when it does not fit 64 bits.
  std::optional<int64_t> compute(quantity qty,
                                 int64_t price_micros) const noexcept;
};

/// Adverse price move applied to every fill, in basis points.
struct slippage_model {
  double bps = 0.0;

  /// Buy fills above, sell fills below the quote, rounded to nearest micro;
  /// nothing when the price does not fit 64 bits.
  std::optional<int64_t> fill_price(side direction,
                                    int64_t quote_price_micros) const noexcept;
};

// -- sizing -----------------------------------------------------------------------

/// How much to trade on a signal.
enum class sizing_kind : uint8_t {
  random_fraction,   ///< buy with a uniform fraction in [min_fraction,
                     ///< max_fraction) of cash
  fixed_fraction,    ///< buy with `fraction` of available cash
  fixed_quantity,    ///< buy or sell `qty` units
  equal_weight,      ///< target equity / number of symbols per symbol
  kelly,             ///< `fraction` of the Kelly fraction of equity from the
                     ///< strategy's last `lookback_trades` closed trades
  volatility_target, ///< a position whose daily volatility is `target` of
                     ///< equity
};

std::string_view to_string(sizing_kind x) noexcept;
bool from_string(std::string_view str, sizing_kind& x) noexcept;

struct sizing_config {
  sizing_kind kind = sizing_kind::fixed_fraction;
  double fraction = 0.1;
  double min_fraction = 0.0;
  double max_fraction = 1.0;
  quantity qty = 1;
  /// Seed of `random_fraction`'s generator.
  uint64_t seed = 42;
  /// Symbols `equal_weight` splits across (the runtime fills this from the
  /// strategies' symbol lists when it is empty).
  std::vector<std::string> symbols;
  // -- kelly (uses `fraction` and `max_fraction` as the scale and the cap) --
  /// Closed trades the Kelly fraction is computed over; none is bet until
  /// this many exist.
  size_t lookback_trades = 20;
  // -- volatility_target ------------------------------------------------------
  /// Expected daily volatility of the position as a fraction of equity.
  double target = 0.01;
  /// Decay of the EWMA variance of the symbol's quote-to-quote returns.
  double lambda = 0.94;
  /// Returns observed before the symbol is sized (0 units until then).
  uint64_t min_observations = 20;
  /// Quotes per trading day: daily volatility is the per-quote volatility
  /// times its square root (1 for daily bars).
  double quotes_per_day = 1.0;
};

// -- risk -------------------------------------------------------------------------

struct risk_config {
  /// Whether a sell may take a strategy's holding below zero.
  bool allow_short = false;
  /// Largest absolute net position per symbol; 0 means no limit.
  quantity max_position = 0;
  /// Largest notional of one order; 0 means no limit.
  int64_t max_order_notional_micros = 0;
  /// Limits that halt trading when crossed (`max_drawdown`,
  /// `max_daily_loss`); zeros mean none.
  risk_limits halt;
};

/// Why a signal did not become an order.
enum class refusal_reason : uint8_t {
  zero_quantity,          ///< sizing gave less than one unit
  insufficient_cash,      ///< the buy and its costs exceed available cash
  short_selling_disabled, ///< a sell with nothing held and shorting off
  max_position,           ///< the fill would exceed max_position
  max_order_notional,     ///< the order's notional exceeds the limit
  notional_overflow,      ///< a money figure of the order (notional,
                          ///< slippage, commission) or of the book after it
                          ///< (cash, cost basis, P&L) would leave 64 bits
  open_orders_full,       ///< a resting order beyond `max_open_orders`
  // -- operator control
  halted,      ///< the operator halted trading
  reduce_only, ///< the order would not shrink the strategy's holding
  risk_halt,   ///< a risk limit (max_drawdown, max_daily_loss) halted trading
};

constexpr size_t refusal_reason_count = 10;

std::string_view to_string(refusal_reason x) noexcept;

// -- portfolio --------------------------------------------------------------------

/// Largest starting cash the configuration accepts: a trillion units, so
/// that cash plus a whole account's fills stays far inside 64-bit micros.
constexpr int64_t max_starting_cash_micros
  = 1'000'000'000'000 * micros_per_unit;

struct portfolio_config {
  int64_t starting_cash_micros = 100'000 * micros_per_unit;
  sizing_config sizing;
  risk_config risk;
  commission_model commission;
  slippage_model slippage;
  /// Input-log position up to which every quote was turned into durable
  /// orders before a restart. Orders restored with a higher `input_pos` are
  /// the part of the replayed tail already journaled: `journaled` names them
  /// so that they are not filled twice. Default: 0.
  uint64_t input_watermark = 0;
  /// Order type per strategy name; a strategy not named trades at market.
  std::map<std::string, order_spec> order_specs;
  /// Most resting orders open at once; one more is refused
  /// (`open_orders_full`).
  size_t max_open_orders = 1000;
};

/// Counters the portfolio keeps.
struct portfolio_counters {
  uint64_t quotes = 0;
  uint64_t signals = 0;
  uint64_t orders = 0;
  std::array<uint64_t, refusal_reason_count> refusals{};
};

bool operator==(const portfolio_counters& x,
                const portfolio_counters& y) noexcept;

/// What operator control did at a quote (`portfolio::after_quote`).
struct control_outcome {
  /// Closing orders of a pending flatten, applied to the book (seq and id
  /// still 0).
  std::vector<order> orders;
  /// The risk limit this quote crossed (trading is now halted), if any.
  std::optional<std::string> tripped;
  /// Flattens that completed (`""` stands for every strategy).
  std::vector<std::string> flattened;
};

/// Sizing, risk and paper execution on top of a book. Sells close (or with
/// `fixed_quantity`, reduce) the signalling strategy's own holding; with
/// shorting enabled a sell with nothing held opens a short of the size a buy
/// would have had.
class portfolio {
public:
  explicit portfolio(portfolio_config cfg);

  /// Marks the symbol at the quote's price.
  void on_quote(const quote& q);

  /// Sizes, checks and fills a signal. On success the returned order (seq
  /// and id still 0) is already applied to the book. For a strategy with a
  /// resting order type the returned record is the order's `new` record; an
  /// `ioc` order's fill or cancellation follows in `take_records`.
  std::variant<order, refusal_reason> on_signal(const signal& s);

  /// Records of resting orders produced since the last call (fills,
  /// triggers, cancellations, expiries by `on_quote`, an `ioc` order's
  /// outcome by `on_signal`), in the order they happened, to be journaled
  /// after what `on_signal` returned. Their input position is 0.
  std::vector<order> take_records();

  /// Cancels the open orders of `strategy` (all when empty) with `reason`,
  /// at time `ts_ms`; returns their `cancelled` records (to be journaled).
  std::vector<order> cancel_open_orders(const std::string& strategy,
                                        const std::string& reason,
                                        int64_t ts_ms);

  /// Cancels the open orders of `strategy` (all when empty) with `reason`
  /// at the last quote's time; their records follow in `take_records`.
  /// Returns how many were cancelled.
  size_t cancel_resting(const std::string& strategy, const std::string& reason);

  /// The resting orders still open.
  const open_orders& resting() const noexcept {
    return open_;
  }

  /// Applies an order recovered from the journal (no sizing, no risk); a
  /// record of a resting order's life opens, triggers or closes it.
  /// Returns false, leaving the book as it was, when a money figure of the
  /// book would leave 64 bits.
  bool restore(const order& x);

  /// Whether the journal already holds the order of `strategy` on `symbol`
  /// for the quote at input position `input_pos` (restored above the
  /// watermark).
  bool journaled(uint64_t input_pos, const std::string& strategy,
                 const std::string& symbol) const;

  const book& positions() const noexcept {
    return book_;
  }

  const portfolio_counters& counters() const noexcept {
    return counters_;
  }

  const portfolio_config& config() const noexcept {
    return cfg_;
  }

  // -- operator control -------------------------------------------------------

  /// The trading mode, the risk watermarks and the pending flatten.
  const trading_mode& mode() const noexcept {
    return mode_;
  }

  /// Sets the mode by the operator (`resume` is `mode_kind::normal`);
  /// false when nothing changed.
  bool set_mode(mode_kind kind, std::string reason);

  /// Restores a journaled mode at start.
  void restore_mode(mode_kind kind, std::string reason, bool risk_tripped);

  /// Restores the risk limits' watermarks an earlier process saved.
  void restore_risk_marks(const risk_marks& x) {
    mode_.restore_marks(x);
  }

  /// Asks to close the positions of `strategy` (every strategy when empty)
  /// at the next quote of each symbol; returns how many holdings are open.
  size_t request_flatten(const std::string& strategy);

  /// Call after `on_quote`: closes what a pending flatten holds in the
  /// quote's symbol and checks the risk limits.
  control_outcome after_quote(const quote& q);

private:
  /// Called whenever trading halts (operator or risk limit): cancels every
  /// open order (the records follow in `take_records`).
  void on_halt();

  /// The refusal the mode gives `s` before sizing, if any.
  std::optional<refusal_reason> mode_refusal(const signal& s) const;

  /// In reduce-only mode, `qty` cut to what shrinks the holding, or nothing
  /// when the order would not shrink it; `qty` itself otherwise.
  std::optional<quantity> reduce_only_quantity(const signal& s,
                                               quantity qty) const;

  /// A closing order for `pos` of `strategy` at the quote, applied to the
  /// book; nothing when a money figure would leave 64 bits.
  std::optional<order> close_position(const std::string& strategy,
                                      const position& pos, const quote& q);

  quantity size_buy(const signal& s, int64_t fill_price_micros);

  /// The quantity of a signal filled around `price_micros`, or why none.
  std::variant<quantity, refusal_reason> size_signal(const signal& s,
                                                     int64_t price_micros);

  /// Checks risk for `qty` at `price_micros` and fills it into the book.
  std::variant<order, refusal_reason> fill(const signal& s, quantity qty,
                                           int64_t price_micros);

  /// Counts a refusal.
  refusal_reason refuse(refusal_reason why) noexcept;

  /// Book-keeping after a fill applied to the book: closed trades for kelly.
  void after_fill(const position& before, const order& x);

  // -- resting orders (portfolio_orders.cpp) -----------------------------------

  /// Places a resting order for a signal of a strategy with `spec`.
  std::variant<order, refusal_reason> place(const signal& s,
                                            const order_spec& spec);

  /// Fills (or cancels, when risk refuses) resting order `x` as `e` says,
  /// at a quote's price and time; the record goes to `records_`.
  void execute(resting_order& x, const execution& e, int64_t quote_price,
               int64_t ts_ms);

  /// Expires, triggers and fills the resting orders a quote affects.
  void work_open_orders(const quote& q);

  /// Applies a journal record of a resting order's life (not a fill).
  void restore_life(const order& x);

  portfolio_config cfg_;
  book book_;
  trading_mode mode_;
  /// Timestamp of the last quote marked (the time of a halt's
  /// cancellations).
  int64_t last_quote_ts_ = 0;
  portfolio_counters counters_;
  uint64_t rng_state_;
  /// (input position, strategy, symbol) of restored orders above the
  /// watermark.
  std::set<std::tuple<uint64_t, std::string, std::string>> journaled_;
  open_orders open_;
  std::vector<order> records_;
  /// Closed trades per strategy (kept only for `kelly` sizing).
  trade_results trades_;
  /// EWMA volatility per symbol (kept only for `volatility_target`).
  std::map<std::string, ewma_volatility> vols_;
};

} // namespace intuition::trading

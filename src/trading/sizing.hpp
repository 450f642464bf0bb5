#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

/// The statistics behind the `kelly` and `volatility_target` sizing rules:
/// pure arithmetic, no book, no orders.
namespace intuition::trading {

// -- kelly ------------------------------------------------------------------------

/// The result of the last closed trades of every strategy, at most
/// `lookback` each, oldest first. A closed trade is a fill that reduces a
/// holding (a sell of a long, a buy that covers a short); its result is the
/// realised P&L that fill booked: the closed quantity times the difference
/// to the average entry price, minus that fill's commission (the opening
/// fill's commission was booked when it opened).
class trade_results {
public:
  explicit trade_results(size_t lookback = 0) : lookback_(lookback) {
    // nop
  }

  /// Appends one closed trade of `strategy`, forgetting its oldest beyond
  /// the lookback.
  void record(const std::string& strategy, int64_t result_micros);

  /// The last results of `strategy` (empty when none).
  const std::deque<int64_t>& of(const std::string& strategy) const;

private:
  size_t lookback_;
  std::map<std::string, std::deque<int64_t>> results_;
};

/// The Kelly fraction f* = W - (1 - W) / R of a list of trade results, W
/// the share of wins (results > 0) and R the average win over the average
/// loss (results < 0); a breakeven result counts as a trade that is not a
/// win. Without losses R is unbounded and f* is W; without wins f* is 0.
/// Never negative (a negative edge bets nothing).
double kelly_edge(const std::deque<int64_t>& results) noexcept;

/// The fraction of equity `kelly` sizing bets: `fraction` times the Kelly
/// edge of the last `lookback` results, at most `max_fraction`; 0 until
/// `lookback` results exist (or `lookback` is 0).
double kelly_fraction(const std::deque<int64_t>& results, size_t lookback,
                      double fraction, double max_fraction) noexcept;

// -- volatility -------------------------------------------------------------------

/// Exponentially weighted variance of one symbol's quote-to-quote simple
/// returns r = p / p_prev - 1: sigma2 = lambda * sigma2 + (1 - lambda) * r^2,
/// seeded with the first return squared. Prices of 0 or less are ignored.
class ewma_volatility {
public:
  explicit ewma_volatility(double lambda = 0.94) : lambda_(lambda) {
    // nop
  }

  /// Takes the next price of the symbol.
  void observe(int64_t price_micros) noexcept;

  /// Returns folded in so far.
  uint64_t observations() const noexcept {
    return observations_;
  }

  /// Variance per quote (0 before the first return).
  double variance() const noexcept {
    return variance_;
  }

  /// Standard deviation per quote.
  double volatility() const noexcept;

private:
  double lambda_;
  double variance_ = 0.0;
  uint64_t observations_ = 0;
  int64_t last_micros_ = 0;
};

/// The position (units, rounded down, never negative) whose expected daily
/// volatility is `target` of `equity_micros`: target * equity / (sigma_day *
/// price), with sigma_day = `per_quote_volatility` * sqrt(`quotes_per_day`).
/// 0 when the volatility or the price is 0 or less; at most `cap` units when
/// `cap` > 0, and never beyond what a double computes finitely (at most
/// 2^53).
int64_t volatility_target_units(double target, int64_t equity_micros,
                                double per_quote_volatility,
                                double quotes_per_day, int64_t price_micros,
                                int64_t cap) noexcept;

} // namespace intuition::trading

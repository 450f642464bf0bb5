#include "trading/sizing.hpp"

#include <algorithm>
#include <cmath>

namespace intuition::trading {

// -- kelly ------------------------------------------------------------------------

void trade_results::record(const std::string& strategy, int64_t result_micros) {
  if (lookback_ == 0)
    return;
  auto& xs = results_[strategy];
  xs.push_back(result_micros);
  while (xs.size() > lookback_)
    xs.pop_front();
}

const std::deque<int64_t>&
trade_results::of(const std::string& strategy) const {
  static const std::deque<int64_t> none;
  auto i = results_.find(strategy);
  return i != results_.end() ? i->second : none;
}

double kelly_edge(const std::deque<int64_t>& results) noexcept {
  if (results.empty())
    return 0.0;
  // Sums in double: R is a ratio of averages, and a double holds any sum of
  // 64-bit results without overflow (to 53 bits of precision).
  double wins = 0, losses = 0, won = 0, lost = 0;
  for (auto x : results) {
    if (x > 0) {
      wins += 1;
      won += static_cast<double>(x);
    } else if (x < 0) {
      losses += 1;
      lost -= static_cast<double>(x);
    }
  }
  if (wins == 0)
    return 0.0;
  auto w = wins / static_cast<double>(results.size());
  if (losses == 0)
    return w;
  auto r = (won / wins) / (lost / losses);
  auto edge = w - (1.0 - w) / r;
  return std::isfinite(edge) && edge > 0 ? edge : 0.0;
}

double kelly_fraction(const std::deque<int64_t>& results, size_t lookback,
                      double fraction, double max_fraction) noexcept {
  if (lookback == 0 || results.size() < lookback)
    return 0.0;
  auto last = results;
  while (last.size() > lookback)
    last.pop_front();
  auto f = fraction * kelly_edge(last);
  if (!std::isfinite(f) || f <= 0)
    return 0.0;
  return std::min(f, max_fraction);
}

// -- volatility -------------------------------------------------------------------

void ewma_volatility::observe(int64_t price_micros) noexcept {
  if (price_micros <= 0)
    return;
  if (last_micros_ > 0) {
    auto r
      = static_cast<double>(price_micros) / static_cast<double>(last_micros_)
        - 1.0;
    variance_ = observations_ == 0
                  ? r * r
                  : lambda_ * variance_ + (1.0 - lambda_) * r * r;
    ++observations_;
  }
  last_micros_ = price_micros;
}

double ewma_volatility::volatility() const noexcept {
  return std::sqrt(variance_);
}

int64_t volatility_target_units(double target, int64_t equity_micros,
                                double per_quote_volatility,
                                double quotes_per_day, int64_t price_micros,
                                int64_t cap) noexcept {
  auto sigma_day = per_quote_volatility * std::sqrt(quotes_per_day);
  if (!(sigma_day > 0) || price_micros <= 0 || equity_micros <= 0
      || !(target > 0))
    return 0;
  auto units = std::floor(target * static_cast<double>(equity_micros)
                          / (sigma_day * static_cast<double>(price_micros)));
  // 2^53: every integer up to it is exact in a double, and far beyond any
  // position the book's 64-bit money figures allow.
  constexpr double most = 9007199254740992.0;
  if (!(units > 0))
    return 0;
  auto out
    = units >= most ? static_cast<int64_t>(most) : static_cast<int64_t>(units);
  return cap > 0 ? std::min(out, cap) : out;
}

} // namespace intuition::trading

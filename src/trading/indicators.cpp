#include "trading/indicators.hpp"

#include <cmath>
#include <stdexcept>

namespace intuition::trading {

namespace {

/// Micros per unit as a double, for the final conversion of averages.
constexpr double micros_per_unit_f = 1e6;

} // namespace

// -- price window ---------------------------------------------------------------

price_window::price_window(size_t capacity) {
  // A zero-sized ring would divide by zero on every push.
  if (capacity == 0)
    throw std::invalid_argument("price_window: capacity must be positive");
  buf_.resize(capacity);
}

void price_window::push(int64_t price_micros) noexcept {
  if (full()) {
    auto old = static_cast<int128_t>(buf_[head_]);
    sum_ -= old;
    sum_sq_ -= old * old;
  } else {
    ++size_;
  }
  auto x = static_cast<int128_t>(price_micros);
  buf_[head_] = price_micros;
  sum_ += x;
  sum_sq_ += x * x;
  head_ = (head_ + 1) % buf_.size();
}

int64_t price_window::back(size_t i) const noexcept {
  auto cap = buf_.size();
  return buf_[(head_ + cap - 1 - i) % cap];
}

// -- simple moving average ------------------------------------------------------

sma::sma(size_t n) : win_(n) {
  // nop
}

void sma::push(int64_t price_micros) noexcept {
  win_.push(price_micros);
}

std::optional<double> sma::value() const noexcept {
  if (!win_.full())
    return std::nullopt;
  // One division of the exact sum: the result is the correctly rounded mean
  // whenever the sum itself fits a double's 53 bits.
  auto n = static_cast<double>(win_.size());
  return static_cast<double>(win_.sum()) / (n * micros_per_unit_f);
}

// -- rate of change -------------------------------------------------------------

rate_of_change::rate_of_change(size_t n) : win_(n + 1) {
  if (n == 0)
    throw std::invalid_argument("rate_of_change: period must be positive");
}

void rate_of_change::push(int64_t price_micros) noexcept {
  win_.push(price_micros);
}

std::optional<double> rate_of_change::value() const noexcept {
  if (!win_.full())
    return std::nullopt;
  auto base = win_.back(win_.size() - 1);
  if (base <= 0)
    return std::nullopt;
  auto diff = win_.back(0) - base;
  return static_cast<double>(diff) / static_cast<double>(base);
}

// -- bollinger bands ------------------------------------------------------------

bollinger_bands::bollinger_bands(size_t n, double k) : win_(n), k_(k) {
  // nop
}

void bollinger_bands::push(int64_t price_micros) noexcept {
  win_.push(price_micros);
}

double bollinger_bands::middle() const noexcept {
  auto n = static_cast<double>(win_.size());
  return static_cast<double>(win_.sum()) / (n * micros_per_unit_f);
}

double bollinger_bands::stddev() const noexcept {
  // n^2 * variance = n * sum(x^2) - sum(x)^2, exact in integers and never
  // negative, so flat windows give exactly zero instead of rounding noise.
  auto n = static_cast<int128_t>(win_.size());
  auto sum = win_.sum();
  auto numerator = n * win_.sum_squares() - sum * sum;
  auto sigma_micros = std::sqrt(static_cast<double>(numerator))
                      / static_cast<double>(win_.size());
  return sigma_micros / micros_per_unit_f;
}

double bollinger_bands::upper() const noexcept {
  return middle() + k_ * stddev();
}

double bollinger_bands::lower() const noexcept {
  return middle() - k_ * stddev();
}

} // namespace intuition::trading

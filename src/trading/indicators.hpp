#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

/// Textbook indicators over a rolling window of prices in micros. Sums are
/// kept in exact integers, so long runs do not accumulate rounding error.
namespace intuition::trading {

// -- exact sums -----------------------------------------------------------------

/// 128-bit signed integer for exact sums of prices and squared prices; a
/// GCC/Clang extension, spelled so that -Wpedantic stays quiet.
__extension__ typedef __int128 int128_t;

// -- price window ---------------------------------------------------------------

/// Fixed-size ring buffer of the last `capacity` prices. The sums stay exact
/// while `capacity * price^2` fits 127 bits (e.g. prices below 10^12 micros
/// with windows up to 10^10).
class price_window {
public:
  /// Creates an empty window; throws `std::invalid_argument` for capacity 0.
  explicit price_window(size_t capacity);

  /// Adds a price, evicting the oldest when full.
  void push(int64_t price_micros) noexcept;

  /// Whether the window holds `capacity()` prices.
  bool full() const noexcept {
    return size_ == buf_.size();
  }

  /// Number of prices held, at most `capacity()`.
  size_t size() const noexcept {
    return size_;
  }

  /// Maximum number of prices held.
  size_t capacity() const noexcept {
    return buf_.size();
  }

  /// The i-th newest price (0 = latest). Precondition: i < size().
  int64_t back(size_t i) const noexcept;

  /// Exact sum of the prices in the window.
  int128_t sum() const noexcept {
    return sum_;
  }

  /// Exact sum of the squared prices in the window.
  int128_t sum_squares() const noexcept {
    return sum_sq_;
  }

private:
  std::vector<int64_t> buf_;
  /// Slot the next price goes to; the oldest price once the window is full.
  size_t head_ = 0;
  size_t size_ = 0;
  int128_t sum_ = 0;
  int128_t sum_sq_ = 0;
};

// -- simple moving average ------------------------------------------------------

/// Simple moving average (arithmetic mean of the last `n` prices), in units.
class sma {
public:
  /// Creates an average over `n` prices; throws `std::invalid_argument` for 0.
  explicit sma(size_t n);

  /// Adds the next price.
  void push(int64_t price_micros) noexcept;

  /// Nothing until `n` prices were seen.
  std::optional<double> value() const noexcept;

  /// The underlying window, for exact comparisons of two averages.
  const price_window& window() const noexcept {
    return win_;
  }

private:
  price_window win_;
};

// -- rate of change -------------------------------------------------------------

/// Rate of change over `n` periods: (p_t - p_{t-n}) / p_{t-n}.
class rate_of_change {
public:
  /// Creates a rate of change over `n` periods; throws for 0.
  explicit rate_of_change(size_t n);

  /// Adds the next price.
  void push(int64_t price_micros) noexcept;

  /// Nothing until `n + 1` prices were seen, or while p_{t-n} is not positive.
  std::optional<double> value() const noexcept;

private:
  price_window win_; // holds n + 1 prices
};

// -- bollinger bands ------------------------------------------------------------

/// Bollinger bands: middle = SMA(n), upper/lower = middle +/- k * sigma, with
/// sigma the population standard deviation of the same n prices.
class bollinger_bands {
public:
  /// Creates bands over `n` prices at `k` standard deviations; throws for n 0.
  bollinger_bands(size_t n, double k);

  /// Adds the next price.
  void push(int64_t price_micros) noexcept;

  /// Whether `n` prices were seen.
  bool ready() const noexcept {
    return win_.full();
  }

  /// The mean of the window in units. Precondition: ready().
  double middle() const noexcept;

  /// `middle() + k * stddev()`. Precondition: ready().
  double upper() const noexcept;

  /// `middle() - k * stddev()`. Precondition: ready().
  double lower() const noexcept;

  /// Population standard deviation of the window in units, computed from the
  /// exact integer sums. Precondition: ready().
  double stddev() const noexcept;

private:
  price_window win_;
  double k_;
};

} // namespace intuition::trading

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

/// Textbook indicators over a rolling window of prices in micros. Sums are
/// kept in exact integers, so long runs do not accumulate rounding error.
namespace intuition::trading {

/// Fixed-size ring buffer of the last `capacity` prices.
class price_window {
public:
  explicit price_window(size_t capacity);

  /// Adds a price, evicting the oldest when full.
  void push(int64_t price_micros) noexcept;

  bool full() const noexcept {
    return size_ == buf_.size();
  }

  size_t size() const noexcept {
    return size_;
  }

  size_t capacity() const noexcept {
    return buf_.size();
  }

  /// The i-th newest price (0 = latest). Precondition: i < size().
  int64_t back(size_t i) const noexcept;

  /// Exact sum of the prices in the window.
  __int128 sum() const noexcept {
    return sum_;
  }

  /// Exact sum of the squared prices in the window.
  __int128 sum_squares() const noexcept {
    return sum_sq_;
  }

private:
  std::vector<int64_t> buf_;
  size_t head_ = 0;
  size_t size_ = 0;
  __int128 sum_ = 0;
  __int128 sum_sq_ = 0;
};

/// Simple moving average (arithmetic mean of the last `n` prices), in units.
class sma {
public:
  explicit sma(size_t n);
  void push(int64_t price_micros) noexcept;
  /// Nothing until `n` prices were seen.
  std::optional<double> value() const noexcept;
  const price_window& window() const noexcept {
    return win_;
  }

private:
  price_window win_;
};

/// Rate of change over `n` periods: (p_t - p_{t-n}) / p_{t-n}.
class rate_of_change {
public:
  explicit rate_of_change(size_t n);
  void push(int64_t price_micros) noexcept;
  /// Nothing until `n + 1` prices were seen.
  std::optional<double> value() const noexcept;

private:
  price_window win_; // holds n + 1 prices
};

/// Bollinger bands: middle = SMA(n), upper/lower = middle +/- k * sigma, with
/// sigma the population standard deviation of the same n prices.
class bollinger_bands {
public:
  bollinger_bands(size_t n, double k);
  void push(int64_t price_micros) noexcept;
  bool ready() const noexcept {
    return win_.full();
  }
  /// Preconditions for the three: ready().
  double middle() const noexcept;
  double upper() const noexcept;
  double lower() const noexcept;
  double stddev() const noexcept;

private:
  price_window win_;
  double k_;
};

} // namespace intuition::trading

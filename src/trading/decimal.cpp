#include "trading/decimal.hpp"

#include <cmath>
#include <limits>

#include "trading/flat_json.hpp"
#include "trading/types.hpp"

namespace intuition::trading {

namespace {

// -- helpers ------------------------------------------------------------------------

constexpr uint64_t max_magnitude = std::numeric_limits<int64_t>::max();

constexpr uint64_t pow10_table[]
  = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000};

/// Absolute value without the overflow of `-INT64_MIN`.
uint64_t magnitude(int64_t x) noexcept {
  return x < 0 ? uint64_t{0} - static_cast<uint64_t>(x)
               : static_cast<uint64_t>(x);
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

using flat_json::append_uint;

/// Appends `x` as exactly `width` digits, zero-padded on the left.
void append_padded(std::string& out, uint64_t x, int width) {
  char buf[6];
  for (auto i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + x % 10);
    x /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

} // namespace

// -- parsing ------------------------------------------------------------------------

std::optional<int64_t> parse_decimal_micros(std::string_view text) noexcept {
  auto pos = size_t{0};
  auto negative = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
    negative = text[pos] == '-';
    ++pos;
  }
  // Integer part: accumulate whole units, failing as soon as the micros
  // could no longer fit.
  uint64_t units = 0;
  auto int_digits = size_t{0};
  for (; pos < text.size() && is_digit(text[pos]); ++pos, ++int_digits) {
    units = units * 10 + static_cast<uint64_t>(text[pos] - '0');
    if (units > max_magnitude / micros_per_unit)
      return std::nullopt;
  }
  // Fraction: the first six digits are exact, the seventh decides rounding
  // (half away from zero: a seventh digit of 5 or more rounds the magnitude
  // up whatever follows), the rest only need to be digits.
  uint64_t frac = 0;
  auto frac_digits = size_t{0};
  auto round_up = false;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    for (; pos < text.size() && is_digit(text[pos]); ++pos, ++frac_digits) {
      auto digit = static_cast<uint64_t>(text[pos] - '0');
      if (frac_digits < 6)
        frac = frac * 10 + digit;
      else if (frac_digits == 6)
        round_up = digit >= 5;
    }
    // "5." is rejected: a point promises digits after it.
    if (frac_digits == 0)
      return std::nullopt;
  }
  if (pos != text.size() || int_digits + frac_digits == 0)
    return std::nullopt;
  if (frac_digits < 6)
    frac *= pow10_table[6 - frac_digits];
  auto result = units * micros_per_unit + frac + (round_up ? 1 : 0);
  if (result > max_magnitude)
    return std::nullopt;
  auto signed_result = static_cast<int64_t>(result);
  return negative ? -signed_result : signed_result;
}

std::optional<int64_t> double_to_micros(double value) noexcept {
  if (!std::isfinite(value))
    return std::nullopt;
  auto scaled = value * static_cast<double>(micros_per_unit);
  // 2^63 is exact as a double; anything at or beyond it cannot be an int64.
  constexpr double limit = 9223372036854775808.0;
  if (!(scaled < limit && scaled > -limit))
    return std::nullopt;
  return static_cast<int64_t>(std::llround(scaled));
}

// -- formatting ---------------------------------------------------------------------

std::string format_micros(int64_t micros) {
  std::string out;
  out.reserve(24);
  auto abs = magnitude(micros);
  if (micros < 0)
    out += '-';
  append_uint(out, abs / micros_per_unit);
  auto frac = abs % micros_per_unit;
  if (frac != 0) {
    auto width = 6;
    while (frac % 10 == 0) {
      frac /= 10;
      --width;
    }
    out += '.';
    append_padded(out, frac, width);
  }
  return out;
}

std::string format_micros_fixed(int64_t micros, int decimals) {
  if (decimals < 0)
    decimals = 0;
  else if (decimals > 6)
    decimals = 6;
  auto unit = pow10_table[6 - decimals];
  // abs <= 2^63, so adding half a unit cannot overflow 64 unsigned bits.
  auto scaled = (magnitude(micros) + unit / 2) / unit;
  std::string out;
  out.reserve(24);
  // A value that rounds to zero prints without a sign: "-0.00" reads as noise.
  if (micros < 0 && scaled != 0)
    out += '-';
  auto denom = pow10_table[decimals];
  append_uint(out, scaled / denom);
  if (decimals > 0) {
    out += '.';
    append_padded(out, scaled % denom, decimals);
  }
  return out;
}

} // namespace intuition::trading

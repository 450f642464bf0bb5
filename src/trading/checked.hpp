#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

/// Arithmetic on money that refuses to wrap: every product and sum of micros
/// either fits 64 bits or says it does not.
namespace intuition::trading {

/// 128-bit signed integer for exact intermediate products; a GCC/Clang
/// extension, spelled so that -Wpedantic stays quiet.
__extension__ typedef __int128 int128_t;

/// `x * y`, or nothing when the product leaves 64 bits.
inline std::optional<int64_t> checked_mul(int64_t x, int64_t y) noexcept {
  int64_t out = 0;
  if (__builtin_mul_overflow(x, y, &out))
    return std::nullopt;
  return out;
}

/// `x + y`, or nothing when the sum leaves 64 bits.
inline std::optional<int64_t> checked_add(int64_t x, int64_t y) noexcept {
  int64_t out = 0;
  if (__builtin_add_overflow(x, y, &out))
    return std::nullopt;
  return out;
}

/// `x - y`, or nothing when the difference leaves 64 bits.
inline std::optional<int64_t> checked_sub(int64_t x, int64_t y) noexcept {
  int64_t out = 0;
  if (__builtin_sub_overflow(x, y, &out))
    return std::nullopt;
  return out;
}

/// `x` if it fits 64 bits, or nothing.
inline std::optional<int64_t> narrow(int128_t x) noexcept {
  if (x > std::numeric_limits<int64_t>::max()
      || x < std::numeric_limits<int64_t>::min())
    return std::nullopt;
  return static_cast<int64_t>(x);
}

/// `x` clamped to the 64-bit range: for figures that are reported, never
/// booked (a valuation past 9.2e12 units reads as that bound, not as a
/// wrapped negative number).
inline int64_t saturate(int128_t x) noexcept {
  if (x > std::numeric_limits<int64_t>::max())
    return std::numeric_limits<int64_t>::max();
  if (x < std::numeric_limits<int64_t>::min())
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(x);
}

/// A double rounded half away from zero if the result fits 64 bits (NaN
/// and infinities do not), or nothing; `std::llround` is undefined there.
inline std::optional<int64_t> round_to_int64(double x) noexcept {
  // 2^63 is exact as a double, and no double below it rounds up to it.
  constexpr double limit = 9223372036854775808.0;
  if (!(x > -limit && x < limit))
    return std::nullopt;
  return static_cast<int64_t>(std::llround(x));
}

} // namespace intuition::trading

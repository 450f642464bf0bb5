#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// Exact conversions between decimal text and fixed-point micros.
namespace intuition::trading {

/// Parses a plain decimal number (`345`, `3.45`, `-0.5`, `1e3` is rejected)
/// into micros, exactly. Digits beyond the sixth decimal are rounded half
/// away from zero. Returns nothing for empty text, stray characters, or a
/// value whose micros do not fit in 63 bits.
std::optional<int64_t> parse_decimal_micros(std::string_view text) noexcept;

/// Converts a finite double to micros, rounding to nearest. Returns nothing
/// for NaN, infinities and values out of range.
std::optional<int64_t> double_to_micros(double value) noexcept;

/// Renders micros as the shortest exact decimal: `1628.75`, `345`, `-0.000001`.
std::string format_micros(int64_t micros);

/// Renders micros with exactly `decimals` decimals (0 to 6), rounding half
/// away from zero; for human-readable reports.
std::string format_micros_fixed(int64_t micros, int decimals);

/// `micros` as a double in units (for statistics, never for sums of money).
inline double micros_to_double(int64_t micros) noexcept {
  return static_cast<double>(micros) / 1e6;
}

} // namespace intuition::trading

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "trading/types.hpp"

/// Decoding of quotes from every source: MQTT JSON payloads and CSV rows.
/// Nothing here throws: every failure is a `reject_reason`.
namespace intuition::trading {

/// Why an input was not turned into quotes.
enum class reject_reason : uint8_t {
  not_json,           ///< the payload does not parse as JSON
  wrong_type,         ///< not an object, or a field of the wrong JSON type
  missing_field,      ///< a required field (or CSV column) is absent
  not_finite,         ///< NaN or an infinity
  non_positive_price, ///< zero or negative price
  empty_symbol,       ///< symbol is the empty string
  symbol_too_long,    ///< more than `max_symbol_length` characters
  bad_symbol,         ///< characters outside [A-Z0-9._-/:^]
  payload_too_large,  ///< over the configured size limit; not parsed at all
  bad_timestamp,      ///< unparsable, negative, or out-of-range timestamp
  bad_price,          ///< price text that is not a decimal number, or too large
  price_out_of_range, ///< a price above `codec_limits::max_price_micros`
  duplicate_key,      ///< a JSON key given twice, or two keys naming one symbol
};

/// Number of `reject_reason` values, for counter arrays.
constexpr size_t reject_reason_count = 13;

/// Stable snake_case name of a reason (`not_json`, ...), used in logs and
/// metrics.
std::string_view to_string(reject_reason x) noexcept;

/// Outcome of decoding one payload or row.
struct decode_result {
  /// True if at least one quote was appended and nothing was rejected.
  bool ok = false;
  /// Meaningful when `ok` is false.
  reject_reason reason = reject_reason::not_json;
  /// Which field failed, for log lines (`price`, `sid`, `ts`, ...); may be
  /// empty.
  std::string_view field;
};

/// Largest price the codec accepts by default: a billion units, far above
/// any traded instrument and far enough below 2^63 micros that a price times
/// a quantity is checked rather than routinely near overflow.
constexpr int64_t default_max_price_micros = 1'000'000'000 * micros_per_unit;

/// Limits applied while decoding.
struct codec_limits {
  /// Payloads longer than this are rejected before parsing.
  size_t max_payload_bytes = 4096;
  /// Prices above this are rejected as `price_out_of_range`.
  int64_t max_price_micros = default_max_price_micros;
};

/// Decodes one MQTT payload in any of the accepted shapes and appends the
/// quotes to `out` (on failure `out` is left as it was):
/// - `{"sid":"GOOG","quote":"345"}`: price as string or number, optional `ts`;
/// - `{"goog": 3.45, "msft": 2}`: one quote per key, all sharing `now_ms`;
/// - `{"symbol":"GOOG","price":345.0,"ts":1700000000000}`: `ts` optional.
/// Prices may be JSON numbers or decimal strings; symbols are upper-cased;
/// a missing `ts` becomes `now_ms`. `ts` may be epoch ms (integer) or an ISO
/// date string (see `parse_timestamp_ms`). A key given twice, or two keys of
/// a symbol map naming the same symbol in another case, is `duplicate_key`:
/// which of them was meant is unknowable.
decode_result decode_json_quote(std::string_view payload, int64_t now_ms,
                                std::vector<quote>& out,
                                const codec_limits& limits = {});

/// Decodes one CSV row `ts,symbol,price` (no trailing newline; a trailing
/// '\r' is ignored) and appends one quote to `out`.
decode_result decode_csv_row(std::string_view row, std::vector<quote>& out,
                             const codec_limits& limits = {});

/// True if `row` is the CSV header `ts,symbol,price` (case-insensitive).
bool is_csv_header(std::string_view row) noexcept;

/// Parses a timestamp: epoch milliseconds (digits only), or an ISO-8601 UTC
/// date `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS`, optional `.fff` and trailing `Z`.
/// Returns false on anything else or a date before 1970.
bool parse_timestamp_ms(std::string_view text, int64_t& ts_ms) noexcept;

/// Checks and upper-cases a symbol in place; returns the reason on failure.
bool normalize_symbol(std::string& symbol, reject_reason& reason) noexcept;

/// Renders a quote as the canonical JSON payload.
std::string encode_canonical(const quote& x);

} // namespace intuition::trading

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "trading/types.hpp"

/// Decoding of the signals an external strategy publishes
/// (`{"symbol","side","quote_seq" or "ts"}`), and encoding of the quotes the
/// runtime forwards to it. Nothing here throws: every failure is a
/// `signal_reject_reason`.
namespace intuition::trading {

/// Why an external signal was not traded.
enum class signal_reject_reason : uint8_t {
  not_json,          ///< the payload does not parse as JSON
  wrong_type,        ///< not an object, or a field of the wrong JSON type
  missing_field,     ///< `symbol`, `side`, or both `quote_seq` and `ts`
  unknown_field,     ///< a key the signal shape does not have
  duplicate_key,     ///< a JSON key given twice
  payload_too_large, ///< over the size limit; not parsed at all
  empty_symbol,      ///< symbol is the empty string
  symbol_too_long,   ///< more than `max_symbol_length` characters
  bad_symbol,        ///< characters outside [A-Z0-9._-/:^]
  bad_side,          ///< `side` is neither `buy` nor `sell`
  bad_quote_seq,     ///< `quote_seq` is not an integer in [1, 2^63)
  bad_timestamp,     ///< `ts` is not an integer in [0, 2^63)
  no_price,          ///< no quote of the symbol was seen yet (runtime)
  not_traded,        ///< the strategy's `symbols` do not include it (runtime)
  duplicate,         ///< repeats an accepted signal: same strategy, symbol,
                     ///< side, `quote_seq` and `ts` (runtime)
};

/// Number of `signal_reject_reason` values, for counter arrays.
constexpr size_t signal_reject_reason_count = 15;

/// Stable snake_case name of a reason (`bad_side`, ...), used in logs and
/// metrics.
std::string_view to_string(signal_reject_reason x) noexcept;

/// A signal as an external strategy sends it, before the runtime prices it.
struct external_signal {
  /// Upper-cased symbol.
  std::string symbol;
  side direction = side::buy;
  /// `quote_seq` of the forwarded quote the decision reacts to; 0 when the
  /// signal names its quote by `ts` only.
  uint64_t quote_seq = 0;
  /// `ts` of that quote (epoch ms); -1 when not given.
  int64_t ts_ms = -1;
};

/// Outcome of decoding one signal payload.
struct signal_decode_result {
  bool ok = false;
  /// Meaningful when `ok` is false.
  signal_reject_reason reason = signal_reject_reason::not_json;
  /// The field that failed (`symbol`, `side`, ...); may be empty.
  std::string_view field;
};

/// Decodes `{"symbol":"GOOG","side":"buy","quote_seq":17}` (or with `ts`
/// instead of, or besides, `quote_seq`) into `out`. The symbol follows the
/// quote codec's rules and is upper-cased; `side` is `buy` or `sell`;
/// `quote_seq` an integer in [1, 2^63), `ts` in [0, 2^63). Any other key,
/// a key given twice, or a payload above `max_payload_bytes` is refused.
/// On failure `out` is unspecified.
signal_decode_result
decode_external_signal(std::string_view payload, external_signal& out,
                       size_t max_payload_bytes = 4096) noexcept;

/// Renders a signal as its payload (for tests and the example clients).
std::string encode_external_signal(const external_signal& x);

/// Renders a quote as the runtime forwards it to an external strategy:
/// `{"symbol","price","ts","quote_seq"}` (the canonical quote plus the
/// sequence number a signal refers to it by).
std::string encode_forwarded_quote(const quote& q, uint64_t quote_seq);

} // namespace intuition::trading

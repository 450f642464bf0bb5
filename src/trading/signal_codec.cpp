#include "trading/signal_codec.hpp"

#include <limits>

#include "trading/decimal.hpp"
#include "trading/flat_json.hpp"
#include "trading/quote_codec.hpp"

namespace intuition::trading {

namespace {

// signal_decode_result::field outlives the payload, so it only ever points at
// these.
constexpr std::string_view symbol_field = "symbol";
constexpr std::string_view side_field = "side";
constexpr std::string_view quote_seq_field = "quote_seq";
constexpr std::string_view ts_field = "ts";

signal_decode_result reject(signal_reject_reason reason,
                            std::string_view field = {}) noexcept {
  return {false, reason, field};
}

/// The known field named `key`, or empty for a key the shape lacks.
std::string_view known_field(std::string_view key) noexcept {
  for (auto known : {symbol_field, side_field, quote_seq_field, ts_field})
    if (key == known)
      return known;
  return {};
}

signal_reject_reason symbol_reason(reject_reason x) noexcept {
  switch (x) {
    case reject_reason::empty_symbol:
      return signal_reject_reason::empty_symbol;
    case reject_reason::symbol_too_long:
      return signal_reject_reason::symbol_too_long;
    default:
      return signal_reject_reason::bad_symbol;
  }
}

/// Reads an unsigned JSON integer below 2^63 into `x`; false otherwise.
bool read_integer(const flat_json::value& v, int64_t& x) noexcept {
  if (v.type != flat_json::kind::unsigned_integer
      || v.unsigned_integer
           > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return false;
  x = static_cast<int64_t>(v.unsigned_integer);
  return true;
}

signal_decode_result decode(std::string_view payload, external_signal& out,
                            size_t max_payload_bytes) {
  if (payload.size() > max_payload_bytes)
    return reject(signal_reject_reason::payload_too_large);
  thread_local flat_json::document doc;
  switch (flat_json::parse(payload, doc)) {
    case flat_json::status::ok:
      break;
    case flat_json::status::not_object:
      return reject(signal_reject_reason::wrong_type);
    case flat_json::status::number_overflow: {
      auto field = known_field(doc.overflow_key);
      if (field == ts_field)
        return reject(signal_reject_reason::bad_timestamp, ts_field);
      if (field == quote_seq_field)
        return reject(signal_reject_reason::bad_quote_seq, quote_seq_field);
      if (field.empty())
        return reject(signal_reject_reason::unknown_field);
      return reject(signal_reject_reason::wrong_type, field);
    }
    default:
      return reject(signal_reject_reason::not_json);
  }
  if (auto dup = doc.duplicate_key())
    return reject(signal_reject_reason::duplicate_key, known_field(*dup));
  for (const auto& m : doc.members)
    if (known_field(m.key).empty())
      return reject(signal_reject_reason::unknown_field);
  const auto* symbol = doc.find(symbol_field);
  if (symbol == nullptr)
    return reject(signal_reject_reason::missing_field, symbol_field);
  if (symbol->type != flat_json::kind::string)
    return reject(signal_reject_reason::wrong_type, symbol_field);
  out.symbol = symbol->text;
  auto reason = reject_reason::bad_symbol;
  if (!normalize_symbol(out.symbol, reason))
    return reject(symbol_reason(reason), symbol_field);
  const auto* side_value = doc.find(side_field);
  if (side_value == nullptr)
    return reject(signal_reject_reason::missing_field, side_field);
  if (side_value->type != flat_json::kind::string)
    return reject(signal_reject_reason::wrong_type, side_field);
  if (!from_string(side_value->text, out.direction))
    return reject(signal_reject_reason::bad_side, side_field);
  const auto* seq = doc.find(quote_seq_field);
  const auto* ts = doc.find(ts_field);
  if (seq == nullptr && ts == nullptr)
    return reject(signal_reject_reason::missing_field, quote_seq_field);
  out.quote_seq = 0;
  out.ts_ms = -1;
  if (seq != nullptr) {
    int64_t x = 0;
    if (!read_integer(*seq, x) || x == 0)
      return reject(signal_reject_reason::bad_quote_seq, quote_seq_field);
    out.quote_seq = static_cast<uint64_t>(x);
  }
  if (ts != nullptr && !read_integer(*ts, out.ts_ms))
    return reject(signal_reject_reason::bad_timestamp, ts_field);
  return {true, signal_reject_reason::not_json, {}};
}

} // namespace

std::string_view to_string(signal_reject_reason x) noexcept {
  switch (x) {
    case signal_reject_reason::not_json:
      return "not_json";
    case signal_reject_reason::wrong_type:
      return "wrong_type";
    case signal_reject_reason::missing_field:
      return "missing_field";
    case signal_reject_reason::unknown_field:
      return "unknown_field";
    case signal_reject_reason::duplicate_key:
      return "duplicate_key";
    case signal_reject_reason::payload_too_large:
      return "payload_too_large";
    case signal_reject_reason::empty_symbol:
      return "empty_symbol";
    case signal_reject_reason::symbol_too_long:
      return "symbol_too_long";
    case signal_reject_reason::bad_symbol:
      return "bad_symbol";
    case signal_reject_reason::bad_side:
      return "bad_side";
    case signal_reject_reason::bad_quote_seq:
      return "bad_quote_seq";
    case signal_reject_reason::bad_timestamp:
      return "bad_timestamp";
    case signal_reject_reason::no_price:
      return "no_price";
    case signal_reject_reason::not_traded:
      return "not_traded";
    case signal_reject_reason::duplicate:
      return "duplicate";
  }
  return "unknown";
}

signal_decode_result decode_external_signal(std::string_view payload,
                                            external_signal& out,
                                            size_t max_payload_bytes) noexcept {
  try {
    return decode(payload, out, max_payload_bytes);
  } catch (...) {
    // Only an allocation failure gets here; the live feed must not die of it.
    return reject(signal_reject_reason::not_json);
  }
}

std::string encode_external_signal(const external_signal& x) {
  std::string out{"{\"symbol\":"};
  flat_json::append_string(out, x.symbol);
  out += ",\"side\":";
  flat_json::append_string(out, to_string(x.direction));
  if (x.quote_seq > 0) {
    out += ",\"quote_seq\":";
    flat_json::append_uint(out, x.quote_seq);
  }
  if (x.ts_ms >= 0) {
    out += ",\"ts\":";
    flat_json::append_int(out, x.ts_ms);
  }
  out += '}';
  return out;
}

std::string encode_forwarded_quote(const quote& q, uint64_t quote_seq) {
  auto out = encode_canonical(q);
  out.pop_back();
  out += ",\"quote_seq\":";
  flat_json::append_uint(out, quote_seq);
  out += '}';
  return out;
}

} // namespace intuition::trading

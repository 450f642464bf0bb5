#include "trading/quote_codec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "trading/decimal.hpp"
#include "trading/flat_json.hpp"

namespace intuition::trading {

namespace {

// -- field names --------------------------------------------------------------------

// decode_result::field outlives the payload, so it only ever points at these.
constexpr std::string_view symbol_field = "symbol";
constexpr std::string_view sid_field = "sid";
constexpr std::string_view price_field = "price";
constexpr std::string_view quote_field = "quote";
constexpr std::string_view ts_field = "ts";

decode_result accept() noexcept {
  return {true, reject_reason::not_json, {}};
}

decode_result reject(reject_reason reason,
                     std::string_view field = {}) noexcept {
  return {false, reason, field};
}

// -- characters ---------------------------------------------------------------------

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

char to_upper(char c) noexcept {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

bool is_symbol_char(char c) noexcept {
  if ((c >= 'A' && c <= 'Z') || is_digit(c))
    return true;
  switch (c) {
    case '.':
    case '_':
    case '-':
    case '/':
    case ':':
    case '^':
      return true;
    default:
      return false;
  }
}

/// Case-insensitive equality with a lower-case literal.
bool iequals(std::string_view text, std::string_view lower) noexcept {
  if (text.size() != lower.size())
    return false;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = text[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i])
      return false;
  }
  return true;
}

/// Spellings of NaN and infinity that publishers put into price strings.
bool is_non_finite_text(std::string_view text) noexcept {
  if (!text.empty() && (text[0] == '-' || text[0] == '+'))
    text.remove_prefix(1);
  return iequals(text, "nan") || iequals(text, "inf")
         || iequals(text, "infinity");
}

// -- calendar -----------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// days_from_civil), valid for the years this codec accepts.
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) noexcept {
  y -= m <= 2 ? 1 : 0;
  auto era = y / 400;
  auto yoe = y - era * 400;
  auto doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  auto doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int days_in_month(int y, int m) noexcept {
  static constexpr int days[]
    = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  auto leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/// Reads exactly `n` digits at `pos`.
bool read_digits(std::string_view text, size_t pos, size_t n, int& x) noexcept {
  if (pos + n > text.size())
    return false;
  x = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(text[i]))
      return false;
    x = x * 10 + (text[i] - '0');
  }
  return true;
}

// -- field values -------------------------------------------------------------------

/// Applies the configured bound to a decoded positive price.
bool price_in_range(int64_t micros, int64_t max_micros,
                    reject_reason& reason) noexcept {
  if (micros > max_micros) {
    reason = reject_reason::price_out_of_range;
    return false;
  }
  return true;
}

/// Turns price text into micros; exact, never through a double.
bool price_from_text(std::string_view text, int64_t max_micros, int64_t& micros,
                     reject_reason& reason) noexcept {
  auto parsed = parse_decimal_micros(text);
  if (!parsed) {
    reason = is_non_finite_text(text) ? reject_reason::not_finite
                                      : reject_reason::bad_price;
    return false;
  }
  if (*parsed <= 0) {
    reason = reject_reason::non_positive_price;
    return false;
  }
  if (!price_in_range(*parsed, max_micros, reason))
    return false;
  micros = *parsed;
  return true;
}

/// Turns a JSON price (number or decimal string) into micros.
bool price_from_value(const flat_json::value& v, int64_t max_micros,
                      int64_t& micros, reject_reason& reason) noexcept {
  using flat_json::kind;
  switch (v.type) {
    case kind::string:
      return price_from_text(v.text, max_micros, micros, reason);
    case kind::integer:
      // The parser reports only negative integers as signed.
      reason = reject_reason::non_positive_price;
      return false;
    case kind::unsigned_integer:
      if (v.unsigned_integer == 0) {
        reason = reject_reason::non_positive_price;
        return false;
      }
      if (v.unsigned_integer > static_cast<uint64_t>(
            std::numeric_limits<int64_t>::max() / micros_per_unit)) {
        reason = reject_reason::price_out_of_range;
        return false;
      }
      micros = static_cast<int64_t>(v.unsigned_integer) * micros_per_unit;
      return price_in_range(micros, max_micros, reason);
    case kind::floating: {
      if (!(v.floating > 0)) {
        reason = reject_reason::non_positive_price;
        return false;
      }
      // The number's own text is exact ("3.45" is 3450000 micros, not what
      // the nearest double times a million rounds to); the double only
      // serves exponent forms such as 3.45e2.
      auto parsed = parse_decimal_micros(v.text);
      if (!parsed)
        parsed = double_to_micros(v.floating);
      if (!parsed) {
        reason = reject_reason::bad_price;
        return false;
      }
      if (*parsed <= 0) {
        // A positive price below half a micro.
        reason = reject_reason::non_positive_price;
        return false;
      }
      if (!price_in_range(*parsed, max_micros, reason))
        return false;
      micros = *parsed;
      return true;
    }
    default:
      reason = reject_reason::wrong_type;
      return false;
  }
}

/// Turns a JSON timestamp (epoch ms number or ISO/epoch string) into ms.
bool ts_from_value(const flat_json::value& v, int64_t& ts_ms,
                   reject_reason& reason) noexcept {
  using flat_json::kind;
  switch (v.type) {
    case kind::unsigned_integer:
      if (v.unsigned_integer
          > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        break;
      ts_ms = static_cast<int64_t>(v.unsigned_integer);
      return true;
    case kind::floating: {
      // 1.7e12 is a whole number of ms; 1.5 is not a timestamp.
      constexpr double limit = 9223372036854775808.0; // 2^63
      if (!(v.floating >= 0 && v.floating < limit)
          || std::trunc(v.floating) != v.floating)
        break;
      ts_ms = static_cast<int64_t>(v.floating);
      return true;
    }
    case kind::string:
      if (parse_timestamp_ms(v.text, ts_ms))
        return true;
      break;
    case kind::integer:
      break;
    default:
      reason = reject_reason::wrong_type;
      return false;
  }
  reason = reject_reason::bad_timestamp;
  return false;
}

/// Decodes the canonical or the sid shape: one symbol, one price, maybe a ts.
decode_result decode_single(const flat_json::document& doc,
                            const flat_json::value& symbol,
                            std::string_view symbol_key,
                            std::string_view price_key, int64_t now_ms,
                            const codec_limits& limits,
                            std::vector<quote>& out) {
  if (symbol.type != flat_json::kind::string)
    return reject(reject_reason::wrong_type, symbol_key);
  quote q;
  q.symbol = symbol.text;
  auto reason = reject_reason::bad_symbol;
  if (!normalize_symbol(q.symbol, reason))
    return reject(reason, symbol_key);
  auto price = doc.find(price_key);
  if (price == nullptr)
    return reject(reject_reason::missing_field, price_key);
  if (!price_from_value(*price, limits.max_price_micros, q.price_micros,
                        reason))
    return reject(reason, price_key);
  q.ts_ms = now_ms;
  if (auto ts = doc.find(ts_field);
      ts != nullptr && !ts_from_value(*ts, q.ts_ms, reason))
    return reject(reason, ts_field);
  out.push_back(std::move(q));
  return accept();
}

/// Decodes the symbol-map shape; all entries or none reach `out`.
decode_result decode_symbol_map(const flat_json::document& doc, int64_t now_ms,
                                const codec_limits& limits,
                                std::vector<quote>& out) {
  if (doc.members.empty())
    return reject(reject_reason::missing_field, symbol_field);
  auto old_size = out.size();
  auto rollback = [&](reject_reason reason, std::string_view field) {
    out.erase(out.begin() + static_cast<ptrdiff_t>(old_size), out.end());
    return reject(reason, field);
  };
  for (auto& entry : doc.members) {
    auto& q = out.emplace_back();
    q.symbol = entry.key;
    q.ts_ms = now_ms;
    auto reason = reject_reason::bad_symbol;
    if (!normalize_symbol(q.symbol, reason))
      return rollback(reason, symbol_field);
    if (!price_from_value(entry.val, limits.max_price_micros, q.price_micros,
                          reason))
      return rollback(reason, price_field);
  }
  // "goog" and "GOOG" are two JSON keys but one symbol: as ambiguous as a
  // repeated key.
  std::vector<std::string_view> symbols;
  symbols.reserve(out.size() - old_size);
  for (auto i = old_size; i < out.size(); ++i)
    symbols.emplace_back(out[i].symbol);
  std::sort(symbols.begin(), symbols.end());
  if (std::adjacent_find(symbols.begin(), symbols.end()) != symbols.end())
    return rollback(reject_reason::duplicate_key, symbol_field);
  return accept();
}

/// The field to blame when a key occurs twice in `doc`, or empty if none
/// does: the key itself when it is one of the known fields, else `symbol`
/// (a symbol-map key).
std::string_view duplicate_field(const flat_json::document& doc) {
  auto dup = doc.duplicate_key();
  if (!dup)
    return {};
  for (auto known :
       {symbol_field, sid_field, price_field, quote_field, ts_field})
    if (*dup == known)
      return known;
  return symbol_field;
}

/// Maps a number overflow to the field it happened in.
decode_result reject_overflow(std::string_view key) noexcept {
  if (key == ts_field)
    return reject(reject_reason::bad_timestamp, ts_field);
  if (key == symbol_field)
    return reject(reject_reason::wrong_type, symbol_field);
  if (key == sid_field)
    return reject(reject_reason::wrong_type, sid_field);
  if (key == quote_field)
    return reject(reject_reason::not_finite, quote_field);
  return reject(reject_reason::not_finite, price_field);
}

} // namespace

// -- reasons ------------------------------------------------------------------------

std::string_view to_string(reject_reason x) noexcept {
  switch (x) {
    case reject_reason::not_json:
      return "not_json";
    case reject_reason::wrong_type:
      return "wrong_type";
    case reject_reason::missing_field:
      return "missing_field";
    case reject_reason::not_finite:
      return "not_finite";
    case reject_reason::non_positive_price:
      return "non_positive_price";
    case reject_reason::empty_symbol:
      return "empty_symbol";
    case reject_reason::symbol_too_long:
      return "symbol_too_long";
    case reject_reason::bad_symbol:
      return "bad_symbol";
    case reject_reason::payload_too_large:
      return "payload_too_large";
    case reject_reason::bad_timestamp:
      return "bad_timestamp";
    case reject_reason::bad_price:
      return "bad_price";
    case reject_reason::price_out_of_range:
      return "price_out_of_range";
    case reject_reason::duplicate_key:
      return "duplicate_key";
  }
  return "unknown";
}

// -- JSON ---------------------------------------------------------------------------

decode_result decode_json_quote(std::string_view payload, int64_t now_ms,
                                std::vector<quote>& out,
                                const codec_limits& limits) {
  if (payload.size() > limits.max_payload_bytes)
    return reject(reject_reason::payload_too_large);
  auto old_size = out.size();
  try {
    // One document per thread keeps its member buffers between payloads.
    thread_local flat_json::document doc;
    switch (flat_json::parse(payload, doc)) {
      case flat_json::status::ok:
        break;
      case flat_json::status::not_object:
        return reject(reject_reason::wrong_type);
      case flat_json::status::number_overflow:
        return reject_overflow(doc.overflow_key);
      default:
        return reject(reject_reason::not_json);
    }
    if (auto dup = duplicate_field(doc); !dup.empty())
      return reject(reject_reason::duplicate_key, dup);
    if (auto symbol = doc.find(symbol_field))
      return decode_single(doc, *symbol, symbol_field, price_field, now_ms,
                           limits, out);
    if (auto sid = doc.find(sid_field))
      return decode_single(doc, *sid, sid_field, quote_field, now_ms, limits,
                           out);
    auto has_price = doc.find(price_field) != nullptr;
    if (has_price || doc.find(quote_field) || doc.find(ts_field))
      return reject(reject_reason::missing_field,
                    !has_price && doc.find(quote_field) ? sid_field
                                                        : symbol_field);
    return decode_symbol_map(doc, now_ms, limits, out);
  } catch (...) {
    // Only an allocation failure gets here; the live feed must not die of it.
    if (out.size() > old_size)
      out.erase(out.begin() + static_cast<ptrdiff_t>(old_size), out.end());
    return reject(reject_reason::not_json);
  }
}

std::string encode_canonical(const quote& x) {
  std::string out;
  out.reserve(64);
  out += "{\"symbol\":";
  flat_json::append_string(out, x.symbol);
  out += ",\"price\":";
  out += format_micros(x.price_micros);
  out += ",\"ts\":";
  flat_json::append_int(out, x.ts_ms);
  out += '}';
  return out;
}

// -- CSV ----------------------------------------------------------------------------

decode_result decode_csv_row(std::string_view row, std::vector<quote>& out,
                             const codec_limits& limits) {
  if (!row.empty() && row.back() == '\r')
    row.remove_suffix(1);
  auto c1 = row.find(',');
  if (c1 == std::string_view::npos)
    return reject(reject_reason::missing_field, symbol_field);
  auto c2 = row.find(',', c1 + 1);
  if (c2 == std::string_view::npos)
    return reject(reject_reason::missing_field, price_field);
  if (row.find(',', c2 + 1) != std::string_view::npos)
    return reject(reject_reason::wrong_type);
  // Cheap checks first: only a good row pays for the symbol string.
  int64_t ts_ms = 0;
  if (!parse_timestamp_ms(row.substr(0, c1), ts_ms))
    return reject(reject_reason::bad_timestamp, ts_field);
  int64_t price_micros = 0;
  auto reason = reject_reason::bad_price;
  if (!price_from_text(row.substr(c2 + 1), limits.max_price_micros,
                       price_micros, reason))
    return reject(reason, price_field);
  std::string symbol{row.substr(c1 + 1, c2 - c1 - 1)};
  if (!normalize_symbol(symbol, reason))
    return reject(reason, symbol_field);
  auto& q = out.emplace_back();
  q.symbol = std::move(symbol);
  q.price_micros = price_micros;
  q.ts_ms = ts_ms;
  return accept();
}

bool is_csv_header(std::string_view row) noexcept {
  // Spreadsheets like to start a CSV file with a UTF-8 byte order mark.
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  if (row.substr(0, bom.size()) == bom)
    row.remove_prefix(bom.size());
  if (!row.empty() && row.back() == '\r')
    row.remove_suffix(1);
  return iequals(row, "ts,symbol,price");
}

// -- timestamps and symbols ---------------------------------------------------------

bool parse_timestamp_ms(std::string_view text, int64_t& ts_ms) noexcept {
  if (text.empty())
    return false;
  if (text.size() < 10 || text[4] != '-') {
    // Epoch milliseconds: digits only, no sign, no overflow.
    if (!is_digit(text[0]))
      return false;
    int64_t x = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
    if (ec != std::errc{} || end != text.data() + text.size())
      return false;
    ts_ms = x;
    return true;
  }
  int year = 0;
  int month = 0;
  int day = 0;
  if (!read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month)
      || text[7] != '-' || !read_digits(text, 8, 2, day))
    return false;
  if (year < 1970 || month < 1 || month > 12 || day < 1
      || day > days_in_month(year, month))
    return false;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millis = 0;
  auto pos = size_t{10};
  if (pos < text.size()) {
    if (text[pos] != 'T' || !read_digits(text, 11, 2, hour) || text.size() < 19
        || text[13] != ':' || !read_digits(text, 14, 2, minute)
        || text[16] != ':' || !read_digits(text, 17, 2, second))
      return false;
    if (hour > 23 || minute > 59 || second > 59)
      return false;
    pos = 19;
    if (pos < text.size() && text[pos] == '.') {
      // Milliseconds from up to nine fraction digits; finer digits are cut,
      // as a clock reading is not rounded up into the next millisecond.
      ++pos;
      auto digits = size_t{0};
      for (; pos < text.size() && is_digit(text[pos]); ++pos, ++digits)
        if (digits < 3)
          millis = millis * 10 + (text[pos] - '0');
      if (digits == 0 || digits > 9)
        return false;
      for (auto i = digits; i < 3; ++i)
        millis *= 10;
    }
    if (pos < text.size() && text[pos] == 'Z')
      ++pos;
    if (pos != text.size())
      return false;
  }
  auto days = days_from_civil(year, month, day);
  ts_ms = ((days * 24 + hour) * 60 + minute) * 60'000 + second * 1000 + millis;
  return true;
}

bool normalize_symbol(std::string& symbol, reject_reason& reason) noexcept {
  if (symbol.empty()) {
    reason = reject_reason::empty_symbol;
    return false;
  }
  if (symbol.size() > max_symbol_length) {
    reason = reject_reason::symbol_too_long;
    return false;
  }
  for (auto c : symbol) {
    if (!is_symbol_char(to_upper(c))) {
      reason = reject_reason::bad_symbol;
      return false;
    }
  }
  for (auto& c : symbol)
    c = to_upper(c);
  return true;
}

} // namespace intuition::trading

#include "trading/flat_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace intuition::trading::flat_json {

namespace {

// -- SAX handler --------------------------------------------------------------------

/// Collects the top-level members of an object. A SAX pass instead of a DOM
/// keeps the raw text of floating-point numbers (prices stay exact) and tells
/// a number overflow (error 406) apart from a syntax error.
struct collector {
  using json = nlohmann::json;

  document& doc;
  size_t depth = 0;
  bool top_is_object = false;
  bool overflow = false;

  /// The value a scalar at the current depth belongs to; null when the scalar
  /// is the whole document or sits inside a compound member.
  value* slot() noexcept {
    return depth == 1 && !doc.members.empty() ? &doc.members.back().val
                                              : nullptr;
  }

  bool null() {
    if (auto v = slot())
      v->type = kind::null;
    return true;
  }

  bool boolean(bool x) {
    if (auto v = slot()) {
      v->type = kind::boolean;
      v->boolean = x;
    }
    return true;
  }

  bool number_integer(json::number_integer_t x) {
    if (auto v = slot()) {
      v->type = kind::integer;
      v->integer = x;
    }
    return true;
  }

  bool number_unsigned(json::number_unsigned_t x) {
    if (auto v = slot()) {
      v->type = kind::unsigned_integer;
      v->unsigned_integer = x;
    }
    return true;
  }

  bool number_float(json::number_float_t x, const json::string_t& raw) {
    if (auto v = slot()) {
      v->type = kind::floating;
      v->floating = x;
      v->text = raw;
    }
    return true;
  }

  bool string(json::string_t& x) {
    if (auto v = slot()) {
      v->type = kind::string;
      v->text = x;
    }
    return true;
  }

  bool binary(json::binary_t&) {
    // Only reachable for binary formats; JSON text never produces it.
    return true;
  }

  bool start_object(size_t) {
    enter(true);
    return true;
  }

  bool start_array(size_t) {
    enter(false);
    return true;
  }

  bool end_object() {
    --depth;
    return true;
  }

  bool end_array() {
    --depth;
    return true;
  }

  bool key(json::string_t& x) {
    if (depth == 1) {
      doc.members.emplace_back();
      doc.members.back().key = x;
    }
    return true;
  }

  bool parse_error(size_t, const std::string&, const json::exception& ex) {
    if (ex.id == 406) {
      overflow = true;
      if (depth >= 1 && !doc.members.empty())
        doc.overflow_key = doc.members.back().key;
    }
    return false;
  }

  void enter(bool is_object) {
    if (depth == 0)
      top_is_object = is_object;
    else if (auto v = slot())
      v->type = kind::compound;
    ++depth;
  }
};

// -- UTF-8 --------------------------------------------------------------------------

/// Length of the valid UTF-8 sequence starting at `i` (RFC 3629: no overlong
/// forms, no surrogates, nothing above U+10FFFF), or 0 if it is invalid.
size_t utf8_sequence_length(std::string_view str, size_t i) noexcept {
  auto byte = [&](size_t k) {
    return static_cast<unsigned char>(str[k]);
  };
  auto in = [&](size_t k, unsigned lo, unsigned hi) {
    return k < str.size() && byte(k) >= lo && byte(k) <= hi;
  };
  auto lead = byte(i);
  if (lead >= 0xC2 && lead <= 0xDF)
    return in(i + 1, 0x80, 0xBF) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    auto lo = lead == 0xE0 ? 0xA0u : 0x80u;
    auto hi = lead == 0xED ? 0x9Fu : 0xBFu;
    return in(i + 1, lo, hi) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    auto lo = lead == 0xF0 ? 0x90u : 0x80u;
    auto hi = lead == 0xF4 ? 0x8Fu : 0xBFu;
    return in(i + 1, lo, hi) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF)
             ? 4
             : 0;
  }
  return 0;
}

// -- the common shape, without the SAX parser ---------------------------------------

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// A string without escapes and of printable ASCII only, from the opening
/// quote at `i`; `i` ends past the closing quote. False for anything else
/// (left to the full parser).
bool plain_string(std::string_view text, size_t& i, std::string_view& out) {
  auto start = ++i;
  for (; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') {
      out = text.substr(start, i - start);
      ++i;
      return true;
    }
    if (c < 0x20 || c > 0x7E || c == '\\')
      return false;
  }
  return false;
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

/// Moves `i` past one or more digits; false when there is none.
bool skip_digits(std::string_view text, size_t& i) noexcept {
  if (i >= text.size() || !is_digit(text[i]))
    return false;
  while (i < text.size() && is_digit(text[i]))
    ++i;
  return true;
}

/// A JSON number at `i` (RFC 8259's grammar), stored as the full parser
/// stores it: an integer with a sign as `integer`, one without as
/// `unsigned_integer`, anything with a fraction or exponent as `floating`
/// (strtod of its text, the text kept). False where the full parser must
/// decide: a malformed number, an integer beyond 64 bits, a float beyond
/// a double, a token too long for the buffer.
bool plain_number(std::string_view text, size_t& i, value& v) {
  auto start = i;
  bool negative = text[i] == '-';
  if (negative)
    ++i;
  if (i >= text.size() || !is_digit(text[i]))
    return false;
  if (text[i] == '0')
    ++i;
  else
    skip_digits(text, i);
  bool is_float = false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!skip_digits(text, i))
      return false;
    is_float = true;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-'))
      ++i;
    if (!skip_digits(text, i))
      return false;
    is_float = true;
  }
  auto token = text.substr(start, i - start);
  if (!is_float) {
    uint64_t magnitude = 0;
    for (auto c : token.substr(negative ? 1 : 0)) {
      auto d = static_cast<uint64_t>(c - '0');
      if (magnitude > (UINT64_MAX - d) / 10)
        return false;
      magnitude = magnitude * 10 + d;
    }
    if (negative) {
      constexpr auto limit = static_cast<uint64_t>(INT64_MAX) + 1;
      if (magnitude > limit)
        return false;
      v.type = kind::integer;
      v.integer
        = magnitude == limit ? INT64_MIN : -static_cast<int64_t>(magnitude);
    } else {
      v.type = kind::unsigned_integer;
      v.unsigned_integer = magnitude;
    }
    return true;
  }
  char buf[64];
  if (token.size() >= sizeof(buf))
    return false;
  std::copy(token.begin(), token.end(), buf);
  buf[token.size()] = '\0';
  char* end = nullptr;
  auto x = std::strtod(buf, &end);
  if (end != buf + token.size() || !std::isfinite(x))
    return false;
  v.type = kind::floating;
  v.floating = x;
  v.text.assign(token.data(), token.size());
  return true;
}

/// Parses the shape nearly every quote has: one object of members whose
/// keys and string values are printable ASCII without escapes and whose
/// values are strings, numbers, `true`, `false` or `null`. Fills `doc` and
/// returns true only when that shape holds and the text is valid JSON;
/// anything else (escapes, other bytes, nesting, an error) returns false,
/// and the full parser decides, so both give the same document.
bool parse_plain(std::string_view text, document& doc) {
  size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && is_space(text[i]))
      ++i;
  };
  skip();
  if (i >= text.size() || text[i] != '{')
    return false;
  ++i;
  skip();
  if (i < text.size() && text[i] == '}') {
    ++i;
  } else {
    for (;;) {
      if (i >= text.size() || text[i] != '"')
        return false;
      std::string_view key;
      if (!plain_string(text, i, key))
        return false;
      skip();
      if (i >= text.size() || text[i] != ':')
        return false;
      ++i;
      skip();
      if (i >= text.size())
        return false;
      doc.members.emplace_back();
      auto& m = doc.members.back();
      m.key.assign(key.data(), key.size());
      auto c = text[i];
      if (c == '"') {
        std::string_view str;
        if (!plain_string(text, i, str))
          return false;
        m.val.type = kind::string;
        m.val.text.assign(str.data(), str.size());
      } else if (c == '-' || is_digit(c)) {
        if (!plain_number(text, i, m.val))
          return false;
      } else if (text.substr(i, 4) == "true") {
        m.val.type = kind::boolean;
        m.val.boolean = true;
        i += 4;
      } else if (text.substr(i, 5) == "false") {
        m.val.type = kind::boolean;
        m.val.boolean = false;
        i += 5;
      } else if (text.substr(i, 4) == "null") {
        m.val.type = kind::null;
        i += 4;
      } else {
        return false;
      }
      skip();
      if (i >= text.size())
        return false;
      if (text[i] == '}') {
        ++i;
        break;
      }
      if (text[i] != ',')
        return false;
      ++i;
      skip();
    }
  }
  skip();
  return i == text.size();
}

} // namespace

// -- reading ------------------------------------------------------------------------

const value* document::find(std::string_view key) const noexcept {
  for (auto i = members.rbegin(); i != members.rend(); ++i)
    if (i->key == key)
      return &i->val;
  return nullptr;
}

std::optional<std::string_view> document::duplicate_key() const {
  // Payloads hold a handful of members: compare pairs; sort only when many.
  constexpr size_t small = 16;
  if (members.size() <= small) {
    for (size_t i = 0; i < members.size(); ++i)
      for (size_t j = i + 1; j < members.size(); ++j)
        if (members[i].key == members[j].key)
          return std::string_view{members[i].key};
    return std::nullopt;
  }
  std::vector<std::string_view> keys;
  keys.reserve(members.size());
  for (const auto& m : members)
    keys.emplace_back(m.key);
  std::sort(keys.begin(), keys.end());
  auto i = std::adjacent_find(keys.begin(), keys.end());
  if (i == keys.end())
    return std::nullopt;
  return *i;
}

status parse_full(std::string_view text, document& doc) noexcept {
  doc.members.clear();
  doc.overflow_key.clear();
  try {
    collector handler{doc};
    auto parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &handler);
    if (!handler.top_is_object)
      doc.result = parsed ? status::not_object : status::not_json;
    else if (parsed)
      doc.result = status::ok;
    else
      doc.result
        = handler.overflow ? status::number_overflow : status::not_json;
  } catch (...) {
    // Only an allocation failure can get here; the input counts as unreadable.
    doc.members.clear();
    doc.result = status::not_json;
  }
  return doc.result;
}

status parse(std::string_view text, document& doc) noexcept {
  doc.members.clear();
  doc.overflow_key.clear();
  try {
    // Nearly every payload has the plain shape: read directly, it costs
    // about a third of the SAX parser's time. The rest, and anything the
    // plain reader is unsure of, goes to the full parser.
    if (parse_plain(text, doc)) {
      doc.result = status::ok;
      return doc.result;
    }
  } catch (...) {
    // An allocation failure: the full parser tries again.
  }
  return parse_full(text, doc);
}

// -- writing ------------------------------------------------------------------------

void append_string(std::string& out, std::string_view str) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < str.size();) {
    auto c = static_cast<unsigned char>(str[i]);
    if (c >= 0x80) {
      if (auto n = utf8_sequence_length(str, i); n > 0) {
        out.append(str.data() + i, n);
        i += n;
      } else {
        out += "\\ufffd";
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0x0F];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

void append_uint(std::string& out, uint64_t x) {
  char buf[20];
  auto pos = sizeof(buf);
  do {
    buf[--pos] = static_cast<char>('0' + x % 10);
    x /= 10;
  } while (x != 0);
  out.append(buf + pos, sizeof(buf) - pos);
}

void append_int(std::string& out, int64_t x) {
  if (x < 0) {
    out += '-';
    append_uint(out, uint64_t{0} - static_cast<uint64_t>(x));
  } else {
    append_uint(out, static_cast<uint64_t>(x));
  }
}

bool get_unsigned(const document& doc, std::string_view key,
                  uint64_t& x) noexcept {
  auto v = doc.find(key);
  if (v == nullptr || v->type != kind::unsigned_integer)
    return false;
  x = v->unsigned_integer;
  return true;
}

} // namespace intuition::trading::flat_json

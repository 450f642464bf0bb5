#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Reading and writing of flat JSON objects (one level of scalar members),
/// the shape of quote payloads and journal records. Internal to the trading
/// core: the codec and the journal share it so that both see the exact text
/// of every number (no double round trip for prices) and both escape strings
/// the same way.
namespace intuition::trading::flat_json {

// -- reading ------------------------------------------------------------------------

/// JSON type of one member's value.
enum class kind : uint8_t {
  null,
  boolean,
  integer,          ///< negative integer, in `integer`
  unsigned_integer, ///< non-negative integer, in `unsigned_integer`
  floating, ///< number with fraction or exponent: `floating` and raw `text`
  string,   ///< decoded string in `text`
  compound, ///< object or array; contents are not kept
};

/// One member's value.
struct value {
  kind type = kind::null;
  bool boolean = false;
  int64_t integer = 0;
  uint64_t unsigned_integer = 0;
  double floating = 0;
  /// String contents, or the number's text exactly as written.
  std::string text;
};

/// One `"key": value` member of the top-level object.
struct member {
  std::string key;
  value val;
};

/// What `parse` found.
enum class status : uint8_t {
  ok,              ///< a JSON object; `members` holds its members in order
  not_json,        ///< syntax error
  not_object,      ///< valid JSON, but not an object
  number_overflow, ///< a number too large for a double; `overflow_key` names it
};

/// A parsed object. Reusing one across calls keeps its buffers.
struct document {
  status result = status::not_json;
  std::vector<member> members;
  /// Key of the top-level member whose value overflowed (empty if none).
  std::string overflow_key;

  /// Returns the value of the last member named `key`, as a JSON object with
  /// repeated keys means the last one; null if absent.
  const value* find(std::string_view key) const noexcept;

  /// A key that occurs more than once among `members`, if any. Readers that
  /// must not guess which of two values was meant reject such a document.
  std::optional<std::string_view> duplicate_key() const;
};

/// Parses `text` into `doc` (cleared first). Never throws; an allocation
/// failure reports `not_json`. An object of scalar members with printable
/// ASCII keys and strings and no escapes is read directly; anything else
/// goes to `parse_full`, with the same result either way.
status parse(std::string_view text, document& doc) noexcept;

/// The full (SAX) parser alone: what `parse` gives for every input. For
/// tests that compare the two.
status parse_full(std::string_view text, document& doc) noexcept;

/// Sets `x` to the unsigned integer under `key`; false, leaving `x` as it
/// was, when `doc` has no such key or another kind of value there.
bool get_unsigned(const document& doc, std::string_view key,
                  uint64_t& x) noexcept;

// -- writing ------------------------------------------------------------------------

/// Appends `str` as a quoted, escaped JSON string. Bytes that are not valid
/// UTF-8 become U+FFFD, so the output always parses back.
void append_string(std::string& out, std::string_view str);

/// Appends the decimal digits of `x`.
void append_int(std::string& out, int64_t x);

/// Appends the decimal digits of `x`.
void append_uint(std::string& out, uint64_t x);

} // namespace intuition::trading::flat_json

#define CAF_SUITE trading.flat_json

#include "caf/test/unit_test.hpp"

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "trading/flat_json.hpp"

using namespace intuition::trading;

namespace {

/// Every field of both documents, as text: equal documents print the same.
std::string dump(const flat_json::document& doc) {
  std::string out = std::to_string(static_cast<int>(doc.result)) + "|"
                    + doc.overflow_key + "|";
  for (const auto& m : doc.members) {
    const auto& v = m.val;
    uint64_t bits = 0;
    std::memcpy(&bits, &v.floating, sizeof(bits));
    out += m.key + "=" + std::to_string(static_cast<int>(v.type)) + ","
           + std::to_string(v.boolean) + "," + std::to_string(v.integer) + ","
           + std::to_string(v.unsigned_integer) + "," + std::to_string(bits)
           + "," + v.text + ";";
  }
  return out;
}

/// What `parse` makes of `text`, against the full parser alone.
bool same(const std::string& text) {
  flat_json::document fast;
  flat_json::document full;
  flat_json::parse(text, fast);
  flat_json::parse_full(text, full);
  auto ok = dump(fast) == dump(full);
  if (!ok)
    CAF_MESSAGE("differs for " << text << ": " << dump(fast) << " against "
                               << dump(full));
  return ok;
}

const std::vector<std::string> cases = {
  // The shapes quotes come in.
  R"({"symbol":"DAX","price":1628.75,"ts":694224000000})",
  R"({"sid":"GOOG","quote":"345"})",
  R"({"goog": 3.45})",
  " \t\r\n{ \"a\" : 1 , \"b\" : -2 , \"c\" : 3.5e-3 }\n ",
  R"({})",
  R"({ })",
  R"({"t":true,"f":false,"n":null})",
  // Integers at and past the 64-bit limits, and zero with a sign.
  R"({"u":18446744073709551615,"i":-9223372036854775808})",
  R"({"u":18446744073709551616})",
  R"({"i":-9223372036854775809})",
  R"({"z":-0,"zf":-0.0,"e":1E5,"e2":2e+2,"e3":3E-2})",
  // Beyond a double, and below the smallest one.
  R"({"big":1e400})",
  R"({"tiny":1e-400})",
  R"({"long":1.)" + std::string(80, '1') + "}",
  // Not numbers.
  R"({"a":-})",
  R"({"a":01})",
  R"({"a":1.})",
  R"({"a":.5})",
  R"({"a":1e})",
  R"({"a":+1})",
  R"({"a":1e+})",
  R"({"a":0x10})",
  // Broken objects.
  R"({"a":1,})",
  R"({"a" 1})",
  R"({"a":1)",
  R"({"a":1}})",
  R"({"a":1} x)",
  R"({,})",
  R"({"a":tru})",
  R"({"a":nul})",
  R"({"a":falsey})",
  R"({a:1})",
  R"({"a":'x'})",
  "",
  " ",
  "{",
  "}",
  "\"s\"",
  "[1,2]",
  "1",
  "null",
  // Left to the full parser: escapes, other bytes, nesting, repeated keys.
  R"({"a":"x\"y"})",
  R"({"a":"\u00e9"})",
  "{\"a\":\"\xc3\xa9\"}",
  "{\"a\":\"\xff\"}",
  "{\"a\":\"tab\there\"}",
  R"({"a":{"b":1},"c":2})",
  R"({"a":[1,2],"c":2})",
  R"({"a":1,"a":2})",
  "\xEF\xBB\xBF{\"a\":1}",
  "{\"a\":1}\0",
};

} // namespace

CAF_TEST(parse gives what the full parser gives on chosen inputs) {
  for (const auto& text : cases)
    CAF_CHECK(same(text));
  // The common shape is read correctly, not only alike.
  flat_json::document doc;
  CAF_REQUIRE(flat_json::parse(cases[0], doc) == flat_json::status::ok);
  CAF_REQUIRE_EQUAL(doc.members.size(), 3u);
  CAF_CHECK_EQUAL(doc.members[0].val.text, "DAX");
  CAF_CHECK(doc.members[1].val.type == flat_json::kind::floating);
  CAF_CHECK_EQUAL(doc.members[1].val.text, "1628.75");
  CAF_CHECK(doc.members[2].val.type == flat_json::kind::unsigned_integer);
  CAF_CHECK_EQUAL(doc.members[2].val.unsigned_integer, 694224000000u);
  CAF_CHECK(flat_json::parse(R"({"big":1e400})", doc)
            == flat_json::status::number_overflow);
  CAF_CHECK_EQUAL(doc.overflow_key, "big");
}

CAF_TEST(parse gives what the full parser gives on mutated payloads) {
  // Random edits of the chosen inputs, with the characters JSON gives a
  // meaning to: a fixed seed, so a failure repeats.
  std::mt19937_64 rng{20261207};
  const std::string alphabet = "{}[]:,\"\\ \t\n-+.0123456789eEtrufalsn\x01\xc3";
  size_t differ = 0;
  size_t tried = 0;
  for (size_t round = 0; round < 200'000; ++round) {
    auto text = cases[rng() % cases.size()];
    auto edits = 1 + rng() % 3;
    for (size_t e = 0; e < edits; ++e) {
      auto pos = text.empty() ? 0 : rng() % (text.size() + 1);
      auto c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          text.insert(pos, 1, c);
          break;
        case 1:
          if (pos < text.size())
            text.erase(pos, 1);
          break;
        default:
          if (pos < text.size())
            text[pos] = c;
      }
    }
    ++tried;
    if (!same(text) && ++differ > 5)
      break;
  }
  CAF_CHECK_EQUAL(differ, 0u);
  CAF_CHECK_EQUAL(tried, 200'000u);
}

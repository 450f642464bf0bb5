#define CAF_SUITE trading.decimal
#include "caf/test/unit_test.hpp"

#include "trading/decimal.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

using namespace intuition::trading;

namespace {

constexpr int64_t int64_max = std::numeric_limits<int64_t>::max();
constexpr int64_t int64_min = std::numeric_limits<int64_t>::min();

/// Parses and flattens "nothing" into a sentinel so checks print plain numbers.
int64_t parsed(std::string_view text) {
  return parse_decimal_micros(text).value_or(int64_t{-42});
}

bool rejected(std::string_view text) {
  return !parse_decimal_micros(text).has_value();
}

} // namespace

// -- parsing ------------------------------------------------------------------------

CAF_TEST(plain decimals parse to exact micros) {
  CAF_CHECK_EQUAL(parsed("345"), 345'000'000);
  CAF_CHECK_EQUAL(parsed("3.45"), 3'450'000);
  CAF_CHECK_EQUAL(parsed("1628.75"), 1'628'750'000);
  CAF_CHECK_EQUAL(parsed("-0.5"), -500'000);
  CAF_CHECK_EQUAL(parsed("+2"), 2'000'000);
  CAF_CHECK_EQUAL(parsed(".5"), 500'000);
  CAF_CHECK_EQUAL(parsed("0"), 0);
  CAF_CHECK_EQUAL(parsed("-0"), 0);
  CAF_CHECK_EQUAL(parsed("0.000001"), 1);
  CAF_CHECK_EQUAL(parsed("123.456789"), 123'456'789);
  CAF_CHECK_EQUAL(parsed("1678.10"), 1'678'100'000);
  CAF_CHECK_EQUAL(parsed("0000000000000000000000001.5"), 1'500'000);
}

CAF_TEST(digits beyond the sixth decimal round half away from zero) {
  CAF_CHECK_EQUAL(parsed("0.0000005"), 1);
  CAF_CHECK_EQUAL(parsed("-0.0000005"), -1);
  CAF_CHECK_EQUAL(parsed("0.00000049999999"), 0);
  CAF_CHECK_EQUAL(parsed("1.2345675"), 1'234'568);
  CAF_CHECK_EQUAL(parsed("1.23456749"), 1'234'567);
  CAF_CHECK_EQUAL(parsed("-1.2345675"), -1'234'568);
  CAF_CHECK_EQUAL(parsed("0.1234561111111111111111111111"), 123'456);
  CAF_CHECK_EQUAL(parsed("0.9999999"), 1'000'000);
}

CAF_TEST(text that is not a plain decimal is rejected) {
  for (auto text :
       {"", "-", "+", ".", "5.", "1e3", "1E3", "abc", " 1", "1 ", "1,5", "--1",
        "+-1", "0x10", "1.2.3", "NaN", "inf", "1..2", "\xEF\xBC\x91"}) {
    CAF_MESSAGE("text: " << text);
    CAF_CHECK(rejected(text));
  }
}

CAF_TEST(micros that do not fit in 63 bits are rejected) {
  CAF_CHECK_EQUAL(parsed("9223372036854.775807"), int64_max);
  CAF_CHECK_EQUAL(parsed("-9223372036854.775807"), -int64_max);
  CAF_CHECK_EQUAL(parsed("9223372036854.7758074"), int64_max);
  CAF_CHECK(rejected("9223372036854.7758075"));
  CAF_CHECK(rejected("9223372036854.775808"));
  CAF_CHECK(rejected("9223372036855"));
  CAF_CHECK(rejected("99999999999999999999999999"));
  CAF_CHECK(rejected("-99999999999999999999999999.5"));
}

// -- doubles ------------------------------------------------------------------------

CAF_TEST(doubles convert to the nearest micro) {
  CAF_CHECK_EQUAL(double_to_micros(3.45).value_or(0), 3'450'000);
  CAF_CHECK_EQUAL(double_to_micros(-1.5).value_or(0), -1'500'000);
  CAF_CHECK_EQUAL(double_to_micros(0.1).value_or(-1), 100'000);
  CAF_CHECK_EQUAL(double_to_micros(1e-7).value_or(-1), 0);
  CAF_CHECK_EQUAL(double_to_micros(9e12).value_or(0),
                  9'000'000'000'000'000'000);
}

CAF_TEST(non finite and out of range doubles have no micros) {
  CAF_CHECK(!double_to_micros(std::nan("")));
  CAF_CHECK(!double_to_micros(std::numeric_limits<double>::infinity()));
  CAF_CHECK(!double_to_micros(-std::numeric_limits<double>::infinity()));
  CAF_CHECK(!double_to_micros(1e13));
  CAF_CHECK(!double_to_micros(-1e13));
  CAF_CHECK(!double_to_micros(9223372036854.775808));
}

// -- formatting ---------------------------------------------------------------------

CAF_TEST(format_micros renders the shortest exact decimal) {
  CAF_CHECK_EQUAL(format_micros(1'628'750'000), "1628.75");
  CAF_CHECK_EQUAL(format_micros(345'000'000), "345");
  CAF_CHECK_EQUAL(format_micros(-1), "-0.000001");
  CAF_CHECK_EQUAL(format_micros(0), "0");
  CAF_CHECK_EQUAL(format_micros(100'000), "0.1");
  CAF_CHECK_EQUAL(format_micros(-1'500'000), "-1.5");
  CAF_CHECK_EQUAL(format_micros(123'456'789), "123.456789");
  CAF_CHECK_EQUAL(format_micros(1'000'010), "1.00001");
  CAF_CHECK_EQUAL(format_micros(int64_max), "9223372036854.775807");
  CAF_CHECK_EQUAL(format_micros(int64_min), "-9223372036854.775808");
}

CAF_TEST(format_micros_fixed rounds half away from zero) {
  CAF_CHECK_EQUAL(format_micros_fixed(1'628'750'000, 2), "1628.75");
  CAF_CHECK_EQUAL(format_micros_fixed(1'234'567, 2), "1.23");
  CAF_CHECK_EQUAL(format_micros_fixed(1'235'000, 2), "1.24");
  CAF_CHECK_EQUAL(format_micros_fixed(-1'235'000, 2), "-1.24");
  CAF_CHECK_EQUAL(format_micros_fixed(-5'000, 2), "-0.01");
  CAF_CHECK_EQUAL(format_micros_fixed(-4'999, 2), "0.00");
  CAF_CHECK_EQUAL(format_micros_fixed(345'000'000, 0), "345");
  CAF_CHECK_EQUAL(format_micros_fixed(500'000, 0), "1");
  CAF_CHECK_EQUAL(format_micros_fixed(1, 6), "0.000001");
  CAF_CHECK_EQUAL(format_micros_fixed(345'000'000, 3), "345.000");
  CAF_CHECK_EQUAL(format_micros_fixed(1, 9), "0.000001");
  CAF_CHECK_EQUAL(format_micros_fixed(int64_min, 0), "-9223372036855");
}

CAF_TEST(formatted micros parse back to the same value) {
  for (auto x :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{999'999},
        int64_t{1'628'750'000}, int64_t{-123'456'789}, int64_max, -int64_max}) {
    CAF_CHECK_EQUAL(parsed(format_micros(x)), x);
    CAF_CHECK_EQUAL(parsed(format_micros_fixed(x, 6)), x);
  }
}

CAF_TEST(micros_to_double scales to units) {
  CAF_CHECK_EQUAL(micros_to_double(1'500'000), 1.5);
  CAF_CHECK_EQUAL(micros_to_double(-250'000), -0.25);
}

#define CAF_SUITE trading.indicators
#include "caf/test/unit_test.hpp"

#include "trading/indicators.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

using namespace intuition::trading;

namespace {

constexpr double tolerance = 1e-9;

/// Whole units to micros, to keep the series below readable.
constexpr int64_t units(int64_t x) {
  return x * 1'000'000;
}

bool near(double x, double y) {
  return std::fabs(x - y) <= tolerance;
}

} // namespace

// -- price window ---------------------------------------------------------------

CAF_TEST(the price window evicts its oldest price when full) {
  price_window win{3};
  win.push(units(10));
  win.push(units(20));
  CAF_CHECK(!win.full());
  CAF_CHECK_EQUAL(win.size(), 2u);
  win.push(units(30));
  win.push(units(40));
  CAF_CHECK(win.full());
  CAF_CHECK_EQUAL(win.size(), 3u);
  CAF_CHECK_EQUAL(win.capacity(), 3u);
  CAF_CHECK_EQUAL(win.back(0), units(40));
  CAF_CHECK_EQUAL(win.back(1), units(30));
  CAF_CHECK_EQUAL(win.back(2), units(20));
  CAF_CHECK(win.sum() == units(90));
  // 20^2 + 30^2 + 40^2 = 2900 units^2 = 2900 * 10^12 micros^2.
  CAF_CHECK(win.sum_squares() == int128_t{2900} * 1'000'000'000'000);
}

CAF_TEST(a window of capacity zero is rejected) {
  auto thrown = false;
  try {
    price_window win{0};
  } catch (const std::invalid_argument&) {
    thrown = true;
  }
  CAF_CHECK(thrown);
}

// -- simple moving average ------------------------------------------------------

CAF_TEST(sma has no value before n prices) {
  sma avg{3};
  CAF_CHECK(!avg.value());
  avg.push(units(1));
  CAF_CHECK(!avg.value());
  avg.push(units(2));
  CAF_CHECK(!avg.value());
  avg.push(units(3));
  auto value = avg.value();
  CAF_REQUIRE(value);
  CAF_CHECK_EQUAL(*value, 2.0);
}

CAF_TEST(sma over prices one to ten averages the last three) {
  sma avg{3};
  std::vector<double> values;
  for (int64_t p = 1; p <= 10; ++p) {
    avg.push(units(p));
    if (auto x = avg.value())
      values.push_back(*x);
  }
  // (1+2+3)/3 = 2, (2+3+4)/3 = 3, ..., (8+9+10)/3 = 9.
  std::vector<double> expected{2, 3, 4, 5, 6, 7, 8, 9};
  CAF_CHECK_EQUAL(values, expected);
}

CAF_TEST(sma of fractional prices is the exact mean) {
  sma avg{3};
  avg.push(1'500'000); // 1.5
  avg.push(2'250'000); // 2.25
  avg.push(4'125'000); // 4.125
  // 7.875 / 3 = 2.625, exactly representable.
  auto first = avg.value();
  CAF_REQUIRE(first);
  CAF_CHECK_EQUAL(*first, 2.625);
  avg.push(1'000'001); // window 2.25, 4.125, 1.000001
  // 7.375001 / 3 = 2.458333666...
  auto second = avg.value();
  CAF_REQUIRE(second);
  CAF_CHECK(near(*second, 2.458333666666667));
}

CAF_TEST(sma stays exact over a million prices) {
  constexpr size_t n = 250;
  sma avg{n};
  std::vector<int64_t> all;
  all.reserve(1'000'000);
  // Prices around 123456.789012 with large swings, from a fixed LCG, so any
  // drift of a running floating-point sum would show.
  uint64_t lcg = 12345;
  for (size_t i = 0; i < 1'000'000; ++i) {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    auto p = 123'456'789'012 + static_cast<int64_t>(lcg >> 33) - (1LL << 30);
    all.push_back(p);
    avg.push(p);
  }
  int64_t direct = 0;
  for (size_t i = all.size() - n; i < all.size(); ++i)
    direct += all[i];
  auto expected = static_cast<double>(direct) / (static_cast<double>(n) * 1e6);
  auto value = avg.value();
  CAF_REQUIRE(value);
  CAF_CHECK_EQUAL(*value, expected);
  CAF_CHECK(avg.window().sum() == direct);
}

// -- rate of change -------------------------------------------------------------

CAF_TEST(rate of change compares with the price n periods back) {
  rate_of_change roc{2};
  roc.push(units(100));
  roc.push(units(105));
  CAF_CHECK(!roc.value());
  roc.push(units(110));
  auto first = roc.value();
  CAF_REQUIRE(first);
  // (110 - 100) / 100
  CAF_CHECK(near(*first, 0.1));
  roc.push(units(99));
  auto second = roc.value();
  CAF_REQUIRE(second);
  // (99 - 105) / 105 = -6/105
  CAF_CHECK(near(*second, -0.05714285714285714));
}

// -- bollinger bands ------------------------------------------------------------

CAF_TEST(bollinger bands use the population standard deviation) {
  bollinger_bands bb{5, 2.0};
  for (auto p : {100'500'000, 101'250'000, 99'750'000, 102'000'000}) {
    bb.push(p);
    CAF_CHECK(!bb.ready());
  }
  bb.push(98'500'000);
  CAF_REQUIRE(bb.ready());
  // Mean 502/5 = 100.4; deviations .1, .85, -.65, 1.6, -1.9; squared sum
  // 7.325; variance 7.325/5 = 1.465; sigma = sqrt(1.465).
  CAF_CHECK(near(bb.middle(), 100.4));
  CAF_CHECK(near(bb.stddev(), 1.2103718436910205));
  CAF_CHECK(near(bb.upper(), 102.82074368738205));
  CAF_CHECK(near(bb.lower(), 97.97925631261796));
  // Sliding on: 101.25, 99.75, 102, 98.5, 103 -> mean 100.9, variance
  // 513/200 = 2.565.
  bb.push(103'000'000);
  CAF_CHECK(near(bb.middle(), 100.9));
  CAF_CHECK(near(bb.stddev(), 1.6015617378046967));
  CAF_CHECK(near(bb.upper(), 100.9 + 2 * 1.6015617378046967));
}

CAF_TEST(bollinger bands of a flat window collapse exactly) {
  bollinger_bands bb{4, 2.0};
  for (int i = 0; i < 4; ++i)
    bb.push(123'456'789);
  CAF_CHECK_EQUAL(bb.stddev(), 0.0);
  CAF_CHECK_EQUAL(bb.upper(), bb.middle());
  CAF_CHECK_EQUAL(bb.lower(), bb.middle());
  CAF_CHECK_EQUAL(bb.middle(), 123.456789);
}

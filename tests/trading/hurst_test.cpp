#define CAF_SUITE trading.hurst
#include "caf/test/unit_test.hpp"

#include "failure_parts.hpp"
#include "signal_trace.hpp"

#include "trading/algorithms/hurst.hpp"

#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace intuition::trading;
using intuition::trading::testing::run;
using nlohmann::json;

namespace {

/// Returns r_i = step * i for i = 1..n: every window of them is a straight
/// line, the most persistent series there is.
std::vector<double> linear(size_t n, double step) {
  std::vector<double> xs;
  for (size_t i = 1; i <= n; ++i)
    xs.push_back(step * static_cast<double>(i));
  return xs;
}

/// Prices in whole units whose log returns are `step * k`: 100 * exp(step *
/// k (k + 1) / 2), rounded to a millionth of a unit.
std::vector<int64_t> accelerating_micros(size_t n, double step) {
  std::vector<int64_t> xs;
  for (size_t k = 0; k < n; ++k) {
    auto kk = static_cast<double>(k);
    xs.push_back(std::llround(100e6 * std::exp(step * kk * (kk + 1) / 2)));
  }
  return xs;
}

/// Like `testing::run`, for prices given in micros.
std::string run_micros(algorithm& algo, const std::vector<int64_t>& prices) {
  std::string result;
  for (size_t i = 0; i < prices.size(); ++i) {
    quote q{"AAPL", prices[i], static_cast<int64_t>(i), i + 1};
    if (auto d = algo.on_quote(q)) {
      if (!result.empty())
        result += ", ";
      result += std::to_string(i) + " " + std::string{to_string(d->direction)};
    }
  }
  return result;
}

/// R/S of a straight line of n values, in closed form: the cumulative
/// deviations form a parabola with range n^2 / 8 (in steps), the population
/// standard deviation is sqrt((n^2 - 1) / 12).
double linear_rs(double n) {
  return (n * n / 8) / std::sqrt((n * n - 1) / 12);
}

/// Least-squares slope of log(R/S) against log(n) for n = 8, 16, 32.
double linear_exponent_32() {
  std::vector<double> xs;
  std::vector<double> ys;
  for (double n : {8.0, 16.0, 32.0}) {
    xs.push_back(std::log(n));
    ys.push_back(std::log(linear_rs(n)));
  }
  auto mx = (xs[0] + xs[1] + xs[2]) / 3;
  auto my = (ys[0] + ys[1] + ys[2]) / 3;
  double num = 0;
  double den = 0;
  for (size_t i = 0; i < 3; ++i) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) * (xs[i] - mx);
  }
  return num / den;
}

/// The failure `initialize(params)` returned on `algo`, if any.
std::optional<failure> init_error(hurst& algo, const json& params) {
  return testing::failure_of(algo.initialize(params));
}

/// The failure `initialize(params)` returned on a fresh instance, if any.
std::optional<failure> init_error(const json& params) {
  hurst algo;
  return init_error(algo, params);
}

} // namespace

// -- estimate -------------------------------------------------------------------

CAF_TEST(a straight line of returns has an exponent near one) {
  auto xs = linear(32, 0.001);
  auto h = hurst_exponent(xs.data(), xs.size());
  CAF_REQUIRE(h);
  // By hand: R/S is 3.4915, 6.9418 and 13.863 at n = 8, 16, 32; the slope
  // of their logs against log n is 0.99467.
  CAF_CHECK_LESS(std::fabs(*h - linear_exponent_32()), 1e-9);
  CAF_CHECK_LESS(std::fabs(*h - 0.99467), 1e-5);
}

CAF_TEST(alternating returns have an exponent of zero) {
  // Every chunk's cumulative deviations swing between 0 and one step and its
  // standard deviation is one step: R/S = 1 at every size, a flat line.
  std::vector<double> xs;
  for (size_t i = 0; i < 256; ++i)
    xs.push_back(i % 2 == 0 ? 0.01 : -0.01);
  auto h = hurst_exponent(xs.data(), xs.size());
  CAF_REQUIRE(h);
  CAF_CHECK_LESS(std::fabs(*h), 1e-9);
}

CAF_TEST(independent noise has an exponent near one half) {
  // R/S over short chunks is known to read a little high (the Anis-Lloyd
  // bias), so the tolerance is generous; the mean of five draws is stable.
  std::mt19937_64 gen{7};
  double sum = 0;
  for (int draw = 0; draw < 5; ++draw) {
    std::vector<double> xs(4096);
    for (auto& x : xs)
      x = static_cast<double>(gen() >> 11) * 0x1.0p-53 - 0.5;
    auto h = hurst_exponent(xs.data(), xs.size());
    CAF_REQUIRE(h);
    CAF_CHECK_LESS(std::fabs(*h - 0.5), 0.1);
    sum += *h;
  }
  CAF_CHECK_LESS(std::fabs(sum / 5 - 0.5), 0.06);
}

CAF_TEST(the exponent is undefined without two chunk sizes that vary) {
  auto xs = linear(15, 0.001);
  CAF_CHECK(!hurst_exponent(xs.data(), xs.size()));
  std::vector<double> flat(64, 0.0);
  CAF_CHECK(!hurst_exponent(flat.data(), flat.size()));
  // A constant non-zero value: its mean may be an ulp off, which must not
  // read as a spread.
  std::vector<double> same(64, 0.1);
  CAF_CHECK(!hurst_exponent(same.data(), same.size()));
}

CAF_TEST(the exponent is deterministic) {
  std::mt19937_64 gen{11};
  std::vector<double> xs(1000);
  for (auto& x : xs)
    x = static_cast<double>(gen() >> 11) * 0x1.0p-53;
  auto a = hurst_exponent(xs.data(), xs.size());
  auto b = hurst_exponent(xs.data(), xs.size());
  CAF_REQUIRE(a && b);
  CAF_CHECK_EQUAL(*a, *b);
}

// -- signals --------------------------------------------------------------------

CAF_TEST(a trend above its mean buys once) {
  hurst algo;
  CAF_REQUIRE(algo.initialize(json{{"window", 32}}));
  // 33 prices complete the window of 32 returns at index 32; the returns
  // grow linearly, so H = 0.99467 every time, and a rising price is always
  // above the window mean: one buy, then the regime stays "trend".
  CAF_CHECK_EQUAL(run_micros(algo, accelerating_micros(40, 0.001)), "32 buy");
  auto st = algo.state();
  CAF_CHECK_LESS(
    std::fabs(st["indicators"]["exponent"].get<double>() - 0.99467), 1e-3);
  CAF_CHECK_EQUAL(st["indicators"]["regime"], "trend");
  CAF_CHECK_EQUAL(st["last_signal"], "buy");
}

CAF_TEST(a trend below its mean does not trade) {
  hurst algo;
  CAF_REQUIRE(algo.initialize(json{{"window", 32}}));
  // The same persistence downwards: H near 1, but the price is below the
  // mean, so neither rule applies.
  CAF_CHECK_EQUAL(run_micros(algo, accelerating_micros(40, -0.001)), "");
  auto st = algo.state();
  CAF_CHECK_GREATER(st["indicators"]["exponent"].get<double>(), 0.9);
  CAF_CHECK_EQUAL(st["indicators"]["regime"], "neutral");
}

CAF_TEST(a mean - reverting price above its mean sells) {
  hurst algo;
  CAF_REQUIRE(algo.initialize(json{{"window", 32}}));
  // 100, 110, 100, ...: returns alternate, H = 0. The window is full at
  // index 32 (a 100, below the mean of about 104.8: neutral); every 110 is
  // above the mean and enters "revert" again: sells at 33 and 35.
  std::vector<int64_t> prices;
  for (size_t i = 0; i < 36; ++i)
    prices.push_back(i % 2 == 0 ? 100 : 110);
  CAF_CHECK_EQUAL(run(algo, prices), "33 sell, 35 sell");
  auto st = algo.state();
  CAF_CHECK_LESS(std::fabs(st["indicators"]["exponent"].get<double>()), 1e-9);
  CAF_CHECK_EQUAL(st["indicators"]["regime"], "revert");
  // Window 33..35 of 33 prices: 17 of 110, 16 of 100.
  CAF_CHECK_LESS(std::fabs(st["indicators"]["mean"].get<double>()
                           - (17 * 110 + 16 * 100) / 33.0),
                 1e-9);
}

CAF_TEST(a constant price has no exponent and no signal) {
  hurst algo;
  CAF_REQUIRE(algo.initialize(json{{"window", 32}}));
  CAF_CHECK_EQUAL(run(algo, std::vector<int64_t>(50, 100)), "");
  auto st = algo.state();
  CAF_CHECK(st["indicators"]["exponent"].is_null());
  CAF_CHECK_EQUAL(st["indicators"]["mean"], 100.0);
  CAF_CHECK_EQUAL(st["indicators"]["regime"], "neutral");
}

CAF_TEST(hurst needs window plus one prices) {
  hurst algo;
  CAF_CHECK_EQUAL(algo.warmup(), 257u);
  CAF_REQUIRE(algo.initialize(json{{"window", 32}}));
  CAF_CHECK_EQUAL(algo.warmup(), 33u);
  auto prices = accelerating_micros(33, 0.001);
  CAF_CHECK_EQUAL(run_micros(algo, {prices.begin(), prices.end() - 1}), "");
  auto before = algo.state();
  CAF_CHECK(before["indicators"]["exponent"].is_null());
  CAF_CHECK(before["indicators"]["mean"].is_null());
  CAF_CHECK_EQUAL(before["indicators"]["regime"], "neutral");
  CAF_CHECK_EQUAL(before["quotes_seen"], 32);
  CAF_CHECK_EQUAL(run_micros(algo, {prices.back()}), "0 buy");
  auto after = algo.state();
  CAF_CHECK(after["indicators"]["exponent"].is_number());
  CAF_CHECK(after["indicators"]["mean"].is_number());
  CAF_CHECK_EQUAL(after["params"]["window"], 32);
  CAF_CHECK_EQUAL(after["params"]["trend_above"], 0.55);
  CAF_CHECK_EQUAL(after["params"]["revert_below"], 0.45);
}

CAF_TEST(two instances fed the same quotes agree exactly) {
  hurst a;
  hurst b;
  CAF_REQUIRE(a.initialize(json{{"window", 64}}));
  CAF_REQUIRE(b.initialize(json{{"window", 64}}));
  std::mt19937_64 gen{3};
  std::vector<int64_t> prices;
  int64_t price = 100'000'000;
  for (int i = 0; i < 300; ++i) {
    price += static_cast<int64_t>(gen() % 2'000'001) - 1'000'000;
    prices.push_back(price);
  }
  CAF_CHECK_EQUAL(run_micros(a, prices), run_micros(b, prices));
  CAF_CHECK_EQUAL(a.state().dump(), b.state().dump());
}

// -- parameters -----------------------------------------------------------------

CAF_TEST(hurst parameters are validated) {
  auto err = init_error(json{{"window", 31}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "window: got 31, expected an integer in [32, 100000]");
  err = init_error(json{{"window", "256"}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(testing::parts(*err).field, "window");
  err = init_error(json{{"trend_above", 1}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "trend_above: got 1, expected a number in (0, 1)");
  err = init_error(json{{"revert_below", 0.0}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "revert_below: got 0.0, expected a number in (0, 1)");
  err = init_error(json{{"revert_below", "0.4"}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(testing::parts(*err).field, "revert_below");
  err = init_error(json{{"trend_above", 0.4}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "trend_above: got 0.4, expected a number greater than "
                  "revert_below (0.45)");
  err = init_error(json{{"trend_above", 0.5}, {"revert_below", 0.5}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(testing::parts(*err).field, "trend_above");
  err = init_error(json{{"lookback", 20}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "lookback: got 20, expected one of: window, trend_above, "
                  "revert_below, channels");
  CAF_CHECK(!init_error(json{{"trend_above", 0.7}, {"revert_below", 0.3}}));
}

CAF_TEST(a rejected hurst initialize keeps the previous parameters) {
  hurst algo;
  CAF_REQUIRE(algo.initialize(json{{"window", 64}, {"trend_above", 0.6}}));
  CAF_CHECK(init_error(algo, json{{"window", 8}}));
  CAF_CHECK_EQUAL(algo.warmup(), 65u);
  auto st = algo.state();
  CAF_CHECK_EQUAL(st["params"]["trend_above"], 0.6);
}

#define CAF_SUITE trading.mean_reversion
#include "caf/test/unit_test.hpp"

#include "signal_trace.hpp"

#include "trading/algorithms/mean_reversion.hpp"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace intuition::trading;
using intuition::trading::testing::run;
using nlohmann::json;

namespace {

const std::vector<int64_t> flat_then_drop{100, 100, 100, 100, 100,
                                          100, 100, 100, 100, 90};

} // namespace

CAF_TEST(a price below the lower band buys once) {
  mean_reversion algo;
  CAF_REQUIRE(algo.initialize(json{{"window", 10}, {"k", 2.0}}));
  // Index 9: nine 100s and a 90 -> mean 99, variance (9*1 + 81)/10 = 9,
  // sigma 3, lower band 93 > 90 -> buy.
  CAF_CHECK_EQUAL(run(algo, flat_then_drop), "9 buy");
  auto st = algo.state();
  CAF_CHECK_EQUAL(st["indicators"]["middle"], 99.0);
  CAF_CHECK_EQUAL(st["indicators"]["stddev"], 3.0);
  CAF_CHECK_EQUAL(st["indicators"]["lower"], 93.0);
  CAF_CHECK_EQUAL(st["indicators"]["upper"], 105.0);
  CAF_CHECK_EQUAL(st["indicators"]["regime"], "below");
  CAF_CHECK_EQUAL(st["last_signal"], "buy");
  // Index 10: eight 100s, 90, 85 -> mean 97.5, variance 26.25, lower band
  // 97.5 - 2 * 5.12 = 87.25 > 85: still below, no second buy.
  CAF_CHECK_EQUAL(run(algo, {85}), "");
  auto again = algo.state();
  CAF_CHECK_EQUAL(again["indicators"]["regime"], "below");
}

CAF_TEST(a price above the upper band sells after returning inside) {
  mean_reversion algo;
  CAF_REQUIRE(algo.initialize(json{{"window", 10}, {"k", 2.0}}));
  auto prices = flat_then_drop;
  // Index 10: 85 (still below). Index 11: 100 with bands 87.25..107.75
  // (inside). Index 12: seven 100s, 90, 85, 115 -> mean 99, variance 54,
  // upper band 99 + 2 * 7.35 = 113.70 < 115 -> sell.
  prices.insert(prices.end(), {85, 100, 115});
  CAF_CHECK_EQUAL(run(algo, prices), "9 buy, 12 sell");
}

CAF_TEST(a price on the band does not signal) {
  mean_reversion algo;
  CAF_REQUIRE(algo.initialize(json{{"window", 10}, {"k", 2.0}}));
  // Eight 100s and two 90s: mean 98, variance 16, sigma 4, lower band
  // exactly 90: the second 90 sits on the band, not below it.
  std::vector<int64_t> prices{100, 100, 100, 100, 100, 100, 100, 100, 90, 90};
  CAF_CHECK_EQUAL(run(algo, prices), "");
  auto st = algo.state();
  CAF_CHECK_EQUAL(st["indicators"]["lower"], 90.0);
  CAF_CHECK_EQUAL(st["indicators"]["regime"], "inside");
}

CAF_TEST(bands are null until the window is full) {
  mean_reversion algo;
  CAF_REQUIRE(algo.initialize(json{{"window", 4}, {"k", 1.0}}));
  CAF_CHECK_EQUAL(algo.warmup(), 4u);
  CAF_CHECK_EQUAL(run(algo, {100, 50, 150}), "");
  auto st = algo.state();
  CAF_CHECK(st["indicators"]["middle"].is_null());
  CAF_CHECK(st["indicators"]["lower"].is_null());
  CAF_CHECK_EQUAL(st["quotes_seen"], 3);
  CAF_CHECK_EQUAL(st["params"]["window"], 4);
  CAF_CHECK_EQUAL(st["params"]["k"], 1.0);
}

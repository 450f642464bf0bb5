#define CAF_SUITE trading.sma_crossover
#include "caf/test/unit_test.hpp"

#include "signal_trace.hpp"

#include "trading/algorithms/sma_crossover.hpp"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace intuition::trading;
using intuition::trading::testing::run;
using nlohmann::json;

namespace {} // namespace

CAF_TEST(golden cross buys once and death cross sells once) {
  sma_crossover algo;
  CAF_REQUIRE(algo.initialize(json{{"fast", 2}, {"slow", 4}}));
  // Index 3: both ready, fast 10 = slow 10 (sign remembered, no signal).
  // Index 4: fast 11 > slow 10.5 -> buy. 5, 6: fast 13/14 > slow 11.5/12.5.
  // Index 7: fast 12 < slow 12.5 -> sell. 8, 9: fast 9/8 < slow 11.5/10.
  CAF_CHECK_EQUAL(run(algo, {10, 10, 10, 10, 12, 14, 14, 10, 8, 8}),
                  "4 buy, 7 sell");
}

CAF_TEST(the first ready quote only records the side) {
  sma_crossover algo;
  CAF_REQUIRE(algo.initialize(json{{"fast", 1}, {"slow", 2}}));
  // Index 1 is the first ready quote with fast 12 > slow 11: no buy, since
  // no cross was observed; index 2 keeps fast above.
  CAF_CHECK_EQUAL(run(algo, {10, 12, 13}), "");
}

CAF_TEST(touching equal averages does not signal by itself) {
  sma_crossover algo;
  CAF_REQUIRE(algo.initialize(json{{"fast", 1}, {"slow", 2}}));
  // Index 1: fast 12 > slow 11 (recorded). Index 2: fast 12 = slow 12, no
  // signal. Index 3: fast 10 < slow 11 -> the cross completes: sell.
  CAF_CHECK_EQUAL(run(algo, {10, 12, 12, 10}), "3 sell");
}

CAF_TEST(nothing is signalled during warmup) {
  sma_crossover algo;
  CAF_REQUIRE(algo.initialize(json{{"fast", 2}, {"slow", 5}}));
  CAF_CHECK_EQUAL(algo.warmup(), 5u);
  CAF_CHECK_EQUAL(run(algo, {10, 1, 50, 2, 60}), "");
}

CAF_TEST(state reports both averages once ready) {
  sma_crossover algo;
  CAF_REQUIRE(algo.initialize(json{{"fast", 2}, {"slow", 3}}));
  run(algo, {10, 20});
  auto before = algo.state();
  CAF_CHECK_EQUAL(before["quotes_seen"], 2);
  CAF_CHECK(before["indicators"]["slow_sma"].is_null());
  CAF_CHECK(before["indicators"]["diff"].is_null());
  CAF_CHECK_EQUAL(before["indicators"]["fast_sma"], 15.0);
  CAF_CHECK(before["last_signal"].is_null());
  run(algo, {30});
  auto after = algo.state();
  CAF_CHECK_EQUAL(after["algorithm"], "sma_crossover");
  CAF_CHECK_EQUAL(after["indicators"]["fast_sma"], 25.0);
  CAF_CHECK_EQUAL(after["indicators"]["slow_sma"], 20.0);
  CAF_CHECK_EQUAL(after["indicators"]["diff"], 5.0);
  CAF_CHECK_EQUAL(after["params"]["fast"], 2);
  CAF_CHECK_EQUAL(after["params"]["slow"], 3);
}

CAF_TEST(initialize resets the averages) {
  sma_crossover algo;
  CAF_REQUIRE(algo.initialize(json{{"fast", 2}, {"slow", 4}}));
  run(algo, {10, 10, 10, 10, 12});
  CAF_REQUIRE(algo.initialize(json{{"fast", 2}, {"slow", 4}}));
  auto st = algo.state();
  CAF_CHECK_EQUAL(st["quotes_seen"], 0);
  CAF_CHECK(st["last_signal"].is_null());
  CAF_CHECK_EQUAL(run(algo, {10, 10, 10, 10, 12, 14, 14, 10}), "4 buy, 7 sell");
}

#define CAF_SUITE trading.momentum
#include "caf/test/unit_test.hpp"

#include "trading/algorithms/momentum.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace intuition::trading;
using nlohmann::json;

namespace {

struct event {
  size_t index;
  side direction;
  double strength;
};

/// Feeds whole-unit prices and collects the signals.
std::vector<event> run(algorithm& algo, const std::vector<int64_t>& prices) {
  std::vector<event> result;
  for (size_t i = 0; i < prices.size(); ++i) {
    quote q{"AAPL", prices[i] * 1'000'000, static_cast<int64_t>(i), i + 1};
    if (auto d = algo.on_quote(q))
      result.push_back({i, d->direction, d->strength});
  }
  return result;
}

/// Renders the signals as "INDEX SIDE, ..." for readable comparisons.
std::string render(const std::vector<event>& xs) {
  std::string result;
  for (const auto& x : xs) {
    if (!result.empty())
      result += ", ";
    result += std::to_string(x.index) + " ";
    result += to_string(x.direction);
  }
  return result;
}

} // namespace

CAF_TEST(momentum signals once per regime) {
  momentum algo;
  CAF_REQUIRE(algo.initialize(json{{"lookback", 2}, {"threshold", 0.05}}));
  // ROC over 2: idx2 0 (flat); idx3 +0.1 buy; idx4 +0.21, idx5 +0.209,
  // idx6 +0.099 (still up: no repeated buy); idx7, idx8 0 (flat);
  // idx9 (120-133)/133 = -0.0977 sell; idx10 -0.248, idx11 -0.167 (down);
  // idx12 0 (flat); idx13 +0.1 buy again.
  auto xs = run(algo, {100, 100, 100, 110, 121, 133, 133, 133, 133, 120, 100,
                       100, 100, 110});
  CAF_CHECK_EQUAL(render(xs), "3 buy, 9 sell, 13 buy");
  CAF_REQUIRE_EQUAL(xs.size(), 3u);
  CAF_CHECK_LESS(std::fabs(xs[0].strength - 0.1), 1e-12);
  CAF_CHECK_LESS(std::fabs(xs[1].strength - 13.0 / 133.0), 1e-12);
}

CAF_TEST(momentum can flip from up to down without a flat step) {
  momentum algo;
  CAF_REQUIRE(algo.initialize(json{{"lookback", 1}, {"threshold", 0.05}}));
  // idx1 +0.1 buy; idx2 (90-110)/110 = -0.18 sell.
  CAF_CHECK_EQUAL(render(run(algo, {100, 110, 90})), "1 buy, 2 sell");
}

CAF_TEST(moves within the threshold do not signal) {
  momentum algo;
  CAF_REQUIRE(algo.initialize(json{{"lookback", 1}, {"threshold", 0.05}}));
  // Steps of exactly 5% or less: (105-100)/100 = 0.05 is not above 0.05.
  CAF_CHECK_EQUAL(render(run(algo, {100, 105, 102, 100, 103})), "");
}

CAF_TEST(momentum strength is capped at one) {
  momentum algo;
  CAF_REQUIRE(algo.initialize(json{{"lookback", 1}, {"threshold", 0.05}}));
  auto xs = run(algo, {100, 300});
  CAF_REQUIRE_EQUAL(xs.size(), 1u);
  CAF_CHECK_EQUAL(xs[0].strength, 1.0);
}

CAF_TEST(momentum needs lookback plus one prices) {
  momentum algo;
  CAF_REQUIRE(algo.initialize(json{{"lookback", 3}}));
  CAF_CHECK_EQUAL(algo.warmup(), 4u);
  CAF_CHECK_EQUAL(render(run(algo, {100, 200, 300})), "");
  auto before = algo.state();
  CAF_CHECK(before["indicators"]["roc"].is_null());
  CAF_CHECK_EQUAL(before["indicators"]["regime"], "flat");
  CAF_CHECK_EQUAL(render(run(algo, {400})), "0 buy");
  auto after = algo.state();
  CAF_CHECK_EQUAL(after["indicators"]["roc"], 3.0);
  CAF_CHECK_EQUAL(after["indicators"]["regime"], "up");
  CAF_CHECK_EQUAL(after["last_signal"], "buy");
  CAF_CHECK_EQUAL(after["params"]["lookback"], 3);
  CAF_CHECK_EQUAL(after["params"]["threshold"], 0.05);
}

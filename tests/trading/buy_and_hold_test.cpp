#define CAF_SUITE trading.buy_and_hold
#include "caf/test/unit_test.hpp"

#include "trading/algorithms/buy_and_hold.hpp"

#include <nlohmann/json.hpp>

using namespace intuition::trading;
using nlohmann::json;

namespace {

/// Feeds `n` quotes and returns the indexes of the buys.
std::vector<size_t> buys(algorithm& algo, size_t n) {
  std::vector<size_t> result;
  for (size_t i = 0; i < n; ++i) {
    quote q{"SPY", static_cast<int64_t>(400'000'000 + i), 0, i + 1};
    if (auto d = algo.on_quote(q)) {
      CAF_CHECK(d->direction == side::buy);
      CAF_CHECK_EQUAL(d->strength, 1.0);
      result.push_back(i);
    }
  }
  return result;
}

} // namespace

CAF_TEST(buy and hold buys on the first quote only) {
  buy_and_hold algo;
  CAF_REQUIRE(algo.initialize(json::object()));
  CAF_CHECK_EQUAL(algo.warmup(), 0u);
  CAF_CHECK_EQUAL(buys(algo, 50), std::vector<size_t>{0});
  auto st = algo.state();
  CAF_CHECK_EQUAL(st["quotes_seen"], 50);
  CAF_CHECK_EQUAL(st["indicators"]["bought"], true);
  CAF_CHECK_EQUAL(st["last_signal"], "buy");
}

CAF_TEST(initialize starts buy and hold over) {
  buy_and_hold algo;
  CAF_REQUIRE(algo.initialize(json::object()));
  buys(algo, 3);
  CAF_REQUIRE(algo.initialize(json::object()));
  auto st = algo.state();
  CAF_CHECK_EQUAL(st["indicators"]["bought"], false);
  CAF_CHECK(st["last_signal"].is_null());
  CAF_CHECK_EQUAL(buys(algo, 3), std::vector<size_t>{0});
}

CAF_TEST(a restored holding keeps buy and hold from buying again) {
  buy_and_hold algo;
  CAF_REQUIRE(algo.initialize(json::object()));
  algo.restore_position(20);
  CAF_CHECK(buys(algo, 5).empty());
  auto st = algo.state();
  CAF_CHECK_EQUAL(st["indicators"]["holding_restored"], true);
  // Nothing held (a short or flat book) leaves the first buy to happen.
  buy_and_hold flat;
  CAF_REQUIRE(flat.initialize(json::object()));
  flat.restore_position(0);
  CAF_CHECK_EQUAL(buys(flat, 3), std::vector<size_t>{0});
}

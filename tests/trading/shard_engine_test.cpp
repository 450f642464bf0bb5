#define CAF_SUITE trading.shard_engine
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "trading/shard_engine.hpp"

#include "quote_at.hpp"

using namespace intuition::trading;

namespace {

/// Two strategies on AAPL, one on MSFT; `every` signals on every quote.
shard_engine engine() {
  auto made = shard_engine::make(
    {{"every", "random", R"({"threshold": 0.0})", "AAPL", 0},
     {"every", "random", R"({"threshold": 0.0})", "MSFT", 0},
     {"hold", "buy_and_hold", "{}", "AAPL", 0}});
  if (!made)
    CAF_FAIL("refused: " << made.error().message);
  return std::move(*made);
}

} // namespace

CAF_TEST(quotes reach the instances of their symbol and signals point at them) {
  auto e = engine();
  CAF_CHECK_EQUAL(e.instances(), 3u);
  CAF_CHECK_EQUAL(e.symbols(), 2u);
  auto out = e.on_quotes({quote_at("MSFT", 1), quote_at("AAPL", 1)});
  CAF_REQUIRE_EQUAL(out.quotes.size(), 2u);
  // MSFT: every; AAPL: every, then buy_and_hold's first buy.
  CAF_REQUIRE_EQUAL(out.signals.size(), 3u);
  CAF_CHECK_EQUAL(out.signals[0].symbol, "MSFT");
  CAF_CHECK_EQUAL(out.signals[0].quote_seq, 0u);
  CAF_CHECK_EQUAL(out.signals[1].strategy, "every");
  CAF_CHECK_EQUAL(out.signals[1].quote_seq, 1u);
  CAF_CHECK_EQUAL(out.signals[2].strategy, "hold");
  CAF_CHECK_EQUAL(out.signals[2].price_micros, 100 * micros_per_unit);
}

CAF_TEST(repeats and symbols of other shards are dropped and counted) {
  auto e = engine();
  e.on_quotes({quote_at("AAPL", 1)});
  auto out = e.on_quotes(
    {quote_at("AAPL", 1), quote_at("SAP", 1), quote_at("AAPL", 2)});
  CAF_CHECK_EQUAL(out.quotes.size(), 1u);
  CAF_CHECK_EQUAL(out.quotes[0].ts_ms, 2);
  CAF_CHECK_EQUAL(out.duplicates, 1u);
  CAF_CHECK_EQUAL(out.foreign, 1u);
}

CAF_TEST(warm up quotes raise no signal and are recognised when redelivered) {
  auto e = engine();
  e.warm_up({quote_at("AAPL", 1), quote_at("AAPL", 2)});
  auto out = e.on_quotes({quote_at("AAPL", 2), quote_at("AAPL", 3)});
  CAF_REQUIRE_EQUAL(out.quotes.size(), 1u);
  CAF_CHECK_EQUAL(out.duplicates, 1u);
  // buy_and_hold bought during the warm-up: only `every` signals now.
  CAF_CHECK_EQUAL(out.signals.size(), 1u);
}

CAF_TEST(an unknown algorithm or bad parameters name the instance) {
  auto bad = shard_engine::make({{"s", "magic", "{}", "AAPL", 0}});
  CAF_REQUIRE(!bad);
  CAF_CHECK_EQUAL(bad.error().message,
                  "s/AAPL algorithm: got \"magic\", expected a built-in "
                  "algorithm");
  auto params = shard_engine::make({{"s", "random", R"({"nope": 1})", "A", 0}});
  CAF_REQUIRE(!params);
  CAF_CHECK_EQUAL(params.error().kind, failure_kind::invalid_request);
}

CAF_TEST(a shard remembers repeats within a window sized for a shard) {
  // A node runs dozens of shards: each one with the ingress's 262,144-key
  // window took 6 MB, zeroed when its first quote came.
  auto e = engine();
  CAF_CHECK_EQUAL(e.recent_window(), shard_recent_window);
  CAF_CHECK_LESS(e.recent_window(), quote_filter::recent_capacity / 8);
  std::vector<quote> history;
  for (int64_t ts = 1; ts <= 100; ++ts)
    history.push_back(quote_at("AAPL", ts));
  e.warm_up(history);
  CAF_CHECK_EQUAL(e.recent_window(), shard_recent_window + 100);
  // The whole warm-up is still recognised when redelivered.
  auto out = e.on_quotes(
    {quote_at("AAPL", 1), quote_at("AAPL", 100), quote_at("AAPL", 101)});
  CAF_CHECK_EQUAL(out.duplicates, 2u);
  CAF_CHECK_EQUAL(out.quotes.size(), 1u);
}

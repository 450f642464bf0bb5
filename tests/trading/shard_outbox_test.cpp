#define CAF_SUITE trading.shard_outbox
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "trading/shard_outbox.hpp"

#include "quote_at.hpp"

using namespace intuition::trading;

namespace {

/// A read's output: `n` quotes of `symbol` from `ts`, a signal on the
/// quotes at `signalled` (indices into the read).
shard_output read(const std::string& symbol, int64_t ts, size_t n,
                  std::vector<uint64_t> signalled = {}) {
  shard_output out;
  for (size_t i = 0; i < n; ++i)
    out.quotes.push_back(quote_at(symbol, ts + static_cast<int64_t>(i)));
  for (auto i : signalled) {
    signal s;
    s.strategy = "every";
    s.symbol = symbol;
    s.ts_ms = ts + static_cast<int64_t>(i);
    s.quote_seq = i;
    out.signals.push_back(s);
  }
  return out;
}

} // namespace

CAF_TEST(a read without a signal is acknowledged at once and waits) {
  shard_outbox box{{4, 16}};
  auto v = box.add(read("AAPL", 1, 2), 1);
  CAF_CHECK(v.settle);
  CAF_CHECK(!v.flush);
  CAF_CHECK_EQUAL(box.unsent(), 2u);
  CAF_CHECK_EQUAL(box.held(), 0u);
  CAF_CHECK(!box.due());
}

CAF_TEST(a read with a signal is held and sent with everything before it) {
  shard_outbox box{{100, 1000}};
  CAF_CHECK(box.add(read("AAPL", 1, 3), 1).settle);
  auto v = box.add(read("AAPL", 4, 2, {1}), 2);
  CAF_CHECK(!v.settle);
  CAF_CHECK(v.flush);
  auto batch = box.take();
  CAF_CHECK(box.sending());
  CAF_REQUIRE_EQUAL(batch.quotes.size(), 5u);
  for (size_t i = 0; i < batch.quotes.size(); ++i)
    CAF_CHECK_EQUAL(batch.quotes[i].ts_ms, static_cast<int64_t>(i + 1));
  // The signal points at its quote in the batch, not in its read.
  CAF_REQUIRE_EQUAL(batch.signals.size(), 1u);
  CAF_CHECK_EQUAL(batch.signals[0].quote_seq, 4u);
  CAF_CHECK_EQUAL(batch.quotes[4].ts_ms, batch.signals[0].ts_ms);
  CAF_CHECK_EQUAL(batch.tickets, (std::vector<uint64_t>{2}));
  CAF_CHECK_EQUAL(box.unsent(), 0u);
}

CAF_TEST(one batch is out at a time and the next one follows in order) {
  shard_outbox box{{100, 1000}};
  box.add(read("AAPL", 1, 1, {0}), 1);
  auto first = box.take();
  // A second signal while the first batch is out: held, not due yet.
  auto v = box.add(read("AAPL", 2, 1, {0}), 2);
  CAF_CHECK(!v.settle);
  CAF_CHECK(!v.flush);
  CAF_CHECK(!box.due());
  box.done();
  CAF_CHECK(box.due());
  auto second = box.take();
  CAF_REQUIRE_EQUAL(second.quotes.size(), 1u);
  CAF_CHECK_EQUAL(second.quotes[0].ts_ms, 2);
  CAF_CHECK_EQUAL(second.signals[0].quote_seq, 0u);
  CAF_CHECK_EQUAL(second.tickets, (std::vector<uint64_t>{2}));
  CAF_CHECK_EQUAL(first.tickets, (std::vector<uint64_t>{1}));
}

CAF_TEST(a full batch is due and past the bound reads are held) {
  shard_outbox box{{4, 6}};
  CAF_CHECK(!box.add(read("AAPL", 1, 3), 1).flush);
  auto v = box.add(read("AAPL", 4, 2), 2);
  CAF_CHECK(v.settle);
  CAF_CHECK(v.flush);
  auto out = box.take();
  CAF_CHECK_EQUAL(out.quotes.size(), 5u);
  CAF_CHECK(out.tickets.empty());
  // While it is out, quotes gather up to the bound; the read that reaches
  // it is held until a batch is confirmed.
  CAF_CHECK(box.add(read("AAPL", 6, 5), 3).settle);
  v = box.add(read("AAPL", 11, 1), 4);
  CAF_CHECK(!v.settle);
  CAF_CHECK_EQUAL(box.held(), 1u);
  box.done();
  auto next = box.take();
  CAF_CHECK_EQUAL(next.quotes.size(), 6u);
  CAF_CHECK_EQUAL(next.tickets, (std::vector<uint64_t>{4}));
}

CAF_TEST(a read the instances took nothing from is acknowledged) {
  shard_outbox box{{4, 16}};
  auto v = box.add(shard_output{}, 1);
  CAF_CHECK(v.settle);
  CAF_CHECK(!v.flush);
  auto out = box.take();
  CAF_CHECK(out.quotes.empty());
  CAF_CHECK(!box.sending());
}

CAF_TEST(discarding drops what waits and counts it) {
  shard_outbox box{{100, 1000}};
  box.add(read("AAPL", 1, 3), 1);
  box.add(read("AAPL", 4, 1, {0}), 2);
  CAF_CHECK_EQUAL(box.discard(), 4u);
  CAF_CHECK_EQUAL(box.unsent(), 0u);
  CAF_CHECK_EQUAL(box.held(), 0u);
}

CAF_TEST(conflating keeps each signal quote and each symbol newest) {
  outbox_limits limits{100, 1000};
  limits.conflate = true;
  shard_outbox box{limits};
  CAF_CHECK(box.add(read("AAPL", 1, 3), 1).settle);
  CAF_CHECK(box.add(read("MSFT", 10, 2), 2).settle);
  // A signal on AAPL's quote at ts 5, then one more AAPL quote.
  CAF_CHECK(!box.add(read("AAPL", 4, 3, {1}), 3).settle);
  CAF_CHECK_EQUAL(box.unsent(), 8u);
  auto batch = box.take();
  // AAPL 1..3 and 4 are older than AAPL 6 without a signal; MSFT 10 is
  // older than MSFT 11.
  CAF_REQUIRE_EQUAL(batch.quotes.size(), 3u);
  CAF_CHECK_EQUAL(batch.quotes[0].symbol, "MSFT");
  CAF_CHECK_EQUAL(batch.quotes[0].ts_ms, 11);
  CAF_CHECK_EQUAL(batch.quotes[1].ts_ms, 5);
  CAF_CHECK_EQUAL(batch.quotes[2].ts_ms, 6);
  CAF_CHECK_EQUAL(batch.conflated, 5u);
  CAF_REQUIRE_EQUAL(batch.signals.size(), 1u);
  CAF_CHECK_EQUAL(batch.signals[0].quote_seq, 1u);
  CAF_CHECK_EQUAL(batch.tickets, (std::vector<uint64_t>{3}));
}

CAF_TEST(without conflating every quote is sent) {
  shard_outbox box{{100, 1000}};
  box.add(read("AAPL", 1, 3), 1);
  auto batch = box.take();
  CAF_CHECK_EQUAL(batch.quotes.size(), 3u);
  CAF_CHECK_EQUAL(batch.conflated, 0u);
}

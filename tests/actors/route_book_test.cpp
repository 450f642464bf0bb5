#define CAF_SUITE actors.route_book
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "actors/route_book.hpp"
#include "trading/external_strategy.hpp"

using namespace intuition;
using namespace intuition::actors;

namespace {

trading::quote make_quote(std::string symbol, int64_t price, int64_t ts,
                          uint32_t channel = 0) {
  trading::quote q;
  q.symbol = std::move(symbol);
  q.price_micros = price * trading::micros_per_unit;
  q.ts_ms = ts;
  q.channel = channel;
  return q;
}

/// `STRATEGY/SYMBOL` of every action's slot, in order.
std::vector<std::string> keys_of(const route_book& book,
                                 const std::vector<route_action>& xs) {
  std::vector<std::string> out;
  for (const auto& x : xs)
    out.push_back(book.instance_key(x.slot));
  return out;
}

trading::signal buy(const std::string& strategy, const std::string& symbol,
                    const trading::quote_tick& x) {
  return {strategy, symbol, trading::side::buy, 1.0, x.price_micros,
          x.ts_ms,  x.seq};
}

std::vector<route_action> of_kind(const route_actions& xs,
                                  route_action::kind_type kind) {
  std::vector<route_action> out;
  for (const auto& x : xs)
    if (x.kind == kind)
      out.push_back(x);
  return out;
}

/// Reports every `start` action of `xs` as done and returns what followed.
route_actions start_all_of(route_book& book, const route_actions& xs) {
  route_actions out;
  for (const auto& x : of_kind(xs, route_action::start)) {
    bool current = false;
    auto next = book.started(x.slot, x.epoch, current);
    CAF_CHECK(current);
    out.insert(out.end(), next.begin(), next.end());
  }
  return out;
}

/// A book over two strategies that trade every symbol, with the
/// coordinator as its only member.
struct fixture {
  route_book book{
    {{"a", "buy_and_hold", "{}", {}, 0}, {"b", "buy_and_hold", "{}", {}, 2}}};

  fixture() {
    book.add_member("coordinator", "", true);
  }

  route_actions start_all(const route_actions& xs) {
    return start_all_of(book, xs);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(route_book_tests, fixture)

CAF_TEST(a batch is numbered and split into one part per instance) {
  uint64_t id = 0;
  auto first = book.intake({make_quote("DAX", 100, 1), make_quote("SMI", 50, 1),
                            make_quote("DAX", 101, 2)},
                           id);
  CAF_CHECK_EQUAL(id, 1u);
  // Two symbols x two strategies: four instances, started before any part.
  CAF_CHECK_EQUAL(of_kind(first, route_action::start).size(), 4u);
  CAF_CHECK(of_kind(first, route_action::send).empty());
  auto sends = of_kind(start_all(first), route_action::send);
  CAF_REQUIRE_EQUAL(sends.size(), 4u);
  for (const auto& s : sends) {
    const auto& inst = book.instance(s.slot);
    auto symbol = book.symbol(inst.symbol);
    CAF_CHECK_EQUAL(s.batch, 1u);
    CAF_CHECK_EQUAL(s.ticks.size(), symbol == "DAX" ? 2u : 1u);
    // Quote numbers follow the batch: DAX got the first and third.
    CAF_CHECK_EQUAL(s.ticks[0].seq, symbol == "DAX" ? 1u : 2u);
  }
  CAF_CHECK_EQUAL(book.counters().quotes, 3u);
  CAF_CHECK_EQUAL(book.counters().placements, 4u);
  CAF_CHECK_EQUAL(book.symbol_count(), 2u);
  // A known symbol places nothing new.
  auto second = book.intake({make_quote("SMI", 51, 3)}, id);
  CAF_CHECK(of_kind(second, route_action::start).empty());
  CAF_CHECK_EQUAL(of_kind(second, route_action::send).size(), 2u);
}

CAF_TEST(
  batches complete in arrival order with signals by quote then strategy) {
  uint64_t first_id = 0;
  auto acts = start_all(book.intake(
    {make_quote("DAX", 100, 1), make_quote("SMI", 50, 1)}, first_id));
  uint64_t second_id = 0;
  auto later = book.intake({make_quote("DAX", 102, 2)}, second_id);
  auto sends = of_kind(acts, route_action::send);
  auto later_sends = of_kind(later, route_action::send);
  // The second batch answers first: nothing is ready, it waits its turn.
  for (const auto& s : later_sends)
    book.answered(s.slot, s.epoch, s.batch, {});
  CAF_CHECK(book.take_ready().empty());
  // The first batch answers in reverse: strategy b before a, SMI before DAX.
  for (auto i = sends.rbegin(); i != sends.rend(); ++i) {
    const auto& inst = book.instance(i->slot);
    book.answered(i->slot, i->epoch, i->batch,
                  {buy(book.strategy(inst.strategy).name,
                       book.symbol(inst.symbol), i->ticks[0])});
  }
  auto ready = book.take_ready();
  CAF_REQUIRE_EQUAL(ready.size(), 2u);
  CAF_CHECK_EQUAL(ready[0].id, first_id);
  CAF_CHECK_EQUAL(ready[1].id, second_id);
  CAF_REQUIRE_EQUAL(ready[0].signals.size(), 4u);
  std::vector<std::string> order;
  for (const auto& s : ready[0].signals)
    order.push_back(s.strategy + "/" + s.symbol);
  CAF_CHECK_EQUAL(
    order, (std::vector<std::string>{"a/DAX", "b/DAX", "a/SMI", "b/SMI"}));
  CAF_CHECK_EQUAL(ready[0].quotes.size(), 2u);
  CAF_CHECK_EQUAL(book.pending_batches(), 0u);
}

CAF_TEST(answers of a replaced incarnation or a second answer are ignored) {
  uint64_t id = 0;
  auto sends = of_kind(start_all(book.intake({make_quote("DAX", 100, 1)}, id)),
                       route_action::send);
  CAF_REQUIRE_EQUAL(sends.size(), 2u);
  const auto& s = sends[0];
  book.answered(s.slot, s.epoch + 1, s.batch, {});
  CAF_CHECK_EQUAL(book.counters().stale_replies, 1u);
  book.answered(s.slot, s.epoch, s.batch, {});
  book.answered(s.slot, s.epoch, s.batch, {});
  CAF_CHECK_EQUAL(book.counters().stale_replies, 2u);
  CAF_CHECK(book.take_ready().empty()); // the other part is still out
}

CAF_TEST(a lost node moves its instances with their history and owed parts) {
  route_book cluster{{{"b", "buy_and_hold", "{}", {}, 2}}};
  auto alpha = cluster.add_member("alpha", "127.0.0.1:1", false);
  auto beta = cluster.add_member("beta", "127.0.0.1:2", false);
  uint64_t id = 0;
  auto acts
    = cluster.intake({make_quote("DAX", 100, 1), make_quote("DAX", 101, 2),
                      make_quote("DAX", 102, 3)},
                     id);
  auto start = of_kind(acts, route_action::start);
  CAF_REQUIRE_EQUAL(start.size(), 1u);
  auto slot = start[0].slot;
  auto first_home = cluster.instance(slot).member;
  bool current = false;
  auto sends = of_kind(cluster.started(slot, 1, current), route_action::send);
  CAF_REQUIRE_EQUAL(sends.size(), 1u);
  cluster.answered(slot, 1, id, {});
  CAF_CHECK_EQUAL(cluster.take_ready().size(), 1u);
  // A second batch goes out, then the node is lost before it answers.
  acts = cluster.intake({make_quote("DAX", 103, 4)}, id);
  CAF_REQUIRE_EQUAL(of_kind(acts, route_action::send).size(), 1u);
  auto moved = cluster.member_lost(first_home, "connection lost");
  auto restart = of_kind(moved, route_action::start);
  CAF_REQUIRE_EQUAL(restart.size(), 1u);
  CAF_CHECK_EQUAL(restart[0].epoch, 2u);
  CAF_CHECK_EQUAL(cluster.instance(slot).member,
                  first_home == alpha ? beta : alpha);
  CAF_CHECK_EQUAL(of_kind(moved, route_action::retire).size(), 1u);
  // The new incarnation is warmed with the history before the part it owes
  // (the history holds the last two quotes, the owed one among them), then
  // gets that part again.
  auto next = cluster.started(slot, 2, current);
  CAF_REQUIRE(current);
  CAF_REQUIRE_EQUAL(next.size(), 2u);
  CAF_CHECK_EQUAL(next[0].kind, route_action::warmup);
  CAF_REQUIRE_EQUAL(next[0].ticks.size(), 1u);
  CAF_CHECK_EQUAL(next[0].ticks[0].seq, 3u);
  CAF_CHECK_EQUAL(next[1].kind, route_action::send);
  CAF_CHECK_EQUAL(next[1].ticks.at(0).seq, 4u);
  // The old incarnation's late answer does not count; the new one's does.
  cluster.answered(slot, 1, id, {});
  CAF_CHECK(cluster.take_ready().empty());
  cluster.answered(slot, 2, id, {});
  CAF_CHECK_EQUAL(cluster.take_ready().size(), 1u);
  CAF_CHECK_EQUAL(cluster.counters().replacements, 1u);
  CAF_CHECK_EQUAL(cluster.members()[first_home].alive, false);
  // The node comes back under its address: alive again, nothing moves back.
  CAF_CHECK_EQUAL(
    cluster.add_member("x", first_home == alpha ? "127.0.0.1:1" : "127.0.0.1:2",
                       false),
    first_home);
  CAF_CHECK(cluster.members()[first_home].alive);
  CAF_CHECK_NOT_EQUAL(cluster.instance(slot).member, first_home);
}

CAF_TEST(a local instance that keeps failing is given up) {
  uint64_t id = 0;
  auto acts = start_all(book.intake({make_quote("DAX", 100, 1)}, id));
  auto slot = of_kind(acts, route_action::send).at(0).slot;
  for (uint32_t failure = 1; failure < max_local_failures; ++failure) {
    auto again = book.stopped(slot, false, "boom");
    CAF_REQUIRE_EQUAL(of_kind(again, route_action::start).size(), 1u);
    bool current = false;
    book.started(slot, book.instance(slot).epoch, current);
    CAF_CHECK(current);
  }
  book.stopped(slot, false, "boom");
  CAF_CHECK(book.instance(slot).given_up);
  // Its owed part was answered empty; later parts are answered at once.
  auto other = of_kind(acts, route_action::send).at(1);
  book.answered(other.slot, other.epoch, other.batch, {});
  CAF_CHECK_EQUAL(book.take_ready().size(), 1u);
  acts = book.intake({make_quote("DAX", 101, 2)}, id);
  CAF_CHECK_EQUAL(of_kind(acts, route_action::send).size(), 1u);
  CAF_CHECK_GREATER_OR_EQUAL(book.counters().algorithm_failures,
                             uint64_t{max_local_failures});
}

CAF_TEST(with no member alive quotes are counted as unplaced) {
  route_book empty{{{"a", "buy_and_hold", "{}", {}, 0}}};
  uint64_t id = 0;
  auto acts
    = empty.intake({make_quote("DAX", 100, 1), make_quote("DAX", 101, 2)}, id);
  CAF_CHECK(acts.empty());
  CAF_CHECK_EQUAL(empty.counters().unplaced, 2u);
  auto ready = empty.take_ready();
  CAF_REQUIRE_EQUAL(ready.size(), 1u);
  CAF_CHECK_EQUAL(ready[0].quotes.size(), 2u);
  CAF_CHECK(ready[0].signals.empty());
}

CAF_TEST(a node that cannot start an instance is passed over) {
  route_book cluster{{{"a", "buy_and_hold", "{}", {}, 0}}};
  cluster.add_member("coordinator", "", true);
  cluster.add_member("alpha", "127.0.0.1:1", false);
  uint64_t id = 0;
  // Find a symbol the hash sends to alpha.
  std::string symbol;
  route_actions acts;
  for (int i = 0; symbol.empty(); ++i) {
    auto s = "S" + std::to_string(i);
    acts = cluster.intake({make_quote(s, 1, 1)}, id);
    auto start = of_kind(acts, route_action::start);
    if (cluster.instance(start.at(0).slot).member == 1)
      symbol = s;
    else
      start_all_of(cluster, acts);
  }
  auto slot = of_kind(acts, route_action::start).at(0).slot;
  auto next = cluster.start_failed(slot, 1, "timeout");
  CAF_CHECK_EQUAL(cluster.members()[1].alive, false);
  CAF_CHECK_EQUAL(cluster.counters().placement_failures, 1u);
  auto start = of_kind(next, route_action::start);
  CAF_REQUIRE_EQUAL(start.size(), 1u);
  CAF_CHECK_EQUAL(cluster.instance(slot).member, 0u);
  bool current = false;
  auto sends = of_kind(cluster.started(slot, start[0].epoch, current),
                       route_action::send);
  CAF_CHECK(current);
  CAF_CHECK_EQUAL(sends.size(), 1u);
}

CAF_TEST(symbols past the cap are refused and counted) {
  route_book capped{{{"a", "buy_and_hold", "{}", {}, 0}}, 2};
  capped.add_member("coordinator", "", true);
  uint64_t id = 0;
  capped.intake({make_quote("A", 1, 1), make_quote("B", 1, 1),
                 make_quote("C", 1, 1), make_quote("A", 2, 2)},
                id);
  CAF_CHECK_EQUAL(capped.symbol_count(), 2u);
  CAF_CHECK_EQUAL(capped.counters().too_many_symbols, 1u);
  CAF_CHECK_EQUAL(capped.counters().quotes, 3u);
}

CAF_TEST(an instance cap refuses a whole symbol) {
  route_limits limits;
  limits.max_instances = 3;
  route_book capped{
    {{"a", "buy_and_hold", "{}", {}, 0}, {"b", "buy_and_hold", "{}", {}, 0}},
    limits};
  capped.add_member("coordinator", "", true);
  uint64_t id = 0;
  capped.intake({make_quote("A", 1, 1), make_quote("B", 1, 1)}, id);
  CAF_CHECK_EQUAL(capped.slot_count(), 2u);
  CAF_CHECK_EQUAL(capped.counters().too_many_symbols, 1u);
  auto log = capped.take_log();
  CAF_REQUIRE_EQUAL(log.size(), 1u);
  CAF_CHECK_NOT_EQUAL(log[0].find("too_many_symbols"), std::string::npos);
}

CAF_TEST(restored history warms first incarnations and is saved again) {
  route_book keeper{{{"a", "buy_and_hold", "{}", {}, 2}}};
  keeper.add_member("coordinator", "", true);
  keeper.keep_history();
  keeper.restore_history("A", {{5'000'000, 1, 41, 0}, {6'000'000, 2, 42, 0}});
  keeper.restore_history("UNSEEN", {{7'000'000, 1, 43, 0}});
  uint64_t id = 0;
  auto acts = keeper.intake({make_quote("A", 7, 3)}, id);
  auto next = start_all_of(keeper, acts);
  // The restored quotes (seq 0), not this process's: those come as parts.
  auto warm = of_kind(next, route_action::warmup);
  CAF_REQUIRE_EQUAL(warm.size(), 1u);
  CAF_REQUIRE_EQUAL(warm[0].ticks.size(), 2u);
  CAF_CHECK_EQUAL(warm[0].ticks[0].price_micros, 5'000'000);
  CAF_CHECK_EQUAL(warm[0].ticks[1].seq, 0u);
  // Saved again: A's window of two (its newest quote pushed the oldest
  // out), and the symbol this process never saw, as it was.
  auto saved = keeper.history_snapshot();
  CAF_REQUIRE_EQUAL(saved.size(), 2u);
  CAF_CHECK_EQUAL(saved[0].first, "A");
  CAF_REQUIRE_EQUAL(saved[0].second.size(), 2u);
  CAF_CHECK_EQUAL(saved[0].second[0].price_micros, 6'000'000);
  CAF_CHECK_EQUAL(saved[0].second[1].price_micros, 7'000'000);
  CAF_CHECK_EQUAL(saved[1].first, "UNSEEN");
}

CAF_TEST(a quote reaches only the strategies that take the channel it came on) {
  // Strategy a asked for quotes/+, b for $share/g1/ticks: the ingress
  // numbered the topic quotes/GOOG as set 1 and ticks as set 2.
  book.define_channels({1, {"a"}});
  book.define_channels({2, {"b"}});
  uint64_t id = 0;
  auto acts = book.intake(
    {make_quote("GOOG", 100, 1, 1), make_quote("MSFT", 50, 1, 2)}, id);
  // One instance each, not one per strategy and symbol.
  auto starts = of_kind(acts, route_action::start);
  CAF_CHECK_EQUAL(keys_of(book, starts),
                  (std::vector<std::string>{"a/GOOG", "b/MSFT"}));
  auto sends = of_kind(start_all(acts), route_action::send);
  CAF_REQUIRE_EQUAL(sends.size(), 2u);
  CAF_CHECK_EQUAL(keys_of(book, sends),
                  (std::vector<std::string>{"a/GOOG", "b/MSFT"}));
  for (const auto& x : sends)
    CAF_CHECK_EQUAL(x.ticks.size(), 1u);
  CAF_CHECK_EQUAL(book.counters().unrouted, 0u);
  // Both quotes still reach the portfolio (prices mark every holding).
  for (const auto& x : sends)
    book.answered(x.slot, x.epoch, x.batch, {});
  auto ready = book.take_ready();
  CAF_REQUIRE_EQUAL(ready.size(), 1u);
  CAF_CHECK_EQUAL(ready[0].quotes.size(), 2u);
}

CAF_TEST(a symbol on a second channel gets the instances that channel needs) {
  book.define_channels({1, {"a"}});
  book.define_channels({2, {"a", "b"}});
  uint64_t id = 0;
  auto first = start_all(book.intake({make_quote("GOOG", 100, 1, 1)}, id));
  CAF_CHECK_EQUAL(keys_of(book, of_kind(first, route_action::send)),
                  (std::vector<std::string>{"a/GOOG"}));
  // The same symbol on a topic both strategies take: b's instance joins,
  // and a quote of the first channel still reaches a alone.
  auto second = book.intake(
    {make_quote("GOOG", 101, 2, 2), make_quote("GOOG", 102, 3, 1)}, id);
  CAF_CHECK_EQUAL(keys_of(book, of_kind(second, route_action::start)),
                  (std::vector<std::string>{"b/GOOG"}));
  auto sends = of_kind(second, route_action::send);
  CAF_REQUIRE_EQUAL(sends.size(), 1u);
  CAF_CHECK_EQUAL(book.instance_key(sends[0].slot), "a/GOOG");
  CAF_CHECK_EQUAL(sends[0].ticks.size(), 2u);
  auto late = of_kind(start_all(second), route_action::send);
  CAF_REQUIRE_EQUAL(late.size(), 1u);
  CAF_CHECK_EQUAL(book.instance_key(late[0].slot), "b/GOOG");
  CAF_REQUIRE_EQUAL(late[0].ticks.size(), 1u);
  CAF_CHECK_EQUAL(late[0].ticks[0].price_micros,
                  101 * trading::micros_per_unit);
  CAF_CHECK_EQUAL(book.slot_count(), 2u);
}

CAF_TEST(quotes of a channel no strategy takes are counted as unrouted) {
  book.define_channels({1, {}});
  uint64_t id = 0;
  // Set 1 reaches no strategy; set 7 was never defined: none either.
  auto acts = book.intake(
    {make_quote("GOOG", 100, 1, 1), make_quote("GOOG", 101, 2, 7)}, id);
  CAF_CHECK(acts.empty());
  CAF_CHECK_EQUAL(book.slot_count(), 0u);
  CAF_CHECK_EQUAL(book.counters().unrouted, 2u);
  CAF_CHECK_EQUAL(book.counters().quotes, 2u);
  CAF_CHECK_EQUAL(book.take_ready().size(), 1u);
}

CAF_TEST(warm - ups hold only the quotes of the channels a strategy takes) {
  route_book keeper{
    {{"a", "buy_and_hold", "{}", {}, 3}, {"b", "buy_and_hold", "{}", {}, 3}}};
  keeper.add_member("coordinator", "", true);
  keeper.keep_history();
  keeper.define_channels({1, {"a"}});
  keeper.define_channels({2, {"a", "b"}});
  uint64_t id = 0;
  auto acts = keeper.intake({make_quote("GOOG", 100, 1, 1),
                             make_quote("GOOG", 101, 2, 2),
                             make_quote("GOOG", 102, 3, 1)},
                            id);
  auto next = start_all_of(keeper, acts);
  // b's first incarnation came with the second quote: the first, of a
  // channel b does not take, is no warm-up for it.
  CAF_CHECK(of_kind(next, route_action::warmup).empty());
  auto sends = of_kind(next, route_action::send);
  CAF_REQUIRE_EQUAL(sends.size(), 2u);
  uint32_t b_slot = 0;
  for (const auto& x : sends) {
    keeper.answered(x.slot, x.epoch, x.batch, {});
    if (keeper.instance_key(x.slot) == "b/GOOG") {
      b_slot = x.slot;
      CAF_CHECK_EQUAL(x.ticks.size(), 1u);
    } else {
      CAF_CHECK_EQUAL(x.ticks.size(), 3u);
    }
  }
  CAF_CHECK_EQUAL(keeper.take_ready().size(), 1u);
  // b's instance fails and starts again: warmed with the quote it saw.
  auto again = keeper.stopped(b_slot, false, "boom");
  CAF_REQUIRE_EQUAL(of_kind(again, route_action::start).size(), 1u);
  bool current = false;
  auto warm = of_kind(keeper.started(b_slot, 2, current), route_action::warmup);
  CAF_CHECK(current);
  CAF_REQUIRE_EQUAL(warm.size(), 1u);
  CAF_REQUIRE_EQUAL(warm[0].ticks.size(), 1u);
  CAF_CHECK_EQUAL(warm[0].ticks[0].seq, 2u);
}

// -- strategies while trading ------------------------------------------------------

CAF_TEST(
  an added strategy is placed at the next quote and warmed from history) {
  route_book keeper{{{"a", "buy_and_hold", "{}", {}, 1}}};
  keeper.add_member("coordinator", "", true);
  keeper.keep_history();
  uint64_t id = 0;
  start_all_of(keeper,
               keeper.intake(
                 {make_quote("GOOG", 100, 1), make_quote("GOOG", 101, 2)}, id));
  strategy_route c{"c", "buy_and_hold", "{}", {}, 3};
  CAF_CHECK_EQUAL(keeper.add_strategy(c), 1u);
  auto acts = keeper.intake({make_quote("GOOG", 102, 3)}, id);
  CAF_CHECK_EQUAL(keys_of(keeper, of_kind(acts, route_action::start)),
                  (std::vector<std::string>{"c/GOOG"}));
  // Warmed with what the symbol kept (a's window of one quote), not with
  // the quote it answers for.
  auto warm = of_kind(start_all_of(keeper, acts), route_action::warmup);
  CAF_REQUIRE_EQUAL(warm.size(), 1u);
  CAF_REQUIRE_EQUAL(warm[0].ticks.size(), 1u);
  CAF_CHECK_EQUAL(warm[0].ticks[0].price_micros,
                  101 * trading::micros_per_unit);
  // From now on the symbol keeps c's window of three.
  keeper.intake({make_quote("GOOG", 103, 4), make_quote("GOOG", 104, 5)}, id);
  auto saved = keeper.history_snapshot();
  CAF_REQUIRE_EQUAL(saved.size(), 1u);
  CAF_REQUIRE_EQUAL(saved[0].second.size(), 3u);
  CAF_CHECK_EQUAL(saved[0].second[0].price_micros,
                  102 * trading::micros_per_unit);
  CAF_CHECK_EQUAL(saved[0].second[2].price_micros,
                  104 * trading::micros_per_unit);
}

CAF_TEST(a removed strategy is retired and what it owes is answered empty) {
  uint64_t id = 0;
  auto sends = of_kind(start_all(book.intake({make_quote("GOOG", 100, 1)}, id)),
                       route_action::send);
  CAF_REQUIRE_EQUAL(sends.size(), 2u);
  auto b = book.find_strategy("b");
  CAF_REQUIRE(b);
  size_t stopped = 0;
  auto acts = book.remove_strategy(*b, stopped);
  CAF_CHECK_EQUAL(stopped, 1u);
  CAF_REQUIRE_EQUAL(acts.size(), 1u);
  CAF_CHECK_EQUAL(acts[0].kind, route_action::retire);
  CAF_CHECK_EQUAL(book.instance_key(acts[0].slot), "b/GOOG");
  CAF_CHECK(!book.find_strategy("b"));
  // a answers; b's part was settled by the removal.
  for (const auto& x : sends)
    book.answered(x.slot, x.epoch, x.batch, {});
  CAF_CHECK_EQUAL(book.take_ready().size(), 1u);
  CAF_CHECK_EQUAL(book.counters().stale_replies, 1u);
  auto next = book.intake({make_quote("GOOG", 101, 2)}, id);
  CAF_CHECK_EQUAL(keys_of(book, of_kind(next, route_action::send)),
                  (std::vector<std::string>{"a/GOOG"}));
  CAF_CHECK(of_kind(next, route_action::start).empty());
  CAF_CHECK_EQUAL(book.members()[0].instances, 1u);
}

CAF_TEST(an added strategy takes the channel sets of its peers) {
  book.define_channels({1, {"a"}});
  uint64_t id = 0;
  start_all(book.intake({make_quote("GOOG", 100, 1, 1)}, id));
  strategy_route c{"c", "buy_and_hold", "{}", {}, 0};
  c.peers = {0};
  book.add_strategy(c);
  // Set 2 is numbered after the addition: the ingress names a only.
  book.define_channels({2, {"a"}});
  auto acts = book.intake(
    {make_quote("GOOG", 101, 2, 1), make_quote("MSFT", 50, 2, 2)}, id);
  CAF_CHECK_EQUAL(keys_of(book, of_kind(acts, route_action::start)),
                  (std::vector<std::string>{"c/GOOG", "a/MSFT", "c/MSFT"}));
}

CAF_TEST_FIXTURE_SCOPE_END()

// -- external algorithms ------------------------------------------------------------

CAF_TEST(a carrier is numbered in place and its signal joins the batch) {
  route_book book{
    {{"a", "buy_and_hold", "{}", {}, 0}, {"ext", "external", "{}", {}, 0}}};
  book.add_member("coordinator", "", true);
  auto carrier = make_quote("DAX", 100, 1);
  carrier.channel = trading::signal_carrier_channel;
  trading::signal ext{
    "ext", "DAX", trading::side::sell, 1.0, carrier.price_micros, 1, 1};
  uint64_t id = 0;
  // The signal names its carrier by index (1) until the book numbers it.
  auto actions = book.intake(
    {make_quote("DAX", 100, 1), carrier, make_quote("SMI", 50, 2)}, id, {ext});
  // Instances for `a` only: an external strategy has none, and a carrier
  // reaches none.
  CAF_CHECK_EQUAL(keys_of(book, of_kind(actions, route_action::start)),
                  (std::vector<std::string>{"a/DAX", "a/SMI"}));
  auto sends = of_kind(start_all_of(book, actions), route_action::send);
  CAF_REQUIRE_EQUAL(sends.size(), 2u);
  for (const auto& s : sends) {
    CAF_CHECK_EQUAL(s.ticks.size(), 1u);
    book.answered(s.slot, s.epoch, s.batch, {});
  }
  auto ready = book.take_ready();
  CAF_REQUIRE_EQUAL(ready.size(), 1u);
  CAF_REQUIRE_EQUAL(ready[0].quotes.size(), 3u);
  CAF_CHECK_EQUAL(ready[0].quotes[1].seq, 2u);
  CAF_CHECK_EQUAL(ready[0].quotes[2].seq, 3u);
  CAF_REQUIRE_EQUAL(ready[0].signals.size(), 1u);
  CAF_CHECK_EQUAL(ready[0].signals[0].quote_seq, 2u);
  CAF_CHECK_EQUAL(ready[0].signals[0].strategy, "ext");
  // Carriers are no quotes; a quote only the external strategy takes is
  // routed.
  CAF_CHECK_EQUAL(book.counters().quotes, 2u);
  CAF_CHECK_EQUAL(book.counters().unrouted, 0u);
}

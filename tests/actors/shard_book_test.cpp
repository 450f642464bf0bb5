#define CAF_SUITE actors.shard_book
#include "caf/test/unit_test.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/shard_book.hpp"

using namespace intuition::actors;

namespace {

size_t count(const shard_actions& xs, shard_action::kind_type kind) {
  size_t n = 0;
  for (const auto& x : xs)
    n += x.kind == kind ? 1 : 0;
  return n;
}

/// Confirms every assignment in `xs` (and those that follow) as started,
/// and every shard asked back as drained.
void start_all(shard_book& book, shard_actions xs) {
  for (size_t i = 0; i < xs.size(); ++i) {
    shard_actions more;
    if (xs[i].kind == shard_action::assign)
      more = book.started(xs[i].shard, xs[i].epoch);
    else if (xs[i].kind == shard_action::drain)
      more = book.drained(xs[i].shard, xs[i].epoch);
    xs.insert(xs.end(), more.begin(), more.end());
  }
}

/// Alpha runs every shard, then beta joins: the moves asked of alpha.
shard_actions beta_joins(shard_book& book) {
  book.add_member("alpha", "127.0.0.1:1");
  start_all(book, book.rebalance());
  book.add_member("beta", "127.0.0.1:2");
  return book.rebalance();
}

} // namespace

CAF_TEST(the first member takes every shard at once) {
  shard_book book{64, 4};
  book.add_member("alpha", "127.0.0.1:1");
  auto xs = book.rebalance();
  CAF_CHECK_EQUAL(count(xs, shard_action::assign), 64u);
  CAF_CHECK_EQUAL(count(xs, shard_action::revoke), 0u);
  CAF_CHECK_EQUAL(book.members()[0].shards, 64u);
  CAF_CHECK_EQUAL(book.counters().moves, 0u);
  for (uint32_t s = 0; s < 64; ++s)
    CAF_CHECK(book.current(s, 1));
}

CAF_TEST(a joining member takes its rendezvous share a few shards at a time) {
  shard_book book{64, 4};
  book.add_member("alpha", "127.0.0.1:1");
  start_all(book, book.rebalance());
  book.add_member("beta", "127.0.0.1:2");
  auto asked = book.rebalance();
  // Only shards beta wins move, and only four start now: each is handed
  // back by alpha first, under its epoch, which stays current meanwhile.
  CAF_CHECK_EQUAL(count(asked, shard_action::drain), 4u);
  CAF_CHECK_EQUAL(asked.size(), 4u);
  shard_actions xs;
  for (const auto& x : asked) {
    CAF_CHECK_EQUAL(x.member, 0u);
    CAF_CHECK(book.current(x.shard, 1));
    CAF_CHECK(book.place(x.shard).draining);
    auto more = book.drained(x.shard, x.epoch);
    xs.insert(xs.end(), more.begin(), more.end());
  }
  CAF_CHECK_EQUAL(count(xs, shard_action::assign), 4u);
  CAF_CHECK_EQUAL(count(xs, shard_action::revoke), 4u);
  CAF_CHECK_EQUAL(book.counters().handovers, 4u);
  for (const auto& x : xs) {
    if (x.kind == shard_action::revoke) {
      CAF_CHECK_EQUAL(x.member, 0u);
      CAF_CHECK_EQUAL(x.epoch, 1u);
    } else {
      CAF_CHECK_EQUAL(x.member, 1u);
      CAF_CHECK_EQUAL(x.epoch, 2u);
      CAF_CHECK(!book.current(x.shard, 1)); // the old owner is fenced
    }
  }
  size_t wanted = 0;
  for (uint32_t s = 0; s < 64; ++s)
    wanted += book.desired_owner(s) == 1 ? 1 : 0;
  CAF_CHECK_GREATER(wanted, 20u);
  CAF_CHECK_LESS(wanted, 44u);
  CAF_CHECK_EQUAL(book.moves_pending(), wanted);
  start_all(book, xs);
  CAF_CHECK_EQUAL(book.moves_pending(), 0u);
  CAF_CHECK_EQUAL(book.counters().moves, wanted);
  CAF_CHECK_EQUAL(book.members()[1].shards, wanted);
  CAF_CHECK_EQUAL(book.members()[0].shards, 64u - wanted);
  for (uint32_t s = 0; s < 64; ++s)
    CAF_CHECK_EQUAL(book.place(s).owner, book.desired_owner(s));
}

CAF_TEST(the shards of a lost member go to the survivors at once) {
  shard_book book{64, 2};
  book.add_member("alpha", "127.0.0.1:1");
  book.add_member("beta", "127.0.0.1:2");
  book.add_member("gamma", "127.0.0.1:3");
  start_all(book, book.rebalance());
  std::map<uint32_t, uint64_t> beta_epochs;
  for (uint32_t s = 0; s < 64; ++s)
    if (book.place(s).owner == 1)
      beta_epochs[s] = book.place(s).epoch;
  auto xs = book.member_lost(1);
  // No revoke to a lost member; every one of its shards at once.
  CAF_CHECK_EQUAL(count(xs, shard_action::revoke), 0u);
  CAF_CHECK_EQUAL(count(xs, shard_action::assign), beta_epochs.size());
  CAF_CHECK_EQUAL(book.counters().failovers, beta_epochs.size());
  for (const auto& [s, epoch] : beta_epochs) {
    CAF_CHECK(!book.current(s, epoch));
    CAF_CHECK_NOT_EQUAL(book.place(s).owner, 1u);
  }
  // The others' shards did not move.
  CAF_CHECK_EQUAL(book.members()[0].shards + book.members()[2].shards, 64u);
  CAF_CHECK_EQUAL(book.members()[1].failed_over, beta_epochs.size());
}

CAF_TEST(a member that rejoins takes its shards back as moves) {
  shard_book book{16, 16};
  book.add_member("alpha", "127.0.0.1:1");
  book.add_member("beta", "127.0.0.1:2");
  start_all(book, book.rebalance());
  auto before = book.members()[1].shards;
  start_all(book, book.member_lost(1));
  CAF_CHECK_EQUAL(book.members()[0].shards, 16u);
  CAF_CHECK_EQUAL(book.add_member("beta", "127.0.0.1:2"), 1u);
  auto xs = book.rebalance();
  CAF_CHECK_EQUAL(count(xs, shard_action::drain), before);
  start_all(book, xs);
  CAF_CHECK_EQUAL(book.members()[1].shards, before);
  CAF_CHECK_EQUAL(book.counters().handovers, before);
}

CAF_TEST(
  a stopped incarnation is placed anew and stale reports change nothing) {
  shard_book book{8, 4};
  book.add_member("alpha", "127.0.0.1:1");
  book.add_member("beta", "127.0.0.1:2");
  start_all(book, book.rebalance());
  auto owner = book.place(3).owner;
  auto epoch = book.place(3).epoch;
  // A session that ended: placed anew where it belongs, with a new epoch.
  auto xs = book.stopped(3, epoch);
  CAF_REQUIRE_EQUAL(xs.size(), 1u);
  CAF_CHECK_EQUAL(xs[0].kind, shard_action::assign);
  CAF_CHECK_EQUAL(xs[0].member, owner);
  CAF_CHECK_EQUAL(xs[0].epoch, epoch + 1);
  CAF_CHECK(book.stopped(3, epoch).empty());
  CAF_CHECK(book.started(3, epoch).empty());
  // A start that failed: another member, when there is one.
  auto again = book.stopped(3, epoch + 1, true);
  CAF_REQUIRE_EQUAL(again.size(), 1u);
  CAF_CHECK_NOT_EQUAL(again[0].member, owner);
  CAF_CHECK_EQUAL(again[0].epoch, epoch + 2);
  CAF_CHECK_EQUAL(book.counters().start_failures, 1u);
}

CAF_TEST(an owner that stops while it hands a shard back has handed it back) {
  shard_book book{16, 16};
  auto asked = beta_joins(book);
  CAF_REQUIRE_GREATER(asked.size(), 1u);
  auto first = asked[0];
  auto second = asked[1];
  // Its worker's end came before the answer: no failover, the move goes on.
  auto xs = book.stopped(first.shard, first.epoch);
  CAF_CHECK_EQUAL(count(xs, shard_action::assign), 1u);
  CAF_CHECK_EQUAL(book.counters().failovers, 0u);
  CAF_CHECK_EQUAL(book.place(first.shard).owner, 1u);
  // The late answer changes nothing.
  CAF_CHECK(book.drained(first.shard, first.epoch).empty());
  // The member the shard was to go to leaves meanwhile: the shard starts
  // anew where it was, since its incarnation there stopped.
  start_all(book, book.member_lost(1));
  auto back = book.drained(second.shard, second.epoch);
  CAF_REQUIRE_EQUAL(count(back, shard_action::assign), 1u);
  for (const auto& x : back)
    if (x.kind == shard_action::assign) {
      CAF_CHECK_EQUAL(x.member, 0u);
      CAF_CHECK_EQUAL(x.epoch, second.epoch + 1);
    }
  start_all(book, back);
  for (size_t i = 2; i < asked.size(); ++i)
    start_all(book, book.drained(asked[i].shard, asked[i].epoch));
  CAF_CHECK_EQUAL(book.moves_pending(), 0u);
  CAF_CHECK_EQUAL(book.members()[0].shards, 16u);
}

CAF_TEST(an owner whose start is not confirmed yet hands the shard back too) {
  // Its session may be reading already when the move is planned.
  shard_book book{16, 16};
  book.add_member("alpha", "127.0.0.1:1");
  auto placed = book.rebalance();
  book.add_member("beta", "127.0.0.1:2");
  auto asked = book.rebalance();
  CAF_REQUIRE_GREATER(asked.size(), 0u);
  CAF_CHECK_EQUAL(count(asked, shard_action::drain), asked.size());
  // A start confirmed after the hand-back is stale; the others' count.
  start_all(book, asked);
  std::set<uint32_t> moved;
  for (const auto& x : asked)
    moved.insert(x.shard);
  for (const auto& x : placed) {
    CAF_CHECK_EQUAL(book.current(x.shard, x.epoch), moved.count(x.shard) == 0);
    if (moved.count(x.shard) > 0)
      CAF_CHECK(book.started(x.shard, x.epoch).empty());
  }
  CAF_CHECK_EQUAL(book.counters().handovers, book.counters().moves);
}

CAF_TEST(a lost owner hands nothing back and its draining shards fail over) {
  shard_book book{16, 16};
  auto asked = beta_joins(book);
  CAF_REQUIRE_GREATER(asked.size(), 0u);
  auto xs = book.member_lost(0);
  CAF_CHECK_EQUAL(count(xs, shard_action::assign), 16u);
  CAF_CHECK_EQUAL(count(xs, shard_action::revoke), 0u);
  for (const auto& x : asked) {
    CAF_CHECK(!book.place(x.shard).draining);
    CAF_CHECK(book.drained(x.shard, x.epoch).empty());
  }
  start_all(book, xs);
  CAF_CHECK_EQUAL(book.moves_pending(), 0u);
  CAF_CHECK_EQUAL(book.members()[1].shards, 16u);
}

CAF_TEST(without members shards wait unowned) {
  shard_book book{4, 4};
  book.add_member("alpha", "127.0.0.1:1");
  start_all(book, book.rebalance());
  auto xs = book.member_lost(0);
  CAF_CHECK(xs.empty());
  for (uint32_t s = 0; s < 4; ++s) {
    CAF_CHECK_EQUAL(book.place(s).owner, no_member);
    CAF_CHECK(!book.current(s, book.place(s).epoch));
  }
  book.add_member("alpha", "127.0.0.1:1");
  auto again = book.rebalance();
  CAF_CHECK_EQUAL(count(again, shard_action::assign), 4u);
  CAF_CHECK_EQUAL(again[0].epoch, 2u);
}

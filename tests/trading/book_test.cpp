#define CAF_SUITE trading.book
#include "caf/test/unit_test.hpp"

#include "trading/book.hpp"

#include <cstdlib>
#include <limits>
#include <vector>

using namespace intuition::trading;

namespace {

constexpr int64_t unit = micros_per_unit;

order fill(std::string strategy, std::string symbol, side direction,
           quantity qty, int64_t price_micros, int64_t commission_micros = 0) {
  order x;
  x.strategy = std::move(strategy);
  x.symbol = std::move(symbol);
  x.direction = direction;
  x.qty = qty;
  x.price_micros = price_micros;
  x.commission_micros = commission_micros;
  return x;
}

/// Sum of realised plus unrealised P&L over every strategy.
int64_t total_pnl(const book& bk) {
  int64_t out = 0;
  for (const auto& [name, pnl] : bk.pnl_by_strategy())
    out += pnl.realised_micros + pnl.unrealised_micros;
  return out;
}

/// Deterministic generator for the invariant test.
struct splitmix64 {
  uint64_t state;
  uint64_t next() {
    auto z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int64_t between(int64_t lo, int64_t hi) {
    return lo
           + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
};

} // namespace

// -- opening and reducing ---------------------------------------------------------

CAF_TEST(a partial sell realises against the average cost) {
  book bk{10'000 * unit};
  bk.apply(fill("s", "X", side::buy, 10, 100 * unit, 1 * unit));
  bk.apply(fill("s", "X", side::sell, 4, 110 * unit, 1 * unit));
  auto pos = bk.holding("s", "X");
  CAF_CHECK_EQUAL(pos.qty, 6);
  CAF_CHECK_EQUAL(pos.cost_basis_micros, 600 * unit);
  // 4 * (110 - 100) = 40, minus two commissions of 1.
  CAF_CHECK_EQUAL(pos.realised_micros, 38 * unit);
  CAF_CHECK_EQUAL(pos.commission_micros, 2 * unit);
  CAF_CHECK_EQUAL(pos.buys, 1u);
  CAF_CHECK_EQUAL(pos.sells, 1u);
  CAF_CHECK_EQUAL(book::average_cost_micros(pos), 100 * unit);
  // 10'000 - 1'000 - 1 + 440 - 1.
  CAF_CHECK_EQUAL(bk.cash_micros(), 9'438 * unit);
  CAF_CHECK_EQUAL(bk.net_position("X"), 6);
}

CAF_TEST(an unmarked holding is worth its cost basis) {
  book bk{10'000 * unit};
  bk.apply(fill("s", "X", side::buy, 10, 100 * unit, 1 * unit));
  bk.apply(fill("s", "X", side::sell, 4, 110 * unit, 1 * unit));
  CAF_CHECK_EQUAL(bk.last_price_micros("X"), 0);
  CAF_CHECK_EQUAL(bk.unrealised_micros("X", bk.holding("s", "X")), 0);
  CAF_CHECK_EQUAL(bk.market_value_micros(), 600 * unit);
  CAF_CHECK_EQUAL(bk.equity_micros(), 10'038 * unit);
}

CAF_TEST(marks move unrealised pnl and equity) {
  book bk{10'000 * unit};
  bk.apply(fill("s", "X", side::buy, 10, 100 * unit, 1 * unit));
  bk.apply(fill("s", "X", side::sell, 4, 110 * unit, 1 * unit));
  bk.mark("X", 120 * unit);
  CAF_CHECK_EQUAL(bk.last_price_micros("X"), 120 * unit);
  // 6 * 120 - 600.
  CAF_CHECK_EQUAL(bk.unrealised_micros("X", bk.holding("s", "X")), 120 * unit);
  CAF_CHECK_EQUAL(bk.market_value_micros(), 720 * unit);
  CAF_CHECK_EQUAL(bk.equity_micros(), 10'158 * unit);
  auto pnl = bk.pnl_by_strategy();
  CAF_REQUIRE_EQUAL(pnl.size(), 1u);
  CAF_CHECK_EQUAL(pnl["s"].realised_micros, 38 * unit);
  CAF_CHECK_EQUAL(pnl["s"].unrealised_micros, 120 * unit);
  CAF_CHECK_EQUAL(pnl["s"].commission_micros, 2 * unit);
  bk.mark("X", 90 * unit);
  CAF_CHECK_EQUAL(bk.unrealised_micros("X", bk.holding("s", "X")), -60 * unit);
  CAF_CHECK_EQUAL(bk.equity_micros(), 9'978 * unit);
}

// -- through zero -----------------------------------------------------------------

CAF_TEST(a sell larger than the holding closes it and opens a short) {
  book bk{1'000 * unit};
  bk.apply(fill("s", "X", side::buy, 5, 10 * unit));
  bk.apply(fill("s", "X", side::sell, 8, 12 * unit));
  auto pos = bk.holding("s", "X");
  CAF_CHECK_EQUAL(pos.qty, -3);
  CAF_CHECK_EQUAL(pos.cost_basis_micros, -36 * unit);
  CAF_CHECK_EQUAL(book::average_cost_micros(pos), 12 * unit);
  CAF_CHECK_EQUAL(pos.realised_micros, 10 * unit);
  CAF_CHECK_EQUAL(bk.net_position("X"), -3);
  // Covering at 11 earns 1 per share on the short.
  bk.apply(fill("s", "X", side::buy, 3, 11 * unit));
  pos = bk.holding("s", "X");
  CAF_CHECK_EQUAL(pos.qty, 0);
  CAF_CHECK_EQUAL(pos.cost_basis_micros, 0);
  CAF_CHECK_EQUAL(book::average_cost_micros(pos), 0);
  CAF_CHECK_EQUAL(pos.realised_micros, 13 * unit);
  CAF_CHECK_EQUAL(pos.buys, 2u);
  CAF_CHECK_EQUAL(pos.sells, 1u);
  CAF_CHECK_EQUAL(bk.cash_micros(), 1'013 * unit);
  CAF_CHECK(bk.net_positions().empty());
  // A flat holding stays listed.
  CAF_CHECK_EQUAL(bk.holdings().size(), 1u);
}

CAF_TEST(a buy larger than a short closes it and opens a long) {
  book bk{1'000 * unit};
  bk.apply(fill("s", "X", side::sell, 2, 20 * unit));
  bk.apply(fill("s", "X", side::buy, 5, 18 * unit));
  auto pos = bk.holding("s", "X");
  CAF_CHECK_EQUAL(pos.qty, 3);
  CAF_CHECK_EQUAL(pos.cost_basis_micros, 54 * unit);
  CAF_CHECK_EQUAL(pos.realised_micros, 4 * unit);
  // 1'000 + 40 - 90.
  CAF_CHECK_EQUAL(bk.cash_micros(), 950 * unit);
}

// -- rounding ---------------------------------------------------------------------

CAF_TEST(removed basis rounds half away from zero and loses no micro) {
  book bk;
  // Basis 5 micros over 2 shares: the average 2.5 rounds to 3.
  bk.apply(fill("l", "X", side::buy, 1, 2));
  bk.apply(fill("l", "X", side::buy, 1, 3));
  CAF_CHECK_EQUAL(book::average_cost_micros(bk.holding("l", "X")), 3);
  bk.apply(fill("l", "X", side::sell, 1, 10));
  CAF_CHECK_EQUAL(bk.holding("l", "X").cost_basis_micros, 2);
  CAF_CHECK_EQUAL(bk.holding("l", "X").realised_micros, 7);
  bk.apply(fill("l", "X", side::sell, 1, 10));
  CAF_CHECK_EQUAL(bk.holding("l", "X").cost_basis_micros, 0);
  // Paid 5, received 20.
  CAF_CHECK_EQUAL(bk.holding("l", "X").realised_micros, 15);
  // The mirror image on a short: -2.5 rounds to -3.
  bk.apply(fill("sh", "X", side::sell, 1, 2));
  bk.apply(fill("sh", "X", side::sell, 1, 3));
  CAF_CHECK_EQUAL(bk.holding("sh", "X").cost_basis_micros, -5);
  CAF_CHECK_EQUAL(book::average_cost_micros(bk.holding("sh", "X")), 3);
  bk.apply(fill("sh", "X", side::buy, 1, 1));
  CAF_CHECK_EQUAL(bk.holding("sh", "X").cost_basis_micros, -2);
  CAF_CHECK_EQUAL(bk.holding("sh", "X").realised_micros, 2);
  bk.apply(fill("sh", "X", side::buy, 1, 1));
  CAF_CHECK_EQUAL(bk.holding("sh", "X").realised_micros, 3);
}

CAF_TEST(a third of an odd basis rounds to the nearest micro) {
  book bk;
  bk.apply(fill("s", "X", side::buy, 1, 1'000'000));
  bk.apply(fill("s", "X", side::buy, 2, 1'000'001));
  // 3'000'002 / 3 = 1'000'000.67.
  CAF_CHECK_EQUAL(book::average_cost_micros(bk.holding("s", "X")), 1'000'001);
  bk.apply(fill("s", "X", side::sell, 1, 2'000'000));
  CAF_CHECK_EQUAL(bk.holding("s", "X").realised_micros, 999'999);
  CAF_CHECK_EQUAL(bk.holding("s", "X").cost_basis_micros, 2'000'001);
  bk.apply(fill("s", "X", side::sell, 2, 2'000'000));
  CAF_CHECK_EQUAL(bk.holding("s", "X").realised_micros, 2'999'998);
}

// -- several strategies -----------------------------------------------------------

CAF_TEST(strategies hold separately and net per symbol) {
  book bk{10'000 * unit};
  bk.apply(fill("a", "X", side::buy, 10, 100 * unit));
  bk.apply(fill("b", "X", side::sell, 4, 105 * unit, 2 * unit));
  bk.apply(fill("b", "Y", side::buy, 1, 50 * unit));
  CAF_CHECK_EQUAL(bk.holding("a", "X").qty, 10);
  CAF_CHECK_EQUAL(bk.holding("b", "X").qty, -4);
  CAF_CHECK_EQUAL(bk.holding("c", "X").qty, 0);
  CAF_CHECK_EQUAL(bk.net_position("X"), 6);
  CAF_CHECK_EQUAL(bk.net_position("Z"), 0);
  auto net = bk.net_positions();
  CAF_REQUIRE_EQUAL(net.size(), 2u);
  CAF_CHECK_EQUAL(net["X"], 6);
  CAF_CHECK_EQUAL(net["Y"], 1);
  bk.mark("X", 110 * unit);
  bk.mark("Y", 40 * unit);
  auto pnl = bk.pnl_by_strategy();
  CAF_REQUIRE_EQUAL(pnl.size(), 2u);
  CAF_CHECK_EQUAL(pnl["a"].unrealised_micros, 100 * unit);
  // Short 4 from 105 marked at 110, plus Y down 10.
  CAF_CHECK_EQUAL(pnl["b"].unrealised_micros, -30 * unit);
  CAF_CHECK_EQUAL(pnl["b"].realised_micros, -2 * unit);
  CAF_CHECK_EQUAL(pnl["b"].buys, 1u);
  CAF_CHECK_EQUAL(pnl["b"].sells, 1u);
  // 10'000 - 1'000 + 418 - 50 + 6 * 110 + 40.
  CAF_CHECK_EQUAL(bk.equity_micros(), 10'068 * unit);
  CAF_CHECK_EQUAL(total_pnl(bk),
                  bk.equity_micros() - bk.starting_cash_micros());
}

CAF_TEST(pnl over strategies equals equity gain after random trades and marks) {
  const std::vector<std::string> strategies{"a", "b", "c"};
  // "W" is never marked, so the cost-basis valuation takes part as well.
  const std::vector<std::string> symbols{"X", "Y", "Z", "W"};
  book bk{50'000 * unit};
  splitmix64 gen{2024};
  int mismatches = 0;
  int flips = 0;
  int reductions = 0;
  for (int i = 0; i < 1000; ++i) {
    if (gen.next() % 10 < 3) {
      auto sym = symbols[static_cast<size_t>(gen.between(0, 2))];
      bk.mark(sym, gen.between(1 * unit, 200 * unit));
    } else {
      auto x
        = fill(strategies[static_cast<size_t>(gen.between(0, 2))],
               symbols[static_cast<size_t>(gen.between(0, 3))],
               gen.next() % 2 == 0 ? side::buy : side::sell, gen.between(1, 50),
               gen.between(1 * unit, 200 * unit), gen.between(0, 5 * unit));
      auto before = bk.holding(x.strategy, x.symbol).qty;
      bk.apply(x);
      auto after = bk.holding(x.strategy, x.symbol).qty;
      if (std::abs(after) < std::abs(before))
        ++reductions;
      if ((before > 0 && after < 0) || (before < 0 && after > 0))
        ++flips;
    }
    if (total_pnl(bk) != bk.equity_micros() - bk.starting_cash_micros())
      ++mismatches;
  }
  CAF_CHECK_EQUAL(mismatches, 0);
  // The sequence must actually exercise reducing and flipping trades.
  CAF_CHECK(reductions > 50);
  CAF_CHECK(flips > 10);
  for (const auto& sym : symbols) {
    quantity sum = 0;
    for (const auto& name : strategies)
      sum += bk.holding(name, sym).qty;
    CAF_CHECK_EQUAL(bk.net_position(sym), sum);
  }
  CAF_CHECK_EQUAL(bk.equity_micros(),
                  bk.cash_micros() + bk.market_value_micros());
}

// -- limits -----------------------------------------------------------------------

CAF_TEST(a fill whose figures would leave 64 bits is refused whole) {
  constexpr auto max = std::numeric_limits<int64_t>::max();
  book bk{100 * unit};
  CAF_REQUIRE(bk.apply(fill("s", "X", side::buy, 10, 1 * unit)));
  auto cash = bk.cash_micros();
  // Cash: a sale crediting 2 * (max / 2 + 1) micros.
  CAF_CHECK(!bk.apply(fill("s", "Y", side::sell, 2, max / 2 + 1)));
  // Cost basis of a buy whose notional wraps.
  CAF_CHECK(!bk.apply(fill("s", "X", side::buy, 4, max / 3)));
  // Commission past 64 bits in the holding's total.
  CAF_CHECK(bk.apply(fill("s", "X", side::sell, 1, 1 * unit, 1)));
  CAF_CHECK(!bk.apply(fill("s", "X", side::sell, 1, 1 * unit, max)));
  CAF_CHECK(!bk.apply(fill("s", "X", side::buy, -1, 1 * unit)));
  // Nothing of the refused fills is left behind.
  CAF_CHECK_EQUAL(bk.cash_micros(), cash + 1 * unit - 1);
  CAF_CHECK_EQUAL(bk.holding("s", "X").qty, 9);
  CAF_CHECK_EQUAL(bk.holding("s", "X").sells, 1u);
  CAF_CHECK_EQUAL(bk.holding("s", "Y").qty, 0);
  CAF_CHECK_EQUAL(bk.net_position("Y"), 0);
}

CAF_TEST(a valuation beyond 64 bits is clamped and never wraps) {
  constexpr auto max = std::numeric_limits<int64_t>::max();
  book bk{0};
  CAF_REQUIRE(bk.apply(fill("l", "X", side::buy, 1'000'000, 1)));
  CAF_REQUIRE(bk.apply(fill("s", "Y", side::sell, 1'000'000, 1)));
  bk.mark("X", max / 2);
  CAF_CHECK_EQUAL(bk.equity_micros(), max);
  CAF_CHECK_EQUAL(bk.market_value_micros(), max);
  bk.mark("Y", max / 2);
  // Long and short cancel out exactly: the sum is kept in 128 bits.
  CAF_CHECK_EQUAL(bk.equity_micros(), 0);
  bk.mark("X", 1);
  CAF_CHECK_EQUAL(bk.equity_micros(), std::numeric_limits<int64_t>::min());
  CAF_CHECK_EQUAL(bk.unrealised_micros("Y", bk.holding("s", "Y")),
                  std::numeric_limits<int64_t>::min());
}

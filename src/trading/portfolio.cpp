#include "trading/portfolio.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "trading/checked.hpp"

namespace intuition::trading {

bool operator==(const portfolio_counters& x,
                const portfolio_counters& y) noexcept {
  return x.quotes == y.quotes && x.signals == y.signals && x.orders == y.orders
         && x.refusals == y.refusals;
}

namespace {

/// Next value of a splitmix64 generator: tiny, fast, and identical on every
/// platform, so a seed reproduces a run.
uint64_t splitmix64_next(uint64_t& state) noexcept {
  auto z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Budget from a fraction of a cash amount, rounded down so a budget never
/// exceeds what the fraction allows.
int64_t fraction_of(double fraction, int64_t cash_micros) noexcept {
  auto x = std::floor(fraction * static_cast<double>(cash_micros));
  return x > 0 ? static_cast<int64_t>(x) : 0;
}

} // namespace

// -- execution costs --------------------------------------------------------------

std::optional<int64_t>
commission_model::compute(quantity qty, int64_t price_micros) const noexcept {
  if (qty <= 0)
    return int64_t{0};
  // The notional only scales the basis points, so a double is exact enough;
  // the product of the integers could overflow before the conversion.
  auto notional = static_cast<double>(price_micros) * static_cast<double>(qty);
  auto per_share = checked_mul(per_share_micros, qty);
  auto by_bps = round_to_int64(notional * bps / 1e4);
  if (!per_share || !by_bps)
    return std::nullopt;
  auto fee = checked_add(*per_share, *by_bps);
  if (!fee)
    return std::nullopt;
  return std::max(*fee, minimum_micros);
}

std::optional<int64_t>
slippage_model::fill_price(side direction,
                           int64_t quote_price_micros) const noexcept {
  auto price = static_cast<double>(quote_price_micros);
  // Adding the move instead of multiplying by (1 +- bps) keeps whole-micro
  // moves exact in double arithmetic.
  auto move = price * bps / 1e4;
  auto filled
    = round_to_int64(direction == side::buy ? price + move : price - move);
  if (!filled)
    return std::nullopt;
  return std::max<int64_t>(*filled, 1);
}

// -- enums ------------------------------------------------------------------------

std::string_view to_string(sizing_kind x) noexcept {
  switch (x) {
    case sizing_kind::random_fraction:
      return "random_fraction";
    case sizing_kind::fixed_fraction:
      return "fixed_fraction";
    case sizing_kind::fixed_quantity:
      return "fixed_quantity";
    case sizing_kind::equal_weight:
      return "equal_weight";
    case sizing_kind::kelly:
      return "kelly";
    case sizing_kind::volatility_target:
      return "volatility_target";
  }
  return "invalid";
}

bool from_string(std::string_view str, sizing_kind& x) noexcept {
  for (auto k : {sizing_kind::random_fraction, sizing_kind::fixed_fraction,
                 sizing_kind::fixed_quantity, sizing_kind::equal_weight,
                 sizing_kind::kelly, sizing_kind::volatility_target}) {
    if (str == to_string(k)) {
      x = k;
      return true;
    }
  }
  return false;
}

std::string_view to_string(refusal_reason x) noexcept {
  switch (x) {
    case refusal_reason::zero_quantity:
      return "zero_quantity";
    case refusal_reason::insufficient_cash:
      return "insufficient_cash";
    case refusal_reason::short_selling_disabled:
      return "short_selling_disabled";
    case refusal_reason::max_position:
      return "max_position";
    case refusal_reason::max_order_notional:
      return "max_order_notional";
    case refusal_reason::notional_overflow:
      return "notional_overflow";
    case refusal_reason::open_orders_full:
      return "open_orders_full";
    case refusal_reason::halted:
      return "halted";
    case refusal_reason::reduce_only:
      return "reduce_only";
    case refusal_reason::risk_halt:
      return "risk_halt";
  }
  return "invalid";
}

// -- portfolio --------------------------------------------------------------------

portfolio::portfolio(portfolio_config cfg)
    : cfg_(std::move(cfg)), book_(cfg_.starting_cash_micros),
      mode_(cfg_.risk.halt), rng_state_(cfg_.sizing.seed),
      open_(cfg_.max_open_orders),
      trades_(cfg_.sizing.kind == sizing_kind::kelly
                ? cfg_.sizing.lookback_trades
                : 0) {
  // nop
}

void portfolio::on_quote(const quote& q) {
  book_.mark(q.symbol, q.price_micros);
  last_quote_ts_ = q.ts_ms;
  ++counters_.quotes;
  if (cfg_.sizing.kind == sizing_kind::volatility_target)
    vols_.try_emplace(q.symbol, cfg_.sizing.lambda)
      .first->second.observe(q.price_micros);
  if (!open_.empty())
    work_open_orders(q);
}

refusal_reason portfolio::refuse(refusal_reason why) noexcept {
  ++counters_.refusals[static_cast<size_t>(why)];
  return why;
}

std::variant<order, refusal_reason> portfolio::on_signal(const signal& s) {
  ++counters_.signals;
  if (auto why = mode_refusal(s))
    return refuse(*why);
  if (auto spec = cfg_.order_specs.find(s.strategy);
      spec != cfg_.order_specs.end() && spec->second.type != order_type::market)
    return place(s, spec->second);
  auto filled = cfg_.slippage.fill_price(s.direction, s.price_micros);
  if (!filled)
    return refuse(refusal_reason::notional_overflow);
  auto sized = size_signal(s, *filled);
  if (auto* why = std::get_if<refusal_reason>(&sized))
    return *why;
  return fill(s, std::get<quantity>(sized), *filled);
}

std::variant<quantity, refusal_reason> portfolio::size_signal(const signal& s,
                                                              int64_t price) {
  const auto& sz = cfg_.sizing;
  const auto& risk = cfg_.risk;
  quantity qty = 0;
  if (s.direction == side::buy) {
    qty = size_buy(s, price);
  } else {
    auto held = book_.holding(s.strategy, s.symbol).qty;
    if (held > 0) {
      if (sz.kind != sizing_kind::fixed_quantity)
        qty = held;
      else
        qty = risk.allow_short ? sz.qty : std::min(sz.qty, held);
    } else if (!risk.allow_short) {
      return refuse(refusal_reason::short_selling_disabled);
    } else {
      // A short is sized like the buy it mirrors.
      qty = size_buy(s, price);
    }
  }
  if (qty < 1)
    return refuse(refusal_reason::zero_quantity);
  // Reduce-only (operator control) cuts market and resting orders alike.
  if (auto cut = reduce_only_quantity(s, qty))
    qty = *cut;
  else
    return refuse(refusal_reason::reduce_only);
  return qty;
}

std::variant<order, refusal_reason>
portfolio::fill(const signal& s, quantity qty, int64_t price) {
  const auto& risk = cfg_.risk;
  // Every money figure is checked: a product that leaves 64 bits refuses the
  // order instead of wrapping into an absurd fill.
  auto notional = checked_mul(qty, price);
  if (!notional)
    return refuse(refusal_reason::notional_overflow);
  if (risk.max_order_notional_micros > 0
      && *notional > risk.max_order_notional_micros)
    return refuse(refusal_reason::max_order_notional);
  auto net_after = static_cast<int128_t>(book_.net_position(s.symbol))
                   + (s.direction == side::buy ? qty : -qty);
  if (risk.max_position > 0
      && (net_after > risk.max_position || -net_after > risk.max_position))
    return refuse(refusal_reason::max_position);
  auto commission = cfg_.commission.compute(qty, price);
  if (!commission)
    return refuse(refusal_reason::notional_overflow);
  auto cost = checked_add(*notional, *commission);
  if (!cost)
    return refuse(refusal_reason::notional_overflow);
  if (s.direction == side::buy && *cost > book_.cash_micros())
    return refuse(refusal_reason::insufficient_cash);
  order out;
  out.ts_ms = s.ts_ms;
  out.strategy = s.strategy;
  out.symbol = s.symbol;
  out.direction = s.direction;
  out.qty = qty;
  out.price_micros = price;
  out.commission_micros = *commission;
  // The book refuses what would take cash, a cost basis or a P&L past 64
  // bits (a sell of a huge holding at a huge price), leaving itself as it was.
  auto before = book_.holding(s.strategy, s.symbol);
  if (!book_.apply(out))
    return refuse(refusal_reason::notional_overflow);
  after_fill(before, out);
  ++counters_.orders;
  return out;
}

void portfolio::after_fill(const position& before, const order& x) {
  if (cfg_.sizing.kind != sizing_kind::kelly)
    return;
  // A fill against the holding's side closes (part of) a trade; the P&L it
  // realised is that trade's result.
  if (before.qty == 0 || (before.qty > 0) == (x.direction == side::buy))
    return;
  auto after = book_.holding(x.strategy, x.symbol);
  trades_.record(x.strategy,
                 saturate(static_cast<int128_t>(after.realised_micros)
                          - before.realised_micros));
}

bool portfolio::restore(const order& x) {
  if (x.kind != record_kind::fill) {
    restore_life(x);
    return true;
  }
  auto before = book_.holding(x.strategy, x.symbol);
  if (!book_.apply(x))
    return false;
  after_fill(before, x);
  if (x.ref != 0) {
    // The fill of a resting order: the signal's own record is its `new`.
    open_.seen_ref(x.ref);
    open_.remove(x.ref);
    return true;
  }
  if (x.input_pos > cfg_.input_watermark)
    journaled_.emplace(x.input_pos, x.strategy, x.symbol);
  return true;
}

bool portfolio::journaled(uint64_t input_pos, const std::string& strategy,
                          const std::string& symbol) const {
  if (input_pos <= cfg_.input_watermark || journaled_.empty())
    return false;
  return journaled_.count(std::make_tuple(input_pos, strategy, symbol)) > 0;
}

// -- operator control ---------------------------------------------------------------

bool portfolio::set_mode(mode_kind kind, std::string reason) {
  if (!mode_.set(kind, std::move(reason)))
    return false;
  if (kind == mode_kind::halted)
    on_halt();
  return true;
}

void portfolio::restore_mode(mode_kind kind, std::string reason,
                             bool risk_tripped) {
  mode_.restore(kind, std::move(reason), risk_tripped);
}

size_t portfolio::request_flatten(const std::string& strategy) {
  mode_.request_flatten(strategy);
  size_t open = 0;
  for (const auto& [key, pos] : book_.holdings())
    if (pos.qty != 0 && mode_.flattens(key.first))
      ++open;
  return open;
}

control_outcome portfolio::after_quote(const quote& q) {
  control_outcome out;
  if (mode_.flatten_pending()) {
    // Holdings of the quote's symbol; the map is ordered by strategy, then
    // symbol, so this is one pass over the holdings (only while a flatten
    // waits).
    std::vector<std::pair<std::string, position>> closing;
    for (const auto& [key, pos] : book_.holdings())
      if (key.second == q.symbol && pos.qty != 0 && mode_.flattens(key.first))
        closing.emplace_back(key.first, pos);
    for (const auto& [strategy, pos] : closing)
      if (auto x = close_position(strategy, pos, q))
        out.orders.push_back(std::move(*x));
    // A flatten is done once nothing it covers is held any more.
    std::set<std::string> open;
    for (const auto& [key, pos] : book_.holdings())
      if (pos.qty != 0)
        open.insert(key.first);
    auto pending = mode_.flattening();
    for (const auto& strategy : pending) {
      auto done = strategy.empty() ? open.empty() : open.count(strategy) == 0;
      if (done) {
        mode_.flatten_done(strategy);
        out.flattened.push_back(strategy);
      }
    }
  }
  auto was_halted = mode_.kind() == mode_kind::halted;
  out.tripped = mode_.observe(q.ts_ms, book_.equity_micros());
  if (out.tripped && !was_halted)
    on_halt();
  return out;
}

void portfolio::on_halt() {
  cancel_resting("", "halted");
}

size_t portfolio::cancel_resting(const std::string& strategy,
                                 const std::string& reason) {
  auto cancelled = cancel_open_orders(strategy, reason, last_quote_ts_);
  for (auto& x : cancelled)
    records_.push_back(std::move(x));
  return cancelled.size();
}

std::optional<refusal_reason> portfolio::mode_refusal(const signal&) const {
  if (mode_.kind() != mode_kind::halted)
    return std::nullopt;
  return mode_.risk_tripped() ? refusal_reason::risk_halt
                              : refusal_reason::halted;
}

std::optional<quantity> portfolio::reduce_only_quantity(const signal& s,
                                                        quantity qty) const {
  if (mode_.kind() != mode_kind::reduce_only)
    return qty;
  auto held = book_.holding(s.strategy, s.symbol).qty;
  // Only towards zero, and never through it.
  if (s.direction == side::sell && held > 0)
    return std::min(qty, held);
  if (s.direction == side::buy && held < 0)
    return held == std::numeric_limits<quantity>::min() ? qty
                                                        : std::min(qty, -held);
  return std::nullopt;
}

std::optional<order> portfolio::close_position(const std::string& strategy,
                                               const position& pos,
                                               const quote& q) {
  order out;
  out.ts_ms = q.ts_ms;
  out.strategy = strategy;
  out.symbol = q.symbol;
  out.direction = pos.qty > 0 ? side::sell : side::buy;
  out.input_pos = q.input_pos;
  // The most negative quantity has no positive counterpart.
  if (pos.qty == std::numeric_limits<quantity>::min()) {
    ++counters_
        .refusals[static_cast<size_t>(refusal_reason::notional_overflow)];
    return std::nullopt;
  }
  out.qty = pos.qty > 0 ? pos.qty : -pos.qty;
  auto price = cfg_.slippage.fill_price(out.direction, q.price_micros);
  auto commission
    = price ? cfg_.commission.compute(out.qty, *price) : std::nullopt;
  if (!price || !commission) {
    ++counters_
        .refusals[static_cast<size_t>(refusal_reason::notional_overflow)];
    return std::nullopt;
  }
  out.price_micros = *price;
  out.commission_micros = *commission;
  if (!book_.apply(out)) {
    ++counters_
        .refusals[static_cast<size_t>(refusal_reason::notional_overflow)];
    return std::nullopt;
  }
  ++counters_.orders;
  return out;
}

quantity portfolio::size_buy(const signal& s, int64_t fill_price_micros) {
  const auto& sz = cfg_.sizing;
  if (sz.kind == sizing_kind::fixed_quantity)
    return sz.qty;
  auto cash = std::max<int64_t>(book_.cash_micros(), 0);
  int64_t budget = 0;
  switch (sz.kind) {
    case sizing_kind::fixed_fraction:
      budget = fraction_of(sz.fraction, cash);
      break;
    case sizing_kind::random_fraction: {
      auto bits = splitmix64_next(rng_state_) >> 11;
      auto u = sz.min_fraction
               + static_cast<double>(bits) * 0x1.0p-53
                   * (sz.max_fraction - sz.min_fraction);
      budget = fraction_of(u, cash);
      break;
    }
    case sizing_kind::equal_weight: {
      auto slots = static_cast<int64_t>(std::max<size_t>(sz.symbols.size(), 1));
      auto target = book_.equity_micros() / slots;
      // Exposure counts in the direction of the trade, so a short tops up
      // towards the same target as a long.
      auto last = book_.last_price_micros(s.symbol);
      auto mark = last > 0 ? last : s.price_micros;
      auto exposure
        = static_cast<int128_t>(book_.net_position(s.symbol)) * mark;
      if (s.direction == side::sell)
        exposure = -exposure;
      // Capped at available cash: an unreachable target buys what it can
      // rather than being refused.
      auto wanted = static_cast<int128_t>(target) - exposure;
      budget = wanted <= 0      ? 0
               : wanted >= cash ? cash
                                : static_cast<int64_t>(wanted);
      break;
    }
    case sizing_kind::kelly: {
      auto f = kelly_fraction(trades_.of(s.strategy), sz.lookback_trades,
                              sz.fraction, sz.max_fraction);
      budget = std::min(
        fraction_of(f, std::max<int64_t>(book_.equity_micros(), 0)), cash);
      break;
    }
    case sizing_kind::volatility_target: {
      auto vol = vols_.find(s.symbol);
      if (vol == vols_.end()
          || vol->second.observations() < sz.min_observations)
        break;
      auto units = volatility_target_units(
        sz.target, book_.equity_micros(), vol->second.volatility(),
        sz.quotes_per_day, fill_price_micros, cfg_.risk.max_position);
      // The target is a position: buy what the strategy's holding (in the
      // direction of the trade) lacks, at most what cash pays for.
      auto held = book_.holding(s.strategy, s.symbol).qty;
      auto wanted = static_cast<int128_t>(units)
                    - (s.direction == side::buy ? held : -held);
      auto cost = wanted * fill_price_micros;
      budget = wanted <= 0    ? 0
               : cost >= cash ? cash
                              : static_cast<int64_t>(cost);
      break;
    }
    case sizing_kind::fixed_quantity:
      break;
  }
  if (fill_price_micros <= 0)
    return 0;
  // Largest q with q * price + commission(q) <= budget. The cost grows with q
  // (commissions are non-negative), so bisect between 0 and the quantity the
  // budget buys without costs; a large minimum commission on a cheap symbol
  // would make stepping down one unit at a time slow.
  // q * price <= budget here; a commission past 64 bits costs too much.
  auto cost = [&](quantity q) {
    auto fee = cfg_.commission.compute(q, fill_price_micros);
    auto total = fee ? checked_add(q * fill_price_micros, *fee) : std::nullopt;
    return total ? *total : std::numeric_limits<int64_t>::max();
  };
  quantity lo = 0;
  quantity hi = budget / fill_price_micros;
  while (lo < hi) {
    auto mid = lo + (hi - lo + 1) / 2;
    if (cost(mid) <= budget)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

} // namespace intuition::trading

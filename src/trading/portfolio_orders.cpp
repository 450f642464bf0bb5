// Resting (limit and stop) orders of the portfolio: placing them, matching
// them against later quotes, their time in force, and rebuilding them from
// the journal. The rules of matching live in open_orders.hpp.

#include "trading/portfolio.hpp"

namespace intuition::trading {

namespace {

/// The signal a resting order stands for, at the time of a quote: what the
/// portfolio's risk checks and fills take.
signal signal_of(const order& placed, int64_t ts_ms) {
  signal out;
  out.strategy = placed.strategy;
  out.symbol = placed.symbol;
  out.direction = placed.direction;
  out.price_micros = placed.price_micros;
  out.ts_ms = ts_ms;
  return out;
}

/// The price a resting order is sized at: where it is expected to fill.
int64_t sizing_price(const order_prices& p, order_type type) noexcept {
  return type == order_type::stop ? p.stop_micros : p.limit_micros;
}

} // namespace

std::variant<order, refusal_reason> portfolio::place(const signal& s,
                                                     const order_spec& spec) {
  auto prices = price_order(spec, s.direction, s.price_micros);
  if (!prices)
    return refuse(refusal_reason::notional_overflow);
  // An ioc order never rests, so only the others count against the bound.
  if (spec.tif != time_in_force::ioc && open_.full())
    return refuse(refusal_reason::open_orders_full);
  // Sized now at the price it is expected to fill at; risk is checked when
  // it fills, and nothing (no cash) is reserved meanwhile.
  auto sized = size_signal(s, sizing_price(*prices, spec.type));
  if (auto* why = std::get_if<refusal_reason>(&sized))
    return *why;
  resting_order x;
  auto& o = x.placed;
  o.kind = record_kind::placed;
  o.ref = open_.next_ref();
  o.ts_ms = s.ts_ms;
  o.strategy = s.strategy;
  o.symbol = s.symbol;
  o.direction = s.direction;
  o.qty = std::get<quantity>(sized);
  o.price_micros = s.price_micros;
  o.type = spec.type;
  o.tif = spec.tif;
  o.limit_micros = prices->limit_micros;
  o.stop_micros = prices->stop_micros;
  ++open_.counters.placed;
  if (spec.tif != time_in_force::ioc) {
    open_.add(o);
    return o;
  }
  // The paper venue sees the order at the signal's price: an ioc order
  // fills there or not at all.
  auto e = match(x, s.price_micros, true);
  if (e.kind != execution_kind::none) {
    execute(x, e, s.price_micros, s.ts_ms);
  } else {
    records_.push_back(life_record(x, record_kind::cancelled, s.ts_ms, "ioc"));
    ++open_.counters.cancelled;
  }
  return o;
}

void portfolio::execute(resting_order& x, const execution& e,
                        int64_t quote_price, int64_t ts_ms) {
  const auto& o = x.placed;
  auto market = cfg_.slippage.fill_price(o.direction, quote_price);
  std::variant<order, refusal_reason> outcome
    = refusal_reason::notional_overflow;
  if (market) {
    auto s = signal_of(o, ts_ms);
    auto held = book_.holding(o.strategy, o.symbol).qty;
    // A sell sized on a holding another order has since sold may not go
    // short when shorting is off.
    if (o.direction == side::sell && !cfg_.risk.allow_short && o.qty > held)
      outcome = refuse(refusal_reason::short_selling_disabled);
    else
      outcome = fill(s, o.qty, fill_price(e, o.direction, *market));
  }
  if (auto* filled = std::get_if<order>(&outcome)) {
    filled->ref = o.ref;
    records_.push_back(std::move(*filled));
    ++open_.counters.filled;
    return;
  }
  // Risk refused the fill: a venue would reject the order, so it is
  // cancelled, saying why.
  auto why = std::get<refusal_reason>(outcome);
  records_.push_back(
    life_record(x, record_kind::cancelled, ts_ms, std::string{to_string(why)}));
  ++open_.counters.cancelled;
}

void portfolio::work_open_orders(const quote& q) {
  auto today = utc_day(q.ts_ms);
  auto& all = open_.all();
  for (auto i = all.begin(); i != all.end();) {
    auto& x = i->second;
    const auto& o = x.placed;
    auto done = false;
    if (o.tif == time_in_force::day && utc_day(o.ts_ms) < today) {
      // The first quote of a later day ends a day order before it can
      // trade on that day.
      records_.push_back(life_record(x, record_kind::expired, q.ts_ms));
      ++open_.counters.expired;
      done = true;
    } else if (o.symbol == q.symbol) {
      auto e = match(x, q.price_micros, false);
      if (e.triggered_now && e.kind == execution_kind::none)
        records_.push_back(life_record(x, record_kind::triggered, q.ts_ms));
      if (e.kind != execution_kind::none) {
        execute(x, e, q.price_micros, q.ts_ms);
        done = true;
      }
    }
    i = done ? all.erase(i) : std::next(i);
  }
}

std::vector<order> portfolio::take_records() {
  std::vector<order> out;
  out.swap(records_);
  return out;
}

std::vector<order> portfolio::cancel_open_orders(const std::string& strategy,
                                                 const std::string& reason,
                                                 int64_t ts_ms) {
  std::vector<order> out;
  auto& all = open_.all();
  for (auto i = all.begin(); i != all.end();) {
    if (!strategy.empty() && i->second.placed.strategy != strategy) {
      ++i;
      continue;
    }
    out.push_back(
      life_record(i->second, record_kind::cancelled, ts_ms, reason));
    ++open_.counters.cancelled;
    i = all.erase(i);
  }
  return out;
}

void portfolio::restore_life(const order& x) {
  open_.seen_ref(x.ref);
  switch (x.kind) {
    case record_kind::placed:
      // An ioc order never rests: its fill or cancellation follows it.
      if (x.tif != time_in_force::ioc)
        open_.add(x);
      if (x.input_pos > cfg_.input_watermark)
        journaled_.emplace(x.input_pos, x.strategy, x.symbol);
      break;
    case record_kind::triggered:
      if (auto* open = open_.find(x.ref))
        open->triggered = true;
      break;
    case record_kind::cancelled:
    case record_kind::expired:
    case record_kind::fill:
      open_.remove(x.ref);
      break;
  }
}

} // namespace intuition::trading

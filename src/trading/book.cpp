#include "trading/book.hpp"

#include <algorithm>
#include <cstdlib>

namespace intuition::trading {

namespace {

__extension__ using int128 = __int128;

/// Rounds `num / den` half away from zero; `den` must be positive. Products
/// of cost bases and quantities overflow 64 bits long before either does.
int64_t div_round(int128 num, int128 den) noexcept {
  auto half = den / 2;
  auto q = num >= 0 ? (num + half) / den : (num - half) / den;
  // With an odd denominator no remainder is an exact half, so the truncated
  // `half` still rounds up exactly the remainders above den / 2.
  return static_cast<int64_t>(q);
}

int64_t sign(int64_t x) noexcept {
  return (x > 0) - (x < 0);
}

} // namespace

// -- construction -----------------------------------------------------------------

book::book(int64_t starting_cash_micros)
  : starting_cash_(starting_cash_micros), cash_(starting_cash_micros) {
  // nop
}

// -- updates ----------------------------------------------------------------------

void book::apply(const order& x) {
  cash_ += cash_delta_micros(x);
  auto& sym = symbols_[x.symbol];
  auto& pos = holdings_[{x.strategy, x.symbol}];
  // Re-value the symbol around the update, whichever way it returns.
  open_value_ -= sym.value();
  auto basis_before = pos.cost_basis_micros;
  apply_to(pos, x);
  sym.basis_micros += pos.cost_basis_micros - basis_before;
  sym.net += x.direction == side::buy ? x.qty : -x.qty;
  open_value_ += sym.value();
}

void book::apply_to(position& pos, const order& x) {
  auto trade = x.direction == side::buy ? x.qty : -x.qty;
  if (x.direction == side::buy)
    ++pos.buys;
  else
    ++pos.sells;
  pos.commission_micros += x.commission_micros;
  pos.realised_micros -= x.commission_micros;
  if (trade == 0)
    return;
  if (pos.qty == 0 || sign(pos.qty) == sign(trade)) {
    pos.cost_basis_micros += trade * x.price_micros;
    pos.qty += trade;
    return;
  }
  // The trade reduces the holding: realise the closed part against its
  // proportional share of the basis, so the rest keeps its average cost.
  auto held = std::abs(pos.qty);
  auto closed = std::min(std::abs(trade), held);
  auto removed = div_round(static_cast<int128>(pos.cost_basis_micros) * closed,
                           held);
  pos.realised_micros += closed * x.price_micros * sign(pos.qty) - removed;
  pos.cost_basis_micros -= removed;
  pos.qty += sign(trade) * closed;
  // Whatever goes beyond zero opens the other side at the fill price; the
  // basis is already 0 here because closing everything removes all of it.
  auto rest = std::abs(trade) - closed;
  if (rest > 0) {
    pos.qty = sign(trade) * rest;
    pos.cost_basis_micros += pos.qty * x.price_micros;
  }
}

void book::mark(const std::string& symbol, int64_t price_micros) {
  auto& sym = symbols_[symbol];
  open_value_ -= sym.value();
  sym.last_micros = price_micros;
  sym.marked = true;
  open_value_ += sym.value();
}

const book::symbol_state*
book::find_symbol(const std::string& symbol) const noexcept {
  auto i = symbols_.find(symbol);
  return i != symbols_.end() ? &i->second : nullptr;
}

// -- queries ----------------------------------------------------------------------

int64_t book::equity_micros() const noexcept {
  return cash_ + market_value_micros();
}

quantity book::net_position(const std::string& symbol) const noexcept {
  auto* sym = find_symbol(symbol);
  return sym ? sym->net : 0;
}

position book::holding(const std::string& strategy,
                       const std::string& symbol) const noexcept {
  auto i = holdings_.find({strategy, symbol});
  return i != holdings_.end() ? i->second : position{};
}

int64_t book::average_cost_micros(const position& x) noexcept {
  if (x.qty == 0)
    return 0;
  // Basis and quantity share their sign, so the quotient is positive; the
  // division by a negative quantity is folded into the numerator.
  auto num = static_cast<int128>(x.cost_basis_micros) * sign(x.qty);
  return div_round(num, std::abs(x.qty));
}

int64_t book::unrealised_micros(const std::string& symbol,
                                const position& x) const noexcept {
  auto* sym = find_symbol(symbol);
  if (!sym || !sym->marked)
    return 0;
  return x.qty * sym->last_micros - x.cost_basis_micros;
}

int64_t book::last_price_micros(const std::string& symbol) const noexcept {
  auto* sym = find_symbol(symbol);
  return sym ? sym->last_micros : 0;
}

std::map<std::string, strategy_pnl> book::pnl_by_strategy() const {
  std::map<std::string, strategy_pnl> out;
  for (const auto& [key, pos] : holdings_) {
    auto& acc = out[key.first];
    acc.realised_micros += pos.realised_micros;
    acc.unrealised_micros += unrealised_micros(key.second, pos);
    acc.commission_micros += pos.commission_micros;
    acc.buys += pos.buys;
    acc.sells += pos.sells;
  }
  return out;
}

std::map<std::string, quantity> book::net_positions() const {
  std::map<std::string, quantity> out;
  for (const auto& [symbol, sym] : symbols_)
    if (sym.net != 0)
      out.emplace(symbol, sym.net);
  return out;
}

int64_t book::market_value_micros() const noexcept {
  // An unmarked symbol is worth what was paid for it, which keeps realised
  // plus unrealised P&L equal to equity minus starting cash.
  return open_value_;
}

} // namespace intuition::trading

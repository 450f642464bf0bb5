#include "trading/book.hpp"

#include <algorithm>
#include <cstdlib>

namespace intuition::trading {

bool operator==(const strategy_pnl& x, const strategy_pnl& y) noexcept {
  return x.realised_micros == y.realised_micros
         && x.unrealised_micros == y.unrealised_micros
         && x.commission_micros == y.commission_micros && x.buys == y.buys
         && x.sells == y.sells;
}

namespace {

using int128 = int128_t;

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

bool book::apply(const order& x) {
  // Everything is computed on copies first, so a fill whose figures would
  // leave 64 bits is refused whole instead of half-applied or wrapped.
  if (x.qty < 0)
    return false;
  auto notional = static_cast<int128>(x.price_micros) * x.qty;
  auto delta = x.direction == side::buy ? -(notional + x.commission_micros)
                                        : notional - x.commission_micros;
  auto cash = narrow(cash_ + delta);
  if (!cash)
    return false;
  auto key = std::make_pair(x.strategy, x.symbol);
  auto found = holdings_.find(key);
  auto pos = found != holdings_.end() ? found->second : position{};
  auto basis_before = pos.cost_basis_micros;
  if (!apply_to(pos, x))
    return false;
  auto* known = find_symbol(x.symbol);
  auto sym = known != nullptr ? *known : symbol_state{};
  auto basis = narrow(static_cast<int128>(sym.basis_micros)
                      + pos.cost_basis_micros - basis_before);
  auto net = narrow(static_cast<int128>(sym.net)
                    + (x.direction == side::buy ? x.qty : -x.qty));
  if (!basis || !net)
    return false;
  // Re-value the symbol around the update, whichever way it returns.
  open_value_ -= sym.value();
  sym.basis_micros = *basis;
  sym.net = *net;
  open_value_ += sym.value();
  cash_ = *cash;
  symbols_[x.symbol] = sym;
  holdings_[key] = pos;
  return true;
}

bool book::apply_to(position& pos, const order& x) {
  auto trade = static_cast<int128>(x.direction == side::buy ? x.qty : -x.qty);
  if (x.direction == side::buy)
    ++pos.buys;
  else
    ++pos.sells;
  auto commission
    = narrow(static_cast<int128>(pos.commission_micros) + x.commission_micros);
  auto realised
    = static_cast<int128>(pos.realised_micros) - x.commission_micros;
  if (!commission)
    return false;
  pos.commission_micros = *commission;
  auto qty = static_cast<int128>(pos.qty);
  auto basis = static_cast<int128>(pos.cost_basis_micros);
  if (trade != 0) {
    if (qty == 0 || (qty > 0) == (trade > 0)) {
      basis += trade * x.price_micros;
      qty += trade;
    } else {
      // The trade reduces the holding: realise the closed part against its
      // proportional share of the basis, so the rest keeps its average cost.
      auto held = qty > 0 ? qty : -qty;
      auto size = trade > 0 ? trade : -trade;
      auto closed = std::min(size, held);
      auto removed = static_cast<int128>(div_round(basis * closed, held));
      realised += closed * x.price_micros * (qty > 0 ? 1 : -1) - removed;
      basis -= removed;
      qty += (trade > 0 ? 1 : -1) * closed;
      // Whatever goes beyond zero opens the other side at the fill price;
      // the basis is already 0 here because closing everything removes all
      // of it.
      auto rest = size - closed;
      if (rest > 0) {
        qty = (trade > 0 ? 1 : -1) * rest;
        basis += qty * x.price_micros;
      }
    }
  }
  auto new_qty = narrow(qty);
  auto new_basis = narrow(basis);
  auto new_realised = narrow(realised);
  if (!new_qty || !new_basis || !new_realised)
    return false;
  pos.qty = *new_qty;
  pos.cost_basis_micros = *new_basis;
  pos.realised_micros = *new_realised;
  return true;
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
  return saturate(cash_ + open_value_);
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
  return saturate(static_cast<int128>(x.qty) * sym->last_micros
                  - x.cost_basis_micros);
}

int64_t book::last_price_micros(const std::string& symbol) const noexcept {
  auto* sym = find_symbol(symbol);
  return sym ? sym->last_micros : 0;
}

std::map<std::string, strategy_pnl> book::pnl_by_strategy() const {
  std::map<std::string, strategy_pnl> out;
  for (const auto& [key, pos] : holdings_) {
    auto& acc = out[key.first];
    acc.realised_micros = saturate(static_cast<int128>(acc.realised_micros)
                                   + pos.realised_micros);
    acc.unrealised_micros = saturate(static_cast<int128>(acc.unrealised_micros)
                                     + unrealised_micros(key.second, pos));
    acc.commission_micros = saturate(static_cast<int128>(acc.commission_micros)
                                     + pos.commission_micros);
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
  return saturate(open_value_);
}

} // namespace intuition::trading

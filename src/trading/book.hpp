#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <string>
#include <utility>

#include "trading/checked.hpp"
#include "trading/types.hpp"

/// The portfolio book: cash, positions per (strategy, symbol), average cost,
/// realised and unrealised P&L. Pure bookkeeping: no sizing, no risk.
namespace intuition::trading {

/// One strategy's holding in one symbol.
struct position {
  /// Signed: negative when short.
  quantity qty = 0;
  /// Signed cost of the open quantity at average price (qty * avg cost).
  int64_t cost_basis_micros = 0;
  /// Closed-trade P&L minus every commission this holding paid.
  int64_t realised_micros = 0;
  int64_t commission_micros = 0;
  uint64_t buys = 0;
  uint64_t sells = 0;
};

/// Aggregated figures of one strategy across its symbols.
struct strategy_pnl {
  int64_t realised_micros = 0;
  int64_t unrealised_micros = 0;
  int64_t commission_micros = 0;
  uint64_t buys = 0;
  uint64_t sells = 0;
};

bool operator==(const strategy_pnl& x, const strategy_pnl& y) noexcept;

/// Cash and positions, marked to the last seen price of every symbol.
class book {
public:
  explicit book(int64_t starting_cash_micros = 0);

  /// Applies a fill: moves cash, updates quantity, cost basis and realised
  /// P&L (a trade through zero closes then opens at the same price).
  /// Returns false and changes nothing when any of those figures would leave
  /// 64 bits.
  bool apply(const order& x);

  /// Records the latest price of a symbol for marking.
  void mark(const std::string& symbol, int64_t price_micros);

  int64_t starting_cash_micros() const noexcept {
    return starting_cash_;
  }

  int64_t cash_micros() const noexcept {
    return cash_;
  }

  /// Cash plus every position at its last price (cost basis if never marked),
  /// clamped to the 64-bit range (positions are valued exactly in 128 bits).
  int64_t equity_micros() const noexcept;

  /// Net quantity of a symbol across strategies.
  quantity net_position(const std::string& symbol) const noexcept;

  /// One strategy's holding (all zeros when none).
  position holding(const std::string& strategy,
                   const std::string& symbol) const noexcept;

  /// Average entry price of a holding in micros (0 when flat).
  static int64_t average_cost_micros(const position& x) noexcept;

  /// Unrealised P&L of a holding at the symbol's last price, clamped to the
  /// 64-bit range.
  int64_t unrealised_micros(const std::string& symbol,
                            const position& x) const noexcept;

  /// Last price of a symbol, or 0 if never marked.
  int64_t last_price_micros(const std::string& symbol) const noexcept;

  /// Per-strategy totals (realised + unrealised over strategies equals
  /// equity minus starting cash).
  std::map<std::string, strategy_pnl> pnl_by_strategy() const;

  /// Every holding, keyed by (strategy, symbol), including flat ones.
  const std::map<std::pair<std::string, std::string>, position>&
  holdings() const noexcept {
    return holdings_;
  }

  /// Net quantity per symbol, non-zero ones only.
  std::map<std::string, quantity> net_positions() const;

  /// Value of open positions at last prices, clamped to the 64-bit range.
  int64_t market_value_micros() const noexcept;

private:
  /// Per-symbol aggregates, so marking and valuing cost O(1) per quote.
  struct symbol_state {
    int64_t last_micros = 0;
    bool marked = false;
    quantity net = 0;
    /// Sum of the cost basis of every holding in the symbol.
    int64_t basis_micros = 0;

    /// What the symbol's positions are worth: at the last price, or at cost
    /// while never marked. Exact: a large holding marked at a large price
    /// is worth more than 64 bits hold.
    int128_t value() const noexcept {
      return marked ? static_cast<int128_t>(net) * last_micros : basis_micros;
    }
  };

  const symbol_state* find_symbol(const std::string& symbol) const noexcept;

  /// Updates one holding for a fill: quantity, basis, realised P&L. Returns
  /// false (with `pos` in an unspecified state) when a figure overflows.
  static bool apply_to(position& pos, const order& x);

  int64_t starting_cash_;
  int64_t cash_;
  /// Sum of `symbol_state::value()` over all symbols, kept up to date.
  int128_t open_value_ = 0;
  std::map<std::pair<std::string, std::string>, position> holdings_;
  std::unordered_map<std::string, symbol_state> symbols_;
};

} // namespace intuition::trading

#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "trading/types.hpp"

/// What the operator (or a risk limit) allows the portfolio to do while it
/// runs: trade normally, take no new order, or only shrink positions; and
/// which positions are to be closed at the next quote. Plain bookkeeping:
/// the portfolio asks it before every order.
namespace intuition::trading {

/// The trading mode.
enum class mode_kind : uint8_t {
  normal,      ///< every signal may become an order
  reduce_only, ///< only orders that shrink the strategy's holding
  halted,      ///< no order at all (signals refused as `halted`)
};

std::string_view to_string(mode_kind x) noexcept;
bool from_string(std::string_view str, mode_kind& x) noexcept;

/// Limits that halt trading when crossed (`portfolio.risk`); 0 disables one.
struct risk_limits {
  /// Largest drawdown from peak equity, in parts per million of the peak
  /// (`max_drawdown` 0.1 is 100000). Trips when the drawdown reaches it.
  int64_t max_drawdown_ppm = 0;
  /// Largest loss of one UTC day (by the quotes' timestamps) against the
  /// equity at the day's first quote, in micros. Trips when the loss
  /// reaches it.
  int64_t max_daily_loss_micros = 0;
};

/// Milliseconds in a day: days are cut at UTC midnight of the quotes' `ts`.
/// Whether a drawdown from `peak_micros` to `equity_micros` reaches
/// `limit_ppm` of the peak; exact in 128 bits. A peak of 0 or less has no
/// drawdown.
bool drawdown_reached(int64_t peak_micros, int64_t equity_micros,
                      int64_t limit_ppm) noexcept;

/// Whether the loss from `open_micros` to `equity_micros` reaches
/// `limit_micros`; exact in 128 bits.
bool daily_loss_reached(int64_t open_micros, int64_t equity_micros,
                        int64_t limit_micros) noexcept;

/// The risk limits' watermarks: what a restarted process needs to go on
/// checking where the last one left off.
struct risk_marks {
  /// Highest equity seen.
  int64_t peak_micros = 0;
  /// The current UTC day (days since 1970-01-01 of the quotes' `ts`).
  int64_t day = 0;
  /// Equity at that day's first quote.
  int64_t day_open_micros = 0;
};

bool operator==(const risk_marks& x, const risk_marks& y) noexcept;

/// The mode, its reason, the risk limits' watermarks and the pending
/// flatten.
class trading_mode {
public:
  explicit trading_mode(risk_limits limits = {});

  mode_kind kind() const noexcept {
    return kind_;
  }

  /// Why the mode is what it is (`operator`, or the risk limit's message);
  /// empty while normal.
  const std::string& reason() const noexcept {
    return reason_;
  }

  /// Whether a risk limit set the current mode (rather than the operator).
  bool risk_tripped() const noexcept {
    return risk_tripped_;
  }

  /// Sets the mode by the operator; `resume` (normal) also clears a risk
  /// trip. Returns false when nothing changed.
  bool set(mode_kind kind, std::string reason);

  /// Restores a journaled mode (a risk trip restores as a trip).
  void restore(mode_kind kind, std::string reason, bool risk_tripped);

  /// Records equity at a quote and checks the limits: returns the reason
  /// when this quote crossed one (the mode is then `halted`), nothing
  /// otherwise. While halted nothing trips again.
  std::optional<std::string> observe(int64_t ts_ms, int64_t equity_micros);

  const risk_limits& limits() const noexcept {
    return limits_;
  }

  /// Highest equity seen since the start (0 before the first quote).
  int64_t peak_micros() const noexcept {
    return peak_;
  }

  /// Equity at the first quote of the current UTC day.
  int64_t day_open_micros() const noexcept {
    return day_open_;
  }

  /// The watermarks; none before the first quote and after a `resume`,
  /// which starts them over.
  std::optional<risk_marks> marks() const;

  /// Goes on from watermarks an earlier process saved: the next quote
  /// counts against that peak and that day's opening.
  void restore_marks(const risk_marks& x);

  // -- flatten ---------------------------------------------------------------

  /// Asks to close every position of `strategy` (every strategy when
  /// empty) at the next quote of its symbol. A second request adds to the
  /// first.
  void request_flatten(const std::string& strategy);

  /// Whether a flatten waits (the strategies it covers are `flattening()`).
  bool flatten_pending() const noexcept {
    return !flatten_.empty();
  }

  /// Whether the holding of `strategy` is to be closed.
  bool flattens(const std::string& strategy) const;

  /// The strategies a flatten waits for (`""` stands for every one).
  const std::set<std::string>& flattening() const noexcept {
    return flatten_;
  }

  /// The flatten of `strategy` (or `""`) is done.
  void flatten_done(const std::string& strategy);

private:
  risk_limits limits_;
  mode_kind kind_ = mode_kind::normal;
  std::string reason_;
  bool risk_tripped_ = false;
  bool seen_ = false;
  int64_t peak_ = 0;
  int64_t day_ = 0;
  int64_t day_open_ = 0;
  std::set<std::string> flatten_;
};

} // namespace intuition::trading

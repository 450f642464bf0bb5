#include "trading/trading_mode.hpp"

#include "trading/checked.hpp"
#include "trading/decimal.hpp"

namespace intuition::trading {

std::string_view to_string(mode_kind x) noexcept {
  switch (x) {
    case mode_kind::normal:
      return "normal";
    case mode_kind::reduce_only:
      return "reduce_only";
    case mode_kind::halted:
      return "halted";
  }
  return "invalid";
}

bool from_string(std::string_view str, mode_kind& x) noexcept {
  for (auto k : {mode_kind::normal, mode_kind::reduce_only, mode_kind::halted})
    if (str == to_string(k)) {
      x = k;
      return true;
    }
  return false;
}

bool drawdown_reached(int64_t peak_micros, int64_t equity_micros,
                      int64_t limit_ppm) noexcept {
  if (limit_ppm <= 0 || peak_micros <= 0)
    return false;
  // (peak - equity) / peak >= ppm / 1e6, without a division or a double.
  auto drop = static_cast<int128_t>(peak_micros) - equity_micros;
  return drop * 1'000'000 >= static_cast<int128_t>(limit_ppm) * peak_micros;
}

bool daily_loss_reached(int64_t open_micros, int64_t equity_micros,
                        int64_t limit_micros) noexcept {
  if (limit_micros <= 0)
    return false;
  return static_cast<int128_t>(open_micros) - equity_micros >= limit_micros;
}

bool operator==(const risk_marks& x, const risk_marks& y) noexcept {
  return x.peak_micros == y.peak_micros && x.day == y.day
         && x.day_open_micros == y.day_open_micros;
}

std::optional<risk_marks> trading_mode::marks() const {
  if (!seen_)
    return std::nullopt;
  return risk_marks{peak_, day_, day_open_};
}

void trading_mode::restore_marks(const risk_marks& x) {
  seen_ = true;
  peak_ = x.peak_micros;
  day_ = x.day;
  day_open_ = x.day_open_micros;
}

trading_mode::trading_mode(risk_limits limits) : limits_(limits) {
  // nop
}

bool trading_mode::set(mode_kind kind, std::string reason) {
  if (kind == kind_ && !risk_tripped_)
    return false;
  kind_ = kind;
  reason_ = kind == mode_kind::normal ? std::string{} : std::move(reason);
  risk_tripped_ = false;
  if (kind == mode_kind::normal) {
    // Resuming starts the watermarks over: the loss that tripped a limit
    // would otherwise trip it again at the next quote.
    seen_ = false;
  }
  return true;
}

void trading_mode::restore(mode_kind kind, std::string reason,
                           bool risk_tripped) {
  kind_ = kind;
  reason_ = std::move(reason);
  risk_tripped_ = risk_tripped;
}

std::optional<std::string> trading_mode::observe(int64_t ts_ms,
                                                 int64_t equity_micros) {
  auto day = utc_day(ts_ms);
  if (!seen_) {
    seen_ = true;
    peak_ = equity_micros;
    day_ = day;
    day_open_ = equity_micros;
  }
  if (day != day_) {
    // Quotes may arrive slightly out of order across midnight: only a later
    // day opens a new one.
    if (day > day_) {
      day_ = day;
      day_open_ = equity_micros;
    }
  }
  if (equity_micros > peak_)
    peak_ = equity_micros;
  if (kind_ == mode_kind::halted)
    return std::nullopt;
  std::optional<std::string> why;
  if (drawdown_reached(peak_, equity_micros, limits_.max_drawdown_ppm))
    why
      = "max_drawdown: equity " + format_micros(equity_micros) + " is "
        + format_micros(saturate(static_cast<int128_t>(peak_) - equity_micros))
        + " below the peak " + format_micros(peak_) + " (limit "
        + format_micros(limits_.max_drawdown_ppm) + " of the peak)";
  else if (daily_loss_reached(day_open_, equity_micros,
                              limits_.max_daily_loss_micros))
    why = "max_daily_loss: equity " + format_micros(equity_micros) + " is "
          + format_micros(
            saturate(static_cast<int128_t>(day_open_) - equity_micros))
          + " below the day's opening " + format_micros(day_open_) + " (limit "
          + format_micros(limits_.max_daily_loss_micros) + ")";
  if (!why)
    return std::nullopt;
  kind_ = mode_kind::halted;
  reason_ = *why;
  risk_tripped_ = true;
  return why;
}

void trading_mode::request_flatten(const std::string& strategy) {
  flatten_.insert(strategy);
}

bool trading_mode::flattens(const std::string& strategy) const {
  return flatten_.count("") > 0 || flatten_.count(strategy) > 0;
}

void trading_mode::flatten_done(const std::string& strategy) {
  flatten_.erase(strategy);
}

} // namespace intuition::trading

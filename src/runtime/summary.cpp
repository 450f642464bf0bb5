#include "runtime/summary.hpp"

#include <cstdio>
#include <iomanip>
#include <map>
#include <string>
#include <utility>

#include "trading/decimal.hpp"

namespace intuition::runtime {

namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, x);
  return buf;
}

std::string money(int64_t micros) {
  return fixed(trading::micros_to_double(micros), 2);
}

std::string percent(double x) {
  return fixed(x * 100.0, 2) + "%";
}

std::string us(int64_t ns) {
  return fixed(static_cast<double>(ns) / 1e3, 1);
}

/// A counter of a live run's MQTT figures; 0 when it is missing.
int64_t counter(const std::map<std::string, int64_t>& xs, const char* key) {
  auto i = xs.find(key);
  return i != xs.end() ? i->second : 0;
}

/// The sum of `counts` and the non-zero ones as ` [name count]`, ordered
/// by the names `name_of` gives the indices.
template <class Counts, class NameOf>
std::pair<uint64_t, std::string> tally(const Counts& counts, NameOf name_of) {
  uint64_t sum = 0;
  std::map<std::string, uint64_t> by_name;
  for (size_t i = 0; i < counts.size(); ++i) {
    sum += counts[i];
    if (counts[i] > 0)
      by_name.emplace(std::string{name_of(i)}, counts[i]);
  }
  std::string detail;
  for (const auto& [name, n] : by_name)
    detail += " [" + name + " " + std::to_string(n) + "]";
  return {sum, detail};
}

} // namespace

void print_summary(std::ostream& out, const trading::run_report& r) {
  const auto& run = r.run;
  const auto& pf = r.portfolio;
  const auto& cnt = pf.counters;
  auto halted = !run.halted.empty();
  out << run.mode
      << (halted            ? " halted"
          : run.interrupted ? " interrupted"
                            : " finished")
      << ": " << cnt.quotes << " quotes traded in " << fixed(run.elapsed_s, 3)
      << " s (" << static_cast<uint64_t>(trading::quotes_per_s(run, cnt.quotes))
      << " quotes/s)\n";
  // Rows and quotes differ: a message may carry several quotes (or none, if
  // rejected), and an interrupted replay leaves rows unread.
  // Reasons are listed by name, as in the JSON report.
  auto [rejected, rejected_detail] = tally(run.rejected, [](size_t i) {
    return trading::to_string(static_cast<trading::reject_reason>(i));
  });
  out << (run.mode == "run" ? "  messages read    " : "  rows read        ")
      << run.rows << ", rejected " << rejected << rejected_detail << "\n";
  auto [refused, refused_detail] = tally(cnt.refusals, [](size_t i) {
    return trading::to_string(static_cast<trading::refusal_reason>(i));
  });
  out << "  signals          " << cnt.signals << ", orders " << cnt.orders
      << ", refused " << refused << refused_detail << "\n";
  out << "  final cash       " << money(pf.cash_micros) << "\n";
  out << "  equity           " << money(pf.equity_micros) << " (start "
      << money(pf.starting_cash_micros) << ")\n";
  auto restored = run.restored_orders;
  out << "  total return     " << percent(r.total_return)
      << " since inception (starting cash " << money(pf.starting_cash_micros);
  if (restored > 0)
    out << ", every journaled order";
  out << ")\n";
  // After a resume the session's own return differs: show it beside, with
  // its base, instead of measuring either from a hidden one.
  if (restored > 0)
    out << "  session return   " << percent(r.session.total_return)
        << " since this run began (equity "
        << money(r.session_start_equity_micros) << " after restoring "
        << restored << " orders)\n";
  if (r.session.sharpe)
    out << "  sharpe           " << fixed(*r.session.sharpe, 3)
        << " (annualised, " << fixed(r.session.periods_per_year, 1)
        << " periods/year)\n";
  else
    out << "  sharpe           n/a (" << r.session.sharpe_missing << ")\n";
  out << "  max drawdown     " << percent(r.session.max_drawdown) << "\n";
  out << "  positions       ";
  if (pf.positions.empty())
    out << " none";
  for (const auto& [sym, p] : pf.positions)
    out << " " << sym << " " << p.qty << " @ " << money(p.last_micros);
  out << "\n  strategies       buys  sells   realised P&L   unrealised P&L\n";
  for (const auto& [name, s] : pf.strategies)
    out << "    " << std::left << std::setw(14) << name << std::right
        << std::setw(5) << s.buys << std::setw(7) << s.sells << std::setw(15)
        << money(s.realised_micros) << std::setw(17)
        << money(s.unrealised_micros) << "\n";
  if (const auto& l = r.tick_to_order; l.count > 0)
    out << "  tick-to-order    p50 " << us(l.p50_ns) << " us, p99 "
        << us(l.p99_ns) << " us, max " << us(l.max_ns) << " us over " << l.count
        << " orders\n";
  if (run.mqtt_out) {
    const auto& m = *run.mqtt_out;
    out << "  mqtt egress      " << counter(m, "confirmed")
        << " orders confirmed by the broker, " << counter(m, "republished")
        << " republished after reconnects, " << counter(m, "signals")
        << " signals\n";
  }
  // External algorithms: what their processes sent, and what they were sent.
  if (run.ingress) {
    const auto& in = run.ingress->counters;
    if (counter(in, "external_signals_received") > 0
        || counter(in, "forwarded_quotes") > 0)
      out << "  external signals " << counter(in, "external_signals")
          << " accepted, " << counter(in, "external_signals_rejected")
          << " refused; " << counter(in, "forwarded_quotes")
          << " quotes forwarded, " << counter(in, "forward_dropped")
          << " dropped\n";
  }
  out << "  journal          " << run.journal_path << ": "
      << run.journal_durable << " orders durable this run";
  if (restored > 0)
    out << ", " << restored << " restored";
  out << "\n";
  // Orders filled while the failing write was under way were never
  // journaled: say how many, so the order count above is not misread.
  if (halted)
    out << "  halted           " << run.halted << " (" << run.halt_error
        << "): trading stopped; " << cnt.orders << " orders filled this run, "
        << run.journal_durable << " of them durable\n";
}

} // namespace intuition::runtime

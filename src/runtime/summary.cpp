#include "runtime/summary.hpp"

#include <cstdio>
#include <iomanip>

namespace intuition::runtime {

namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, x);
  return buf;
}

std::string percent(double x) {
  return fixed(x * 100.0, 2) + "%";
}

} // namespace

void complete_report(nlohmann::json& report, const run_info& info) {
  uint64_t rejected = 0;
  auto by_reason = nlohmann::json::object();
  for (size_t i = 0; i < info.rejected.size(); ++i) {
    rejected += info.rejected[i];
    if (info.rejected[i] > 0)
      by_reason[std::string{
        trading::to_string(static_cast<trading::reject_reason>(i))}]
        = info.rejected[i];
  }
  report["mode"] = info.mode;
  report["input"] = info.input;
  report["rows"] = info.rows;
  report["rejected"] = rejected;
  report["rejected_by_reason"] = by_reason;
  report["elapsed_s"] = info.elapsed_s;
  // The rate is of the quotes the first summary line counts (those that
  // reached the portfolio), so the line agrees with itself.
  auto traded = report.value("quotes", info.quotes_sent);
  report["quotes_per_s"] = info.elapsed_s > 0
                             ? static_cast<double>(traded) / info.elapsed_s
                             : 0.0;
  report["rows_are"] = info.mode == "run" ? "mqtt_messages" : "csv_rows";
  report["interrupted"] = info.interrupted;
  report["journal"] = {{"path", info.journal_path},
                       {"durable_orders", info.journal_durable},
                       {"restored_orders", info.restored_orders}};
  report["halted"] = info.halted.empty() ? nlohmann::json{}
                                         : nlohmann::json(info.halted);
  if (!info.halted.empty())
    report["journal"]["error"] = info.halt_error;
}

void print_summary(std::ostream& out, const nlohmann::json& r) {
  auto num = [&](const char* key) { return r.value(key, 0.0); };
  auto cnt = [&](const char* key) { return r.value(key, uint64_t{0}); };
  auto halted = r.contains("halted") && r["halted"].is_string();
  out << r.value("mode", std::string{}) << (halted ? " halted"
                                            : r.value("interrupted", false)
                                              ? " interrupted"
                                              : " finished")
      << ": " << cnt("quotes") << " quotes traded in "
      << fixed(num("elapsed_s"), 3) << " s ("
      << static_cast<uint64_t>(num("quotes_per_s")) << " quotes/s)\n";
  // Rows and quotes differ: a message may carry several quotes (or none, if
  // rejected), and an interrupted replay leaves rows unread.
  auto messages = r.value("rows_are", std::string{}) == "mqtt_messages";
  out << (messages ? "  messages read    " : "  rows read        ")
      << cnt("rows") << ", rejected " << cnt("rejected");
  for (const auto& [reason, n] : r["rejected_by_reason"].items())
    out << " [" << reason << " " << n.get<uint64_t>() << "]";
  out << "\n";
  uint64_t refused = 0;
  std::string refused_detail;
  for (const auto& [reason, n] : r["refusals"].items()) {
    auto k = n.get<uint64_t>();
    refused += k;
    if (k > 0)
      refused_detail += " [" + reason + " " + std::to_string(k) + "]";
  }
  out << "  signals          " << cnt("signals") << ", orders "
      << cnt("orders") << ", refused " << refused << refused_detail << "\n";
  out << "  final cash       " << fixed(num("final_cash"), 2) << "\n";
  out << "  equity           " << fixed(num("equity"), 2) << " (start "
      << fixed(num("starting_cash"), 2) << ")\n";
  const auto& journal = r["journal"];
  auto restored = journal.is_object()
                    ? journal.value("restored_orders", uint64_t{0})
                    : uint64_t{0};
  out << "  total return     " << percent(num("total_return"))
      << " since inception (starting cash " << fixed(num("starting_cash"), 2);
  if (restored > 0)
    out << ", every journaled order";
  out << ")\n";
  // After a resume the session's own return differs: show it beside, with
  // its base, instead of measuring either from a hidden one.
  if (restored > 0)
    out << "  session return   " << percent(num("session_return"))
        << " since this run began (equity "
        << fixed(num("session_start_equity"), 2) << " after restoring "
        << restored << " orders)\n";
  if (r.contains("sharpe") && r["sharpe"].is_number())
    out << "  sharpe           " << fixed(r["sharpe"].get<double>(), 3)
        << " (annualised, " << fixed(num("periods_per_year"), 1)
        << " periods/year)\n";
  else
    out << "  sharpe           n/a ("
        << r.value("sharpe_missing", std::string{"not measured"}) << ")\n";
  out << "  max drawdown     " << percent(num("max_drawdown")) << "\n";
  out << "  positions       ";
  if (r["positions"].empty())
    out << " none";
  for (const auto& [sym, p] : r["positions"].items())
    out << " " << sym << " " << p["qty"].get<int64_t>() << " @ "
        << fixed(p["last"].get<double>(), 2);
  out << "\n  strategies       buys  sells   realised P&L   unrealised P&L\n";
  for (const auto& [name, s] : r["strategies"].items())
    out << "    " << std::left << std::setw(14) << name << std::right
        << std::setw(5) << s["buys"].get<uint64_t>() << std::setw(7)
        << s["sells"].get<uint64_t>() << std::setw(15)
        << fixed(s["realised_pnl"].get<double>(), 2) << std::setw(17)
        << fixed(s["unrealised_pnl"].get<double>(), 2) << "\n";
  if (r.contains("tick_to_order") && r["tick_to_order"].value("count", 0) > 0) {
    const auto& l = r["tick_to_order"];
    out << "  tick-to-order    p50 " << fixed(l["p50_us"].get<double>(), 1)
        << " us, p99 " << fixed(l["p99_us"].get<double>(), 1) << " us, max "
        << fixed(l["max_us"].get<double>(), 1) << " us over "
        << l["count"].get<uint64_t>() << " orders\n";
  }
  if (r.contains("mqtt_out")) {
    const auto& m = r["mqtt_out"];
    out << "  mqtt egress      " << m.value("confirmed", 0)
        << " orders confirmed by the broker, " << m.value("republished", 0)
        << " republished after reconnects, " << m.value("signals", 0)
        << " signals\n";
  }
  const auto& j = r["journal"];
  out << "  journal          " << j.value("path", std::string{}) << ": "
      << j.value("durable_orders", uint64_t{0}) << " orders durable this run";
  if (auto k = j.value("restored_orders", uint64_t{0}); k > 0)
    out << ", " << k << " restored";
  out << "\n";
  // Orders filled while the failing write was under way were never
  // journaled: say how many, so the order count above is not misread.
  if (halted)
    out << "  halted           " << r["halted"].get<std::string>() << " ("
        << j.value("error", std::string{}) << "): trading stopped; "
        << cnt("orders") << " orders filled this run, "
        << j.value("durable_orders", uint64_t{0}) << " of them durable\n";
}

} // namespace intuition::runtime

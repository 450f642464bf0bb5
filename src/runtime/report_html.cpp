#include "runtime/report_html.hpp"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>

#include "runtime/dashboard_model.hpp"
#include "runtime/web_assets.hpp"
#include "trading/journal.hpp"

namespace intuition::runtime {

namespace {

/// Year and month (1 to 12) of `ts_ms` in UTC.
std::pair<int, int> year_month(int64_t ts_ms) {
  auto s = ts_ms / 1000 - (ts_ms % 1000 < 0 ? 1 : 0);
  auto t = static_cast<std::time_t>(s);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1};
}

/// Replaces the one `marker` in `page` by `text`.
void fill(std::string& page, std::string_view marker, std::string_view text) {
  auto at = page.find(marker);
  if (at != std::string::npos)
    page.replace(at, marker.size(), text);
}

/// JSON that may stand inside a <script> element: no `</` closes it early.
std::string script_safe(const nlohmann::json& x) {
  auto text = x.dump();
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

nlohmann::json to_json(const std::vector<period_return>& xs) {
  auto out = nlohmann::json::array();
  for (const auto& x : xs) {
    nlohmann::json row{{"year", x.year}, {"return", x.value}};
    if (x.month != 0)
      row["month"] = x.month;
    out.push_back(std::move(row));
  }
  return out;
}

} // namespace

bool operator==(const period_return& x, const period_return& y) noexcept {
  return x.year == y.year && x.month == y.month && x.value == y.value;
}

std::vector<period_return> period_returns(const std::vector<curve_point>& curve,
                                          bool by_year) {
  std::vector<period_return> out;
  if (curve.empty())
    return out;
  auto period_of = [by_year](int64_t ts) {
    auto [y, m] = year_month(ts);
    return std::make_pair(y, by_year ? 0 : m);
  };
  auto base = curve.front().second;
  auto current = period_of(curve.front().first);
  auto last = base;
  auto close = [&] {
    if (base > 0)
      out.push_back({current.first, current.second, last / base - 1.0});
    base = last;
  };
  for (const auto& [ts, equity] : curve) {
    auto p = period_of(ts);
    if (p != current) {
      close();
      current = p;
    }
    last = equity;
  }
  close();
  return out;
}

trading::result<std::vector<curve_point>>
equity_curve_of(const nlohmann::json& report) {
  auto i = report.find("equity_curve");
  if (i == report.end() || !i->is_array())
    return trading::invalid_value("equity_curve", "missing",
                                  "a list of [ts_ms, equity] points");
  std::vector<curve_point> out;
  out.reserve(i->size());
  for (const auto& p : *i) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_number_integer()
        || !p[1].is_number())
      return trading::invalid_value("equity_curve", p.dump(),
                                    "[ts_ms, equity] points");
    out.emplace_back(p[0].get<int64_t>(), p[1].get<double>());
  }
  return out;
}

report_orders load_report_orders(const nlohmann::json& report,
                                 const std::optional<std::string>& journal,
                                 size_t max_orders) {
  report_orders out;
  auto j = report.find("journal");
  if (j == report.end() || !j->is_object()) {
    out.note = "the report names no journal: orders not shown";
    return out;
  }
  auto path = journal ? *journal : j->value("path", std::string{});
  auto restored = j->value("restored_orders", uint64_t{0});
  auto durable = j->value("durable_orders", uint64_t{0});
  if (path.empty()) {
    out.note = "the report names no journal: orders not shown";
    return out;
  }
  if (durable == 0) {
    out.note = "no orders this session";
    return out;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    out.note = "journal " + path
               + " is gone: its orders are not shown (pass --journal PATH "
                 "if it moved)";
    return out;
  }
  auto first = restored + 1;
  auto last = restored + durable;
  auto from = last - std::min<uint64_t>(durable, max_orders) + 1;
  trading::journal_cursor cursor;
  auto st = cursor.read(path, from, last, max_orders, out.orders);
  if (!st) {
    out.orders.clear();
    out.note = st.error().message + ": orders not shown";
    return out;
  }
  std::ostringstream note;
  // The file's name: the page's title names the journal's whole path.
  note << "(" << durable << " this session, seq " << first << " to " << last
       << ", from " << std::filesystem::path{path}.filename().string();
  if (from > first)
    note << "; the last " << out.orders.size() << " shown";
  note << ")";
  out.note = note.str();
  return out;
}

std::string render_report_html(const nlohmann::json& report,
                               const std::vector<curve_point>& curve,
                               const report_orders& orders) {
  auto list = nlohmann::json::array();
  for (auto i = orders.orders.rbegin(); i != orders.orders.rend(); ++i)
    list.push_back(to_json(*i));
  nlohmann::json data{{"report", report},
                      {"monthly", to_json(period_returns(curve, false))},
                      {"yearly", to_json(period_returns(curve, true))},
                      {"orders", std::move(list)},
                      {"orders_note", orders.note}};
  std::string page{web::report_html};
  fill(page, "/*@UPLOT_CSS@*/", web::uplot_css);
  fill(page, "/*@STYLE_CSS@*/", web::style_css);
  fill(page, "/*@RUN_DATA@*/", script_safe(data));
  fill(page, "/*@UPLOT_JS@*/", web::uplot_js);
  fill(page, "/*@COMMON_JS@*/", web::common_js);
  fill(page, "/*@REPORT_JS@*/", web::report_js);
  return page;
}

int run_report_command(const report_options& opts) {
  auto fail = [](const trading::failure& x) {
    std::cerr << "intuition report: " << x.message << "\n";
    return trading::exit_code(x);
  };
  std::ifstream in{opts.run_json};
  if (!in)
    return fail(trading::invalid_request("cannot read " + opts.run_json));
  auto report = nlohmann::json::parse(in, nullptr, false);
  if (!report.is_object())
    return fail(trading::invalid_request(
      opts.run_json
      + " is not a run report (a JSON object, as run and "
        "replay write it with --report)"));
  auto curve = equity_curve_of(report);
  if (!curve)
    return fail(std::move(curve).error().within(opts.run_json));
  auto orders = load_report_orders(report, opts.journal, opts.max_orders);
  auto page = render_report_html(report, *curve, orders);
  std::ofstream out{opts.html, std::ios::binary | std::ios::trunc};
  out << page;
  out.close();
  if (!out)
    return fail(trading::operation_failed("cannot write " + opts.html));
  std::cerr << "wrote " << opts.html << " (" << page.size() << " bytes, "
            << orders.orders.size() << " orders)\n";
  return 0;
}

} // namespace intuition::runtime

#define CAF_SUITE runtime.summary
#include "caf/test/unit_test.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/summary.hpp"
#include "trading/performance.hpp"
#include "trading/portfolio.hpp"
#include "trading/report.hpp"

using namespace intuition;
using nlohmann::json;

namespace {

/// The report of a portfolio that saw `quotes` quotes over `curve`.
trading::run_report report_of(const std::vector<trading::equity_point>& curve,
                              uint64_t quotes) {
  trading::portfolio pf{trading::portfolio_config{}};
  for (uint64_t i = 0; i < quotes; ++i) {
    trading::quote q;
    q.symbol = "X";
    q.price_micros = 1'000'000;
    pf.on_quote(q);
  }
  trading::equity_curve ec;
  for (const auto& p : curve)
    ec.record(p.ts_ms, p.equity_micros);
  return trading::portfolio_report(pf, ec, 100'000'000'000, {});
}

/// The report as `--report FILE` writes it.
json json_of(const trading::run_report& report) {
  return trading::to_json(report);
}

std::string print(const trading::run_report& report) {
  std::ostringstream out;
  runtime::print_summary(out, report);
  return out.str();
}

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("missing \"" << part << "\" in:\n" << text);
  return false;
}

} // namespace

CAF_TEST(a short run prints no sharpe ratio and says why) {
  // Seven quotes within a second: less than a day, no period to annualise.
  auto r = report_of(
    {{0, 100'000'000'000}, {500, 100'100'000'000}, {900, 99'900'000'000}}, 7);
  runtime::run_info info;
  info.mode = "run";
  info.elapsed_s = 41.7;
  info.rows = 33;
  info.rejected[static_cast<size_t>(trading::reject_reason::not_json)] = 26;
  r.run = info;
  auto j = json_of(r);
  CAF_CHECK(j["sharpe"].is_null());
  CAF_CHECK_EQUAL(j["sharpe_missing"],
                  "less than a day of data: the period is unknown (set "
                  "report.periods_per_year)");
  auto text = print(r);
  CAF_CHECK(contains(text, "  sharpe           n/a (less than a day of data"));
  CAF_CHECK(text.find("sharpe           0.000") == std::string::npos);
  // The first line counts quotes traded, the second the MQTT messages read:
  // each says which.
  CAF_CHECK(contains(text, "run finished: 7 quotes traded in 41.700 s (0 "
                           "quotes/s)"));
  CAF_CHECK(contains(text, "  messages read    33, rejected 26 [not_json 26]"));
  CAF_CHECK_EQUAL(j["rows_are"], "mqtt_messages");
}

CAF_TEST(a measured sharpe ratio prints as a number) {
  constexpr int64_t day = 86'400'000;
  auto r = report_of(
    {{0, 101'000'000'000}, {day, 100'500'000'000}, {2 * day, 102'000'000'000}},
    3);
  runtime::run_info info;
  info.mode = "replay";
  info.elapsed_s = 2.0;
  info.rows = 3;
  r.run = info;
  auto j = json_of(r);
  CAF_CHECK(j["sharpe"].is_number());
  CAF_CHECK(!j.contains("sharpe_missing"));
  auto text = print(r);
  CAF_CHECK(contains(text, "  sharpe           "));
  CAF_CHECK(contains(text, " periods/year)"));
  CAF_CHECK(contains(text, "replay finished: 3 quotes traded in 2.000 s (1 "
                           "quotes/s)"));
  CAF_CHECK(contains(text, "  rows read        3, rejected 0"));
  CAF_CHECK_EQUAL(j["quotes_per_s"], 1.5);
}

CAF_TEST(after a resume the summary shows the return since inception
         and this session) {
  trading::portfolio pf{trading::portfolio_config{}};
  // The journal: 100 X bought at 100, half sold at 200 (cash back to
  // 100,000 with 50 X left, valued at 200 when restored: equity 110,000).
  trading::order buy;
  buy.seq = buy.id = 1;
  buy.strategy = "s";
  buy.symbol = "X";
  buy.qty = 100;
  buy.price_micros = 100'000'000;
  auto sell = buy;
  sell.seq = sell.id = 2;
  sell.direction = trading::side::sell;
  sell.qty = 50;
  sell.price_micros = 200'000'000;
  CAF_REQUIRE(pf.restore(buy));
  CAF_REQUIRE(pf.restore(sell));
  auto at_resume = pf.positions().equity_micros();
  // This session: X rises to 300.
  trading::quote q;
  q.symbol = "X";
  q.price_micros = 300'000'000;
  q.ts_ms = 1;
  pf.on_quote(q);
  trading::equity_curve ec;
  ec.record(q.ts_ms, pf.positions().equity_micros());
  auto r = trading::portfolio_report(pf, ec, at_resume, {});
  runtime::run_info info;
  info.mode = "replay";
  info.journal_path = "j";
  info.restored_orders = 2;
  r.run = info;
  auto j = json_of(r);
  auto equity = static_cast<double>(pf.positions().equity_micros());
  // 115,000 against the configured 100,000, and against the equity the
  // session started from.
  CAF_CHECK_EQUAL(equity, 115'000'000'000.0);
  CAF_CHECK(std::abs(j["total_return"].get<double>() - 0.15) < 1e-12);
  CAF_CHECK(std::abs(j["session_return"].get<double>()
                     - (equity / static_cast<double>(at_resume) - 1.0))
            < 1e-12);
  CAF_CHECK_NOT_EQUAL(j["session_return"].get<double>(),
                      j["total_return"].get<double>());
  CAF_CHECK_EQUAL(j["session_start_equity"].get<double>(),
                  static_cast<double>(at_resume) / 1e6);
  auto text = print(r);
  CAF_CHECK(text.find("total return     15.00% since inception (starting "
                      "cash 100000.00, every journaled order)")
            != std::string::npos);
  CAF_CHECK(text.find("session return   ") != std::string::npos);
  CAF_CHECK(text.find(" since this run began (equity ") != std::string::npos);
  CAF_MESSAGE(text);
}

CAF_TEST(a halted run says so and counts the durable orders) {
  trading::portfolio_config cfg;
  cfg.sizing.kind = trading::sizing_kind::fixed_quantity;
  trading::portfolio pf{cfg};
  trading::quote q;
  q.symbol = "X";
  q.price_micros = 1'000'000;
  pf.on_quote(q);
  // Three fills; the journal took two before its disk filled up.
  for (int i = 0; i < 3; ++i) {
    trading::signal s;
    s.strategy = "s";
    s.symbol = "X";
    s.price_micros = q.price_micros;
    CAF_REQUIRE(std::holds_alternative<trading::order>(pf.on_signal(s)));
  }
  trading::equity_curve ec;
  auto r = trading::portfolio_report(pf, ec, 100'000'000'000, {});
  runtime::run_info info;
  info.mode = "run";
  info.journal_path = "j";
  info.journal_durable = 2;
  info.halted = "journal";
  info.halt_error = "journal j: write failed: No space left on device";
  r.run = info;
  auto j = json_of(r);
  CAF_CHECK_EQUAL(j["halted"], "journal");
  CAF_CHECK_EQUAL(j["journal"]["durable_orders"], 2u);
  CAF_CHECK_EQUAL(j["journal"]["error"],
                  "journal j: write failed: No space left on device");
  auto text = print(r);
  CAF_CHECK(contains(text, "run halted: 1 quotes traded"));
  CAF_CHECK(
    contains(text, "  journal          j: 2 orders durable this run\n"));
  CAF_CHECK(contains(text, "  halted           journal (journal j: write "
                           "failed: No space left on device): trading "
                           "stopped; 3 orders filled this run, 2 of them "
                           "durable\n"));
  // A run that did not halt says nothing of it.
  info.halted.clear();
  info.halt_error.clear();
  auto fine = trading::portfolio_report(pf, ec, 100'000'000'000, {});
  fine.run = info;
  CAF_CHECK(json_of(fine)["halted"].is_null());
  CAF_CHECK(print(fine).find("halted") == std::string::npos);
}

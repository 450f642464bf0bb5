#define CAF_SUITE runtime.report_html
#include "caf/test/unit_test.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "runtime/report_html.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using runtime::curve_point;
using runtime::period_return;

namespace {

// 2024-01-31, 2024-02-01, 2024-02-29 and 2025-01-15, 12:00 UTC.
constexpr int64_t jan31 = 1706702400000;
constexpr int64_t feb1 = 1706788800000;
constexpr int64_t feb29 = 1709208000000;
constexpr int64_t jan15_2025 = 1736942400000;

bool close_to(double x, double y) {
  return x - y < 1e-12 && y - x < 1e-12;
}

trading::order order_at(uint64_t seq) {
  trading::order x;
  x.seq = seq;
  x.id = seq;
  x.ts_ms = jan31;
  x.strategy = "trend";
  x.symbol = "DAX";
  x.qty = 1;
  x.price_micros = 100'000'000;
  return x;
}

struct journal_file {
  std::string path
    = "report_html_test-" + std::to_string(::getpid()) + ".journal";
  explicit journal_file(uint64_t n) {
    std::ofstream out{path};
    for (uint64_t i = 1; i <= n; ++i)
      out << trading::encode_journal_record(order_at(i)) << "\n";
  }
  ~journal_file() {
    ::unlink(path.c_str());
  }
};

nlohmann::json report_naming(const std::string& path, uint64_t restored,
                             uint64_t durable) {
  return {{"journal",
           {{"path", path},
            {"restored_orders", restored},
            {"durable_orders", durable}}},
          {"equity_curve", {{jan31, 100.0}, {feb1, 110.0}}}};
}

} // namespace

CAF_TEST(monthly returns chain each month to the close of the one before) {
  std::vector<curve_point> curve{{jan31 - 86'400'000, 100.0},
                                 {jan31, 105.0},
                                 {feb1, 110.0},
                                 {feb29, 99.0},
                                 {jan15_2025, 198.0}};
  auto months = runtime::period_returns(curve, false);
  CAF_REQUIRE_EQUAL(months.size(), 3u);
  CAF_CHECK_EQUAL(months[0].year, 2024);
  CAF_CHECK_EQUAL(months[0].month, 1);
  CAF_CHECK(close_to(months[0].value, 0.05));
  CAF_CHECK_EQUAL(months[1].month, 2);
  CAF_CHECK(close_to(months[1].value, 99.0 / 105.0 - 1));
  CAF_CHECK_EQUAL(months[2].year, 2025);
  CAF_CHECK(close_to(months[2].value, 1.0));
  auto years = runtime::period_returns(curve, true);
  CAF_REQUIRE_EQUAL(years.size(), 2u);
  CAF_CHECK_EQUAL(years[0].month, 0);
  CAF_CHECK(close_to(years[0].value, -0.01));
  CAF_CHECK(close_to(years[1].value, 1.0));
  CAF_CHECK(runtime::period_returns({}, false).empty());
}

CAF_TEST(a report without a usable equity curve is refused naming the field) {
  auto missing = runtime::equity_curve_of(nlohmann::json::object());
  CAF_REQUIRE(!missing);
  CAF_CHECK_NOT_EQUAL(missing.error().message.find("equity_curve"),
                      std::string::npos);
  auto bad = runtime::equity_curve_of({{"equity_curve", {{1, "x"}}}});
  CAF_CHECK(!bad);
  auto good = runtime::equity_curve_of({{"equity_curve", {{1, 2.5}}}});
  CAF_REQUIRE(good);
  CAF_CHECK_EQUAL(good->front().second, 2.5);
}

CAF_TEST(the orders shown are the sessions own and at most the last N) {
  journal_file j{10};
  auto all = runtime::load_report_orders(report_naming(j.path, 4, 6),
                                         std::nullopt, 100);
  CAF_REQUIRE_EQUAL(all.orders.size(), 6u);
  CAF_CHECK_EQUAL(all.orders.front().seq, 5u);
  CAF_CHECK_EQUAL(all.orders.back().seq, 10u);
  auto last
    = runtime::load_report_orders(report_naming(j.path, 4, 6), std::nullopt, 2);
  CAF_REQUIRE_EQUAL(last.orders.size(), 2u);
  CAF_CHECK_EQUAL(last.orders.front().seq, 9u);
  CAF_CHECK_NOT_EQUAL(last.note.find("the last 2 shown"), std::string::npos);
}

CAF_TEST(a journal that is gone gives no orders and a note that says so) {
  auto x = runtime::load_report_orders(report_naming("no-such.journal", 0, 3),
                                       std::nullopt, 100);
  CAF_CHECK(x.orders.empty());
  CAF_CHECK_NOT_EQUAL(x.note.find("is gone"), std::string::npos);
  journal_file j{3};
  auto moved = runtime::load_report_orders(
    report_naming("no-such.journal", 0, 3), j.path, 100);
  CAF_CHECK_EQUAL(moved.orders.size(), 3u);
}

CAF_TEST(the page inlines its code and data and loads nothing from outside) {
  auto report = report_naming("x.journal", 0, 0);
  report["input"] = "</script><script>alert(1)</script>";
  auto curve = runtime::equity_curve_of(report);
  CAF_REQUIRE(curve);
  auto page = runtime::render_report_html(report, *curve, {});
  CAF_CHECK_EQUAL(page.find("/*@"), std::string::npos);
  CAF_CHECK_EQUAL(page.find("src=\"http"), std::string::npos);
  CAF_CHECK_EQUAL(page.find("href=\"http"), std::string::npos);
  CAF_CHECK_EQUAL(page.find("</script><script>alert"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(page.find("uPlot"), std::string::npos);
}

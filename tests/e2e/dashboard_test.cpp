#define CAF_SUITE e2e.dashboard
#include "caf/test/unit_test.hpp"

#include <optional>
#include <regex>

#include <nlohmann/json.hpp>

#include "../http_get.hpp"
#include "runtime/broker.hpp"
#include "support.hpp"

using namespace intuition;
using namespace intuition::e2e;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// Where the tests leave their screenshots: beside the binary, in the build
/// folder.
std::string build_file(const std::string& name) {
  return bin.substr(0, bin.rfind('/') + 1) + name;
}

/// The port the dashboard of `p` serves on, once it says so.
std::optional<uint16_t> dashboard_port(const process& p) {
  std::optional<uint16_t> out;
  eventually(
    [&] {
      std::smatch m;
      auto text = slurp(p.err_path);
      static const std::regex line{
        "serving the dashboard on http://127\\.0\\.0\\.1:([0-9]+)/"};
      if (!std::regex_search(text, m, line))
        return false;
      out = static_cast<uint16_t>(std::stoi(m[1].str()));
      return true;
    },
    30s);
  return out;
}

/// The last line of the file at `path` that parses as a JSON object.
json last_json_line(const std::string& path) {
  std::istringstream in{slurp(path)};
  json out;
  for (std::string line; std::getline(in, line);) {
    auto x = json::parse(line, nullptr, false);
    if (x.is_object())
      out = std::move(x);
  }
  return out;
}

/// The script's own problems, for the log when it failed.
void log_script(const process& p) {
  CAF_MESSAGE("browser script stdout:\n" << slurp(p.out_path));
  CAF_MESSAGE("browser script stderr:\n" << slurp(p.err_path));
}

} // namespace

CAF_TEST(the dashboard shows a live run in chromium as it trades) {
  temp_dir dir;
  auto broker = start_test_broker(dir);
  auto journal = dir.file("dash.journal");
  auto run = dir.intuition({"run", "--config", "configs/demo.json", "--broker",
                            broker->url(), "--journal", journal, "--listen",
                            "off", "--http", "127.0.0.1:0", "--quiet"},
                           "run");
  CAF_REQUIRE(wait_ready(run));
  auto port = dashboard_port(run);
  CAF_REQUIRE(port.has_value());
  // The JSON API answers before any quote, with the configured cash.
  auto [status, body] = test::http_get(*port, "/api/state");
  CAF_REQUIRE_EQUAL(status, 200);
  auto before = json::parse(body);
  CAF_CHECK_EQUAL(before["mode"], "run");
  CAF_CHECK_EQUAL(test::http_get(*port, "/api/orders?since=x").first, 400);
  auto shot = build_file("dashboard.png");
  auto page
    = dir.spawn("node",
                {"tests/e2e/browser/dashboard_check.mjs",
                 "http://127.0.0.1:" + std::to_string(*port) + "/", shot},
                "page");
  if (!eventually([&] { return slurp(page.out_path).find("loaded ") == 0; },
                  60s)) {
    log_script(page);
    CAF_FAIL("the page did not load");
  }
  // Fed while the page watches: the orders table grows as orders are
  // journaled.
  CAF_CHECK_EQUAL(
    dir.run({"feed", "--broker", broker->url(), "--quotes",
             "data/eustockmarkets.csv", "--rate", "1500", "--quiet"},
            "feed"),
    0);
  auto page_exit = page.wait_for(180s);
  auto seen = last_json_line(page.out_path);
  if (page_exit != 0)
    log_script(page);
  CAF_CHECK_EQUAL(page_exit, 0);
  CAF_CHECK_EQUAL(seen["problems"], json::array());
  CAF_CHECK_EQUAL(seen["initial_rows"], 0);
  // Rows arrived in several steps while the feed ran, not all at the end.
  CAF_CHECK_GREATER(seen["counts"].size(), 2u);
  CAF_CHECK_EQUAL(seen["shown_seq"], seen["last_seq"]);
  CAF_CHECK_EQUAL(seen["final_rows"], 200);
  CAF_CHECK_EQUAL(seen["equity_shown"], seen["equity_api"]);
  CAF_CHECK_EQUAL(seen["actors_total"], 9);
  CAF_CHECK_EQUAL(seen["search_rows"], 2);
  // What the API said is what the run ends with.
  auto [st_status, st_body] = test::http_get(*port, "/api/state");
  CAF_REQUIRE_EQUAL(st_status, 200);
  auto state = json::parse(st_body);
  auto [o_status, o_body] = test::http_get(
    *port,
    "/api/orders?since="
      + std::to_string(state["journal"]["last_seq"].get<uint64_t>() - 3));
  CAF_REQUIRE_EQUAL(o_status, 200);
  auto orders = json::parse(o_body);
  CAF_CHECK_EQUAL(orders["orders"].size(), 3u);
  CAF_CHECK_EQUAL(orders["next"], state["journal"]["last_seq"]);
  auto [a_status, a_body] = test::http_get(*port, "/api/actors?q=dax");
  CAF_REQUIRE_EQUAL(a_status, 200);
  auto found = json::parse(a_body);
  CAF_CHECK_EQUAL(found["matches"], 2);
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(60s), 0);
  CAF_CHECK_NOT_EQUAL(
    slurp(run.out_path)
      .find("orders " + std::to_string(seen["last_seq"].get<uint64_t>())),
    std::string::npos);
}

CAF_TEST(the html report of a replay shows its figures opened from disk) {
  temp_dir dir;
  auto run_json = dir.file("run.json");
  auto html = dir.file("report.html");
  CAF_REQUIRE_EQUAL(
    dir.run({"replay", "--config", "configs/demo.json", "--journal",
             dir.file("r.journal"), "--report", run_json, "--quiet"},
            "replay"),
    0);
  CAF_REQUIRE_EQUAL(dir.run({"report", run_json, "--html", html}, "report"), 0);
  auto shot = build_file("report.png");
  auto page = dir.spawn(
    "node", {"tests/e2e/browser/report_check.mjs", html, shot}, "page");
  auto page_exit = page.wait_for(120s);
  if (page_exit != 0)
    log_script(page);
  CAF_CHECK_EQUAL(page_exit, 0);
  auto seen = last_json_line(page.out_path);
  auto run = json::parse(slurp(run_json));
  CAF_CHECK_EQUAL(seen["problems"], json::array());
  CAF_CHECK_EQUAL(seen["equity"], run["equity"]);
  CAF_CHECK_EQUAL(seen["total_return"], run["total_return"]);
  CAF_CHECK_EQUAL(seen["max_drawdown"], run["max_drawdown"]);
  CAF_CHECK_EQUAL(seen["orders"], run["orders"]);
  CAF_CHECK_EQUAL(seen["order_rows"], run["orders"]);
  CAF_CHECK_EQUAL(seen["first_order_seq"], run["orders"]);
  CAF_CHECK_EQUAL(seen["strategy_rows"], run["strategies"].size());
  CAF_CHECK_EQUAL(seen["charts"], 2);
  // EuStockMarkets: mid-1991 to 1998, a row per year.
  CAF_CHECK_EQUAL(seen["month_rows"], 8);
  CAF_CHECK_GREATER(seen["month_cells"], 80);
}

CAF_TEST(report refuses a file that is not a run report naming it) {
  temp_dir dir;
  auto bad = dir.write("bad.json", "[1, 2]");
  CAF_CHECK_EQUAL(
    dir.run({"report", bad, "--html", dir.file("x.html")}, "report"), 2);
  CAF_CHECK_NOT_EQUAL(slurp(dir.file("report.err")).find("is not a run report"),
                      std::string::npos);
  CAF_CHECK_EQUAL(dir.run({"report", bad}, "report2"), 2);
  CAF_CHECK_NOT_EQUAL(slurp(dir.file("report2.err")).find("--html"),
                      std::string::npos);
}

CAF_TEST(a ninth page is refused the live stream while eight follow it) {
  temp_dir dir;
  auto run = dir.intuition({"run", "--config", "configs/demo.json", "--journal",
                            dir.file("streams.journal"), "--listen", "off",
                            "--http", "127.0.0.1:0", "--quiet"},
                           "run");
  CAF_REQUIRE(wait_ready(run));
  auto port = dashboard_port(run);
  CAF_REQUIRE(port.has_value());
  // Eight open streams, each answered with its first event.
  std::vector<int> streams;
  for (int i = 0; i < 8; ++i) {
    auto fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval limit{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(*port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CAF_REQUIRE_EQUAL(
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    std::string request = "GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n";
    CAF_REQUIRE_EQUAL(::send(fd, request.data(), request.size(), 0),
                      static_cast<ssize_t>(request.size()));
    std::string head;
    char buf[4096];
    while (head.find("data: ") == std::string::npos) {
      auto n = ::recv(fd, buf, sizeof(buf), 0);
      CAF_REQUIRE_GREATER(n, 0);
      head.append(buf, static_cast<size_t>(n));
    }
    CAF_CHECK_EQUAL(head.compare(0, 15, "HTTP/1.1 200 OK"), 0);
    streams.push_back(fd);
  }
  auto [status, body] = test::http_get(*port, "/api/events");
  CAF_CHECK_EQUAL(status, 503);
  CAF_CHECK_NOT_EQUAL(body.find("too many open dashboards"), std::string::npos);
  // The rest of the API still answers.
  CAF_CHECK_EQUAL(test::http_get(*port, "/api/state").first, 200);
  // Pages still following the stream do not hold up the stop.
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(60s), 0);
  for (auto fd : streams)
    ::close(fd);
}

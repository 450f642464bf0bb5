#define CAF_SUITE actors.external_signals
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <cstdlib>
#include <memory>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "actors/mqtt_ingress.hpp"
#include "actors/order_log.hpp"
#include "actors/portfolio.hpp"
#include "actors/quote_router.hpp"
#include "trading/external_strategy.hpp"
#include "trading/input_log.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::actors;

namespace {

/// What the forwarding function was handed, in order.
struct forwarded {
  std::vector<std::pair<std::string, std::string>> messages;
};

/// The live pipeline (ingress, router, portfolio, order log) with one
/// external strategy `ext` on the channel `quotes` and, beside it, a
/// built-in strategy on `other`.
struct fixture : testing::actor_fixture {
  std::string dir;
  std::string path;
  order_log_actor log;
  portfolio_actor pf;
  quote_router_actor router;
  mqtt_ingress_actor ingress;
  std::shared_ptr<forwarded> out = std::make_shared<forwarded>();

  fixture() {
    char tmpl[] = "/tmp/intuition-external-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/orders.journal";
    auto contents = trading::read_journal(path).value();
    auto writer = std::make_shared<trading::journal_writer>();
    CAF_REQUIRE(writer->open(path, contents));
    log = sys.spawn(order_log, writer,
                    order_log_config{trading::fsync_policy::always, {}, {}});
    trading::portfolio_config pc;
    pc.starting_cash_micros = 10'000 * trading::micros_per_unit;
    pc.sizing.kind = trading::sizing_kind::fixed_quantity;
    pc.sizing.qty = 10;
    pf = sys.spawn(portfolio, pc, trading::report_config{},
                   std::move(contents.orders), log);
    std::vector<strategy_route> routes{
      {"ext", "external", "{}", {"DAX", "SMI"}},
      {"hold", "buy_and_hold", "{}", {}},
    };
    router = sys.spawn(quote_router, std::move(routes), local_placement(), pf,
                       order_publisher_actor{}, router_options{});
    ingress = sys.spawn(mqtt_ingress, ingress_config(), router);
    run();
  }

  /// The ingress's settings: `ext` and `hold` on their channels.
  mqtt_ingress_config ingress_config() {
    mqtt_ingress_config cfg;
    cfg.channels = {{"ext", {"quotes"}}, {"hold", {"other"}}};
    cfg.externals
      = {{"ext", "signals/in/ext", "quotes/out/ext", {"DAX", "SMI"}}};
    cfg.forward
      = [out = out](const std::string& topic, const std::string& payload) {
          out->messages.emplace_back(topic, payload);
          return true;
        };
    return cfg;
  }

  /// An ingress reading the input log `input` after `resume_after`, as
  /// `intuition run` starts one.
  mqtt_ingress_actor start_from_log(std::shared_ptr<trading::input_log> input,
                                    uint64_t resume_after) {
    auto cfg = ingress_config();
    cfg.input = std::move(input);
    cfg.resume_after = resume_after;
    auto hdl = sys.spawn(mqtt_ingress, cfg, router);
    run();
    return hdl;
  }

  ~fixture() {
    for (auto hdl :
         {caf::actor_cast<caf::actor>(ingress),
          caf::actor_cast<caf::actor>(router), caf::actor_cast<caf::actor>(pf),
          caf::actor_cast<caf::actor>(log)})
      anon_send_exit(hdl, caf::exit_reason::user_shutdown);
    run();
    std::string cmd = "rm -rf " + dir;
    CAF_CHECK_EQUAL(std::system(cmd.c_str()), 0);
  }

  void publish(std::string topic, std::string payload) {
    self->send(ingress, mqtt_message{std::move(topic), std::move(payload), 0});
  }

  std::vector<trading::order> journal() {
    return trading::read_journal(path).value().orders;
  }

  int64_t refused(const std::string& reason) {
    auto summary = nlohmann::json::parse(state_of(ingress).summary_json);
    return summary["external_signals_rejected_by_reason"].value(reason, 0);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(external_signals_tests, fixture)

CAF_TEST(an external signal becomes a journaled order at the last price) {
  publish("quotes", R"({"symbol":"DAX","price":100,"ts":1000})");
  expect((mqtt_message), from(self).to(ingress));
  expect((quote_batch), from(ingress).to(router));
  // No instance trades for an external strategy: the batch goes straight on.
  expect((market_batch), from(router).to(pf));
  run();
  publish("signals/in/ext", R"({"symbol":"dax","side":"buy","quote_seq":1})");
  expect((mqtt_message), from(self).to(ingress));
  // The signal travels with a carrier: its symbol's last quote, numbered
  // after the quotes before it, so the portfolio sees it in stream order.
  expect((quote_batch), from(ingress).to(router));
  expect((market_batch), from(router).to(pf));
  trading::order dax;
  dax.ts_ms = 1000;
  dax.strategy = "ext";
  dax.symbol = "DAX";
  dax.qty = 10;
  dax.price_micros = 100 * trading::micros_per_unit;
  expect((order_batch), from(pf).to(log).with(order_batch{{dax}}));
  run();
  auto orders = journal();
  CAF_REQUIRE_EQUAL(orders.size(), 1u);
  CAF_CHECK_EQUAL(orders[0].strategy, "ext");
  CAF_CHECK_EQUAL(orders[0].price_micros, 100 * trading::micros_per_unit);
  // The carrier is no quote: the portfolio counted one.
  auto pf_state = state_of(pf);
  CAF_CHECK_EQUAL(pf_state.counters["signals"], 1);
  CAF_CHECK_EQUAL(state_of(ingress).counters["external_signals"], 1);
}

CAF_TEST(signals that cannot be traded are refused and counted) {
  // Before any quote of the symbol: no price yet.
  publish("signals/in/ext", R"({"symbol":"DAX","side":"buy","ts":1})");
  publish("quotes", R"({"symbol":"DAX","price":100,"ts":1000})");
  publish("quotes", R"({"symbol":"FTSE","price":50,"ts":1000})");
  publish("signals/in/ext", R"({"symbol":"DAX","side":"hold","ts":1})");
  publish("signals/in/ext", R"({"symbol":"FTSE","side":"buy","ts":1})");
  publish("signals/in/ext", "not json");
  run();
  CAF_CHECK_EQUAL(refused("no_price"), 1);
  CAF_CHECK_EQUAL(refused("bad_side"), 1);
  CAF_CHECK_EQUAL(refused("not_traded"), 1);
  CAF_CHECK_EQUAL(refused("not_json"), 1);
  CAF_CHECK_EQUAL(state_of(ingress).counters["external_signals_rejected"], 4);
  CAF_CHECK(journal().empty());
}

CAF_TEST(a signal given twice is traded once) {
  publish("quotes", R"({"symbol":"DAX","price":100,"ts":1000})");
  publish("signals/in/ext", R"({"symbol":"DAX","side":"buy","quote_seq":1})");
  publish("signals/in/ext", R"({"symbol":"DAX","side":"buy","quote_seq":1})");
  // Another quote named: another decision.
  publish("signals/in/ext", R"({"symbol":"DAX","side":"buy","quote_seq":2})");
  run();
  CAF_CHECK_EQUAL(refused("duplicate"), 1);
  CAF_CHECK_EQUAL(journal().size(), 2u);
}

CAF_TEST(quotes of the strategy channels are forwarded with their quote_seq) {
  publish("quotes", R"({"symbol":"DAX","price":100,"ts":1000})");
  // Not a symbol of `ext`, and not its channel: not forwarded.
  publish("quotes", R"({"symbol":"FTSE","price":50,"ts":1000})");
  publish("other", R"({"symbol":"SMI","price":20,"ts":1000})");
  run();
  CAF_REQUIRE_EQUAL(out->messages.size(), 1u);
  CAF_CHECK_EQUAL(out->messages[0].first, "quotes/out/ext");
  CAF_CHECK_EQUAL(out->messages[0].second,
                  R"({"symbol":"DAX","price":100,"ts":1000,"quote_seq":1})");
  // The quote of `other` went to the built-in strategy only.
  auto orders = journal();
  CAF_REQUIRE_EQUAL(orders.size(), 1u);
  CAF_CHECK_EQUAL(orders[0].strategy, "hold");
  CAF_CHECK_EQUAL(orders[0].symbol, "SMI");
  CAF_CHECK_EQUAL(state_of(router).counters["unrouted_quotes"], 1);
}

CAF_TEST(
  a logged signal trades at its input position and once across a restart) {
  trading::input_log_options opts;
  opts.dir = dir + "/input";
  opts.fsync = trading::fsync_policy::never;
  auto input = std::make_shared<trading::input_log>();
  CAF_REQUIRE(input->open(opts));
  auto signal = R"({"symbol":"DAX","side":"buy","quote_seq":1})";
  CAF_REQUIRE(
    input->append("quotes", R"({"symbol":"DAX","price":100,"ts":1000})", 0));
  CAF_REQUIRE(input->append("signals/in/ext", signal, 0));
  auto first = start_from_log(input, 0);
  auto orders = journal();
  CAF_REQUIRE_EQUAL(orders.size(), 1u);
  // The order carries the signal's position: a restart skips it there.
  CAF_CHECK_EQUAL(orders[0].input_pos, 2u);
  anon_send_exit(first, caf::exit_reason::user_shutdown);
  run();
  // The next process: both records processed, then the broker redelivers
  // the signal (its PUBACK was lost) and a new one comes.
  CAF_REQUIRE(input->append("signals/in/ext", signal, 0));
  CAF_REQUIRE(input->append(
    "signals/in/ext", R"({"symbol":"DAX","side":"buy","quote_seq":5})", 0));
  auto second = start_from_log(input, 2);
  orders = journal();
  // The redelivery is recognised from the log; the new signal is priced by
  // the quote the log still holds.
  CAF_REQUIRE_EQUAL(orders.size(), 2u);
  CAF_CHECK_EQUAL(orders[1].input_pos, 4u);
  CAF_CHECK_EQUAL(orders[1].price_micros, 100 * trading::micros_per_unit);
  auto summary = nlohmann::json::parse(state_of(second).summary_json);
  CAF_CHECK_EQUAL(
    summary["external_signals_rejected_by_reason"].value("duplicate", 0), 1);
  anon_send_exit(second, caf::exit_reason::user_shutdown);
  run();
}

CAF_TEST_FIXTURE_SCOPE_END()

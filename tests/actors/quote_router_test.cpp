#define CAF_SUITE actors.quote_router
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actors/quote_router.hpp"
#include "trading/decimal.hpp"

// The router actor between stand-ins: instances whose answers the test
// controls, and a portfolio and publisher that only record what reaches
// them. What the router decides is `route_book`'s (actors.route_book); here
// it is how the actor carries it out: placement, the order of answers,
// failures and the state it reports.

using namespace intuition;
using namespace intuition::actors;
using trading::quote;

namespace {

quote make_quote(std::string symbol, const char* price, int64_t ts) {
  return {std::move(symbol), *trading::parse_decimal_micros(price), ts, 0};
}

/// What the stand-ins saw.
struct record {
  std::vector<algorithm_spec> placed;
  std::vector<market_batch> to_portfolio;
  std::vector<signal_batch> to_publisher;
};

/// An instance that buys on every tick, or fails on its first part when
/// its spec's strategy is `fails`.
algorithm_actor::behavior_type stand_in_instance(algorithm_actor::pointer self,
                                                 algorithm_spec spec) {
  return {
    [self, spec](quote_part& part) {
      if (spec.strategy == "fails") {
        self->quit(caf::sec::runtime_error);
        return;
      }
      part_result out{part.batch, part.slot, part.epoch, {}};
      for (const auto& t : part.ticks)
        out.signals.push_back({spec.strategy, spec.symbol, trading::side::buy,
                               1.0, t.price_micros, t.ts_ms, t.seq});
      self->send(caf::actor_cast<part_sink_actor>(self->current_sender()),
                 std::move(out));
    },
    [](warmup_atom, quote_part&) {
      // nop
    },
    [spec](get_state_atom) {
      return make_actor_state("algorithm/" + spec.strategy + "/" + spec.symbol,
                              "algorithm", {}, "{}");
    },
  };
}

portfolio_actor::behavior_type
stand_in_portfolio(portfolio_actor::pointer self,
                   std::shared_ptr<record> seen) {
  return {
    [seen](market_batch& batch) -> uint64_t {
      seen->to_portfolio.push_back(batch);
      return batch.signals.size();
    },
    [](halt_atom, const std::string&, const std::string&) {
      // nop
    },
    [](report_atom) { return trading::run_report{}; },
    [](control_request&) {
      return control_reply{true, false, "journaled"};
    },
    [](get_state_atom) {
      return make_actor_state("portfolio", "portfolio", {}, "{}");
    },
  };
}

order_publisher_actor::behavior_type
stand_in_publisher(order_publisher_actor::pointer self,
                   std::shared_ptr<record> seen) {
  return {
    [](order_batch&) {
      // nop
    },
    [seen](signal_batch& batch) { seen->to_publisher.push_back(batch); },
    [](puback_atom, const std::vector<int32_t>&) {
      // nop
    },
    [](connection_event&) {
      // nop
    },
    [](tick_atom) {
      // nop
    },
    [](drain_atom) { return uint64_t{0}; },
    [](get_state_atom) {
      return make_actor_state("order_publisher", "order_publisher", {}, "{}");
    },
  };
}

struct fixture : testing::actor_fixture {
  std::shared_ptr<record> seen = std::make_shared<record>();
  std::vector<algorithm_actor> instances;
  portfolio_actor pf;
  order_publisher_actor publisher;
  quote_router_actor router;

  ~fixture() {
    anon_send_exit(router, caf::exit_reason::user_shutdown);
    anon_send_exit(pf, caf::exit_reason::user_shutdown);
    anon_send_exit(publisher, caf::exit_reason::user_shutdown);
    run();
  }

  void start(std::vector<strategy_route> routes, router_options opts = {}) {
    pf = sys.spawn(stand_in_portfolio, seen);
    publisher = sys.spawn(stand_in_publisher, seen);
    auto place = [this](caf::actor_system& sys, const algorithm_spec& spec) {
      seen->placed.push_back(spec);
      auto handle = sys.spawn(stand_in_instance, spec);
      instances.push_back(handle);
      return handle;
    };
    router = sys.spawn(quote_router, std::move(routes), place, pf, publisher,
                       std::move(opts));
    run();
  }

  /// The router's counter `name`.
  int64_t counter(const std::string& name) {
    return state_of(router).counters.at(name);
  }
};

strategy_route route(std::string name, std::vector<std::string> symbols = {}) {
  return {std::move(name), "buy_and_hold", "{}", std::move(symbols)};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(quote_router_tests, fixture)

CAF_TEST(each strategy and symbol is placed once with its restored position) {
  router_options opts;
  opts.positions["hold/DAX"] = 7;
  start({route("hold"), route("smi_only", {"SMI"})}, std::move(opts));
  self->send(router, quote_batch{{make_quote("DAX", "100", 1),
                                  make_quote("SMI", "200", 1)}});
  run();
  self->send(router, quote_batch{{make_quote("DAX", "101", 2)}});
  run();
  CAF_REQUIRE_EQUAL(seen->placed.size(), 3u);
  CAF_CHECK_EQUAL(seen->placed[0].strategy, "hold");
  CAF_CHECK_EQUAL(seen->placed[0].symbol, "DAX");
  CAF_CHECK_EQUAL(seen->placed[0].restored_position, 7);
  CAF_CHECK_EQUAL(seen->placed[1].symbol, "SMI");
  CAF_CHECK_EQUAL(seen->placed[1].restored_position, 0);
  CAF_CHECK_EQUAL(seen->placed[2].strategy, "smi_only");
  CAF_CHECK_EQUAL(counter("placements"), 3);
  CAF_CHECK_EQUAL(counter("quotes"), 3);
}

CAF_TEST(a later batch answered first still waits for the earlier one) {
  start({route("hold")});
  self->send(router, quote_batch{{make_quote("DAX", "100", 1)}});
  expect((quote_batch), from(self).to(router));
  self->send(router, quote_batch{{make_quote("SMI", "200", 1)}});
  expect((quote_batch), from(self).to(router));
  CAF_REQUIRE_EQUAL(instances.size(), 2u);
  auto dax = instances[0];
  auto smi = instances[1];
  // The SMI instance answers the second batch before DAX the first.
  expect((quote_part), from(router).to(smi));
  expect((part_result), from(smi).to(router));
  CAF_CHECK(seen->to_portfolio.empty());
  expect((quote_part), from(router).to(dax));
  expect((part_result), from(dax).to(router));
  run();
  CAF_REQUIRE_EQUAL(seen->to_portfolio.size(), 2u);
  CAF_CHECK_EQUAL(seen->to_portfolio[0].quotes.front().symbol, "DAX");
  CAF_CHECK_EQUAL(seen->to_portfolio[1].quotes.front().symbol, "SMI");
  // The senders' answers come in their order too.
  std::vector<uint64_t> answers;
  for (int i = 0; i < 2; ++i)
    answers.push_back(drained());
  CAF_CHECK_EQUAL(answers, (std::vector<uint64_t>{1, 1}));
}

CAF_TEST(signals reach the portfolio sorted by quote and the publisher too) {
  start({route("a"), route("b")});
  self->send(router, quote_batch{{make_quote("DAX", "100", 1),
                                  make_quote("SMI", "200", 1),
                                  make_quote("DAX", "101", 2)}});
  run();
  CAF_REQUIRE_EQUAL(seen->to_portfolio.size(), 1u);
  const auto& batch = seen->to_portfolio.front();
  CAF_REQUIRE_EQUAL(batch.signals.size(), 6u);
  for (size_t i = 1; i < batch.signals.size(); ++i)
    CAF_CHECK_LESS_OR_EQUAL(batch.signals[i - 1].quote_seq,
                            batch.signals[i].quote_seq);
  CAF_REQUIRE_EQUAL(seen->to_publisher.size(), 1u);
  CAF_CHECK_EQUAL(seen->to_publisher.front().signals, batch.signals);
}

CAF_TEST(a failing local instance completes its batch without signals) {
  start({route("fails"), route("hold")});
  self->send(router, quote_batch{{make_quote("DAX", "100", 1)}});
  run();
  // The batch is not held up: it reaches the portfolio with the signal of
  // the instance that answered, and the failure is counted.
  CAF_REQUIRE_EQUAL(seen->to_portfolio.size(), 1u);
  CAF_REQUIRE_EQUAL(seen->to_portfolio.front().signals.size(), 1u);
  CAF_CHECK_EQUAL(seen->to_portfolio.front().signals.front().strategy, "hold");
  CAF_CHECK_EQUAL(drained(), 1u);
  CAF_CHECK_GREATER_OR_EQUAL(counter("algorithm_failures"), 1);
  // Later batches go on trading with the instances that work.
  self->send(router, quote_batch{{make_quote("DAX", "101", 2)}});
  run();
  CAF_REQUIRE_EQUAL(seen->to_portfolio.size(), 2u);
  CAF_CHECK_EQUAL(seen->to_portfolio.back().signals.size(), 1u);
}

CAF_TEST(the router lists its instances matching a pattern) {
  start({route("hold")});
  self->send(router, quote_batch{{make_quote("DAX", "100", 1),
                                  make_quote("SMI", "200", 1)}});
  run();
  drained();
  self->send(router, list_atom_v, std::string{"algorithm/*/SMI"});
  run();
  std::vector<actor_state> listed;
  self->receive([&](std::vector<actor_state>& xs) { listed = std::move(xs); },
                [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_REQUIRE_EQUAL(listed.size(), 1u);
  CAF_CHECK_EQUAL(listed.front().name, "algorithm/hold/SMI");
}

CAF_TEST(the history file is written off the router and a stop waits for it) {
  // The write syncs a file: on the router it held up every quote behind it.
  struct written {
    std::mutex mtx;
    std::thread::id thread;
    std::vector<trading::symbol_history> history;
    int writes = 0;
  };
  auto out = std::make_shared<written>();
  router_options opts;
  opts.history_path = "unused.warmup";
  opts.write_history
    = [out](const std::string&, const std::vector<trading::symbol_history>& h) {
        std::lock_guard<std::mutex> guard{out->mtx};
        out->thread = std::this_thread::get_id();
        out->history = h;
        ++out->writes;
        return trading::status{};
      };
  start({route("hold")}, std::move(opts));
  self->send(router, quote_batch{{make_quote("DAX", "100", 1)}});
  run();
  drained();
  anon_send_exit(router, caf::exit_reason::user_shutdown);
  run();
  std::lock_guard<std::mutex> guard{out->mtx};
  CAF_CHECK_EQUAL(out->writes, 1);
  CAF_CHECK_NOT_EQUAL(out->thread, std::this_thread::get_id());
  CAF_REQUIRE_EQUAL(out->history.size(), 1u);
  CAF_CHECK_EQUAL(out->history.front().symbol, "DAX");
  CAF_CHECK_EQUAL(out->history.front().ticks.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()

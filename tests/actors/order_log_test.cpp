#define CAF_SUITE actors.order_log
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <unistd.h>

#include "actors/messages.hpp"
#include "actors/order_log.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::actors;
using namespace std::chrono_literals;

namespace {

trading::order order_for(uint64_t input_pos) {
  trading::order x;
  x.ts_ms = 1'700'000'000'000;
  x.strategy = "every";
  x.symbol = "DAX";
  x.qty = 1;
  x.price_micros = 1'000'000;
  x.input_pos = input_pos;
  return x;
}

struct fixture : testing::actor_fixture {
  std::string dir;
  std::string path;
  order_log_actor log;

  fixture() {
    char tmpl[] = "/tmp/intuition-order-log-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/orders.journal";
  }

  ~fixture() {
    anon_send_exit(log, caf::exit_reason::user_shutdown);
    run();
    std::string cmd = "rm -rf " + dir;
    CAF_CHECK_EQUAL(std::system(cmd.c_str()), 0);
  }

  void start(trading::fsync_policy policy) {
    auto writer = std::make_shared<trading::journal_writer>();
    CAF_REQUIRE(!writer->open(path, trading::journal_contents{}));
    log = sys.spawn(order_log, writer, order_log_config{policy, 10ms, {}});
    run();
  }

  /// Whether an answer is waiting in the test's mailbox.
  bool answered() {
    return !self->mailbox().empty();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(order_log_tests, fixture)

CAF_TEST(a position is processed once reported and its orders are durable) {
  start(trading::fsync_policy::interval);
  // Asked before the portfolio reported the position: no answer. (Only
  // the jobs run here; `run()` would also fire the sync timer.)
  self->send(log, processed_atom_v, uint64_t{5});
  sched.run();
  CAF_CHECK(!answered());
  // Reported with its order, which still waits for its sync.
  self->send(log, order_batch{{order_for(5)}, 5, 0});
  sched.run();
  CAF_CHECK(!answered());
  run();
  CAF_REQUIRE(answered());
  CAF_CHECK_EQUAL(drained(), 5u);
  auto journal = std::get<trading::journal_contents>(
    trading::read_journal(path, false));
  CAF_REQUIRE_EQUAL(journal.orders.size(), 1u);
  CAF_CHECK_EQUAL(journal.orders[0].input_pos, 5u);
}

CAF_TEST(a report without orders confirms positions that made none) {
  start(trading::fsync_policy::always);
  self->send(log, order_batch{{}, 9, 0});
  self->send(log, processed_atom_v, uint64_t{9});
  run();
  CAF_REQUIRE(answered());
  CAF_CHECK_EQUAL(drained(), 9u);
  // A later position waits for its own report.
  self->send(log, processed_atom_v, uint64_t{12});
  run();
  CAF_CHECK(!answered());
  self->send(log, order_batch{{order_for(11), order_for(12)}, 12, 0});
  run();
  CAF_REQUIRE(answered());
  CAF_CHECK_EQUAL(drained(), 12u);
  CAF_CHECK_EQUAL(state_of(log).counters["durable"], 2);
}

CAF_TEST_FIXTURE_SCOPE_END()

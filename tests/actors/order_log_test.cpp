#define CAF_SUITE actors.order_log
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"
#include "../file_size_limit.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

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
    CAF_REQUIRE(writer->open(path, trading::journal_contents{}));
    log = sys.spawn(order_log, writer, order_log_config{policy, 10ms, {}});
    run();
  }

  /// Size of the journal file in bytes.
  uint64_t journal_bytes() const {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return static_cast<uint64_t>(st.st_size);
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
  auto journal = trading::read_journal(path, false).value();
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

CAF_TEST(batches queued behind each other share one fsync) {
  start(trading::fsync_policy::always);
  // Alone, a batch is synced at once.
  self->send(log, order_batch{{order_for(1)}, 1, 0});
  sched.run();
  CAF_CHECK_EQUAL(state_of(log).counters["syncs"], 1);
  CAF_CHECK_EQUAL(state_of(log).counters["durable"], 1);
  // Three in the mailbox at once: appended one after the other, synced once.
  for (uint64_t i = 2; i <= 4; ++i)
    self->send(log, order_batch{{order_for(i)}, i, 0});
  self->send(log, processed_atom_v, uint64_t{4});
  sched.run();
  CAF_REQUIRE(answered());
  CAF_CHECK_EQUAL(drained(), 4u);
  CAF_CHECK_EQUAL(state_of(log).counters["syncs"], 2);
  CAF_CHECK_EQUAL(state_of(log).counters["durable"], 4);
  CAF_CHECK_EQUAL(trading::read_journal(path, false).value().orders.size(), 4u);
}

CAF_TEST(a failed write halts the log and tells the sender) {
  start(trading::fsync_policy::always);
  self->send(log, order_batch{{order_for(1), order_for(2)}, 2, 0});
  run();
  CAF_CHECK_EQUAL(state_of(log).counters["durable"], 2);
  {
    // The disk is full: the journal cannot grow by one byte.
    fault::file_size_limit full{journal_bytes()};
    self->send(log, order_batch{{order_for(3)}, 3, 0});
    expect((order_batch), from(self).to(log));
    expect((halt_atom, std::string, std::string),
           from(log).to(self).with(halt_atom_v, std::string{"journal"},
                                   "journal " + path
                                     + ": write failed: File too large"));
  }
  // Halted: still answering, counting right, taking no order.
  auto st = state_of(log);
  CAF_CHECK_EQUAL(st.counters["appended"], 2);
  CAF_CHECK_EQUAL(st.counters["durable"], 2);
  CAF_CHECK_EQUAL(st.counters["write_errors"], 1);
  CAF_CHECK_EQUAL(st.counters["refused"], 1);
  auto summary = nlohmann::json::parse(st.summary_json);
  CAF_CHECK(summary["halted"] == "journal");
  CAF_CHECK(summary["halt_error"]
            == "journal " + path + ": write failed: File too large");
  auto halted_gauge = std::find_if(st.metrics.begin(), st.metrics.end(),
                                   [](const actors::metric_sample& x) {
                                     return x.name == "intuition_halted";
                                   });
  CAF_REQUIRE(halted_gauge != st.metrics.end());
  CAF_CHECK_EQUAL(halted_gauge->value, 1.0);
  CAF_CHECK(halted_gauge->labels
            == actors::metric_labels{{"reason", "journal"}});
  // The disk has room again, but a halted log takes nothing: the next
  // order is refused and its sender told again.
  self->send(log, order_batch{{order_for(4)}, 4, 0});
  expect((order_batch), from(self).to(log));
  expect((halt_atom, std::string, std::string), from(log).to(self));
  CAF_CHECK_EQUAL(state_of(log).counters["refused"], 2);
  // Positions of refused orders are never confirmed processed.
  self->send(log, processed_atom_v, uint64_t{3});
  run();
  CAF_CHECK(!answered());
  // Flush answers with what is durable; the journal holds exactly that.
  self->send(log, flush_atom_v);
  run();
  CAF_CHECK_EQUAL(drained(), 2u);
  auto journal = trading::read_journal(path, false).value();
  CAF_CHECK_EQUAL(journal.orders.size(), 2u);
  CAF_CHECK(!journal.torn_tail);
}

CAF_TEST(a halt reaches the observer and the last sender at once) {
  auto writer = std::make_shared<trading::journal_writer>();
  CAF_REQUIRE(writer->open(path, trading::journal_contents{}));
  auto observer = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](halt_atom, const std::string&, const std::string&) {
    }};
  });
  log = sys.spawn(order_log, writer,
                  order_log_config{trading::fsync_policy::always,
                                   10ms,
                                   {},
                                   caf::actor_cast<halt_sink_actor>(observer)});
  run();
  {
    fault::file_size_limit full{journal_bytes()};
    self->send(log, order_batch{{order_for(1)}, 1, 0});
    expect((order_batch), from(self).to(log));
    expect((halt_atom, std::string, std::string), from(log).to(self));
    expect((halt_atom, std::string, std::string), from(log).to(observer));
  }
  anon_send_exit(observer, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()

#define CAF_SUITE actors.order_publisher
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "actors/order_publisher.hpp"
#include "trading/journal.hpp"
#include "actors/publication_mark.hpp"

using namespace intuition;
using namespace intuition::actors;
using namespace std::chrono_literals;
using trading::order;

namespace {

/// One call of the publish function.
struct record {
  std::string topic;
  std::string payload;
  int qos = 0;
};

/// The fake MQTT client: what was published, and the next message id.
struct broker_log {
  std::vector<record> records;
  int next_mid = 1;
  /// While set, every publish fails and nothing is recorded.
  bool fail = false;
  size_t failures = 0;
};

publish_fn make_publish(std::shared_ptr<broker_log> log) {
  return [log](const std::string& topic, const std::string& payload,
               int qos) -> trading::result<int> {
    if (log->fail) {
      ++log->failures;
      return trading::operation_failed("cannot publish to '" + topic
                                       + "': no connection");
    }
    log->records.push_back({topic, payload, qos});
    return log->next_mid++;
  };
}

order make_order(uint64_t seq, std::string strategy, std::string symbol,
                 trading::side direction, int64_t qty, int64_t price_micros) {
  order x;
  x.seq = seq;
  x.id = 100 + seq;
  x.ts_ms = 1'700'000'000'000 + static_cast<int64_t>(seq);
  x.strategy = std::move(strategy);
  x.symbol = std::move(symbol);
  x.direction = direction;
  x.qty = qty;
  x.price_micros = price_micros;
  x.commission_micros = 1'500'000;
  return x;
}

/// Orders 1..n of strategy `sma` on `DAX`, alternating buy and sell.
std::vector<order> sma_orders(uint64_t first, uint64_t last) {
  std::vector<order> result;
  for (auto seq = first; seq <= last; ++seq)
    result.push_back(
      make_order(seq, "sma", "DAX",
                 seq % 2 == 1 ? trading::side::buy : trading::side::sell,
                 static_cast<int64_t>(10 * seq),
                 static_cast<int64_t>(seq) * 1'000'000 + 250'000));
  return result;
}

/// The seq field of a published order payload.
uint64_t seq_of(const record& x) {
  return nlohmann::json::parse(x.payload)["seq"].get<uint64_t>();
}

struct fixture : testing::actor_fixture {
  std::string dir;
  std::string mark_path;
  std::shared_ptr<broker_log> broker = std::make_shared<broker_log>();
  order_publisher_actor pub;

  fixture() {
    char tmpl[] = "/tmp/intuition-publisher-XXXXXX";
    dir = ::mkdtemp(tmpl);
    mark_path = dir + "/orders.journal.published";
  }

  ~fixture() {
    anon_send_exit(pub, caf::exit_reason::user_shutdown);
    run();
    std::string cmd = "rm -rf " + dir;
    CAF_CHECK_EQUAL(std::system(cmd.c_str()), 0);
  }

  static order_publisher_config default_config() {
    order_publisher_config cfg;
    cfg.topic_prefix = "test/";
    cfg.mark_interval = 250ms;
    return cfg;
  }

  void start(order_publisher_config cfg = default_config()) {
    start_with(std::move(cfg),
               publish_fns{make_publish(broker), make_publish(broker)});
  }

  void start_with(order_publisher_config cfg, publish_fns fns) {
    cfg.mark_path = mark_path;
    pub = sys.spawn(order_publisher, std::move(cfg), std::move(fns));
    run();
  }

  void connect() {
    self->send(pub, connection_event{true, ""});
    run();
  }

  void disconnect() {
    self->send(pub, connection_event{false, "connection lost"});
    run();
  }

  void ack(int32_t mid) {
    acks({mid});
  }

  /// The acknowledgements of one read of the connection.
  void acks(std::vector<int32_t> mids) {
    self->send(pub, puback_atom_v, mids);
    expect((puback_atom, std::vector<int32_t>),
           from(self).to(pub).with(_, mids));
  }

  uint64_t mark_on_disk() {
    auto res = actors::read_publication_mark(mark_path);
    if (!res)
      CAF_FAIL(res.error().message);
    return *res;
  }

  actor_state state_of_pub() {
    return state_of(pub);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(order_publisher_tests, fixture)

CAF_TEST(orders wait for the connection and then go out in seq order) {
  start();
  auto orders = sma_orders(1, 2);
  orders.push_back(
    make_order(3, "hold", "SMI", trading::side::buy, 5, 345'500'000));
  self->send(pub, order_batch{{orders[0], orders[1]}});
  self->send(pub, order_batch{{orders[2]}});
  run();
  CAF_CHECK(broker->records.empty());
  CAF_CHECK_EQUAL(state_of_pub().counters["published"], 0);
  connect();
  CAF_REQUIRE_EQUAL(broker->records.size(), 3u);
  CAF_CHECK_EQUAL(broker->records[0].topic, "test/orders/sma");
  CAF_CHECK_EQUAL(broker->records[1].topic, "test/orders/sma");
  CAF_CHECK_EQUAL(broker->records[2].topic, "test/orders/hold");
  for (size_t i = 0; i < 3; ++i) {
    CAF_CHECK_EQUAL(broker->records[i].qos, 1);
    CAF_CHECK_EQUAL(broker->records[i].payload,
                    trading::encode_order_json(orders[i]));
  }
  auto first = nlohmann::json::parse(broker->records[0].payload);
  CAF_CHECK_EQUAL(first["id"].get<uint64_t>(), 101u);
  CAF_CHECK_EQUAL(first["seq"].get<uint64_t>(), 1u);
  CAF_CHECK_EQUAL(first["side"].get<std::string>(), "buy");
  CAF_CHECK_EQUAL(first["qty"].get<int64_t>(), 10);
  CAF_CHECK_EQUAL(first["price"].get<double>(), 1.25);
  auto second = nlohmann::json::parse(broker->records[1].payload);
  CAF_CHECK_EQUAL(second["seq"].get<uint64_t>(), 2u);
  CAF_CHECK_EQUAL(second["side"].get<std::string>(), "sell");
  CAF_CHECK_EQUAL(second["qty"].get<int64_t>(), 20);
  auto third = nlohmann::json::parse(broker->records[2].payload);
  CAF_CHECK_EQUAL(third["id"].get<uint64_t>(), 103u);
  CAF_CHECK_EQUAL(third["seq"].get<uint64_t>(), 3u);
  CAF_CHECK_EQUAL(third["symbol"].get<std::string>(), "SMI");
  CAF_CHECK_EQUAL(third["price"].get<double>(), 345.5);
  // Once connected, a new order goes out as it arrives.
  auto fourth
    = make_order(4, "hold", "SMI", trading::side::sell, 5, 346'000'000);
  self->send(pub, order_batch{{fourth}});
  expect((order_batch), from(self).to(pub));
  CAF_REQUIRE_EQUAL(broker->records.size(), 4u);
  CAF_CHECK_EQUAL(seq_of(broker->records[3]), 4u);
  auto st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["published"], 4);
  CAF_CHECK_EQUAL(st.counters["republished"], 0);
  auto summary = nlohmann::json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["unconfirmed"].get<int>(), 4);
  CAF_CHECK_EQUAL(summary["connected"].get<bool>(), true);
}

CAF_TEST(a batch of orders is handed to the client held and then released) {
  // The client writes what it holds at release: one write for the batch.
  auto events = std::make_shared<std::vector<std::string>>();
  auto publish = make_publish(broker);
  publish_fns fns{[events, publish](const std::string& topic,
                                    const std::string& payload, int qos) {
                    events->push_back("publish");
                    return publish(topic, payload, qos);
                  },
                  make_publish(broker),
                  [events](bool on) {
                    events->push_back(on ? "hold" : "release");
                  }};
  start_with(default_config(), std::move(fns));
  connect();
  events->clear();
  self->send(pub, order_batch{sma_orders(1, 3)});
  run();
  CAF_CHECK_EQUAL(*events,
                  (std::vector<std::string>{"hold", "publish", "publish",
                                            "publish", "release"}));
  // A reconnect publishes every unconfirmed order again, held as well.
  events->clear();
  disconnect();
  connect();
  CAF_CHECK_EQUAL(*events,
                  (std::vector<std::string>{"hold", "publish", "publish",
                                            "publish", "release"}));
}

CAF_TEST(the mark holds the highest contiguously confirmed seq) {
  start();
  connect();
  self->send(pub, order_batch{sma_orders(1, 3)});
  run();
  CAF_REQUIRE_EQUAL(broker->records.size(), 3u);
  // Message ids 1, 2, 3 carry seqs 1, 2, 3. Seq 2 first: the mark stays.
  ack(2);
  CAF_CHECK(!sched.has_pending_timeout());
  CAF_CHECK_EQUAL(mark_on_disk(), 0u);
  auto st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["confirmed"], 1);
  CAF_CHECK_EQUAL(
    nlohmann::json::parse(st.summary_json)["publication_mark"].get<uint64_t>(),
    0u);
  // Seq 1 closes the gap: the mark moves to 2, written on the next tick.
  ack(1);
  CAF_CHECK(sched.has_pending_timeout());
  CAF_CHECK_EQUAL(mark_on_disk(), 0u);
  CAF_CHECK_EQUAL(advance_time(249ms), 0u);
  CAF_CHECK_EQUAL(mark_on_disk(), 0u);
  CAF_CHECK_EQUAL(advance_time(1ms), 1u);
  expect((tick_atom), from(pub).to(pub));
  CAF_CHECK_EQUAL(mark_on_disk(), 2u);
  ack(3);
  CAF_CHECK_EQUAL(mark_on_disk(), 2u);
  CAF_CHECK_EQUAL(advance_time(250ms), 1u);
  expect((tick_atom), from(pub).to(pub));
  CAF_CHECK_EQUAL(mark_on_disk(), 3u);
  // An unknown message id (a signal, or a duplicate) changes nothing.
  ack(3);
  ack(42);
  CAF_CHECK(!sched.has_pending_timeout());
  st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["confirmed"], 3);
  auto summary = nlohmann::json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["publication_mark"].get<uint64_t>(), 3u);
  CAF_CHECK_EQUAL(summary["unconfirmed"].get<int>(), 0);
}

CAF_TEST(one puback message confirms every order of a read) {
  start();
  connect();
  self->send(pub, order_batch{sma_orders(1, 5)});
  run();
  CAF_REQUIRE_EQUAL(broker->records.size(), 5u);
  // One read brought four acknowledgements, out of order, with an id no
  // order holds among them: four orders are confirmed, and the mark moves
  // past the first three seqs (4 is still out).
  acks({3, 1, 42, 2, 5});
  auto st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["confirmed"], 4);
  auto summary = nlohmann::json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["publication_mark"].get<uint64_t>(), 3u);
  CAF_CHECK_EQUAL(summary["unconfirmed"].get<int>(), 1);
  // The same ids again (copies confirmed before) change nothing.
  acks({1, 2, 3});
  CAF_CHECK_EQUAL(state_of_pub().counters["confirmed"], 4);
  acks({4});
  CAF_CHECK_EQUAL(state_of_pub().counters["confirmed"], 5);
  CAF_CHECK_EQUAL(
    nlohmann::json::parse(state_of_pub().summary_json)["publication_mark"]
      .get<uint64_t>(),
    5u);
}

CAF_TEST(a reconnect republishes every unconfirmed order and no confirmed one) {
  start();
  connect();
  self->send(pub, order_batch{sma_orders(1, 3)});
  run();
  ack(1);
  disconnect();
  connect();
  // Seqs 2 and 3 again, in order, with fresh message ids 4 and 5.
  CAF_REQUIRE_EQUAL(broker->records.size(), 5u);
  CAF_CHECK_EQUAL(seq_of(broker->records[3]), 2u);
  CAF_CHECK_EQUAL(seq_of(broker->records[4]), 3u);
  CAF_CHECK_EQUAL(broker->records[3].topic, "test/orders/sma");
  CAF_CHECK_EQUAL(broker->records[3].qos, 1);
  auto st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["published"], 5);
  CAF_CHECK_EQUAL(st.counters["republished"], 2);
  CAF_CHECK_EQUAL(st.counters["disconnects"], 1);
  CAF_CHECK_EQUAL(st.counters["confirmed"], 1);
  // The old connection's id for seq 2 no longer confirms anything.
  ack(2);
  CAF_CHECK_EQUAL(state_of_pub().counters["confirmed"], 1);
  ack(5);
  ack(4);
  run();
  st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["confirmed"], 3);
  auto summary = nlohmann::json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["unconfirmed"].get<int>(), 0);
  CAF_CHECK_EQUAL(summary["publication_mark"].get<uint64_t>(), 3u);
  CAF_CHECK_EQUAL(mark_on_disk(), 3u);
  // Nothing left to republish.
  disconnect();
  connect();
  CAF_CHECK_EQUAL(broker->records.size(), 5u);
  CAF_CHECK_EQUAL(state_of_pub().counters["republished"], 2);
}

CAF_TEST(acknowledgements taken when the publisher runs confirm like pubacks) {
  // What the order connection acknowledged without telling (see
  // runtime::ack_relay), taken whenever the publisher runs.
  auto waiting = std::make_shared<std::vector<int32_t>>();
  auto fns = publish_fns{make_publish(broker), make_publish(broker)};
  fns.take_acks = [waiting] {
    auto out = std::move(*waiting);
    waiting->clear();
    return out;
  };
  start_with(default_config(), std::move(fns));
  connect();
  self->send(pub, order_batch{sma_orders(1, 3)});
  run();
  CAF_REQUIRE_EQUAL(broker->records.size(), 3u);
  // The next batch takes the acknowledgements of 1 and 2 along.
  *waiting = {1, 2};
  self->send(pub, order_batch{sma_orders(4, 4)});
  run();
  auto st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["confirmed"], 2);
  CAF_CHECK_EQUAL(
    nlohmann::json::parse(st.summary_json)["publication_mark"].get<uint64_t>(),
    2u);
  // A reconnect takes them first and publishes only what is unconfirmed:
  // seq 4 is acknowledged meanwhile, so 3 alone goes out again.
  *waiting = {4};
  disconnect();
  connect();
  CAF_REQUIRE_EQUAL(broker->records.size(), 5u);
  CAF_CHECK_EQUAL(seq_of(broker->records[4]), 3u);
  CAF_CHECK_EQUAL(state_of_pub().counters["republished"], 1);
  // A puback message takes the waiting ones along too; a drain then
  // answers at once, with nothing left.
  *waiting = {5};
  acks({});
  CAF_CHECK_EQUAL(state_of_pub().counters["confirmed"], 4);
  self->send(pub, drain_atom_v);
  run();
  CAF_CHECK_EQUAL(drained(), 0u);
  CAF_CHECK_EQUAL(mark_on_disk(), 4u);
}

CAF_TEST(orders left unconfirmed by an earlier run go out on first connect) {
  auto cfg = default_config();
  cfg.unconfirmed = sma_orders(4, 5);
  cfg.mark = 3;
  start(cfg);
  CAF_CHECK(broker->records.empty());
  auto summary = nlohmann::json::parse(state_of_pub().summary_json);
  CAF_CHECK_EQUAL(summary["publication_mark"].get<uint64_t>(), 3u);
  CAF_CHECK_EQUAL(summary["unconfirmed"].get<int>(), 2);
  connect();
  CAF_REQUIRE_EQUAL(broker->records.size(), 2u);
  CAF_CHECK_EQUAL(seq_of(broker->records[0]), 4u);
  CAF_CHECK_EQUAL(seq_of(broker->records[1]), 5u);
  CAF_CHECK_EQUAL(broker->records[0].topic, "test/orders/sma");
  self->send(pub, order_batch{sma_orders(6, 6)});
  run();
  CAF_REQUIRE_EQUAL(broker->records.size(), 3u);
  CAF_CHECK_EQUAL(seq_of(broker->records[2]), 6u);
  // Seq 5 before 4: the mark waits for 4.
  ack(2);
  CAF_CHECK(!sched.has_pending_timeout());
  ack(1);
  CAF_CHECK_EQUAL(advance_time(250ms), 1u);
  expect((tick_atom), from(pub).to(pub));
  CAF_CHECK_EQUAL(mark_on_disk(), 5u);
  ack(3);
  run();
  CAF_CHECK_EQUAL(mark_on_disk(), 6u);
  auto st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["published"], 3);
  CAF_CHECK_EQUAL(st.counters["republished"], 0);
  CAF_CHECK_EQUAL(st.counters["confirmed"], 3);
}

CAF_TEST(signals go out with QoS 0 only while connected) {
  start();
  trading::signal buy{
    "sma", "GOOG", trading::side::buy, 0.75, 345'500'000, 1'700'000'000'123, 7};
  trading::signal sell{"hold", "DAX",          trading::side::sell,
                       1.0,    15'000'000'000, 1'700'000'000'456,
                       8};
  self->send(pub, signal_batch{{buy}});
  run();
  CAF_CHECK(broker->records.empty());
  connect();
  self->send(pub, signal_batch{{buy, sell}});
  run();
  CAF_REQUIRE_EQUAL(broker->records.size(), 2u);
  CAF_CHECK_EQUAL(broker->records[0].topic, "test/signals/sma/GOOG");
  CAF_CHECK_EQUAL(broker->records[0].qos, 0);
  CAF_CHECK_EQUAL(broker->records[1].topic, "test/signals/hold/DAX");
  CAF_CHECK_EQUAL(broker->records[1].qos, 0);
  auto j = nlohmann::json::parse(broker->records[0].payload);
  CAF_CHECK_EQUAL(j["strategy"].get<std::string>(), "sma");
  CAF_CHECK_EQUAL(j["symbol"].get<std::string>(), "GOOG");
  CAF_CHECK_EQUAL(j["side"].get<std::string>(), "buy");
  CAF_CHECK_EQUAL(j["strength"].get<double>(), 0.75);
  CAF_CHECK_EQUAL(j["price"].get<double>(), 345.5);
  CAF_CHECK_EQUAL(j["ts"].get<int64_t>(), 1'700'000'000'123);
  CAF_CHECK_EQUAL(nlohmann::json::parse(broker->records[1].payload)["side"]
                    .get<std::string>(),
                  "sell");
  // The broker acknowledges nothing for QoS 0; a stray id is ignored.
  ack(1);
  disconnect();
  self->send(pub, signal_batch{{sell}});
  run();
  CAF_CHECK_EQUAL(broker->records.size(), 2u);
  auto st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["signals"], 2);
  CAF_CHECK_EQUAL(st.counters["confirmed"], 0);
  CAF_CHECK_EQUAL(st.counters["published"], 0);
}

CAF_TEST(signals stay local when publish_signals is off) {
  auto cfg = default_config();
  cfg.publish_signals = false;
  start(cfg);
  connect();
  self->send(pub, signal_batch{{{"sma", "GOOG", trading::side::buy, 1.0,
                                 1'000'000, 1, 1}}});
  run();
  CAF_CHECK(broker->records.empty());
  CAF_CHECK_EQUAL(state_of_pub().counters["signals"], 0);
}

CAF_TEST(drain answers at once with the unconfirmed count while disconnected) {
  start();
  self->send(pub, order_batch{sma_orders(1, 2)});
  self->send(pub, drain_atom_v);
  run();
  CAF_CHECK_EQUAL(drained(), 2u);
  CAF_CHECK(broker->records.empty());
}

CAF_TEST(drain waits for every puback while connected) {
  start();
  connect();
  self->send(pub, order_batch{sma_orders(1, 2)});
  self->send(pub, drain_atom_v);
  run();
  CAF_CHECK(self->mailbox().empty());
  ack(1);
  CAF_CHECK(self->mailbox().empty());
  ack(2);
  // The answer comes with the last puback, and the mark is on disk before
  // the timer fires: a shutdown right after drain loses nothing.
  expect((uint64_t), from(pub).to(self).with(uint64_t{0}));
  CAF_CHECK_EQUAL(mark_on_disk(), 2u);
  // A drain while orders are out ends early when the connection drops.
  self->send(pub, order_batch{sma_orders(3, 3)});
  self->send(pub, drain_atom_v);
  run();
  CAF_CHECK(self->mailbox().empty());
  disconnect();
  CAF_CHECK_EQUAL(drained(), 1u);
}

CAF_TEST(a failed publish stays unconfirmed until the next connect) {
  start();
  connect();
  broker->fail = true;
  self->send(pub, order_batch{sma_orders(1, 1)});
  run();
  CAF_CHECK(broker->records.empty());
  CAF_CHECK_EQUAL(broker->failures, 1u);
  auto st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["publish_errors"], 1);
  CAF_CHECK_EQUAL(st.counters["published"], 0);
  CAF_CHECK_EQUAL(
    nlohmann::json::parse(st.summary_json)["unconfirmed"].get<int>(), 1);
  broker->fail = false;
  disconnect();
  connect();
  CAF_REQUIRE_EQUAL(broker->records.size(), 1u);
  CAF_CHECK_EQUAL(seq_of(broker->records[0]), 1u);
  CAF_CHECK_EQUAL(broker->records[0].topic, "test/orders/sma");
  ack(1);
  run();
  st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["published"], 1);
  CAF_CHECK_EQUAL(st.counters["confirmed"], 1);
  CAF_CHECK_EQUAL(st.counters["publish_errors"], 1);
  CAF_CHECK_EQUAL(mark_on_disk(), 1u);
}

CAF_TEST(the mark is written on exit) {
  start();
  connect();
  self->send(pub, order_batch{sma_orders(1, 1)});
  run();
  ack(1);
  CAF_CHECK_EQUAL(mark_on_disk(), 0u);
  anon_send_exit(pub, caf::exit_reason::user_shutdown);
  run();
  CAF_CHECK_EQUAL(mark_on_disk(), 1u);
}

CAF_TEST(orders beyond the bound wait in the journal and go out in order) {
  // The journal the order log wrote: orders 1..50.
  auto journal_path = dir + "/orders.journal";
  {
    trading::journal_writer writer;
    CAF_REQUIRE(writer.open(journal_path, trading::journal_contents{}));
    auto orders = sma_orders(1, 50);
    for (auto& x : orders)
      x.seq = x.id = 0;
    CAF_REQUIRE(writer.append(orders));
  }
  auto cfg = default_config();
  cfg.journal_path = journal_path;
  cfg.max_queued = 8;
  start(cfg);
  connect();
  auto journaled = trading::read_journal(journal_path, false).value();
  self->send(pub, order_batch{journaled.orders, 0});
  run();
  // Eight held and published; forty-two wait in the journal.
  CAF_CHECK_EQUAL(broker->records.size(), 8u);
  auto st = state_of(pub);
  CAF_CHECK_EQUAL(st.counters["backlog"], 50);
  CAF_CHECK_EQUAL(st.counters["deferred"], 42);
  auto summary = nlohmann::json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["unconfirmed"].get<size_t>(), 8u);
  CAF_CHECK_EQUAL(summary["waiting_in_journal"].get<size_t>(), 42u);
  // Acknowledgements make room; the rest is read back, never more than
  // eight in memory.
  for (int32_t mid = 1; mid <= 50; ++mid) {
    CAF_REQUIRE(static_cast<size_t>(mid) <= broker->records.size());
    ack(mid);
    run();
    auto now = nlohmann::json::parse(state_of(pub).summary_json);
    CAF_CHECK(now["unconfirmed"].get<size_t>() <= 8u);
  }
  CAF_REQUIRE_EQUAL(broker->records.size(), 50u);
  for (size_t i = 0; i < broker->records.size(); ++i)
    CAF_CHECK_EQUAL(seq_of(broker->records[i]), i + 1);
  auto last = state_of(pub);
  CAF_CHECK_EQUAL(last.counters["backlog"], 0);
  CAF_CHECK_EQUAL(nlohmann::json::parse(last.summary_json)["publication_mark"]
                    .get<uint64_t>(),
                  50u);
}

CAF_TEST(orders and signals go out through clients of their own) {
  auto signals = std::make_shared<broker_log>();
  start_with(default_config(),
             publish_fns{make_publish(broker), make_publish(signals)});
  connect();
  self->send(pub, order_batch{sma_orders(1, 2)});
  self->send(pub, signal_batch{{{"sma", "DAX", trading::side::buy, 1.0,
                                 1'250'000, 1, 1}}});
  run();
  CAF_REQUIRE_EQUAL(broker->records.size(), 2u);
  CAF_CHECK_EQUAL(broker->records[0].qos, 1);
  CAF_CHECK_EQUAL(broker->records[1].qos, 1);
  CAF_REQUIRE_EQUAL(signals->records.size(), 1u);
  CAF_CHECK_EQUAL(signals->records[0].topic, "test/signals/sma/DAX");
  CAF_CHECK_EQUAL(signals->records[0].qos, 0);
  // Both clients numbered their first message 1: only the order client's
  // acknowledgements reach the publisher, and id 1 is order 1's.
  ack(1);
  ack(2);
  run();
  auto summary = nlohmann::json::parse(state_of_pub().summary_json);
  CAF_CHECK_EQUAL(summary["publication_mark"].get<uint64_t>(), 2u);
}

CAF_TEST(orders beyond 65535 message ids in flight are each confirmed once) {
  // The client's ids wrap after 65,535 while the first orders still wait
  // for their PUBACK: ids 1..4,465 are in use twice. The broker acknowledges
  // in publish order and the client retires, for each PUBACK, the oldest
  // message holding its id.
  constexpr uint64_t n = 70'000;
  auto wire = std::make_shared<std::vector<int>>();
  auto last_mid = std::make_shared<int>(0);
  publish_fn wrapping = [wire, last_mid](const std::string&, const std::string&,
                                         int) -> trading::result<int> {
    *last_mid = *last_mid == 65'535 ? 1 : *last_mid + 1;
    wire->push_back(*last_mid);
    return *last_mid;
  };
  auto cfg = default_config();
  cfg.max_queued = 100'000;
  start_with(std::move(cfg), publish_fns{wrapping, make_publish(broker)});
  connect();
  self->send(pub, order_batch{sma_orders(1, n)});
  run();
  CAF_REQUIRE_EQUAL(wire->size(), n);
  CAF_CHECK_EQUAL(wire->back(), 4'465);
  // Half of them acknowledged: the mark is at the last of those, and not
  // beyond it although ids 1..4,465 were acknowledged already.
  for (size_t i = 0; i < n / 2; ++i)
    ack(static_cast<int32_t>((*wire)[i]));
  run();
  auto half = nlohmann::json::parse(state_of_pub().summary_json);
  CAF_CHECK_EQUAL(half["publication_mark"].get<uint64_t>(), n / 2);
  CAF_CHECK_EQUAL(half["unconfirmed"].get<uint64_t>(), n / 2);
  for (size_t i = n / 2; i < n; ++i)
    ack(static_cast<int32_t>((*wire)[i]));
  run();
  auto st = state_of_pub();
  CAF_CHECK_EQUAL(st.counters["confirmed"], static_cast<int64_t>(n));
  auto summary = nlohmann::json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["publication_mark"].get<uint64_t>(), n);
  CAF_CHECK_EQUAL(summary["unconfirmed"].get<uint64_t>(), 0u);
  anon_send_exit(pub, caf::exit_reason::user_shutdown);
  run();
  CAF_CHECK_EQUAL(mark_on_disk(), n);
}

CAF_TEST_FIXTURE_SCOPE_END()

#define CAF_SUITE runtime.mqtt_subscriber

#include "caf/test/unit_test.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/broker.hpp"
#include "runtime/mqtt_client.hpp"
#include "runtime/mqtt_subscriber.hpp"

#include "mqtt_support.hpp"

using namespace intuition::runtime;
namespace trading = intuition::trading;
using namespace std::chrono_literals;

namespace {

/// What a subscriber took, recorded on its network thread. `refuse` batches
/// are answered false (not safe) before any is taken.
struct taker {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::string> taken;
  std::vector<std::string> refused;
  int refuse = 0;
  int connects = 0;
  int unexpected_disconnects = 0;

  source_callbacks callbacks() {
    source_callbacks cb;
    cb.on_messages = [this](const std::vector<inbound_message>& batch) {
      std::lock_guard<std::mutex> guard{mtx};
      auto ok = refuse == 0;
      if (!ok)
        --refuse;
      for (const auto& m : batch)
        (ok ? taken : refused).emplace_back(m.payload);
      cv.notify_all();
      return ok;
    };
    cb.events.on_connect = [this](bool ok, std::string) {
      std::lock_guard<std::mutex> guard{mtx};
      connects += ok ? 1 : 0;
      cv.notify_all();
    };
    cb.events.on_disconnect = [this](std::string, bool unexpected) {
      std::lock_guard<std::mutex> guard{mtx};
      unexpected_disconnects += unexpected ? 1 : 0;
      cv.notify_all();
    };
    return cb;
  }

  template <class Pred>
  bool wait_until(Pred pred) {
    std::unique_lock<std::mutex> guard{mtx};
    return cv.wait_for(guard, patience, pred);
  }

  std::vector<std::string> received() {
    std::lock_guard<std::mutex> guard{mtx};
    return taken;
  }
};

/// A libmosquitto publisher that is connected when returned.
std::unique_ptr<mqtt_client> publisher(const embedded_broker& broker,
                                       std::string id) {
  auto connected = std::make_shared<std::atomic<bool>>(false);
  mqtt_callbacks cb;
  cb.on_connect = [connected](bool ok, std::string) {
    if (ok)
      *connected = true;
  };
  auto pub = std::make_unique<mqtt_client>(
    client_options(broker, std::move(id), true), cb);
  CAF_REQUIRE_EQUAL(or_ok(pub->start()), "ok");
  CAF_REQUIRE(poll_until([&] { return connected->load(); }));
  return pub;
}

} // namespace

CAF_TEST(the subscriber takes 5000 QoS 1 messages once each and in order) {
  constexpr size_t n = 5000;
  auto broker = start_broker();
  taker log;
  mqtt_subscriber sub{client_options(*broker, "own-seq", true),
                      log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/seq", 1)), "ok");
  CAF_CHECK(!sub.subscribed());
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return sub.subscribed(); }));
  auto pub = publisher(*broker, "own-seq-pub");
  auto want = numbered("m", n);
  for (const auto& x : want)
    CAF_REQUIRE(pub->publish("test/seq", x, 1));
  CAF_CHECK(log.wait_until([&] { return log.taken.size() >= n; }));
  CAF_CHECK_EQUAL(log.received(), want);
  sub.stop();
  CAF_CHECK(!sub.connected());
  CAF_CHECK_EQUAL(log.unexpected_disconnects, 0);
}

CAF_TEST(a message not taken is not acknowledged and arrives again) {
  // libmosquitto acknowledges a QoS 1 message before its callback runs: a
  // message lost in the callback was lost for good. This subscriber
  // acknowledges only what was taken, so the broker delivers the rest of a
  // persistent session again after the reconnect.
  auto broker = start_broker();
  taker log;
  log.refuse = 1;
  mqtt_subscriber sub{client_options(*broker, "own-redeliver", false),
                      log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/redeliver", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return sub.subscribed(); }));
  auto pub = publisher(*broker, "own-redeliver-pub");
  CAF_REQUIRE(pub->publish("test/redeliver", "once", 1));
  CAF_CHECK(log.wait_until([&] { return !log.taken.empty(); }));
  CAF_CHECK_EQUAL(log.refused, std::vector<std::string>{"once"});
  CAF_CHECK_EQUAL(log.received(), std::vector<std::string>{"once"});
  CAF_CHECK_GREATER_OR_EQUAL(log.unexpected_disconnects, 1);
  CAF_CHECK_GREATER_OR_EQUAL(sub.reconnects(), 1u);
}

CAF_TEST(the subscriber reconnects and resubscribes after a broker restart) {
  auto broker = start_broker();
  taker log;
  mqtt_subscriber sub{client_options(*broker, "own-restart", true),
                      log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/restart", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return sub.subscribed(); }));
  // The broker forgets the subscription: no persistence, clean session.
  broker->kill_hard();
  CAF_CHECK(poll_until([&] { return !sub.connected() && !sub.subscribed(); }));
  CAF_REQUIRE_EQUAL(or_ok(broker->restart()), "ok");
  CAF_CHECK(poll_until([&] { return sub.subscribed(); }));
  CAF_CHECK_GREATER_OR_EQUAL(sub.reconnects(), 1u);
  auto pub = publisher(*broker, "own-restart-pub");
  CAF_REQUIRE(pub->publish("test/restart", "after", 1));
  CAF_CHECK(log.wait_until([&] { return !log.taken.empty(); }));
  CAF_CHECK_EQUAL(log.received(), std::vector<std::string>{"after"});
}

CAF_TEST(a subscription made while connected is sent at once) {
  auto broker = start_broker();
  taker log;
  mqtt_subscriber sub{client_options(*broker, "own-late", true),
                      log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return sub.connected() && sub.subscribed(); }));
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/late", 0)), "ok");
  CAF_CHECK(poll_until([&] { return sub.subscribed(); }));
  auto pub = publisher(*broker, "own-late-pub");
  CAF_REQUIRE(pub->publish("test/late", "late", 0));
  CAF_CHECK(log.wait_until([&] { return !log.taken.empty(); }));
  CAF_CHECK_EQUAL(log.received(), std::vector<std::string>{"late"});
}

CAF_TEST(start and subscribe refuse what this client cannot do) {
  auto broker = start_broker();
  taker log;
  auto tls = client_options(*broker, "own-tls", true);
  tls.broker.tls = true;
  mqtt_subscriber a{tls, log.callbacks()};
  CAF_CHECK_EQUAL(or_ok(a.start()),
                  "mqtt client 'own-tls' for mqtts://127.0.0.1:"
                    + std::to_string(broker->port())
                    + ": TLS is not supported by this client");
  mqtt_subscriber b{client_options(*broker, "", false), log.callbacks()};
  CAF_CHECK_NOT_EQUAL(or_ok(b.start()), "ok");
  mqtt_subscriber c{client_options(*broker, "own-qos", true), log.callbacks()};
  CAF_CHECK_EQUAL(or_ok(c.subscribe("test/x", 2)),
                  "invalid QoS 2 for topic filter 'test/x': expected 0 or 1");
  CAF_CHECK_NOT_EQUAL(or_ok(c.subscribe("test/#/x", 1)), "ok");
  auto bad_host = client_options(*broker, "own-host", true);
  bad_host.broker.host = "no-such-host.invalid";
  mqtt_subscriber d{bad_host, log.callbacks()};
  CAF_CHECK_NOT_EQUAL(or_ok(d.start()), "ok");
}

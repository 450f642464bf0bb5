#define CAF_SUITE runtime.mqtt_tcp_client

#include "caf/test/unit_test.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/broker.hpp"
#include "runtime/mqtt_client.hpp"
#include "runtime/mqtt_setup.hpp"
#include "runtime/mqtt_tcp_client.hpp"
#include "runtime/mqtt_wire.hpp"

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
  mqtt_tcp_client sub{client_options(*broker, "own-seq", true),
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
  mqtt_tcp_client sub{client_options(*broker, "own-redeliver", false),
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
  mqtt_tcp_client sub{client_options(*broker, "own-restart", true),
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
  mqtt_tcp_client sub{client_options(*broker, "own-late", true),
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
  mqtt_tcp_client a{tls, log.callbacks()};
  CAF_CHECK_EQUAL(or_ok(a.start()),
                  "mqtt client 'own-tls' for mqtts://127.0.0.1:"
                    + std::to_string(broker->port())
                    + ": TLS is not supported by this client");
  mqtt_tcp_client b{client_options(*broker, "", false), log.callbacks()};
  CAF_CHECK_NOT_EQUAL(or_ok(b.start()), "ok");
  mqtt_tcp_client c{client_options(*broker, "own-qos", true), log.callbacks()};
  CAF_CHECK_EQUAL(or_ok(c.subscribe("test/x", 2)),
                  "invalid QoS 2 for topic filter 'test/x': expected 0 or 1");
  CAF_CHECK_NOT_EQUAL(or_ok(c.subscribe("test/#/x", 1)), "ok");
  auto bad_host = client_options(*broker, "own-host", true);
  bad_host.broker.host = "no-such-host.invalid";
  mqtt_tcp_client d{bad_host, log.callbacks()};
  CAF_CHECK_NOT_EQUAL(or_ok(d.start()), "ok");
}

namespace {

/// What a publishing client reported, recorded on its network thread.
struct acks {
  std::mutex mtx;
  std::vector<int> ids;

  mqtt_callbacks callbacks() {
    mqtt_callbacks cb;
    cb.on_published = [this](int id) {
      std::lock_guard<std::mutex> guard{mtx};
      ids.push_back(id);
    };
    return cb;
  }

  size_t count() {
    std::lock_guard<std::mutex> guard{mtx};
    return ids.size();
  }
};

/// A subscriber (at `qos`, its reads waiting `pause_us` under a QoS 0
/// load) and a publisher (with at most `max_inflight` QoS 1 messages on the
/// wire, 0: no bound) on one topic, on a broker of their own.
struct pub_sub {
  std::unique_ptr<embedded_broker> broker = start_broker();
  taker log;
  std::unique_ptr<mqtt_tcp_client> sub;
  acks seen;
  std::unique_ptr<mqtt_tcp_client> pub;
  std::string topic;

  pub_sub(const std::string& name, int qos, int pause_us = 1000,
          int max_inflight = 0)
      : topic("test/" + name) {
    auto opts = client_options(*broker, name, true);
    opts.read_pause_us = pause_us;
    sub = std::make_unique<mqtt_tcp_client>(opts, log.callbacks());
    CAF_REQUIRE_EQUAL(or_ok(sub->subscribe(topic, qos)), "ok");
    CAF_REQUIRE_EQUAL(or_ok(sub->start()), "ok");
    CAF_REQUIRE(poll_until([&] { return sub->subscribed(); }));
    auto pub_opts = client_options(*broker, name + "-pub", true);
    pub_opts.max_inflight = max_inflight;
    pub = std::make_unique<mqtt_tcp_client>(pub_opts, seen.callbacks());
    CAF_REQUIRE_EQUAL(or_ok(pub->start()), "ok");
    CAF_REQUIRE(poll_until([&] { return pub->connected(); }));
  }

  /// Publishes `n` numbered messages with one write (the broker passes
  /// them on faster than a read a message takes them) and checks that the
  /// subscriber took each once, in order.
  void burst(size_t n) {
    auto want = numbered("z", n);
    pub->hold(true);
    for (const auto& x : want)
      CAF_REQUIRE(pub->publish(topic, x, 0));
    pub->hold(false);
    CAF_CHECK(log.wait_until([&] { return log.taken.size() >= n; }));
    CAF_CHECK_EQUAL(log.received(), want);
  }
};

} // namespace

CAF_TEST(callbacks of a refused connection may call the client) {
  // They ran under the client's lock: one that asked the client anything
  // (here what it has not written) waited on itself, and so did the next
  // publish from any thread.
  auto dir = std::filesystem::temp_directory_path()
             / ("intuition-refused-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto passwd = (dir / "passwd").string();
  auto cmd = "mosquitto_passwd -c -b " + passwd + " alice secret";
  CAF_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
  broker_options bopts;
  bopts.password_file = passwd;
  auto broker = start_broker(bopts);
  std::atomic<mqtt_tcp_client*> self{nullptr};
  std::atomic<int> answered{0};
  mqtt_callbacks cb;
  cb.on_refused = [&](mqtt_refusal) {
    if (auto* c = self.load()) {
      c->unsent_bytes();
      ++answered;
    }
  };
  auto opts = client_options(*broker, "refused-own", true);
  opts.username = "alice";
  opts.password = "wrong";
  mqtt_tcp_client client{opts, cb};
  self = &client;
  CAF_REQUIRE_EQUAL(or_ok(client.start()), "ok");
  CAF_CHECK(poll_until([&] { return answered.load() >= 1; }));
  // Still usable from another thread while it retries.
  CAF_CHECK(client.publish("test/refused", "x", 1));
  client.stop();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

CAF_TEST(the client publishes 5000 QoS 1 messages and reports each ack once) {
  constexpr size_t n = 5000;
  auto broker = start_broker();
  taker log;
  mqtt_tcp_client sub{client_options(*broker, "own-pub-sub", true),
                      log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/pub", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return sub.subscribed(); }));
  acks seen;
  auto opts = client_options(*broker, "own-pub", false);
  // Fewer on the wire than published at once: the rest wait their turn.
  opts.max_inflight = 64;
  mqtt_tcp_client pub{opts, seen.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return pub.connected(); }));
  auto want = numbered("p", n);
  std::vector<int> ids;
  for (const auto& x : want) {
    auto id = pub.publish("test/pub", x, 1);
    CAF_REQUIRE(id);
    ids.push_back(*id);
  }
  CAF_CHECK(poll_until([&] { return seen.count() >= n; }));
  CAF_CHECK(log.wait_until([&] { return log.taken.size() >= n; }));
  CAF_CHECK_EQUAL(log.received(), want);
  std::lock_guard<std::mutex> guard{seen.mtx};
  CAF_CHECK_EQUAL(seen.ids, ids);
}

CAF_TEST(acknowledgements read together are reported together) {
  constexpr size_t n = 2000;
  auto broker = start_broker();
  std::mutex mtx;
  std::vector<std::vector<int>> calls;
  mqtt_callbacks cb;
  cb.on_published_together = [&](const std::vector<int>& ids) {
    std::lock_guard<std::mutex> guard{mtx};
    calls.push_back(ids);
  };
  // Set as well: it must not be called besides.
  std::atomic<int> single{0};
  cb.on_published = [&](int) {
    ++single;
  };
  mqtt_tcp_client pub{client_options(*broker, "own-together", true), cb};
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return pub.connected(); }));
  pub.hold(true);
  std::vector<int> ids;
  for (const auto& x : numbered("t", n)) {
    auto id = pub.publish("test/together", x, 1);
    CAF_REQUIRE(id);
    ids.push_back(*id);
  }
  pub.hold(false);
  auto reported = [&] {
    std::lock_guard<std::mutex> guard{mtx};
    size_t k = 0;
    for (const auto& c : calls)
      k += c.size();
    return k;
  };
  CAF_CHECK(poll_until([&] { return reported() >= n; }));
  pub.stop();
  std::vector<int> all;
  for (const auto& c : calls)
    all.insert(all.end(), c.begin(), c.end());
  // Each once, in order; the burst came back in fewer reports than
  // messages (about one per three here: the broker answers as it reads).
  CAF_CHECK_EQUAL(all, ids);
  CAF_CHECK_LESS(calls.size(), n);
  CAF_CHECK_EQUAL(single.load(), 0);
}

CAF_TEST(QoS 1 messages published while the broker is away arrive later) {
  auto broker = start_broker();
  auto opts = client_options(*broker, "own-away-pub", false);
  // The first attempt fails at once; the next comes 3 s later, once the
  // broker is back and the subscriber listens.
  opts.reconnect_min_s = 3;
  opts.reconnect_max_s = 3;
  broker->kill_hard();
  acks seen;
  mqtt_tcp_client pub{opts, seen.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  auto want = numbered("a", 100);
  std::vector<int> ids;
  for (const auto& x : want) {
    auto id = pub.publish("test/away", x, 1);
    CAF_REQUIRE(id);
    ids.push_back(*id);
  }
  CAF_CHECK_EQUAL(or_ok(pub.publish("test/away", "lost", 0)),
                  "mqtt client 'own-away-pub': publish to 'test/away': not "
                  "connected (a QoS 0 message is not kept)");
  CAF_REQUIRE_EQUAL(or_ok(broker->restart()), "ok");
  taker log;
  mqtt_tcp_client sub{client_options(*broker, "own-away-sub", true),
                      log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/away", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return sub.subscribed(); }));
  CAF_CHECK_EQUAL(seen.count(), 0u);
  CAF_CHECK(poll_until([&] { return seen.count() >= want.size(); }));
  CAF_CHECK(log.wait_until([&] { return log.taken.size() >= want.size(); }));
  CAF_CHECK_EQUAL(log.received(), want);
  std::lock_guard<std::mutex> guard{seen.mtx};
  CAF_CHECK_EQUAL(seen.ids, ids);
}

CAF_TEST(publish refuses beyond its bounds and what it cannot send) {
  auto broker = start_broker();
  auto opts = client_options(*broker, "own-bounds", false);
  broker->stop(); // nothing listens: every message stays held
  acks seen;
  mqtt_tcp_client pub{opts, seen.callbacks()};
  CAF_CHECK_EQUAL(or_ok(pub.publish("test/b", "x", 1)),
                  "mqtt client 'own-bounds': publish to 'test/b': the "
                  "client is not running");
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  for (size_t i = 0; i < mqtt_tcp_client::max_held; ++i)
    CAF_REQUIRE(pub.publish("test/b", "x", 1));
  CAF_CHECK_EQUAL(or_ok(pub.publish("test/b", "x", 1)),
                  "mqtt client 'own-bounds': publish to 'test/b': 60000 "
                  "messages wait for the broker's acknowledgement already");
  CAF_CHECK_NOT_EQUAL(or_ok(pub.publish("test/+", "x", 1)), "ok");
  CAF_CHECK_NOT_EQUAL(or_ok(pub.publish("test/b", "x", 2)), "ok");
  pub.stop();
  CAF_CHECK_EQUAL(seen.count(), 0u);
}

CAF_TEST(under a QoS 0 burst reads wait and lose nothing) {
  pub_sub pair{"own-burst0", 0};
  pair.burst(5000);
  CAF_CHECK_GREATER(pair.sub->coalesced_reads(), 0u);
  // A light feed never waits: one message a read.
  auto before = pair.sub->coalesced_reads();
  for (size_t i = 0; i < 20; ++i) {
    CAF_REQUIRE(pair.pub->publish(pair.topic, "light", 0));
    CAF_REQUIRE(
      pair.log.wait_until([&] { return pair.log.taken.size() >= 5001 + i; }));
  }
  CAF_CHECK_EQUAL(pair.sub->coalesced_reads(), before);
}

CAF_TEST(with no read pause a QoS 0 burst makes no read wait) {
  pub_sub pair{"own-nopause", 0, 0};
  pair.burst(5000);
  CAF_CHECK_EQUAL(pair.sub->coalesced_reads(), 0u);
}

CAF_TEST(under a QoS 1 backlog reads wait when told to and lose nothing) {
  // A persistent session's backlog reaches the subscriber as fast as the
  // broker sends it (no inflight window here), in reads of hundreds.
  for (bool pause : {true, false}) {
    auto broker = start_broker();
    std::string topic = "test/backlog1";
    auto opts = client_options(*broker, "own-backlog1", false);
    opts.read_pause_qos1 = pause;
    {
      taker first;
      mqtt_tcp_client away{opts, first.callbacks()};
      CAF_REQUIRE_EQUAL(or_ok(away.subscribe(topic, 1)), "ok");
      CAF_REQUIRE_EQUAL(or_ok(away.start()), "ok");
      CAF_REQUIRE(poll_until([&] { return away.subscribed(); }));
      away.stop();
    }
    acks seen;
    mqtt_tcp_client pub{client_options(*broker, "own-backlog1-pub", true),
                        seen.callbacks()};
    CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
    CAF_REQUIRE(poll_until([&] { return pub.connected(); }));
    auto want = numbered("q", 5000);
    pub.hold(true);
    for (const auto& x : want)
      CAF_REQUIRE(pub.publish(topic, x, 1));
    pub.hold(false);
    CAF_REQUIRE(poll_until([&] { return seen.count() == want.size(); }));
    taker log;
    mqtt_tcp_client sub{opts, log.callbacks()};
    CAF_REQUIRE_EQUAL(or_ok(sub.subscribe(topic, 1)), "ok");
    CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
    CAF_CHECK(log.wait_until([&] { return log.taken.size() >= want.size(); }));
    CAF_CHECK_EQUAL(log.received(), want);
    CAF_CHECK_EQUAL(sub.qos1_windows_seen(), 0u);
    if (pause)
      CAF_CHECK_GREATER(sub.coalesced_reads(), 0u);
    else
      CAF_CHECK_EQUAL(sub.coalesced_reads(), 0u);
  }
}

namespace {

/// A broker that speaks just enough MQTT for one subscriber and sends it
/// `payloads` at QoS 1, `window` at a time, each group once every PUBACK of
/// the one before came: a broker with an inflight window (EMQX's default
/// is 32). mosquitto 2.0's `max_inflight_messages` did not pace a
/// subscriber that way here (reads of 1,000 messages and more with a
/// window of 50).
class windowed_broker {
public:
  windowed_broker(std::string topic, std::vector<std::string> payloads,
                  size_t window)
      : topic_(std::move(topic)), payloads_(std::move(payloads)),
        window_(window) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    CAF_REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len)
                == 0);
    CAF_REQUIRE(::listen(listener_, 1) == 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread{[this] {
      serve();
    }};
  }

  ~windowed_broker() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  mqtt_options client(std::string id) const {
    mqtt_options result;
    result.broker
      = *parse_broker_url("mqtt://127.0.0.1:" + std::to_string(port_));
    result.client_id = std::move(id);
    result.clean_session = true;
    return result;
  }

  /// PUBACKs received.
  size_t acked() const {
    return acked_.load();
  }

private:
  /// Waits for the next packet (10 s at most); false at the end.
  bool next(int fd, mqtt_wire::packet_type& type, std::string& body) {
    for (;;) {
      mqtt_wire::packet p;
      auto cut = mqtt_wire::next_packet(in_, p, 1u << 20);
      if (!cut)
        return false;
      if (*cut > 0) {
        type = p.type;
        body = std::string{p.body};
        in_.erase(0, *cut);
        return true;
      }
      pollfd pf{fd, POLLIN, 0};
      if (stop_ || ::poll(&pf, 1, 10'000) <= 0)
        return false;
      char buf[65536];
      auto n = ::read(fd, buf, sizeof(buf));
      if (n <= 0)
        return false;
      in_.append(buf, static_cast<size_t>(n));
    }
  }

  static bool write_all(int fd, const std::string& out) {
    size_t done = 0;
    while (done < out.size()) {
      auto n = ::send(fd, out.data() + done, out.size() - done, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  void serve() {
    pollfd pf{listener_, POLLIN, 0};
    if (::poll(&pf, 1, 10'000) <= 0)
      return;
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0)
      return;
    mqtt_wire::packet_type type{};
    std::string body;
    // CONNECT, then SUBSCRIBE: accepted as they come.
    if (next(fd, type, body) && type == mqtt_wire::packet_type::connect
        && write_all(fd, std::string{"\x20\x02\x00\x00", 4})
        && next(fd, type, body) && type == mqtt_wire::packet_type::subscribe
        && body.size() >= 2
        && write_all(fd, std::string{"\x90\x03", 2} + body.substr(0, 2)
                           + std::string{"\x01", 1})) {
      for (size_t sent = 0; sent < payloads_.size() && !stop_;) {
        std::string out;
        auto k = std::min(window_, payloads_.size() - sent);
        for (size_t i = 0; i < k; ++i)
          mqtt_wire::encode_publish(
            out, topic_, payloads_[sent + i], 1,
            static_cast<uint16_t>((sent + i) % 65'535 + 1), false);
        if (!write_all(fd, out))
          break;
        sent += k;
        for (size_t waiting = k; waiting > 0;) {
          if (!next(fd, type, body))
            break;
          if (type == mqtt_wire::packet_type::puback) {
            --waiting;
            ++acked_;
          } else if (type == mqtt_wire::packet_type::pingreq) {
            write_all(fd, std::string{"\xd0\x00", 2});
          }
        }
      }
      // Until the client says goodbye.
      while (next(fd, type, body)
             && type != mqtt_wire::packet_type::disconnect) {
      }
    }
    ::close(fd);
  }

  std::string topic_;
  std::vector<std::string> payloads_;
  size_t window_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::string in_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> acked_{0};
  std::thread thread_;
};

} // namespace

CAF_TEST(behind a broker window QoS 1 reads stop waiting) {
  // The broker sends 50 and waits for their PUBACKs, so every waiting
  // read brings 50, a millisecond each (at most 50,000 messages a second).
  // The client sees the window after `window_reads` such reads and then
  // reads as fast as the broker sends.
  auto want = numbered("w", 5000);
  windowed_broker broker{"test/window", want, 50};
  auto opts = broker.client("own-window1");
  opts.read_pause_qos1 = true;
  taker log;
  mqtt_tcp_client sub{opts, log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/window", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_CHECK(log.wait_until([&] { return log.taken.size() >= want.size(); }));
  CAF_CHECK_EQUAL(log.received(), want);
  CAF_CHECK(poll_until([&] { return broker.acked() == want.size(); }));
  CAF_CHECK_EQUAL(sub.qos1_windows_seen(), 1u);
  CAF_CHECK_LESS_OR_EQUAL(sub.coalesced_reads(),
                          mqtt_tcp_client::window_reads + 2);
  sub.stop();
}

CAF_TEST(a held burst stays unwritten while the network thread runs) {
  pub_sub pair{"own-burst", 1};
  auto& pub = *pair.pub;
  pub.hold(true);
  auto want = numbered("b", 3);
  for (const auto& x : want)
    CAF_REQUIRE(pub.publish(pair.topic, x, 1));
  auto held = pub.unsent_bytes();
  // A subscription wakes the network thread, as an acknowledgement
  // arriving in the middle of a burst does: it must not write the burst
  // piecemeal.
  CAF_REQUIRE_EQUAL(or_ok(pub.subscribe("test/unused", 0)), "ok");
  std::this_thread::sleep_for(std::chrono::milliseconds{300});
  CAF_CHECK_GREATER_OR_EQUAL(pub.unsent_bytes(), held);
  CAF_CHECK(pair.log.received().empty());
  pub.hold(false);
  CAF_CHECK(poll_until([&] { return pub.unsent_bytes() == 0; }));
  CAF_CHECK(
    pair.log.wait_until([&] { return pair.log.taken.size() >= want.size(); }));
  CAF_CHECK_EQUAL(pair.log.received(), want);
}

CAF_TEST(held publishes go out together when released) {
  auto broker = start_broker();
  taker log;
  mqtt_tcp_client sub{client_options(*broker, "own-hold-sub", true),
                      log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/hold", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return sub.subscribed(); }));
  acks seen;
  mqtt_tcp_client pub{client_options(*broker, "own-hold-pub", true),
                      seen.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  CAF_REQUIRE(poll_until([&] { return pub.connected(); }));
  pub.hold(true);
  auto want = numbered("h", 3);
  for (const auto& x : want)
    CAF_REQUIRE(pub.publish("test/hold", x, 1));
  // Nothing written yet: all three wait in one buffer.
  CAF_CHECK_GREATER(pub.unsent_bytes(), 3 * (2 + 9 + 2 + 2u));
  pub.hold(false);
  CAF_CHECK(poll_until([&] { return pub.unsent_bytes() == 0; }));
  CAF_CHECK(log.wait_until([&] { return log.taken.size() >= want.size(); }));
  CAF_CHECK_EQUAL(log.received(), want);
  CAF_CHECK(poll_until([&] { return seen.count() >= want.size(); }));
}

CAF_TEST(the order connection puts a burst of 3000 orders on the wire at once) {
  constexpr size_t n = 3000;
  mqtt_options plain;
  pub_sub pair{"own-window", 1, 1000, publish_max_inflight(plain)};
  auto& pub = *pair.pub;
  pub.hold(true);
  auto want = numbered("w", n);
  for (const auto& x : want)
    CAF_REQUIRE(pub.publish(pair.topic, x, 1));
  // Every one is in the buffer the release writes: none waits for room in
  // the window (with 256 in flight, 2,744 would, and the network thread
  // would send them a few at a time as acknowledgements came back).
  CAF_CHECK_GREATER_OR_EQUAL(
    pub.unsent_bytes(),
    n * (2 + 2 + pair.topic.size() + 2 + want.front().size()));
  pub.hold(false);
  CAF_CHECK(poll_until([&] { return pair.seen.count() >= n; }));
  CAF_CHECK(pair.log.wait_until([&] { return pair.log.taken.size() >= n; }));
  CAF_CHECK_EQUAL(pair.log.received(), want);
  // libmosquitto walks its in-flight list for each acknowledgement: over
  // TLS the window stays narrow.
  plain.broker.tls = true;
  CAF_CHECK_EQUAL(publish_max_inflight(plain), publisher_max_inflight);
}

#define CAF_SUITE runtime.mqtt
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "runtime/broker.hpp"
#include "runtime/mqtt_client.hpp"
#include "runtime/mqtt_wire.hpp"

#include "mqtt_support.hpp"

using namespace intuition::runtime;
namespace trading = intuition::trading;
using namespace std::chrono_literals;

namespace {

// -- helpers ------------------------------------------------------------------

/// Everything one client reported, recorded from the network thread. Declare
/// it before the client: the client's callbacks point into it.
struct recorder {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::string> payloads;
  int connects = 0;
  int unexpected_disconnects = 0;
  size_t published = 0;
  int subscribed = 0;

  mqtt_callbacks callbacks() {
    mqtt_callbacks result;
    result.on_message = [this](std::string, std::string payload) {
      update([&] { payloads.push_back(std::move(payload)); });
    };
    result.on_connect = [this](bool ok, std::string) {
      update([&] { connects += ok ? 1 : 0; });
    };
    result.on_disconnect = [this](std::string, bool unexpected) {
      update([&] { unexpected_disconnects += unexpected ? 1 : 0; });
    };
    result.on_published = [this](int) {
      update([&] { ++published; });
    };
    result.on_subscribed = [this](int, std::vector<int>) {
      update([&] { ++subscribed; });
    };
    return result;
  }

  template <class F>
  void update(F f) {
    {
      std::lock_guard<std::mutex> guard{mtx};
      f();
    }
    cv.notify_all();
  }

  /// Waits until `pred` holds (evaluated under the lock) or `patience` ends.
  template <class Pred>
  bool wait_until(Pred pred) {
    std::unique_lock<std::mutex> guard{mtx};
    return cv.wait_for(guard, patience, pred);
  }

  std::vector<std::string> received() {
    std::lock_guard<std::mutex> guard{mtx};
    return payloads;
  }
};

bool port_accepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto ok
    = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

/// "none" when `got` equals `want`, else the first difference.
std::string first_difference(const std::vector<std::string>& got,
                             const std::vector<std::string>& want) {
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    if (got[i] != want[i])
      return "index " + std::to_string(i) + ": got '" + got[i] + "', want '"
             + want[i] + "'";
  if (got.size() != want.size())
    return "got " + std::to_string(got.size()) + " messages, want "
           + std::to_string(want.size());
  return "none";
}

/// Publishes `payloads` with QoS 1; returns the first error or "ok".
std::string publish_all(mqtt_client& client, const std::string& topic,
                        const std::vector<std::string>& payloads) {
  for (const auto& payload : payloads)
    if (auto res = or_ok(client.publish(topic, payload, 1)); res != "ok")
      return res;
  return "ok";
}

/// A folder of the test's own, removed with everything in it.
struct scratch_dir {
  std::string path;

  scratch_dir() {
    auto pattern
      = (std::filesystem::temp_directory_path() / "intuition-mqtt-test-XXXXXX")
          .string();
    std::vector<char> buf{pattern.begin(), pattern.end()};
    buf.push_back('\0');
    CAF_REQUIRE(::mkdtemp(buf.data()) != nullptr);
    path = buf.data();
  }

  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

} // namespace

// -- broker addresses ---------------------------------------------------------

CAF_TEST(broker urls accept the documented forms and reject the rest) {
  struct good_case {
    const char* text;
    const char* host;
    uint16_t port;
    bool tls;
  };
  good_case good[] = {
    {"mqtt://broker.local:1884", "broker.local", 1884, false},
    {"mqtts://10.0.0.1:9000", "10.0.0.1", 9000, true},
    {"127.0.0.1:1883", "127.0.0.1", 1883, false},
    {"mqtt://broker", "broker", 1883, false},
    {"mqtts://broker", "broker", 8883, true},
    {"MQTT://Broker:65535", "Broker", 65535, false},
    {"mqtt://[::1]:1885", "::1", 1885, false},
  };
  for (const auto& x : good) {
    auto url = parse_broker_url(x.text);
    CAF_MESSAGE(x.text);
    CAF_REQUIRE_EQUAL(url ? std::string{} : url.error().message, "");
    CAF_REQUIRE(url);
    CAF_CHECK_EQUAL(url->host, x.host);
    CAF_CHECK_EQUAL(url->port, x.port);
    CAF_CHECK_EQUAL(url->tls, x.tls);
  }
  CAF_CHECK_EQUAL(to_string(*parse_broker_url("mqtts://h")), "mqtts://h:8883");
  CAF_CHECK_EQUAL(to_string(*parse_broker_url("[::1]:7")), "mqtt://[::1]:7");
  struct bad_case {
    const char* text;
    const char* reason;
  };
  bad_case bad[] = {
    {"", "missing host"},
    {"broker", "missing port"},
    {"mqtt://", "missing host"},
    {"mqtt://:1883", "missing host"},
    {"tcp://broker:1883", "unknown scheme 'tcp'"},
    {"mqtt://broker:0", "port '0' is not a number between 1 and 65535"},
    {"mqtt://broker:65536", "port '65536' is not"},
    {"mqtt://broker:", "port '' is not"},
    {"broker:12x", "port '12x' is not"},
    {"mqtt://broker:1883/path", "unexpected character '/'"},
    {"mqtt://user@broker", "unexpected character '@'"},
    {"mqtt://::1:1883", "IPv6 addresses go in brackets"},
    {"mqtt://[::1", "missing ']'"},
  };
  for (const auto& x : bad) {
    auto url = parse_broker_url(x.text);
    CAF_MESSAGE(x.text);
    CAF_REQUIRE(!url);
    CAF_CHECK(url.error().kind == trading::failure_kind::invalid_request);
    const auto& error = url.error().message;
    CAF_CHECK_NOT_EQUAL(error.find(x.reason), std::string::npos);
    CAF_CHECK_NOT_EQUAL(error.find(std::string{"'"} + x.text + "'"),
                        std::string::npos);
    CAF_CHECK_NOT_EQUAL(error.find("expected mqtt://HOST[:PORT]"),
                        std::string::npos);
  }
  CAF_CHECK(!parse_broker_url("nonsense"));
}

// -- embedded broker ----------------------------------------------------------

CAF_TEST(an embedded broker listens on a free loopback port until stopped) {
  auto broker = start_broker();
  auto port = broker->port();
  auto dir = broker->work_dir();
  CAF_CHECK_NOT_EQUAL(port, 0u);
  CAF_CHECK_GREATER(broker->pid(), 0);
  CAF_CHECK_EQUAL(broker->url(), "mqtt://127.0.0.1:" + std::to_string(port));
  CAF_CHECK(port_accepts(port));
  broker->kill_hard();
  CAF_CHECK_EQUAL(broker->pid(), -1);
  CAF_CHECK(!port_accepts(port));
  CAF_REQUIRE_EQUAL(or_ok(broker->restart()), "ok");
  CAF_CHECK_EQUAL(broker->port(), port);
  CAF_CHECK(port_accepts(port));
  broker->stop();
  CAF_CHECK_EQUAL(broker->pid(), -1);
  CAF_CHECK(!port_accepts(port));
  CAF_CHECK(!std::filesystem::exists(dir));
  broker->stop();
  CAF_CHECK_EQUAL(broker->pid(), -1);
}

// -- delivery -----------------------------------------------------------------

CAF_TEST(a subscriber receives 2000 QoS 1 messages once each and in order) {
  constexpr size_t n = 2000;
  auto broker = start_broker();
  recorder sub_log;
  recorder pub_log;
  mqtt_client sub{client_options(*broker, "seq-sub", true),
                  sub_log.callbacks()};
  mqtt_client pub{client_options(*broker, "seq-pub", true),
                  pub_log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/seq", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  CAF_REQUIRE(sub_log.wait_until([&] { return sub_log.subscribed >= 1; }));
  CAF_REQUIRE(pub_log.wait_until([&] { return pub_log.connects >= 1; }));
  auto want = numbered("m", n);
  auto t0 = std::chrono::steady_clock::now();
  CAF_REQUIRE_EQUAL(publish_all(pub, "test/seq", want), "ok");
  CAF_CHECK(pub_log.wait_until([&] { return pub_log.published >= n; }));
  CAF_CHECK(sub_log.wait_until([&] { return sub_log.payloads.size() >= n; }));
  auto elapsed = std::chrono::steady_clock::now() - t0;
  CAF_MESSAGE(
    n << " QoS 1 messages delivered in "
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
      << " ms");
  CAF_CHECK_EQUAL(first_difference(sub_log.received(), want), "none");
}

CAF_TEST(a persistent session receives what was published while it was away) {
  constexpr size_t n = 1500; // above mosquitto's default queue limit of 1000
  auto broker = start_broker();
  auto opts = client_options(*broker, "away-sub", false);
  {
    recorder first_log;
    mqtt_client first{opts, first_log.callbacks()};
    CAF_REQUIRE_EQUAL(or_ok(first.subscribe("test/away", 1)), "ok");
    CAF_REQUIRE_EQUAL(or_ok(first.start()), "ok");
    CAF_REQUIRE(
      first_log.wait_until([&] { return first_log.subscribed >= 1; }));
    first.stop();
    CAF_CHECK(!first.connected());
  }
  recorder pub_log;
  mqtt_client pub{client_options(*broker, "away-pub", true),
                  pub_log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  CAF_REQUIRE(pub_log.wait_until([&] { return pub_log.connects >= 1; }));
  auto want = numbered("a", n);
  CAF_REQUIRE_EQUAL(publish_all(pub, "test/away", want), "ok");
  // Every PUBACK means the broker has queued the message for the session.
  CAF_REQUIRE(pub_log.wait_until([&] { return pub_log.published >= n; }));
  recorder second_log;
  mqtt_client second{opts, second_log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(second.subscribe("test/away", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(second.start()), "ok");
  CAF_CHECK(
    second_log.wait_until([&] { return second_log.payloads.size() >= n; }));
  CAF_CHECK_EQUAL(first_difference(second_log.received(), want), "none");
}

CAF_TEST(the embedded broker delivers a backlog without waiting for pubacks) {
  // mosquitto's default inflight window (20) holds the 21st QoS 1 message
  // until the subscriber acknowledged one: a queued backlog then arrives in
  // reads of 20, each with its round of hand-offs.
  constexpr size_t n = 200;
  auto broker = start_broker();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  CAF_REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(broker->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CAF_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr))
              == 0);
  timeval tv{0, 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string out;
  mqtt_wire::connect_fields hello;
  hello.client_id = "window-sub";
  hello.clean_session = true;
  mqtt_wire::encode_connect(out, hello);
  mqtt_wire::encode_subscribe(out, 1, "test/window", 1);
  CAF_REQUIRE(::write(fd, out.data(), out.size())
              == static_cast<ssize_t>(out.size()));
  // Reads packets until `done` or 5 s pass; never acknowledges a PUBLISH.
  std::string in;
  size_t publishes = 0;
  bool subscribed = false;
  auto read_until = [&](auto done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      auto got = ::read(fd, buf, sizeof(buf));
      if (got > 0)
        in.append(buf, static_cast<size_t>(got));
      for (;;) {
        mqtt_wire::packet p;
        auto size = mqtt_wire::next_packet(in, p, 1u << 20);
        if (!size || *size == 0)
          break;
        if (p.type == mqtt_wire::packet_type::suback)
          subscribed = true;
        if (p.type == mqtt_wire::packet_type::publish)
          ++publishes;
        in.erase(0, *size);
      }
    }
  };
  read_until([&] { return subscribed; });
  CAF_REQUIRE(subscribed);
  recorder pub_log;
  mqtt_client pub{client_options(*broker, "window-pub", true),
                  pub_log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  CAF_REQUIRE(pub_log.wait_until([&] { return pub_log.connects >= 1; }));
  CAF_REQUIRE_EQUAL(publish_all(pub, "test/window", numbered("w", n)), "ok");
  CAF_REQUIRE(pub_log.wait_until([&] { return pub_log.published >= n; }));
  read_until([&] { return publishes >= n; });
  CAF_CHECK_EQUAL(publishes, n);
  ::close(fd);
}

CAF_TEST(subscribed holds once the broker acknowledged every subscription) {
  auto broker = start_broker();
  recorder log;
  mqtt_client sub{client_options(*broker, "suback-sub", true), log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/a", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("$share/g1/test/b", 1)), "ok");
  CAF_CHECK(!sub.subscribed());
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE(log.wait_until([&] { return log.subscribed >= 2; }));
  CAF_CHECK(poll_until([&] { return sub.subscribed(); }));
  // From then on what is published reaches the subscriber, on both filters.
  recorder pub_log;
  mqtt_client pub{client_options(*broker, "suback-pub", true),
                  pub_log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  CAF_REQUIRE(pub_log.wait_until([&] { return pub_log.connects >= 1; }));
  CAF_REQUIRE_EQUAL(publish_all(pub, "test/a", {"x"}), "ok");
  CAF_REQUIRE_EQUAL(publish_all(pub, "test/b", {"y"}), "ok");
  CAF_CHECK(log.wait_until([&] { return log.payloads.size() >= 2; }));
  // Without the broker nothing is subscribed; after its return the client
  // is subscribed again only once the broker acknowledged it again.
  broker->kill_hard();
  CAF_CHECK(poll_until([&] { return !sub.subscribed(); }));
  CAF_REQUIRE_EQUAL(or_ok(broker->restart()), "ok");
  CAF_CHECK(log.wait_until([&] { return log.subscribed >= 4; }));
  CAF_CHECK(poll_until([&] { return sub.subscribed(); }));
}

CAF_TEST(a client reconnects and resubscribes after a broker restart) {
  auto broker = start_broker();
  recorder sub_log;
  recorder pub_log;
  mqtt_client sub{client_options(*broker, "restart-sub", true),
                  sub_log.callbacks()};
  mqtt_client pub{client_options(*broker, "restart-pub", true),
                  pub_log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/restart", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  CAF_REQUIRE(sub_log.wait_until([&] { return sub_log.subscribed >= 1; }));
  CAF_REQUIRE(pub_log.wait_until([&] { return pub_log.connects >= 1; }));
  CAF_CHECK(sub.connected());
  CAF_CHECK_EQUAL(sub.reconnects(), 0u);
  // The broker forgets the subscription: no persistence, clean session.
  CAF_REQUIRE_EQUAL(or_ok(broker->restart()), "ok");
  CAF_CHECK(poll_until([&] { return !sub.connected(); }));
  CAF_CHECK(
    sub_log.wait_until([&] { return sub_log.unexpected_disconnects >= 1; }));
  CAF_CHECK(poll_until([&] { return sub.connected(); }));
  CAF_CHECK_GREATER_OR_EQUAL(sub.reconnects(), 1u);
  CAF_REQUIRE(sub_log.wait_until([&] { return sub_log.subscribed >= 2; }));
  CAF_REQUIRE(pub_log.wait_until([&] { return pub_log.connects >= 2; }));
  CAF_REQUIRE_EQUAL(or_ok(pub.publish("test/restart", "after", 1)), "ok");
  CAF_CHECK(sub_log.wait_until([&] { return !sub_log.payloads.empty(); }));
  CAF_CHECK_EQUAL(sub_log.received(), std::vector<std::string>{"after"});
}

CAF_TEST(a client started before its broker connects once the broker is up) {
  auto broker = start_broker();
  broker->kill_hard();
  recorder log;
  mqtt_client client{client_options(*broker, "early", true), log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(client.subscribe("test/early", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(client.start()), "ok");
  CAF_CHECK(!client.connected());
  CAF_REQUIRE_EQUAL(or_ok(broker->restart()), "ok");
  CAF_CHECK(log.wait_until([&] { return log.subscribed >= 1; }));
  CAF_CHECK(client.connected());
  CAF_CHECK_EQUAL(client.reconnects(), 0u);
}

CAF_TEST(a QoS 1 message published while the broker is down arrives later) {
  // A work folder of our own survives stop(), so the persisted sessions do.
  scratch_dir scratch;
  const auto& dir = scratch.path;
  broker_options bopts;
  bopts.work_dir = dir;
  bopts.persistence = true;
  auto broker = start_broker(bopts);
  recorder sub_log;
  recorder pub_log;
  mqtt_client sub{client_options(*broker, "blip-sub", false),
                  sub_log.callbacks()};
  mqtt_client pub{client_options(*broker, "blip-pub", true),
                  pub_log.callbacks()};
  CAF_REQUIRE_EQUAL(or_ok(sub.subscribe("test/blip", 1)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(sub.start()), "ok");
  CAF_REQUIRE_EQUAL(or_ok(pub.start()), "ok");
  CAF_REQUIRE(sub_log.wait_until([&] { return sub_log.subscribed >= 1; }));
  CAF_REQUIRE(pub_log.wait_until([&] { return pub_log.connects >= 1; }));
  broker->stop();
  CAF_REQUIRE(poll_until([&] { return !pub.connected() && !sub.connected(); }));
  CAF_CHECK_EQUAL(or_ok(pub.publish("test/blip", "while-down", 1)), "ok");
  CAF_CHECK_NOT_EQUAL(or_ok(pub.publish("test/blip", "lost", 0)), "ok");
  CAF_REQUIRE_EQUAL(or_ok(broker->restart()), "ok");
  CAF_CHECK(sub_log.wait_until([&] { return !sub_log.payloads.empty(); }));
  CAF_CHECK(pub_log.wait_until([&] { return pub_log.published >= 1; }));
  CAF_CHECK_EQUAL(sub_log.received(), std::vector<std::string>{"while-down"});
}

// -- errors -------------------------------------------------------------------

CAF_TEST(publish and subscribe reject invalid topics and QoS with a message) {
  auto broker = start_broker();
  recorder log;
  mqtt_client client{client_options(*broker, "errors", true), log.callbacks()};
  CAF_CHECK_NOT_EQUAL(
    or_ok(client.publish("test/x", "early", 1)).find("is not running"),
    std::string::npos);
  CAF_REQUIRE_EQUAL(or_ok(client.start()), "ok");
  CAF_REQUIRE(log.wait_until([&] { return log.connects >= 1; }));
  auto hash = or_ok(client.publish("test/#", "x", 1));
  CAF_CHECK_NOT_EQUAL(hash.find("invalid topic 'test/#'"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(hash.find("'+' and '#'"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(or_ok(client.publish("a/+/b", "x", 0)), "ok");
  CAF_CHECK_NOT_EQUAL(or_ok(client.publish("", "x", 0)), "ok");
  CAF_CHECK_NOT_EQUAL(
    or_ok(client.publish("test/x", "x", 3)).find("invalid QoS 3"),
    std::string::npos);
  CAF_CHECK_NOT_EQUAL(
    or_ok(client.subscribe("a/#/b", 1)).find("invalid topic filter 'a/#/b'"),
    std::string::npos);
  CAF_CHECK_EQUAL(or_ok(client.subscribe("a/+/b", 1)), "ok");
  CAF_CHECK_EQUAL(or_ok(client.publish("test/x", "fine", 1)), "ok");
  CAF_CHECK_NOT_EQUAL(or_ok(client.start()).find("already started"),
                      std::string::npos);
  client.stop();
  client.stop();
  CAF_CHECK_NOT_EQUAL(or_ok(client.publish("test/x", "late", 1)), "ok");
}

CAF_TEST(start rejects invalid options with a message naming the option) {
  auto start_error = [](auto change) {
    mqtt_options opts;
    opts.broker = broker_url{"127.0.0.1", 1, false};
    opts.client_id = "options";
    change(opts);
    mqtt_client client{opts, mqtt_callbacks{}};
    return or_ok(client.start());
  };
  auto has = [](const std::string& text, const char* part) {
    return text.find(part) != std::string::npos;
  };
  CAF_CHECK(has(start_error([](mqtt_options& x) { x.client_id.clear(); }),
                "client_id must be set when clean_session is false"));
  CAF_CHECK(has(start_error([](mqtt_options& x) { x.keepalive_s = 3; }),
                "keepalive_s must be 0 or within 5..65535, got 3"));
  CAF_CHECK(has(start_error([](mqtt_options& x) { x.max_inflight = 70000; }),
                "max_inflight must be within 0..65535"));
  CAF_CHECK(has(start_error([](mqtt_options& x) { x.reconnect_max_s = 0; }),
                "reconnect_max_s (0) must not be below reconnect_min_s (1)"));
  CAF_CHECK(has(start_error([](mqtt_options& x) { x.broker.host.clear(); }),
                "host must not be empty"));
  CAF_CHECK(has(
    start_error([](mqtt_options& x) { x.tls_ca_file = "does-not-exist.pem"; }),
    "cannot use tls_ca_file 'does-not-exist.pem'"));
}

// -- refusals -----------------------------------------------------------------

CAF_TEST(refusals that retrying cannot change are told from passing ones) {
  // CONNACK return codes of MQTT 3.1.1.
  CAF_CHECK(!is_lasting_refusal(0));
  CAF_CHECK(is_lasting_refusal(1));  // unacceptable protocol version
  CAF_CHECK(is_lasting_refusal(2));  // identifier rejected
  CAF_CHECK(!is_lasting_refusal(3)); // server unavailable
  CAF_CHECK(is_lasting_refusal(4));  // bad user name or password
  CAF_CHECK(is_lasting_refusal(5));  // not authorised
  // OpenSSL reasons as libmosquitto logs them.
  CAF_CHECK(is_lasting_tls_error("certificate verify failed"));
  CAF_CHECK(is_lasting_tls_error("tlsv13 alert certificate required"));
  CAF_CHECK(is_lasting_tls_error("sslv3 alert bad certificate"));
  CAF_CHECK(is_lasting_tls_error("tlsv1 alert unknown ca"));
  CAF_CHECK(is_lasting_tls_error("wrong version number"));
  CAF_CHECK(!is_lasting_tls_error("unexpected eof while reading"));
  CAF_CHECK(!is_lasting_tls_error(""));
}

CAF_TEST(start rejects a client certificate without its key or a CA file) {
  auto start_error = [](auto change) {
    mqtt_options opts;
    opts.broker = broker_url{"127.0.0.1", 1, true};
    opts.client_id = "certs";
    change(opts);
    mqtt_client client{opts, mqtt_callbacks{}};
    return or_ok(client.start());
  };
  auto has = [](const std::string& text, const char* part) {
    if (text.find(part) != std::string::npos)
      return true;
    CAF_MESSAGE("missing '" << part << "' in: " << text);
    return false;
  };
  CAF_CHECK(has(start_error([](mqtt_options& x) {
                  x.tls_ca_file = "ca.pem";
                  x.tls_cert_file = "me.pem";
                }),
                "tls_cert_file and tls_key_file go together: got a "
                "certificate without a key"));
  CAF_CHECK(has(start_error([](mqtt_options& x) {
                  x.tls_ca_file = "ca.pem";
                  x.tls_key_file = "me.key";
                }),
                "got a key without a certificate"));
  CAF_CHECK(has(start_error([](mqtt_options& x) {
                  x.tls_cert_file = "me.pem";
                  x.tls_key_file = "me.key";
                }),
                "tls_cert_file needs tls_ca_file"));
}

CAF_TEST(a refused password is reported as lasting while the client retries) {
  scratch_dir scratch;
  const auto& dir = scratch.path;
  auto passwd = dir + "/passwd";
  auto cmd = "mosquitto_passwd -c -b " + passwd + " alice secret";
  CAF_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
  broker_options bopts;
  bopts.password_file = passwd;
  auto broker = start_broker(bopts);
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<mqtt_refusal> refusals;
  int connects = 0;
  mqtt_callbacks cb;
  cb.on_refused = [&](mqtt_refusal x) {
    std::lock_guard<std::mutex> guard{mtx};
    refusals.push_back(std::move(x));
    cv.notify_all();
  };
  cb.on_connect = [&](bool ok, std::string) {
    std::lock_guard<std::mutex> guard{mtx};
    connects += ok ? 1 : 0;
    cv.notify_all();
  };
  auto opts = client_options(*broker, "refused", true);
  opts.username = "alice";
  opts.password = "wrong";
  mqtt_client client{opts, cb};
  CAF_REQUIRE_EQUAL(or_ok(client.start()), "ok");
  {
    // A second report shows the client still retrying after the first.
    std::unique_lock<std::mutex> guard{mtx};
    CAF_REQUIRE(
      cv.wait_for(guard, patience, [&] { return refusals.size() >= 2; }));
    CAF_CHECK_EQUAL(refusals[0].reason, "not authorised");
    CAF_CHECK(!refusals[0].tls);
    CAF_CHECK_EQUAL(connects, 0);
  }
  CAF_CHECK(!client.connected());
  client.stop();
  // The right password connects, and nothing is reported.
  std::vector<mqtt_refusal> none;
  mqtt_callbacks good_cb;
  good_cb.on_refused = [&](mqtt_refusal x) {
    std::lock_guard<std::mutex> guard{mtx};
    none.push_back(std::move(x));
  };
  good_cb.on_connect = cb.on_connect;
  opts.password = "secret";
  mqtt_client good{opts, good_cb};
  CAF_REQUIRE_EQUAL(or_ok(good.start()), "ok");
  {
    std::unique_lock<std::mutex> guard{mtx};
    CAF_CHECK(cv.wait_for(guard, patience, [&] { return connects >= 1; }));
    CAF_CHECK(none.empty());
  }
}

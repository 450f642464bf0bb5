#define CAF_SUITE runtime.config
#include "caf/test/unit_test.hpp"

#include <string>

#include "runtime/config.hpp"

#include "config_support.hpp"
#include "trading/algorithm.hpp"

using namespace intuition;
using runtime::parse_config;

namespace {

/// The message of the failure `x` holds (an invalid request), or "no error".
template <class T>
std::string message_of(const trading::result<T>& x) {
  if (x)
    return "no error";
  CAF_CHECK(x.error().kind == trading::failure_kind::invalid_request);
  return x.error().message;
}

const char* minimal
  = R"({"strategies": [{"name": "s", "algorithm": "buy_and_hold"}]})";

} // namespace

CAF_TEST(a minimal configuration takes every documented default) {
  auto cfg = config_of(minimal);
  CAF_REQUIRE_EQUAL(cfg.strategies.size(), 1u);
  CAF_CHECK(cfg.strategies[0].symbols.empty());
  CAF_CHECK_EQUAL(cfg.strategies[0].channels,
                  std::vector<std::string>{"quotes"});
  CAF_CHECK_EQUAL(cfg.portfolio.starting_cash_micros, 100'000'000'000);
  CAF_CHECK(cfg.portfolio.sizing.kind == trading::sizing_kind::fixed_fraction);
  CAF_CHECK_EQUAL(cfg.portfolio.sizing.fraction, 0.1);
  CAF_CHECK(cfg.journal.fsync == trading::fsync_policy::always);
  CAF_CHECK_EQUAL(cfg.journal.path, "");
  CAF_CHECK_EQUAL(cfg.replay.speed, 0.0);
  CAF_CHECK_EQUAL(cfg.replay.repeat, 1u);
  CAF_CHECK_EQUAL(cfg.codec.max_payload_bytes, 4096u);
}

CAF_TEST(comments are allowed and relative paths follow the config file) {
  auto cfg = config_of(R"({
    // one strategy
    "strategies": [{"name": "s", "algorithm": "sma_crossover",
                    "symbols": ["dax", "SMI"], "params": {"fast": 2, "slow": 5}}],
    "journal": {"path": "../var/j.journal", "fsync": "interval", "interval_ms": 5},
    "replay": {"quotes": "/abs/q.csv", "speed": "60x"},
    "portfolio": {"starting_cash": "2500.50", "commission": {"bps": 1.5}}
  })");
  CAF_CHECK_EQUAL(cfg.strategies[0].symbols,
                  (std::vector<std::string>{"DAX", "SMI"}));
  CAF_CHECK_EQUAL(cfg.journal.path, "/var/j.journal");
  CAF_CHECK(cfg.journal.fsync == trading::fsync_policy::interval);
  CAF_CHECK_EQUAL(cfg.journal.interval_ms, 5);
  CAF_CHECK_EQUAL(cfg.replay.quotes, "/abs/q.csv");
  CAF_CHECK_EQUAL(cfg.replay.speed, 60.0);
  CAF_CHECK_EQUAL(cfg.portfolio.starting_cash_micros, 2'500'500'000);
  CAF_CHECK_EQUAL(cfg.portfolio.commission.bps, 1.5);
  // equal_weight's symbols default to the union of the strategies' symbols.
  CAF_CHECK_EQUAL(cfg.portfolio.sizing.symbols,
                  (std::vector<std::string>{"DAX", "SMI"}));
}

CAF_TEST(a bad configuration names the field the value and what was expected) {
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "magic"}]})"),
    "strategies[0].algorithm: got \"magic\", expected one of: "
    "buy_and_hold, hurst, mean_reversion, momentum, random, "
    "sma_crossover, external");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"algorithm": "random"}]})"),
    "strategies[0].name: got nothing, expected a string (required)");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": []})"),
    "strategies: got [], expected a non-empty list of strategies");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "portfolio": {"starting_cash": -5}})"),
    "portfolio.starting_cash: got -5, expected an amount in (0, "
    "1000000000000]");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "portfolio": {"sizing": {"fraction": "half"}}})"),
    "portfolio.sizing.fraction: got \"half\", expected a number in (0, 1]");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "journal": {"fsync": "sometimes"}})"),
    "journal.fsync: got \"sometimes\", expected one of: always, interval, "
    "never");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "replay": {"speed": "fast"}})"),
    "replay.speed: got \"fast\", expected max, realtime, or a "
    "positive multiple such as 60x");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random",
                               "symbols": []}]})"),
    "strategies[0].symbols: got [], expected \"*\" or a non-empty "
    "list of symbols");
}

CAF_TEST(starting cash and max price are bounded) {
  auto with = [](const std::string& extra) {
    return std::string{
             R"({"strategies": [{"name": "s", "algorithm": "random"}],)"}
           + extra + "}";
  };
  // 9e12 units is 9e18 micros: a short sale would take cash past 2^63.
  CAF_CHECK_EQUAL(error_of(with(R"("portfolio": {"starting_cash": 9e12})")),
                  "portfolio.starting_cash: got 9000000000000.0, expected an "
                  "amount in (0, 1000000000000]");
  CAF_CHECK_EQUAL(error_of(with(R"("portfolio": {"starting_cash": "1e3"})")),
                  "portfolio.starting_cash: got \"1e3\", expected an amount in "
                  "(0, 1000000000000]");
  auto top = config_of(with(R"("portfolio": {"starting_cash": 1e12})"));
  CAF_CHECK_EQUAL(top.portfolio.starting_cash_micros,
                  trading::max_starting_cash_micros);
  auto cfg = config_of(minimal);
  CAF_CHECK_EQUAL(cfg.codec.max_price_micros,
                  trading::default_max_price_micros);
  cfg = config_of(with(R"("codec": {"max_price": "5000.5"})"));
  CAF_CHECK_EQUAL(cfg.codec.max_price_micros, 5'000'500'000);
  CAF_CHECK_EQUAL(error_of(with(R"("codec": {"max_price": 0})")),
                  "codec.max_price: got 0, expected an amount in (0, "
                  "1000000000]");
  CAF_CHECK_EQUAL(
    error_of(with(R"("codec": {"max_price": 2e9})")),
    "codec.max_price: got 2000000000.0, expected an amount in (0, "
    "1000000000]");
}

CAF_TEST(router caps take their defaults and are bounded) {
  auto with = [](const std::string& extra) {
    return std::string{
             R"({"strategies": [{"name": "s", "algorithm": "random"}],)"}
           + extra + "}";
  };
  auto cfg = config_of(minimal);
  CAF_CHECK_EQUAL(cfg.router.max_symbols, 1'000'000u);
  CAF_CHECK_EQUAL(cfg.router.max_instances, 4'000'000u);
  CAF_CHECK(cfg.journal.warmup);
  CAF_CHECK(!config_of(with(R"("journal": {"warmup": false})")).journal.warmup);
  cfg = config_of(with(R"("router": {"max_symbols": 5, "max_instances": 7})"));
  CAF_CHECK_EQUAL(cfg.router.max_symbols, 5u);
  CAF_CHECK_EQUAL(cfg.router.max_instances, 7u);
  CAF_CHECK_EQUAL(error_of(with(R"("router": {"max_symbols": 0})")),
                  "router.max_symbols: got 0, expected an integer in [1, "
                  "100000000]");
  CAF_CHECK_EQUAL(error_of(with(R"("router": {"max_instances": 1.5})")),
                  "router.max_instances: got 1.5, expected an integer in [1, "
                  "400000000]");
  CAF_CHECK_EQUAL(error_of(with(R"("router": {"max_actors": 1})")),
                  "router.max_actors: got 1, expected no such key (known: "
                  "max_instances, max_symbols)");
}

CAF_TEST(unknown keys are rejected at every level) {
  // An empty key is shown quoted rather than as an empty field name (found
  // by the config fuzzer).
  auto empty
    = error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                            "": 1})");
  CAF_CHECK(empty.rfind("\"\": got 1, expected no such key", 0) == 0);
  auto nested_empty
    = error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                                   "portfolio": {"": {}}})");
  CAF_CHECK(
    nested_empty.rfind("portfolio.\"\": got {}, expected no such key", 0) == 0);
  auto top = error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                          "portfolioo": {}})");
  CAF_CHECK(top.rfind("portfolioo: got {}, expected no such key", 0) == 0);
  auto nested
    = error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                             "portfolio": {"risk": {"max_pos": 3}}})");
  CAF_CHECK(
    nested.rfind("portfolio.risk.max_pos: got 3, expected no such key", 0)
    == 0);
  auto strat = error_of(R"({"strategies": [{"name": "s", "algorithm": "random",
                                            "param": {}}]})");
  CAF_CHECK(strat.rfind("strategies[0].param: got {}", 0) == 0);
}

CAF_TEST(algorithm parameters are validated when the config loads) {
  auto msg
    = error_of(R"({"strategies": [{"name": "s", "algorithm": "sma_crossover",
                          "params": {"fast": 30, "slow": 10}}]})");
  CAF_CHECK(msg.rfind("strategies[0].params.fast: got 30", 0) == 0);
  auto unknown
    = error_of(R"({"strategies": [{"name": "s", "algorithm": "random",
                             "params": {"treshold": 0.3}}]})");
  CAF_CHECK(unknown.rfind("strategies[0].params.treshold:", 0) == 0);
}

CAF_TEST(duplicate strategy names and malformed JSON are refused) {
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"},
                                              {"name": "s", "algorithm": "random"}]})"),
    "strategies[1].name: got \"s\", expected a name no other "
    "strategy uses");
  CAF_CHECK(error_of("{\"strategies\": [").rfind("not valid JSON", 0) == 0);
  // A number beyond a double is as unreadable as a syntax error (found by
  // the config fuzzer: it escaped as a bare out_of_range exception).
  CAF_CHECK(error_of(R"({"strategies": [{"name": "s", "algorithm": "random",
                       "params": {"seed": 1e400}}]})")
              .rfind("not valid JSON: [json.exception.out_of_range.406]", 0)
            == 0);
}

CAF_TEST(replay speeds parse as documented) {
  auto speed = [](const std::string& text) {
    auto x = runtime::parse_speed("--speed", text);
    CAF_REQUIRE(x);
    return *x;
  };
  CAF_CHECK_EQUAL(speed("max"), 0.0);
  CAF_CHECK_EQUAL(speed("realtime"), 1.0);
  CAF_CHECK_EQUAL(speed("3600x"), 3600.0);
  CAF_CHECK_EQUAL(speed("0.5x"), 0.5);
  CAF_CHECK_EQUAL(message_of(runtime::parse_speed("--speed", "0x")),
                  "--speed: got \"0x\", expected max, realtime, or a positive "
                  "multiple such as 60x");
}

CAF_TEST(listen metrics and cluster take their documented defaults) {
  auto cfg = config_of(minimal);
  CAF_CHECK(!cfg.listen.specified);
  CAF_CHECK(!cfg.listen.enabled);
  CAF_CHECK_EQUAL(cfg.listen.at.to_string(), "127.0.0.1:4242");
  CAF_CHECK(!cfg.metrics.enabled);
  CAF_CHECK_EQUAL(cfg.metrics.bind, "127.0.0.1");
  CAF_CHECK_EQUAL(cfg.metrics.port, 0u);
  CAF_CHECK(cfg.cluster.nodes.empty());
  CAF_CHECK(cfg.cluster.local);
}

CAF_TEST(listen metrics and cluster values are parsed) {
  auto cfg = config_of(R"({
    "strategies": [{"name": "s", "algorithm": "buy_and_hold"}],
    "listen": "0",
    "metrics": {"port": 9100, "bind": "0.0.0.0"},
    "cluster": {"nodes": ["127.0.0.1:4243", "[::1]:4244", "4245"],
                "local": false}
  })");
  CAF_CHECK(cfg.listen.specified);
  CAF_CHECK(cfg.listen.enabled);
  CAF_CHECK_EQUAL(cfg.listen.at.host, "127.0.0.1");
  CAF_CHECK_EQUAL(cfg.listen.at.port, 0u);
  CAF_CHECK(cfg.metrics.enabled);
  CAF_CHECK_EQUAL(cfg.metrics.port, 9100u);
  CAF_CHECK_EQUAL(cfg.metrics.bind, "0.0.0.0");
  CAF_REQUIRE_EQUAL(cfg.cluster.nodes.size(), 3u);
  CAF_CHECK_EQUAL(cfg.cluster.nodes[0].host, "127.0.0.1");
  CAF_CHECK_EQUAL(cfg.cluster.nodes[0].port, 4243u);
  CAF_CHECK_EQUAL(cfg.cluster.nodes[1].host, "::1");
  CAF_CHECK_EQUAL(cfg.cluster.nodes[1].port, 4244u);
  CAF_CHECK_EQUAL(cfg.cluster.nodes[2].to_string(), "127.0.0.1:4245");
  CAF_CHECK(!cfg.cluster.local);
  // Port 0 of metrics still enables them (a free port).
  auto zero = config_of(R"({
    "strategies": [{"name": "s", "algorithm": "buy_and_hold"}],
    "listen": "10.1.2.3:4300", "metrics": {"port": 0}
  })");
  CAF_CHECK(zero.metrics.enabled);
  CAF_CHECK_EQUAL(zero.metrics.port, 0u);
  CAF_CHECK_EQUAL(zero.listen.at.host, "10.1.2.3");
  CAF_CHECK_EQUAL(zero.listen.at.port, 4300u);
  CAF_CHECK(!zero.listen.at.loopback());
}

CAF_TEST(listen off is specified but disabled) {
  auto cfg = config_of(R"({
    "strategies": [{"name": "s", "algorithm": "buy_and_hold"}],
    "listen": "off"
  })");
  CAF_CHECK(cfg.listen.specified);
  CAF_CHECK(!cfg.listen.enabled);
  auto flag = runtime::parse_listen("--listen", "4242").value();
  CAF_CHECK(flag.specified);
  CAF_CHECK(flag.enabled);
  CAF_CHECK_EQUAL(flag.at.to_string(), "127.0.0.1:4242");
}

CAF_TEST(bad listen metrics and cluster values name their field) {
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "listen": "nope"})"),
    "listen: got \"nope\", expected \"off\" or \"[HOST:]PORT\" "
    "with PORT in [0, 65535] (0: a free port)");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "listen": 4242})"),
    "listen: got 4242, expected \"off\" or \"[HOST:]PORT\"");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "listen": "127.0.0.1:65536"})"),
    "listen: got \"127.0.0.1:65536\", expected \"off\" or "
    "\"[HOST:]PORT\" with PORT in [0, 65535] (0: a free port)");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "metrics": {"port": 70000}})"),
    "metrics.port: got 70000, expected an integer in [0, 65535]");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "metrics": {"port": -1}})"),
    "metrics.port: got -1, expected an integer in [0, 65535]");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "metrics": {"bind": ""}})"),
    "metrics.bind: got \"\", expected an IP address to bind");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "cluster": {"nodes": ["127.0.0.1"]}})"),
    "cluster.nodes[0]: got \"127.0.0.1\", expected "
    "\"[HOST:]PORT\" with PORT in [1, 65535]");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "cluster": {"nodes": ["127.0.0.1:4243",
                                                     "127.0.0.1:0"]}})"),
    "cluster.nodes[1]: got \"127.0.0.1:0\", expected "
    "\"[HOST:]PORT\" with PORT in [1, 65535]");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "cluster": {"nodes": "127.0.0.1:4243"}})"),
    "cluster.nodes: got \"127.0.0.1:4243\", expected a list of "
    "\"HOST:PORT\" strings");
  // cluster.local false without a node is checked once --join had its say.
  for (auto text : {R"({"strategies": [{"name": "s", "algorithm": "random"}],
                        "cluster": {"local": false}})",
                    R"({"strategies": [{"name": "s", "algorithm": "random"}],
                        "cluster": {"nodes": [], "local": false}})"}) {
    auto cfg = config_of(text);
    CAF_CHECK_EQUAL(message_of(check_cluster(cfg.cluster)),
                    "cluster.local: got false, expected true unless "
                    "cluster.nodes (or --join) names at least one node "
                    "(algorithm actors need somewhere to run)");
    cfg.cluster.nodes.push_back({"127.0.0.1", 4243});
    CAF_CHECK(check_cluster(cfg.cluster));
  }
  auto unknown
    = error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                             "metrics": {"prot": 9100}})");
  CAF_CHECK(unknown.rfind("metrics.prot: got 9100, expected no such key", 0)
            == 0);
}

CAF_TEST(endpoints parse with a default host and bracketed ipv6) {
  auto v6 = runtime::parse_endpoint("--node", "[::1]:4243").value();
  CAF_CHECK_EQUAL(v6.host, "::1");
  CAF_CHECK_EQUAL(v6.port, 4243u);
  CAF_CHECK_EQUAL(v6.to_string(), "[::1]:4243");
  CAF_CHECK(v6.loopback());
  auto bare = runtime::parse_endpoint("--node", "4243").value();
  CAF_CHECK_EQUAL(bare.host, "127.0.0.1");
  CAF_CHECK_EQUAL(bare.port, 4243u);
  CAF_CHECK(bare.loopback());
  auto named = runtime::parse_endpoint("--node", "localhost:1").value();
  CAF_CHECK_EQUAL(named.host, "localhost");
  CAF_CHECK_EQUAL(named.port, 1u);
  CAF_CHECK(named.loopback());
  auto lan = runtime::parse_endpoint("--node", "192.168.1.5:80").value();
  CAF_CHECK(!lan.loopback());
  auto any = runtime::parse_endpoint("--listen", "0", true).value();
  CAF_CHECK_EQUAL(any.port, 0u);
}

CAF_TEST(malformed endpoints are refused naming the field) {
  auto error = [](const std::string& text, bool allow_zero = false) {
    return message_of(runtime::parse_endpoint("--node", text, allow_zero));
  };
  const std::string expected
    = ", expected \"[HOST:]PORT\" with PORT in [1, 65535]";
  CAF_CHECK_EQUAL(error("0"), "--node: got \"0\"" + expected);
  CAF_CHECK_EQUAL(error("65536"), "--node: got \"65536\"" + expected);
  CAF_CHECK_EQUAL(error(":4243"), "--node: got \":4243\"" + expected);
  CAF_CHECK_EQUAL(error("127.0.0.1:"), "--node: got \"127.0.0.1:\"" + expected);
  CAF_CHECK_EQUAL(error("[::1]4243"), "--node: got \"[::1]4243\"" + expected);
  CAF_CHECK_EQUAL(error("[::1]:"), "--node: got \"[::1]:\"" + expected);
  CAF_CHECK_EQUAL(error("host:12ab"), "--node: got \"host:12ab\"" + expected);
  CAF_CHECK_EQUAL(error(""), "--node: got \"\"" + expected);
  CAF_CHECK_EQUAL(error("-1", true),
                  "--node: got \"-1\", expected \"[HOST:]PORT\" with PORT in "
                  "[0, 65535]");
}

CAF_TEST(ingress fields take their defaults and are validated) {
  auto cfg = config_of(minimal);
  CAF_CHECK(cfg.ingress.overload == trading::overload_policy::queue);
  CAF_CHECK(cfg.ingress.stale == trading::stale_policy::trade);
  CAF_CHECK(cfg.ingress.fsync == trading::fsync_policy::interval);
  CAF_CHECK_EQUAL(cfg.ingress.fsync_interval_ms, 10);
  CAF_CHECK_EQUAL(cfg.ingress.read_pause_us, 1000);
  CAF_CHECK_EQUAL(cfg.ingress.window_quotes, 8192);
  CAF_CHECK_EQUAL(cfg.ingress.window_bytes, 4 << 20);
  CAF_CHECK_EQUAL(cfg.ingress.segment_bytes, 64 << 20);
  CAF_CHECK_EQUAL(cfg.ingress.log_dir, "");
  CAF_CHECK_EQUAL(cfg.mqtt.max_queued_orders, 10000);
  auto set = config_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                              "ingress": {"overload": "conflate", "stale": "trade",
                                          "fsync": "always", "window_quotes": 16,
                                          "log_dir": "in", "read_pause_us": 0},
                              "mqtt": {"max_queued_orders": 5}})");
  CAF_CHECK(set.ingress.overload == trading::overload_policy::conflate);
  CAF_CHECK(set.ingress.stale == trading::stale_policy::trade);
  CAF_CHECK(set.ingress.fsync == trading::fsync_policy::always);
  CAF_CHECK_EQUAL(set.ingress.window_quotes, 16);
  CAF_CHECK_EQUAL(set.ingress.read_pause_us, 0);
  CAF_CHECK_EQUAL(set.ingress.log_dir, "/cfg/in");
  CAF_CHECK_EQUAL(set.mqtt.max_queued_orders, 5);
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "ingress": {"overload": "drop"}})"),
    "ingress.overload: got \"drop\", expected one of: queue, conflate");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "ingress": {"stale": true}})"),
    "ingress.stale: got true, expected a string");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "ingress": {"window_quotes": 0}})"),
    "ingress.window_quotes: got 0, expected an integer in [1, 10000000]");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "ingress": {"read_pause_us": -1}})"),
    "ingress.read_pause_us: got -1, expected microseconds in [0, 100000]");
  CAF_CHECK(error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                         "ingress": {"window": 5}})")
              .find("ingress.window: got 5, expected no such key")
            == 0);
}

CAF_TEST(mqtt client certificates follow the config file and default to none) {
  auto none = config_of(minimal);
  CAF_CHECK_EQUAL(none.mqtt.tls_cert, "");
  CAF_CHECK_EQUAL(none.mqtt.tls_key, "");
  CAF_CHECK_EQUAL(none.mqtt.retry_refused, false);
  auto cfg
    = config_of(R"({"strategies": [{"name": "s", "algorithm": "buy_and_hold"}],
                              "mqtt": {"tls_ca": "ca.pem", "tls_cert": "certs/me.pem",
                                       "tls_key": "/keys/me.key",
                                       "retry_refused": true}})");
  CAF_CHECK_EQUAL(cfg.mqtt.tls_ca, "/cfg/ca.pem");
  CAF_CHECK_EQUAL(cfg.mqtt.tls_cert, "/cfg/certs/me.pem");
  CAF_CHECK_EQUAL(cfg.mqtt.tls_key, "/keys/me.key");
  CAF_CHECK_EQUAL(cfg.mqtt.retry_refused, true);
  CAF_CHECK(runtime::check_mqtt_credentials(cfg.mqtt));
}

CAF_TEST(mqtt credentials that cannot work together name the flags and fields) {
  auto check = [](auto change) {
    runtime::mqtt_config cfg;
    change(cfg);
    return message_of(runtime::check_mqtt_credentials(cfg));
  };
  CAF_CHECK_EQUAL(check([](runtime::mqtt_config&) {}), "no error");
  CAF_CHECK_EQUAL(check([](runtime::mqtt_config& x) {
                    x.username = "alice";
                    x.password_file = "/run/pw";
                  }),
                  "no error");
  CAF_CHECK_EQUAL(
    check([](runtime::mqtt_config& x) { x.password_file = "/run/pw"; }),
    "--password-file (mqtt.password_file): got \"/run/pw\", "
    "expected --username (mqtt.username) as well: the password "
    "is sent only with a user name");
  auto cert_only = check([](runtime::mqtt_config& x) {
    x.tls_ca = "/ca.pem";
    x.tls_cert = "/me.pem";
  });
  CAF_CHECK_NOT_EQUAL(
    cert_only.find("--tls-cert (mqtt.tls_cert): got \"/me.pem\""),
    std::string::npos);
  CAF_CHECK_NOT_EQUAL(cert_only.find("--tls-key (mqtt.tls_key)"),
                      std::string::npos);
  auto key_only = check([](runtime::mqtt_config& x) {
    x.tls_ca = "/ca.pem";
    x.tls_key = "/me.key";
  });
  CAF_CHECK_NOT_EQUAL(
    key_only.find("--tls-key (mqtt.tls_key): got \"/me.key\""),
    std::string::npos);
  CAF_CHECK_NOT_EQUAL(key_only.find("--tls-cert (mqtt.tls_cert)"),
                      std::string::npos);
  auto no_ca = check([](runtime::mqtt_config& x) {
    x.tls_cert = "/me.pem";
    x.tls_key = "/me.key";
  });
  CAF_CHECK_NOT_EQUAL(no_ca.find("--tls-cert (mqtt.tls_cert)"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(no_ca.find("--tls-ca (mqtt.tls_ca)"), std::string::npos);
}

// -- external algorithms ------------------------------------------------------------

CAF_TEST(an external strategy reads its topics and forwarding) {
  auto cfg = config_of(R"({"strategies": [
    {"name": "ext", "algorithm": "external",
     "params": {"channels": ["ticks/+"], "forward_quotes": false}},
    {"name": "own", "algorithm": "external",
     "params": {"signal_topic": "algo/decisions"}}]})");
  const auto& ext = cfg.strategies[0];
  CAF_REQUIRE(ext.external.has_value());
  CAF_CHECK(!ext.external->forward_quotes);
  CAF_CHECK_EQUAL(ext.channels, std::vector<std::string>{"ticks/+"});
  CAF_CHECK_EQUAL(trading::signal_topic_of(*ext.external, "", ext.name),
                  "signals/in/ext");
  const auto& own = cfg.strategies[1];
  CAF_CHECK(own.external->forward_quotes);
  CAF_CHECK_EQUAL(own.channels, std::vector<std::string>{"quotes"});
  CAF_CHECK_EQUAL(trading::signal_topic_of(*own.external, "p/", own.name),
                  "algo/decisions");
  CAF_CHECK(
    !config_of(R"({"strategies": [{"name": "s", "algorithm": "random"}]})")
       .strategies[0]
       .external);
}

CAF_TEST(external topics that would loop back are refused) {
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "ext", "algorithm": "external",
                                 "params": {"forward": true}}]})"),
    "strategies[0].params.forward: got true, expected one of: signal_topic, "
    "forward_quotes, channels");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [
      {"name": "ext", "algorithm": "external"},
      {"name": "all", "algorithm": "random", "params": {"channels": ["#"]}}]})"),
    "strategies[1].params.channels: got \"#\", expected filters that do not "
    "match quotes/out/ext, where strategies[0] forwards quotes (they would be "
    "traded twice)");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [
      {"name": "ext", "algorithm": "external"},
      {"name": "in", "algorithm": "random"}]})"),
    "strategies[1].name: got \"in\", expected another name: the signals of a "
    "strategy named in would arrive as external signals");
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [
      {"name": "a", "algorithm": "external", "params": {"signal_topic": "x"}},
      {"name": "b", "algorithm": "external", "params": {"signal_topic": "x"}}]})"),
    "strategies[0].params.signal_topic: got \"x\", expected a topic no other "
    "external strategy uses");
  // A prefix moves the forwarding topic out of the filter's way.
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [
      {"name": "ext", "algorithm": "external"},
      {"name": "q", "algorithm": "random", "params": {"channels": ["quotes/#"]}}],
      "mqtt": {"topic_prefix": "rt/"}})"),
                  "no error");
}

// -- operator control ---------------------------------------------------------------

CAF_TEST(risk halt limits are read and bounded with the field named) {
  auto cfg = config_of(R"({"strategies": [{"name": "s", "algorithm":
    "buy_and_hold"}], "portfolio": {"risk": {"max_drawdown": 0.25,
    "max_daily_loss": "1500.5"}}})");
  CAF_CHECK_EQUAL(cfg.portfolio.risk.halt.max_drawdown_ppm, 250'000);
  CAF_CHECK_EQUAL(cfg.portfolio.risk.halt.max_daily_loss_micros, 1'500'500'000);
  CAF_CHECK_EQUAL(config_of(minimal).portfolio.risk.halt.max_drawdown_ppm, 0);
  for (auto bad : {"0", "1", "-0.1", "\"x\"", "1e-07"})
    CAF_CHECK_EQUAL(
      error_of(std::string{R"({"strategies": [{"name": "s", "algorithm":
      "buy_and_hold"}], "portfolio": {"risk": {"max_drawdown": )"}
               + bad + "}}}"),
      "portfolio.risk.max_drawdown: got " + std::string{bad}
        + ", expected a fraction of peak equity in (0, 1), at least "
          "0.000001");
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [{"name": "s", "algorithm":
    "buy_and_hold"}], "portfolio": {"risk": {"max_daily_loss": -5}}})"),
                  "portfolio.risk.max_daily_loss: got -5, expected an "
                  "amount >= 0");
}

CAF_TEST(a strategy file is validated with the configuration messages) {
  auto ok = runtime::parse_strategy(
    R"({"name": "late", "algorithm": "buy_and_hold", "symbols": ["dax"]})");
  CAF_REQUIRE(ok);
  CAF_CHECK_EQUAL(ok->name, "late");
  CAF_CHECK_EQUAL(ok->symbols, std::vector<std::string>{"DAX"});
  CAF_CHECK_EQUAL(ok->channels, std::vector<std::string>{"quotes"});
  auto in_config
    = error_of(R"({"strategies": [{"name": "s", "algorithm": "magic"}]})");
  auto alone = message_of(
    runtime::parse_strategy(R"({"name": "s", "algorithm": "magic"})"));
  CAF_CHECK_EQUAL("strategies[0]." + alone, in_config);
  CAF_CHECK_EQUAL(
    message_of(runtime::parse_strategy(R"({"algorithm": "buy_and_hold"})")),
    "name: got nothing, expected a string (required)");
  CAF_CHECK_EQUAL(message_of(runtime::parse_strategy("[1]")),
                  "(top level): got [1], expected a strategy object");
}

#define CAF_SUITE runtime.metrics
#include "caf/test/unit_test.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <prometheus/metric_family.h>

#include "../http_get.hpp"
#include "actors/telemetry.hpp"
#include "runtime/metrics.hpp"
#include "actors/metric_samples.hpp"

using namespace intuition;
using actors::actor_kind;
using actors::metric_sample;
using actors::metric_type;
using intuition::test::http_get;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line))
    out.push_back(line);
  return out;
}

/// The samples named `name` whose labels are exactly `labels`.
std::vector<metric_sample>
samples_named(const std::vector<metric_sample>& xs, const std::string& name,
              const actors::metric_labels& labels = {}) {
  std::vector<metric_sample> out;
  for (const auto& x : xs)
    if (x.name == name && x.labels == labels)
      out.push_back(x);
  return out;
}

double value_of(const std::vector<metric_sample>& xs, const std::string& name,
                const actors::metric_labels& labels = {}) {
  auto found = samples_named(xs, name, labels);
  if (found.size() != 1)
    CAF_FAIL("expected one sample " << name << ", found " << found.size());
  return found.front().value;
}

uint64_t total(const std::vector<uint64_t>& xs) {
  uint64_t n = 0;
  for (auto x : xs)
    n += x;
  return n;
}

/// Stands in for an actor: what `actor_probe::scope` asks of one.
struct fake_actor {
  struct mailbox_type {
    size_t n = 0;
    size_t size() const {
      return n;
    }
  };
  mailbox_type box;
  mailbox_type& mailbox() {
    return box;
  }
};

} // namespace

CAF_TEST(counters and gauges render with help type and labels) {
  std::vector<metric_sample> xs{
    actors::gauge_sample("caf_system_running_actors", 3),
    actors::counter_sample("intuition_quotes_rejected_total", 2,
                           {{"reason", "not_json"}}),
    actors::counter_sample("my_own_metric", 1.5),
  };
  CAF_CHECK_EQUAL(runtime::exposition_text(xs),
                  "# HELP caf_system_running_actors Number of currently "
                  "running actors.\n"
                  "# TYPE caf_system_running_actors gauge\n"
                  "caf_system_running_actors 3\n"
                  "# HELP intuition_quotes_rejected_total Payloads MQTT "
                  "ingress rejected, by reason.\n"
                  "# TYPE intuition_quotes_rejected_total counter\n"
                  "intuition_quotes_rejected_total{reason=\"not_json\"} 2\n"
                  // A name without help text explains itself by its name.
                  "# HELP my_own_metric my_own_metric\n"
                  "# TYPE my_own_metric counter\n"
                  "my_own_metric 1.5\n");
}

CAF_TEST(samples of one name form one family in first seen order) {
  std::vector<metric_sample> xs{
    actors::counter_sample("intuition_orders_total", 40,
                           {{"strategy", "every"}, {"side", "buy"}}),
    actors::gauge_sample("intuition_cash", 999.5),
    actors::counter_sample("intuition_orders_total", 1,
                           {{"strategy", "sma"}, {"side", "sell"}}),
  };
  auto families = runtime::to_families(xs);
  CAF_REQUIRE_EQUAL(families.size(), 2u);
  CAF_CHECK_EQUAL(families[0].name, "intuition_orders_total");
  CAF_CHECK_EQUAL(families[0].metric.size(), 2u);
  CAF_CHECK_EQUAL(families[1].name, "intuition_cash");
  CAF_CHECK_EQUAL(
    lines_of(runtime::exposition_text(xs)),
    (std::vector<std::string>{
      "# HELP intuition_orders_total Orders filled, by strategy and side.",
      "# TYPE intuition_orders_total counter",
      "intuition_orders_total{strategy=\"every\",side=\"buy\"} 40",
      "intuition_orders_total{strategy=\"sma\",side=\"sell\"} 1",
      "# HELP intuition_cash Cash, in currency units.",
      "# TYPE intuition_cash gauge",
      "intuition_cash 999.5",
    }));
}

CAF_TEST(histogram buckets render cumulatively up to plus infinity) {
  metric_sample h;
  h.name = "caf_actor_processing_time_seconds";
  h.type = metric_type::histogram;
  h.labels = {{"name", "portfolio"}};
  h.value = 6.25;
  h.bounds = actors::caf_default_buckets();
  // Per bucket: 1 at <= 10us, 2 at <= 500us, 1 at <= 1s, 3 above 5s.
  h.counts = {1, 0, 2, 0, 0, 0, 0, 1, 0, 3};
  auto lines = lines_of(runtime::exposition_text({h}));
  const std::string n = "caf_actor_processing_time_seconds";
  const std::string l = "{name=\"portfolio\"";
  CAF_REQUIRE_EQUAL(lines.size(), 14u);
  CAF_CHECK_EQUAL(lines[0],
                  "# HELP " + n + " Time an actor needs to process messages.");
  CAF_CHECK_EQUAL(lines[1], "# TYPE " + n + " histogram");
  std::vector<std::string> rest(lines.begin() + 2, lines.end());
  CAF_CHECK_EQUAL(rest, (std::vector<std::string>{
                          n + "_count" + l + "} 7",
                          n + "_sum" + l + "} 6.25",
                          n + "_bucket" + l + ",le=\"1e-05\"} 1",
                          n + "_bucket" + l + ",le=\"0.0001\"} 1",
                          n + "_bucket" + l + ",le=\"0.0005\"} 3",
                          n + "_bucket" + l + ",le=\"0.001\"} 3",
                          n + "_bucket" + l + ",le=\"0.01\"} 3",
                          n + "_bucket" + l + ",le=\"0.1\"} 3",
                          n + "_bucket" + l + ",le=\"0.5\"} 3",
                          n + "_bucket" + l + ",le=\"1\"} 4",
                          n + "_bucket" + l + ",le=\"5\"} 4",
                          n + "_bucket" + l + ",le=\"+Inf\"} 7",
                        }));
}

CAF_TEST(a bucket histogram renders the same as its counts say) {
  actors::bucket_histogram h;
  for (auto x : {0.0, 0.00390625, 0.00390625, 2.0})
    h.observe(x);
  auto lines = lines_of(
    runtime::exposition_text({h.sample("intuition_tick_to_order_seconds")}));
  const std::string n = "intuition_tick_to_order_seconds";
  CAF_REQUIRE_EQUAL(lines.size(), 14u);
  CAF_CHECK_EQUAL(lines[1], "# TYPE " + n + " histogram");
  CAF_CHECK_EQUAL(lines[2], n + "_count 4");
  CAF_CHECK_EQUAL(lines[3], n + "_sum 2.0078125");
  CAF_CHECK_EQUAL(lines[4], n + "_bucket{le=\"1e-05\"} 1");
  CAF_CHECK_EQUAL(lines[7], n + "_bucket{le=\"0.001\"} 1");
  CAF_CHECK_EQUAL(lines[8], n + "_bucket{le=\"0.01\"} 3");
  CAF_CHECK_EQUAL(lines[11], n + "_bucket{le=\"1\"} 3");
  CAF_CHECK_EQUAL(lines[12], n + "_bucket{le=\"5\"} 4");
  CAF_CHECK_EQUAL(lines[13], n + "_bucket{le=\"+Inf\"} 4");
}

CAF_TEST(caf samples name the system figures and every started kind) {
  actors::actor_probe probe{actor_kind::portfolio};
  auto xs = actors::caf_samples(7);
  CAF_REQUIRE(!xs.empty());
  CAF_CHECK_EQUAL(xs[0].name, "caf_system_running_actors");
  CAF_CHECK(xs[0].type == metric_type::gauge);
  CAF_CHECK_EQUAL(xs[0].value, 7.0);
  CAF_CHECK_EQUAL(
    samples_named(xs, "caf_system_processed_messages_total").size(), 1u);
  CAF_CHECK_EQUAL(
    samples_named(xs, "caf_system_rejected_messages_total").size(), 1u);
  const actors::metric_labels pf{{"name", "portfolio"}};
  auto mailbox = samples_named(xs, "caf_actor_mailbox_size", pf);
  CAF_REQUIRE_EQUAL(mailbox.size(), 1u);
  CAF_CHECK(mailbox[0].type == metric_type::gauge);
  for (auto name : {"caf_actor_processing_time_seconds",
                    "caf_actor_mailbox_time_seconds"}) {
    auto h = samples_named(xs, name, pf);
    CAF_REQUIRE_EQUAL(h.size(), 1u);
    CAF_CHECK(h[0].type == metric_type::histogram);
    CAF_CHECK_EQUAL(h[0].bounds, actors::caf_default_buckets());
    CAF_CHECK_EQUAL(h[0].counts.size(), 10u);
  }
  // Exactly the kinds some probe was ever made for carry actor series.
  for (size_t i = 0; i < actors::actor_kind_count; ++i) {
    auto kind = static_cast<actor_kind>(i);
    actors::metric_labels labels{{"name", std::string{to_string(kind)}}};
    auto started = actors::stats(kind).started.load() > 0;
    CAF_CHECK_EQUAL(samples_named(xs, "caf_actor_mailbox_size", labels).size(),
                    started ? 1u : 0u);
  }
}

CAF_TEST(a probe counts processed and rejected messages of its kind) {
  auto& k = actors::stats(actor_kind::order_log);
  auto processed0 = k.processed.load();
  auto rejected0 = k.rejected.load();
  auto mailbox0 = k.mailbox_size.load();
  auto timed0 = total(k.processing_time.sample("x", {}).counts);
  auto before = actors::caf_samples(0);
  {
    actors::actor_probe probe{actor_kind::order_log};
    fake_actor self;
    self.box.n = 3;
    { auto timer = probe.time(&self); }
    self.box.n = 5;
    { auto timer = probe.time(&self); }
    probe.rejected();
    CAF_CHECK_EQUAL(probe.processed(), 2u);
    CAF_CHECK_EQUAL(probe.mailbox_size(), 5);
    CAF_CHECK_EQUAL(k.processed.load(), processed0 + 2);
    CAF_CHECK_EQUAL(k.rejected.load(), rejected0 + 1);
    // The kind's gauge holds this actor's latest mailbox size, not a sum of
    // every size it ever reported.
    CAF_CHECK_EQUAL(k.mailbox_size.load(), mailbox0 + 5);
    CAF_CHECK_EQUAL(total(k.processing_time.sample("x", {}).counts),
                    timed0 + 2);
    auto after = actors::caf_samples(0);
    CAF_CHECK_EQUAL(value_of(after, "caf_system_processed_messages_total")
                      - value_of(before, "caf_system_processed_messages_total"),
                    2.0);
    CAF_CHECK_EQUAL(value_of(after, "caf_system_rejected_messages_total")
                      - value_of(before, "caf_system_rejected_messages_total"),
                    1.0);
    CAF_CHECK_EQUAL(
      value_of(after, "caf_actor_mailbox_size", {{"name", "order_log"}}),
      static_cast<double>(mailbox0 + 5));
    actors::actor_state st;
    probe.stamp(st, 4);
    CAF_CHECK_EQUAL(st.mailbox_size, 4);
    CAF_CHECK_EQUAL(st.processed, 2);
    CAF_CHECK_EQUAL(st.node, actors::node_label());
  }
  // What the actor still had queued leaves the gauge with it.
  CAF_CHECK_EQUAL(k.mailbox_size.load(), mailbox0);
}

CAF_TEST(mailbox time is measured only for local stamped messages) {
  auto& k = actors::stats(actor_kind::mqtt_ingress);
  actors::actor_probe probe{actor_kind::mqtt_ingress};
  auto counts0 = k.mailbox_time.sample("x", {}).counts;
  probe.mailbox_time(0, true);
  probe.mailbox_time(actors::steady_now_ns() - 10'000'000'000, false);
  CAF_CHECK_EQUAL(k.mailbox_time.sample("x", {}).counts, counts0);
  // Sent ten seconds ago: beyond the last bound (5 s), in the +Inf bucket.
  probe.mailbox_time(actors::steady_now_ns() - 10'000'000'000, true);
  auto counts1 = k.mailbox_time.sample("x", {}).counts;
  CAF_REQUIRE_EQUAL(counts1.size(), 10u);
  CAF_CHECK_EQUAL(counts1[9], counts0[9] + 1);
  CAF_CHECK_EQUAL(total(counts1), total(counts0) + 1);
}

CAF_TEST(process samples report memory and open file descriptors) {
  auto xs = runtime::process_samples();
  for (auto name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_start_time_seconds",
        "process_open_fds"})
    CAF_CHECK_EQUAL(samples_named(xs, name).size(), 1u);
  auto rss = value_of(xs, "process_resident_memory_bytes");
  auto vsize = value_of(xs, "process_virtual_memory_bytes");
  auto page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  CAF_CHECK_GREATER(rss, 0.0);
  CAF_CHECK_EQUAL(static_cast<int64_t>(rss) % static_cast<int64_t>(page), 0);
  CAF_CHECK_GREATER_OR_EQUAL(vsize, rss);
  CAF_CHECK_GREATER_OR_EQUAL(value_of(xs, "process_cpu_seconds_total"), 0.0);
  auto start = value_of(xs, "process_start_time_seconds");
  CAF_CHECK_GREATER(start, 1e9);
  CAF_CHECK_LESS_OR_EQUAL(start, static_cast<double>(std::time(nullptr)) + 2);
  CAF_CHECK(samples_named(xs, "process_cpu_seconds_total")[0].type
            == metric_type::counter);
  CAF_CHECK(samples_named(xs, "process_open_fds")[0].type
            == metric_type::gauge);
}

CAF_TEST(open file descriptors count exactly the ones this process holds) {
  auto fds = value_of(runtime::process_samples(), "process_open_fds");
  CAF_CHECK_GREATER(fds, 0.0);
  auto a = ::dup(0);
  auto b = ::dup(0);
  CAF_REQUIRE(a >= 0 && b >= 0);
  CAF_CHECK_EQUAL(value_of(runtime::process_samples(), "process_open_fds"),
                  fds + 2);
  ::close(a);
  ::close(b);
  CAF_CHECK_EQUAL(value_of(runtime::process_samples(), "process_open_fds"),
                  fds);
}

CAF_TEST(ready answers 503 with what the process waits for until it is ready) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::atomic<bool> subscribed{false};
  auto started = runtime::metrics_server::start(
    sys, {}, "127.0.0.1", 0, [&]() -> std::optional<std::string> {
      if (subscribed)
        return std::nullopt;
      return std::string{"waiting for the broker"};
    });
  CAF_REQUIRE(started);
  auto server = std::move(*started);
  auto port = server->port();
  auto answer = http_get(port, "/ready");
  CAF_CHECK_EQUAL(answer.first, 503);
  CAF_CHECK_EQUAL(answer.second, "not ready: waiting for the broker\n");
  // The metrics are served meanwhile, and other paths are not ours.
  CAF_CHECK_EQUAL(http_get(port, "/metrics").first, 200);
  CAF_CHECK_EQUAL(http_get(port, "/readyz").first, 404);
  subscribed = true;
  answer = http_get(port, "/ready");
  CAF_CHECK_EQUAL(answer.first, 200);
  CAF_CHECK_EQUAL(answer.second, "ready\n");
  server.reset();
  CAF_CHECK_EQUAL(http_get(port, "/ready").first, 0);
}

CAF_TEST(a process without a readiness check is ready once it serves) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto started = runtime::metrics_server::start(sys, {}, "127.0.0.1", 0);
  CAF_REQUIRE(started);
  auto server = std::move(*started);
  CAF_CHECK_EQUAL(http_get(server->port(), "/ready").first, 200);
}

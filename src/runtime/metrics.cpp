#include "runtime/metrics.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

#include <CivetServer.h>
#include <caf/all.hpp>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include "actors/metric_catalog.hpp"
#include "actors/telemetry.hpp"

namespace intuition::runtime {

namespace {

using actors::metric_type;

// The process metrics, as Prometheus client libraries name them.

const actors::metric_info cpu_seconds{
  "process_cpu_seconds_total",
  metric_type::counter,
  "Total user and system CPU time spent in seconds.",
  {}};

const actors::metric_info resident_memory{"process_resident_memory_bytes",
                                          metric_type::gauge,
                                          "Resident memory size in bytes.",
                                          {}};

const actors::metric_info virtual_memory{"process_virtual_memory_bytes",
                                         metric_type::gauge,
                                         "Virtual memory size in bytes.",
                                         {}};

const actors::metric_info start_time{
  "process_start_time_seconds",
  metric_type::gauge,
  "Start time of the process since unix epoch in seconds.",
  {}};

const actors::metric_info open_fds_metric{"process_open_fds",
                                          metric_type::gauge,
                                          "Number of open file descriptors.",
                                          {}};

/// The help text of every declared metric, by name.
const std::map<std::string, std::string>& help_texts() {
  static const auto texts = [] {
    std::map<std::string, std::string> out;
    for (const auto& x : exported_metrics())
      out.emplace(x.name, x.help);
    return out;
  }();
  return texts;
}

prometheus::MetricType to_prometheus(actors::metric_type x) {
  switch (x) {
    case actors::metric_type::counter:
      return prometheus::MetricType::Counter;
    case actors::metric_type::gauge:
      return prometheus::MetricType::Gauge;
    case actors::metric_type::histogram:
      return prometheus::MetricType::Histogram;
  }
  return prometheus::MetricType::Untyped;
}

prometheus::ClientMetric to_client_metric(const actors::metric_sample& x) {
  prometheus::ClientMetric out;
  for (const auto& [k, v] : x.labels)
    out.label.push_back({k, v});
  switch (x.type) {
    case actors::metric_type::counter:
      out.counter.value = x.value;
      break;
    case actors::metric_type::gauge:
      out.gauge.value = x.value;
      break;
    case actors::metric_type::histogram: {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < x.counts.size(); ++i) {
        cumulative += x.counts[i];
        auto bound = i < x.bounds.size()
                       ? x.bounds[i]
                       : std::numeric_limits<double>::infinity();
        out.histogram.bucket.push_back({cumulative, bound});
      }
      out.histogram.sample_count = cumulative;
      out.histogram.sample_sum = x.value;
      break;
    }
  }
  return out;
}

/// Splits /proc/self/stat after the command name (which may hold spaces).
std::vector<std::string> stat_fields() {
  std::ifstream in{"/proc/self/stat"};
  std::string line;
  std::getline(in, line);
  auto paren = line.rfind(')');
  std::vector<std::string> out;
  if (paren == std::string::npos)
    return out;
  std::istringstream rest{line.substr(paren + 2)};
  out.assign(std::istream_iterator<std::string>{rest},
             std::istream_iterator<std::string>{});
  return out;
}

size_t open_fds() {
  size_t n = 0;
  if (auto* dir = ::opendir("/proc/self/fd")) {
    while (auto* e = ::readdir(dir))
      if (e->d_name[0] != '.')
        ++n;
    ::closedir(dir);
  }
  return n > 0 ? n - 1 : 0; // the directory handle itself
}

double boot_time_s() {
  std::ifstream in{"/proc/stat"};
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

// -- /ready ---------------------------------------------------------------------

/// The readiness check of each metrics server, by the port it listens on:
/// civetweb's request callback is a plain function without user data.
struct readiness_registry {
  std::mutex mtx;
  /// The check with the server that registered it (a port may be reused by
  /// the next server before the last one unregistered).
  std::map<int, std::pair<const metrics_server*, readiness_check>> by_port;
};

readiness_registry& readiness_checks() {
  static readiness_registry registry;
  return registry;
}

void respond(mg_connection* conn, int status, const char* reason,
             const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: %zu\r\nCache-Control: no-store\r\n"
            "Connection: close\r\n\r\n",
            status, reason, body.size());
  mg_write(conn, body.data(), body.size());
}

/// Answers `/ready` before prometheus-cpp's handlers see the request
/// (returning 0 hands every other path on to them).
int serve_ready(mg_connection* conn) {
  const auto* info = mg_get_request_info(conn);
  if (info == nullptr || info->local_uri == nullptr
      || std::strcmp(info->local_uri, "/ready") != 0)
    return 0;
  readiness_check check;
  bool known = false;
  {
    auto& registry = readiness_checks();
    std::lock_guard<std::mutex> guard{registry.mtx};
    if (auto i = registry.by_port.find(info->server_port);
        i != registry.by_port.end()) {
      check = i->second.second;
      known = true;
    }
  }
  // A request racing the server's start is answered as not ready.
  std::optional<std::string> waiting;
  if (!known)
    waiting = "starting";
  else if (check)
    waiting = check();
  if (waiting) {
    respond(conn, 503, "Service Unavailable", "not ready: " + *waiting + "\n");
    return 503;
  }
  respond(conn, 200, "OK", "ready\n");
  return 200;
}

} // namespace

std::vector<actors::metric_info> exported_metrics() {
  auto out = actors::metric_catalog();
  out.insert(out.end(), {cpu_seconds, resident_memory, virtual_memory,
                         start_time, open_fds_metric});
  return out;
}

std::vector<prometheus::MetricFamily>
to_families(const std::vector<actors::metric_sample>& samples) {
  std::vector<prometheus::MetricFamily> out;
  std::map<std::string, size_t> index;
  const auto& help = help_texts();
  for (const auto& x : samples) {
    auto [i, added] = index.emplace(x.name, out.size());
    if (added) {
      prometheus::MetricFamily f;
      f.name = x.name;
      auto h = help.find(x.name);
      f.help = h != help.end() ? h->second : x.name;
      f.type = to_prometheus(x.type);
      out.push_back(std::move(f));
    }
    out[i->second].metric.push_back(to_client_metric(x));
  }
  return out;
}

std::string exposition_text(const std::vector<actors::metric_sample>& samples) {
  return prometheus::TextSerializer{}.Serialize(to_families(samples));
}

std::vector<actors::metric_sample> process_samples() {
  std::vector<actors::metric_sample> out;
  auto fields = stat_fields();
  // Fields after the command: state is [0], utime [11], stime [12],
  // starttime [19], vsize [20], rss [21] (man 5 proc).
  if (fields.size() > 21) {
    auto ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    auto page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    auto cpu = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
    out.push_back(actors::sample_of(cpu_seconds, cpu));
    out.push_back(
      actors::sample_of(resident_memory, std::stod(fields[21]) * page));
    out.push_back(actors::sample_of(virtual_memory, std::stod(fields[20])));
    out.push_back(actors::sample_of(
      start_time, boot_time_s() + std::stod(fields[19]) / ticks));
  }
  out.push_back(
    actors::sample_of(open_fds_metric, static_cast<double>(open_fds())));
  return out;
}

std::vector<actors::metric_sample>
collect_samples(caf::actor_system& sys, const actors::node_agent_actor& agent) {
  auto out = actors::caf_samples(sys.registry().running());
  auto proc = process_samples();
  out.insert(out.end(), proc.begin(), proc.end());
  if (!agent)
    return out;
  caf::scoped_actor self{sys};
  self->request(agent, std::chrono::seconds{5}, actors::metrics_atom_v)
    .receive(
      [&](std::vector<actors::metric_sample>& xs) {
        out.insert(out.end(), xs.begin(), xs.end());
      },
      [&](caf::error&) {
        // The CAF and process figures still go out; a stuck pipeline shows
        // as missing trading series and a growing mailbox.
      });
  return out;
}

class metrics_server::collector : public prometheus::Collectable {
public:
  collector(caf::actor_system& sys, actors::node_agent_actor agent)
      : sys_(sys), agent_(std::move(agent)) {
    // nop
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    return to_families(collect_samples(sys_, agent_));
  }

private:
  caf::actor_system& sys_;
  actors::node_agent_actor agent_;
};

trading::result<std::unique_ptr<metrics_server>>
metrics_server::start(caf::actor_system& sys, actors::node_agent_actor agent,
                      const std::string& bind, uint16_t port,
                      readiness_check ready) {
  std::unique_ptr<metrics_server> out{new metrics_server};
  auto address = bind + ":" + std::to_string(port);
  CivetCallbacks callbacks;
  callbacks.begin_request = serve_ready;
  try {
    out->exposer_
      = std::make_unique<prometheus::Exposer>(address, 1, &callbacks);
  } catch (const std::exception& ex) {
    return trading::invalid_setting("metrics", "cannot listen on " + address
                                                 + ": " + ex.what());
  }
  out->collector_ = std::make_shared<collector>(sys, std::move(agent));
  out->exposer_->RegisterCollectable(out->collector_);
  auto ports = out->exposer_->GetListeningPorts();
  out->port_ = ports.empty() ? port : static_cast<uint16_t>(ports.front());
  auto& registry = readiness_checks();
  std::lock_guard<std::mutex> guard{registry.mtx};
  registry.by_port[out->port_] = {out.get(), std::move(ready)};
  return out;
}

metrics_server::~metrics_server() {
  // The HTTP threads go first: no scrape may reach a dying actor system,
  // and no readiness check may run once its owner is gone.
  exposer_.reset();
  if (port_ != 0) {
    auto& registry = readiness_checks();
    std::lock_guard<std::mutex> guard{registry.mtx};
    if (auto i = registry.by_port.find(port_);
        i != registry.by_port.end() && i->second.first == this)
      registry.by_port.erase(i);
  }
}

} // namespace intuition::runtime

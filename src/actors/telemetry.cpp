#include "actors/telemetry.hpp"

#include <mutex>

namespace intuition::actors {

std::string_view to_string(actor_kind x) noexcept {
  switch (x) {
    case actor_kind::quote_router:
      return "quote_router";
    case actor_kind::algorithm:
      return "algorithm";
    case actor_kind::portfolio:
      return "portfolio";
    case actor_kind::order_log:
      return "order_log";
    case actor_kind::order_publisher:
      return "order_publisher";
    case actor_kind::mqtt_ingress:
      return "mqtt_ingress";
    case actor_kind::node_agent:
      return "node_agent";
    case actor_kind::shard_worker:
      return "shard_worker";
    case actor_kind::shard_desk:
      return "shard_desk";
  }
  return "unknown";
}

void atomic_histogram::observe_ns(int64_t ns) noexcept {
  if (ns < 0)
    ns = 0;
  const auto& bounds = actors::caf_default_buckets();
  auto i = actors::bucket_index(bounds, static_cast<double>(ns) / 1e9);
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

actors::metric_sample
atomic_histogram::sample(std::string name, actors::metric_labels labels) const {
  actors::metric_sample out;
  out.name = std::move(name);
  out.type = actors::metric_type::histogram;
  out.labels = std::move(labels);
  out.bounds = actors::caf_default_buckets();
  for (const auto& c : counts_)
    out.counts.push_back(c.load(std::memory_order_relaxed));
  out.value
    = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return out;
}

kind_stats& stats(actor_kind kind) noexcept {
  static std::array<kind_stats, actor_kind_count> all;
  return all[static_cast<size_t>(kind)];
}

namespace {

using actors::metric_type;

// CAF 0.18+'s own names and help texts.

const actors::metric_info running_actors{"caf_system_running_actors",
                                         metric_type::gauge,
                                         "Number of currently running actors.",
                                         {}};

const actors::metric_info processed_messages{
  "caf_system_processed_messages_total",
  metric_type::counter,
  "Number of processed messages.",
  {}};

const actors::metric_info rejected_messages{
  "caf_system_rejected_messages_total",
  metric_type::counter,
  "Number of rejected messages.",
  {}};

const actors::metric_info mailbox_size{"caf_actor_mailbox_size",
                                       metric_type::gauge,
                                       "Number of messages in the mailbox.",
                                       {"name"}};

const actors::metric_info processing_time{
  "caf_actor_processing_time_seconds",
  metric_type::histogram,
  "Time an actor needs to process messages.",
  {"name"}};

const actors::metric_info mailbox_time{
  "caf_actor_mailbox_time_seconds",
  metric_type::histogram,
  "Time a message waits in the mailbox before processing.",
  {"name"}};

} // namespace

std::vector<actors::metric_info> caf_metrics() {
  return {running_actors, processed_messages, rejected_messages,
          mailbox_size,   processing_time,    mailbox_time};
}

std::vector<actors::metric_sample> caf_samples(uint64_t running) {
  std::vector<actors::metric_sample> out;
  out.push_back(
    actors::sample_of(running_actors, static_cast<double>(running)));
  uint64_t processed = 0;
  uint64_t rejected = 0;
  for (size_t i = 0; i < actor_kind_count; ++i) {
    const auto& k = stats(static_cast<actor_kind>(i));
    processed += k.processed.load(std::memory_order_relaxed);
    rejected += k.rejected.load(std::memory_order_relaxed);
  }
  out.push_back(
    actors::sample_of(processed_messages, static_cast<double>(processed)));
  out.push_back(
    actors::sample_of(rejected_messages, static_cast<double>(rejected)));
  for (size_t i = 0; i < actor_kind_count; ++i) {
    auto kind = static_cast<actor_kind>(i);
    const auto& k = stats(kind);
    if (k.started.load(std::memory_order_relaxed) == 0)
      continue;
    std::string name{to_string(kind)};
    out.push_back(actors::sample_of(
      mailbox_size,
      static_cast<double>(k.mailbox_size.load(std::memory_order_relaxed)),
      {name}));
    actors::metric_labels labels{{"name", name}};
    out.push_back(k.processing_time.sample(processing_time.name, labels));
    out.push_back(k.mailbox_time.sample(mailbox_time.name, labels));
  }
  return out;
}

namespace {

std::mutex label_mtx;
std::string label = "local";

} // namespace

std::string node_label() {
  std::lock_guard<std::mutex> guard{label_mtx};
  return label;
}

void set_node_label(std::string x) {
  std::lock_guard<std::mutex> guard{label_mtx};
  label = std::move(x);
}

actor_probe::actor_probe(actor_kind kind) noexcept
    : kind_(kind), stats_(stats(kind)) {
  stats_.started.fetch_add(1, std::memory_order_relaxed);
}

actor_probe::~actor_probe() {
  // Whatever this actor still had queued leaves the kind's total with it.
  stats_.mailbox_size.fetch_sub(mailbox_, std::memory_order_relaxed);
}

void actor_probe::mailbox_time(int64_t sent_ns, bool same_node) noexcept {
  if (sent_ns > 0 && same_node)
    stats_.mailbox_time.observe_ns(steady_now_ns() - sent_ns);
}

void actor_probe::rejected() noexcept {
  stats_.rejected.fetch_add(1, std::memory_order_relaxed);
}

void actor_probe::stamp(actor_state& x, size_t mailbox_size) const {
  x.node = node_label();
  x.mailbox_size = static_cast<int64_t>(mailbox_size);
  x.processed = static_cast<int64_t>(processed_);
}

void actor_probe::finish(int64_t elapsed_ns, int64_t mailbox_size) noexcept {
  ++processed_;
  stats_.processed.fetch_add(1, std::memory_order_relaxed);
  stats_.processing_time.observe_ns(elapsed_ns);
  stats_.mailbox_size.fetch_add(mailbox_size - mailbox_,
                                std::memory_order_relaxed);
  mailbox_ = mailbox_size;
}

} // namespace intuition::actors

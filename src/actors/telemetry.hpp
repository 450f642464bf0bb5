#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>

#include "actors/messages.hpp"
#include "actors/metric_samples.hpp"

/// What CAF 0.18+ measures about its actors, measured by hand for 0.17:
/// messages processed and rejected, mailbox sizes, processing and mailbox
/// times, aggregated per actor kind (a bounded label set, however many
/// symbols run). Lock-free; read by the metrics exporter at scrape time.
namespace intuition::actors {

/// Actor kinds: the `name` label of the CAF metrics.
enum class actor_kind : uint8_t {
  quote_router,
  algorithm,
  portfolio,
  order_log,
  order_publisher,
  mqtt_ingress,
  node_agent,
  // Node-local ingress (cluster.ingress node).
  shard_worker,
  shard_desk,
};

constexpr size_t actor_kind_count = 9;

std::string_view to_string(actor_kind x) noexcept;

/// A histogram over `actors::caf_default_buckets()` that many threads
/// update.
class atomic_histogram {
public:
  void observe_ns(int64_t ns) noexcept;

  /// The histogram as a sample (seconds).
  actors::metric_sample sample(std::string name,
                               actors::metric_labels labels) const;

private:
  std::array<std::atomic<uint64_t>, 10> counts_{};
  std::atomic<uint64_t> sum_ns_{0};
};

/// Process-wide figures of one actor kind.
struct kind_stats {
  /// Actors of this kind ever started in this process.
  std::atomic<uint64_t> started{0};
  std::atomic<uint64_t> processed{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<int64_t> mailbox_size{0};
  atomic_histogram processing_time;
  atomic_histogram mailbox_time;
};

/// The figures of `kind` in this process.
kind_stats& stats(actor_kind kind) noexcept;

/// CAF's system and actor metrics as CAF 0.18+ declares them: names, types,
/// help texts.
std::vector<actors::metric_info> caf_metrics();

/// CAF's system and actor metrics, under the names CAF 0.18+ exports, for
/// every kind this process ever started; `running_actors` comes from the
/// registry.
std::vector<actors::metric_sample> caf_samples(uint64_t running_actors);

/// The name this process shows in inspection (`coordinator`, a node's
/// `--name`), set once at start.
std::string node_label();
void set_node_label(std::string label);

/// Steady-clock time in ns, the clock of every `sent_ns` and `received_ns`.
inline int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

/// Wall-clock time in Unix ms (the `*_at_ms` figures, a quote's arrival).
inline int64_t wall_now_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// One actor's share of its kind's figures; lives in the actor's state.
class actor_probe {
public:
  explicit actor_probe(actor_kind kind) noexcept;
  ~actor_probe();

  actor_probe(const actor_probe&) = delete;
  actor_probe& operator=(const actor_probe&) = delete;

  actor_kind kind() const noexcept {
    return kind_;
  }

  /// Messages this actor processed.
  uint64_t processed() const noexcept {
    return processed_;
  }

  /// Mailbox size at the end of the last message.
  int64_t mailbox_size() const noexcept {
    return mailbox_;
  }

  /// Records the time a message spent queued, from its `sent_ns` stamp (0,
  /// or a stamp from another node's clock, is not measured).
  void mailbox_time(int64_t sent_ns, bool same_node) noexcept;

  /// Records the mailbox time of the message `self` is processing.
  template <class Self>
  void mailbox_time(Self* self, int64_t sent_ns) noexcept {
    const auto& sender = self->current_sender();
    mailbox_time(sent_ns, !sender || sender->node() == self->node());
  }

  /// Times one message while alive; records it and the mailbox size when
  /// destroyed.
  template <class Self>
  class scope {
  public:
    scope(actor_probe& probe, Self* self) noexcept
        : probe_(probe), self_(self), start_ns_(steady_now_ns()) {
      // nop
    }

    ~scope() {
      probe_.finish(steady_now_ns() - start_ns_,
                    static_cast<int64_t>(self_->mailbox().size()));
    }

    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

  private:
    actor_probe& probe_;
    Self* self_;
    int64_t start_ns_;
  };

  template <class Self>
  scope<Self> time(Self* self) noexcept {
    return scope<Self>{*this, self};
  }

  /// Counts a message no handler accepted.
  void rejected() noexcept;

  /// Fills the fields every state reply shares: node, mailbox size,
  /// messages processed.
  void stamp(actor_state& x, size_t mailbox_size) const;

  /// Makes `self` count messages it has no handler for (CAF 0.18's rejected
  /// messages) and answer them with `sec::unexpected_message`.
  template <class Self>
  void count_rejected(Self* self) {
    self->set_default_handler(
      [this](caf::scheduled_actor*,
             caf::message_view&) -> caf::result<caf::message> {
        rejected();
        return caf::sec::unexpected_message;
      });
  }

private:
  void finish(int64_t elapsed_ns, int64_t mailbox_size) noexcept;

  actor_kind kind_;
  kind_stats& stats_;
  uint64_t processed_ = 0;
  int64_t mailbox_ = 0;
};

} // namespace intuition::actors

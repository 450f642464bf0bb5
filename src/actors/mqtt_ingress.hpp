#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/actor_types.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"
#include "trading/channels.hpp"
#include "trading/external_strategy.hpp"
#include "trading/input_log.hpp"
#include "trading/quote_codec.hpp"
#include "trading/quote_filter.hpp"
#include "trading/signal_codec.hpp"

/// MQTT ingress: messages in (read back from the input log), validated and
/// de-duplicated quotes out to the router, a processed watermark back to the
/// input log.
namespace intuition::actors {

using trading::overload_policy;

/// An external strategy as the ingress sees it (external algorithms): the
/// topic its signals arrive on, where its quotes are forwarded, the symbols
/// it trades.
struct external_route {
  std::string strategy;
  std::string signal_topic;
  /// Empty: its quotes are not forwarded.
  std::string forward_topic;
  /// Upper-case symbols it trades; empty means every symbol.
  std::vector<std::string> symbols;
};

/// Publishes one forwarded quote (QoS 0) to `topic`; false when it was
/// dropped (the bounded queue is full, or no connection).
using forward_fn
  = std::function<bool(const std::string& topic, const std::string& payload)>;

struct mqtt_ingress_config {
  trading::codec_limits limits;
  /// Batches the ingress may have at the router at once; while they are
  /// out, new quotes gather into the next batch. One: a batch's round trip
  /// costs the same whatever its size, so under load the next batch takes
  /// everything that arrived meanwhile (measured with four: about 1.4
  /// times the CPU per quote at full speed, in many small batches).
  size_t max_in_flight = 1;
  /// How often rejections are logged (with a count since the last line);
  /// rejections not logged yet are logged when the interval is over, also
  /// when no further payload comes.
  std::chrono::milliseconds log_interval{1000};
  /// The configured strategies' channels: each quote carries the id of the
  /// set of strategies its topic reaches, and the router hands it to those
  /// only. Empty: quotes carry no channel and reach every strategy that
  /// trades their symbol.
  std::vector<trading::strategy_channels> channels;
  /// Most quotes the ingress holds in memory (gathering plus at the
  /// router); further messages wait in the input log.
  size_t window_quotes = 8192;
  /// Most payload bytes it holds in memory, likewise.
  size_t window_bytes = 4u << 20;
  overload_policy overload = overload_policy::queue;
  trading::stale_policy stale = trading::stale_policy::drop;
  /// The input log the MQTT callback appends to; null when messages arrive
  /// as `mqtt_message` only.
  std::shared_ptr<trading::input_log> input;
  /// Set by the callback when it sent `input`; cleared by the ingress before
  /// it reads, so that at most one notification waits in the mailbox.
  std::shared_ptr<std::atomic<bool>> notified;
  /// Answers `processed`; null treats every acknowledged batch as durable.
  order_log_actor log;
  /// Every record up to here was processed before this start.
  uint64_t resume_after = 0;
  /// The duplicate filter's saved state (at or before `resume_after`).
  trading::filter_snapshot filter;
  // -- external algorithms
  /// External strategies; each also has its channels in `channels`.
  std::vector<external_route> externals;
  /// Where forwarded quotes go; null forwards nothing.
  forward_fn forward;
  /// Symbols whose last quote is remembered to price external signals;
  /// signals of symbols beyond it are refused as `no_price`.
  size_t max_priced_symbols = 1'000'000;
};

/// A batch at the router, with what it means for the watermark.
struct ingress_batch {
  /// Sequence number of the batch, to match the router's answer.
  uint64_t id = 0;
  /// Last input position it covers (records that gave no quote included).
  uint64_t last_pos = 0;
  size_t quotes = 0;
  size_t bytes = 0;
  bool acked = false;
  /// (symbol, ts) the filter accepted for the records it covers.
  std::vector<std::pair<std::string, int64_t>> accepted;
};

struct mqtt_ingress_state {
  static inline const char* name = "mqtt_ingress";
  mqtt_ingress_config cfg;
  quote_router_actor router;
  std::vector<trading::quote> pending;
  /// Payload bytes of `pending`.
  size_t pending_bytes = 0;
  /// Index of each (symbol, channel) in `pending` (conflation only).
  std::unordered_map<std::string, size_t> pending_index;
  /// Topic to channel set, built from `cfg.channels`.
  trading::channel_table channels;
  /// Filter acceptances since the last batch went out.
  std::vector<std::pair<std::string, int64_t>> pending_accepted;
  /// Batches at the router, oldest first.
  std::deque<ingress_batch> batches;
  /// Acknowledged batches waiting for their orders to be durable.
  std::deque<ingress_batch> acked;
  size_t in_flight = 0;
  uint64_t next_batch_id = 1;
  /// Quotes and bytes held in memory (pending plus at the router).
  size_t held_quotes = 0;
  size_t held_bytes = 0;
  size_t peak_held_quotes = 0;
  size_t peak_held_bytes = 0;
  trading::input_log_reader reader;
  /// Last input position read and decoded.
  uint64_t consumed_pos = 0;
  /// Last position whose batch the router acknowledged.
  uint64_t acked_pos = 0;
  /// Last position the order log confirmed durable (the watermark).
  uint64_t durable_pos = 0;
  bool watermark_pending = false;
  /// Set by `drain`: no more reading from the log; what is on disk waits
  /// for the next start.
  bool draining = false;
  /// Records at or below this came from an earlier process.
  uint64_t recovered_last = 0;
  trading::quote_filter filter;
  /// The filter's state at `durable_pos`.
  std::unordered_map<std::string, int64_t> committed;
  uint64_t messages = 0;
  uint64_t quotes = 0;
  uint64_t delivered = 0;
  /// Quotes of batches the router failed (it stopped); logged when it happens.
  uint64_t dropped = 0;
  uint64_t duplicates = 0;
  uint64_t stale = 0;
  uint64_t conflated = 0;
  /// Quotes of a restart's tail (received by an earlier process).
  uint64_t replayed = 0;
  uint64_t segments_removed = 0;
  uint64_t log_errors = 0;
  uint64_t orders = 0;
  std::array<uint64_t, trading::reject_reason_count> rejected{};
  uint64_t rejected_since_log = 0;
  std::string last_rejection;
  /// When rejections were last logged (the actor clock's time).
  std::chrono::steady_clock::time_point last_log;
  /// A `tick` is on its way to log `rejected_since_log`.
  bool log_scheduled = false;
  /// Receive times of the first and the latest accepted quote (steady ns).
  int64_t first_received_ns = 0;
  int64_t last_received_ns = 0;
  bool connected = false;
  uint64_t connects = 0;
  std::string connection_reason;
  std::vector<caf::typed_response_promise<uint64_t>> drains;
  /// Accepted payloads per topic (the channel); at most
  /// `max_channel_labels` topics, the rest counted under `other`.
  std::map<std::string, uint64_t> by_channel;
  actor_probe probe{actor_kind::mqtt_ingress};
  // -- external algorithms
  /// Index into `cfg.externals` by signal topic.
  std::unordered_map<std::string, size_t> signal_topics;
  /// For each strategy of `cfg.channels`: its index in `cfg.externals` when
  /// it is an external strategy whose quotes are forwarded, else -1.
  std::vector<int64_t> forwarding;
  /// Last accepted quote (price, ts) per symbol: an external signal's price.
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> last_quote;
  /// External signals of `pending`, each with its carrier's index there.
  std::vector<trading::signal> pending_signals;
  /// Keys of the last `max_signal_keys` accepted external signals, oldest
  /// first, to drop a redelivered one.
  std::unordered_set<std::string> signal_keys;
  std::deque<std::string> signal_key_order;
  uint64_t signals_received = 0;
  uint64_t signals_accepted = 0;
  std::array<uint64_t, trading::signal_reject_reason_count> signals_rejected{};
  uint64_t forwarded = 0;
  uint64_t forward_dropped = 0;
};

/// External signals remembered to recognise a redelivery.
constexpr size_t max_signal_keys = 65'536;

/// Bound on the `channel` label values the ingress reports.
constexpr size_t max_channel_labels = 64;

/// What an ingress reports: its counters, its samples and their help.
const telemetry<mqtt_ingress_state>& mqtt_ingress_telemetry();

/// What an ingress reports at the end of a live run: its counters,
/// rejections by reason and input log.
trading::ingress_report ingress_report_of(const mqtt_ingress_state& st);

/// Spawns the ingress. `drain` stops reading from the input log and answers
/// once every quote read reached the portfolio, with the number delivered;
/// it logs the rejections not logged yet. `tick` is its own timer tick.
/// `report` answers with `ingress_report_of`.
/// With an input log it reads messages back from the log
/// whenever its window has room (the MQTT callback appends and sends `input`);
/// it first rebuilds the duplicate filter from the saved state and the
/// processed records, then trades the tail after `resume_after`. Without
/// one, the runtime's callbacks send it `mqtt_message`.
mqtt_ingress_actor::behavior_type
mqtt_ingress(mqtt_ingress_actor::stateful_pointer<mqtt_ingress_state> self,
             mqtt_ingress_config cfg, quote_router_actor router);

} // namespace intuition::actors

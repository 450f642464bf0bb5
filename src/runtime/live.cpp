#include "runtime/live.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/detail/scope_guard.hpp>
#include <caf/io/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "actors/mqtt_ingress.hpp"
#include "actors/order_publisher.hpp"
#include "runtime/broker.hpp"
#include "runtime/cluster.hpp"
#include "runtime/config.hpp"
#include "runtime/mqtt_client.hpp"
#include "runtime/control_plane.hpp"
#include "runtime/journal_recovery.hpp"
#include "runtime/pipeline.hpp"
#include "runtime/system_config.hpp"
#include "runtime/stop_signals.hpp"
#include "runtime/replay.hpp"
#include "runtime/summary.hpp"
#include "trading/algorithm.hpp"
#include "trading/decimal.hpp"
#include "trading/input_log.hpp"
#include "actors/publication_mark.hpp"

namespace intuition::runtime {

namespace {

using clock_type = std::chrono::steady_clock;

/// QoS 1 messages a publisher (feed, order egress) keeps unacknowledged. libmosquitto finds an
/// acknowledged message by walking its in-flight list, so an unbounded window
/// turns a fast publisher quadratic (measured: 7,100 messages/s unbounded).
constexpr int feed_max_inflight = 256;


int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           clock_type::now().time_since_epoch())
    .count();
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// The input log after recovery, with where trading resumes.
struct recovered_input {
  std::shared_ptr<trading::input_log> log;
  /// Every record up to here was turned into durable orders.
  uint64_t resume_after = 0;
  trading::filter_snapshot filter;
};

/// Opens the input log next to the journal (or at `ingress.log_dir`),
/// cutting a torn tail, and reads the processed watermark and the saved
/// filter state. The input log is synced as `ingress.fsync` says.
std::variant<recovered_input, std::string> recover_input(const app_config& cfg) {
  recovered_input out;
  trading::input_log_options opts;
  opts.dir = cfg.ingress.log_dir.empty() ? cfg.journal.path + ".input"
                                         : cfg.ingress.log_dir;
  opts.segment_bytes = static_cast<uint64_t>(cfg.ingress.segment_bytes);
  opts.fsync = cfg.ingress.fsync;
  opts.interval_ms = cfg.ingress.fsync_interval_ms;
  out.log = std::make_shared<trading::input_log>();
  auto opened = out.log->open(opts);
  if (!opened)
    return opened.error().message;
  if (auto torn = opened->torn_bytes)
    std::cerr << "input log " << opts.dir << ": torn last record (" << torn
              << " bytes) cut off\n";
  auto mark = trading::read_input_watermark(opts.dir);
  if (!mark)
    return mark.error().message;
  auto filter = trading::read_filter_snapshot(opts.dir);
  if (!filter)
    return filter.error().message;
  out.filter = std::move(*filter);
  // The filter state is saved only for durable positions.
  out.resume_after = std::max(*mark, out.filter.position);
  return out;
}

/// Renders a quote in one of the payload shapes the codec accepts.
std::string encode_payload(const trading::quote& q, const std::string& format) {
  if (format == "sid")
    return nlohmann::json{{"sid", q.symbol},
                          {"quote", trading::format_micros(q.price_micros)},
                          {"ts", q.ts_ms}}
      .dump();
  if (format == "symbol-map") {
    std::string sym = q.symbol;
    for (auto& c : sym)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "{\"" + sym + "\":" + trading::format_micros(q.price_micros) + "}";
  }
  return trading::encode_canonical(q);
}

/// Reads the first line of a password file (without a trailing CR).
std::variant<std::string, std::string> read_password(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return std::variant<std::string, std::string>{
      std::in_place_index<1>, "cannot read " + path + ": " + std::strerror(errno)};
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return std::variant<std::string, std::string>{std::in_place_index<0>, line};
}

/// Warns on stderr when group or others may read the secret at `path`,
/// which `what` (naming its flag) describes.
void warn_if_shared(const std::string& path, const std::string& what,
                    const std::string& flag) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & (S_IRGRP | S_IROTH)) == 0)
    return;
  auto group = (st.st_mode & S_IRGRP) != 0;
  auto others = (st.st_mode & S_IROTH) != 0;
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o",
                static_cast<unsigned>(st.st_mode & 07777));
  std::cerr << "intuition run: warning: " << what << " " << path << " ("
            << flag << ") is readable by "
            << (group && others ? "group and others" : group ? "group" : "others")
            << " (mode " << mode
            << "); make it readable by its owner only: chmod 600 " << path
            << "\n";
}

/// The settings every MQTT client of a run shares: keepalive, backoff and
/// credentials, the password read from its file. Warns on stderr about a
/// password file or TLS key that others can read, or an empty password.
/// Returns an error message when the password file cannot be read.
std::variant<mqtt_options, std::string> shared_mqtt_options(const mqtt_config& cfg) {
  mqtt_options out;
  out.keepalive_s = cfg.keepalive_s;
  out.reconnect_max_s = static_cast<unsigned>(cfg.reconnect_max_s);
  out.username = cfg.username;
  out.tls_ca_file = cfg.tls_ca;
  out.tls_cert_file = cfg.tls_cert;
  out.tls_key_file = cfg.tls_key;
  if (!cfg.tls_key.empty())
    warn_if_shared(cfg.tls_key, "the TLS key", "--tls-key");
  if (cfg.password_file.empty())
    return out;
  auto pw = read_password(cfg.password_file);
  if (auto* err = std::get_if<1>(&pw))
    return "--password-file: " + *err;
  warn_if_shared(cfg.password_file, "the password file", "--password-file");
  out.password = std::get<0>(pw);
  if (out.password.empty())
    std::cerr << "intuition run: warning: the password file "
              << cfg.password_file << " (--password-file) is empty: user '"
              << cfg.username << "' connects without a password\n";
  return out;
}

/// Refusals that retrying does not change, from any MQTT client of the run.
/// The first one stops the run (unless `mqtt.retry_refused`); each is
/// explained on stderr once per client.
class refusal_watch {
public:
  refusal_watch(std::string broker, bool keep_retrying)
    : broker_(std::move(broker)), keep_retrying_(keep_retrying) {
    // nop
  }

  /// The `on_refused` callback of the client `client_id`.
  std::function<void(mqtt_refusal)> callback(std::string client_id) {
    return [this, client_id](mqtt_refusal x) { note(client_id, x); };
  }

  /// Whether a refusal stopped the run.
  bool stopped() const noexcept {
    return stopped_.load();
  }

private:
  /// Runs on a client's network thread.
  void note(const std::string& client, const mqtt_refusal& x) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (stopped_ || !reported_.insert(client + '\n' + x.reason).second)
        return;
      if (!keep_retrying_)
        stopped_ = true;
    }
    std::string what = x.tls ? "the TLS handshake of client '" + client
                                 + "' with " + broker_ + " failed: "
                             : "the broker " + broker_ + " refused client '"
                                 + client + "': ";
    std::string check
      = x.tls ? "--tls-ca, --tls-cert and --tls-key (mqtt.tls_ca, "
                "mqtt.tls_cert, mqtt.tls_key) against the broker's "
                "certificate settings"
        : x.reason.find("identifier") != std::string::npos
          ? "--client-id (mqtt.client_id) against what the broker accepts"
        : x.reason.find("protocol") != std::string::npos
          ? "that the broker speaks MQTT 3.1.1"
          : "--username and --password-file (mqtt.username, "
            "mqtt.password_file) against the broker's users and ACL";
    // One write, so the lines of several clients do not interleave.
    std::cerr << ("intuition run: mqtt: " + what + x.reason
                  + ". Retrying does not change that: check " + check
                  + (keep_retrying_
                       ? "; retrying with backoff (--mqtt-retry-refused)\n"
                       : "; stopping (--mqtt-retry-refused keeps "
                         "retrying)\n"));
    if (!keep_retrying_)
      stop_requested = true;
  }

  std::string broker_;
  bool keep_retrying_;
  std::atomic<bool> stopped_{false};
  std::mutex mtx_;
  std::set<std::string> reported_;
};

/// Asks an actor for its state, waiting at most a second.
std::optional<actors::actor_state> query_state(caf::scoped_actor& self,
                                               const caf::actor& whom) {
  std::optional<actors::actor_state> out;
  self->request(whom, std::chrono::seconds(1), actors::get_state_atom_v)
    .receive([&](actors::actor_state& st) { out = std::move(st); },
             [](caf::error&) {});
  return out;
}

/// What a publishing run did.
struct feed_stats {
  uint64_t sent = 0;
  uint64_t acked = 0;
  double elapsed_s = 0.0;
};

/// Publishes `quotes` (`repeat` times) to `topic`, paced to `rate` messages
/// per second (0: as fast as possible), and waits (bounded) for the broker
/// to acknowledge every message.
std::variant<feed_stats, std::string>
publish_quotes(const broker_url& url, const std::vector<trading::quote>& quotes,
               const feed_options& opts, const std::atomic<bool>& stop) {
  std::mutex mtx;
  std::condition_variable cv;
  bool connected = false;
  std::string refused;
  std::atomic<uint64_t> acked{0};
  mqtt_options mo;
  mo.broker = url;
  mo.client_id = opts.client_id.empty()
                   ? "intuition-feed-" + std::to_string(::getpid())
                   : opts.client_id;
  mo.clean_session = true;
  mo.max_inflight = feed_max_inflight;
  mqtt_callbacks cb;
  cb.on_connect = [&](bool ok, std::string reason) {
    std::lock_guard<std::mutex> guard{mtx};
    connected = ok;
    if (!ok)
      refused = reason;
    cv.notify_all();
  };
  cb.on_published = [&](int) {
    ++acked;
    cv.notify_all();
  };
  mqtt_client client{mo, cb};
  if (auto ok = client.start(); !ok)
    return std::variant<feed_stats, std::string>{std::in_place_index<1>,
                                                 ok.error().message};
  {
    std::unique_lock<std::mutex> guard{mtx};
    if (!cv.wait_for(guard, std::chrono::seconds(10),
                     [&] { return connected || !refused.empty(); }))
      return std::variant<feed_stats, std::string>{
        std::in_place_index<1>, "no connection to " + to_string(url) + " within 10 s"};
    if (!connected)
      return std::variant<feed_stats, std::string>{
        std::in_place_index<1>, "broker refused the connection: " + refused};
  }
  feed_stats stats;
  auto t0 = clock_type::now();
  auto last_progress = t0;
  const auto total = quotes.size() * opts.repeat;
  const auto span_ms = quotes.back().ts_ms - quotes.front().ts_ms + 1;
  for (uint64_t i = 0; i < total && !stop; ++i) {
    if (opts.rate > 0) {
      auto due = t0 + std::chrono::nanoseconds(static_cast<int64_t>(
                   1e9 * static_cast<double>(i) / opts.rate));
      auto now = clock_type::now();
      if (due > now + std::chrono::milliseconds(1))
        std::this_thread::sleep_until(due);
    }
    auto q = quotes[i % quotes.size()];
    q.ts_ms += static_cast<int64_t>(i / quotes.size()) * span_ms;
    auto res = client.publish(opts.topic, encode_payload(q, opts.format),
                              opts.qos);
    if (!res)
      return std::variant<feed_stats, std::string>{
        std::in_place_index<1>, "publish: " + res.error().message};
    ++stats.sent;
    if (!opts.quiet && clock_type::now() - last_progress > std::chrono::seconds(1)) {
      last_progress = clock_type::now();
      std::cerr << "feed: " << stats.sent << "/" << total << " published, "
                << acked.load() << " acknowledged\n";
    }
  }
  {
    std::unique_lock<std::mutex> guard{mtx};
    cv.wait_for(guard, std::chrono::seconds(60),
                [&] { return acked.load() >= stats.sent; });
  }
  stats.acked = acked.load();
  stats.elapsed_s
    = std::chrono::duration<double>(clock_type::now() - t0).count();
  client.stop();
  return stats;
}

} // namespace

void idle_watch::ready(time_point now) {
  if (!ready_) {
    ready_ = true;
    since_ = now;
  }
}

void idle_watch::activity(time_point now) {
  if (ready_)
    since_ = now;
}

bool idle_watch::expired(time_point now) const {
  return limit_.count() > 0 && ready_ && now - since_ > limit_;
}

int run_feed(const feed_options& opts) {
  auto url = parse_broker_url(opts.broker);
  if (!url) {
    std::cerr << "intuition feed: --broker: " << url.error().message << "\n";
    return 2;
  }
  auto loaded = load_quotes_csv(opts.quotes);
  if (!loaded) {
    std::cerr << "intuition feed: " << loaded.error().message << "\n";
    return 2;
  }
  auto& data = *loaded;
  if (data.quotes.empty()) {
    std::cerr << "intuition feed: " << opts.quotes << " holds no valid quote\n";
    return 2;
  }
  install_stop_handlers();
  auto res = publish_quotes(*url, data.quotes, opts, stop_requested);
  if (auto* e = std::get_if<std::string>(&res)) {
    std::cerr << "intuition feed: " << *e << "\n";
    return 1;
  }
  auto& st = std::get<feed_stats>(res);
  std::cout << "feed: published " << st.sent << " quotes to " << opts.topic
            << " on " << to_string(*url) << " in "
            << static_cast<double>(static_cast<int64_t>(st.elapsed_s * 1000))
                 / 1000
            << " s (" << static_cast<uint64_t>(st.elapsed_s > 0 ? st.sent / st.elapsed_s : 0)
            << " quotes/s), " << st.acked << " acknowledged\n";
  return st.acked >= st.sent ? 0 : 1;
}

/// Orders the publisher has not seen confirmed yet (held or in the journal).
int64_t publishing_backlog(caf::scoped_actor& self,
                           const actors::order_publisher_actor& publisher) {
  auto st = query_state(self, caf::actor_cast<caf::actor>(publisher));
  return st ? st->counters["backlog"] : -1;
}

/// Waits until the ingress traded the input log's unprocessed tail, so that
/// it is traded before anything new arrives.
void trade_input_tail(caf::actor_system& sys,
                      const actors::mqtt_ingress_actor& ingress, uint64_t tail) {
  caf::scoped_actor self{sys};
  for (;;) {
    auto st = query_state(self, caf::actor_cast<caf::actor>(ingress));
    if (!st) {
      std::cerr << "intuition run: the ingress stopped while trading the "
                   "input log's tail\n";
      return;
    }
    if (st->counters["backlog"] == 0 && st->counters["held_quotes"] == 0)
      break;
    if (stop_requested)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::cerr << "input log: " << tail << " messages traded\n";
}

int run_live(const run_options& opts, const char* argv0) {
  // -- configuration: everything is checked before anything starts
  auto configured = load_config(opts.config_path);
  if (!configured) {
    std::cerr << "intuition run: config " << opts.config_path << ": "
              << configured.error().message << "\n";
    return 2;
  }
  auto cfg = std::move(*configured);
  if (opts.broker)
    cfg.mqtt.broker = *opts.broker;
  if (opts.username)
    cfg.mqtt.username = *opts.username;
  if (opts.password_file)
    cfg.mqtt.password_file = *opts.password_file;
  if (opts.tls_ca)
    cfg.mqtt.tls_ca = *opts.tls_ca;
  if (opts.tls_cert)
    cfg.mqtt.tls_cert = *opts.tls_cert;
  if (opts.tls_key)
    cfg.mqtt.tls_key = *opts.tls_key;
  if (opts.retry_refused)
    cfg.mqtt.retry_refused = true;
  if (opts.client_id)
    cfg.mqtt.client_id = *opts.client_id;
  if (opts.journal)
    cfg.journal.path = *opts.journal;
  auto checked = apply_node_flags(opts.node, cfg);
  if (checked)
    checked = check_mqtt_credentials(cfg.mqtt);
  if (!checked) {
    std::cerr << "intuition run: " << checked.error().message << "\n";
    return 2;
  }
  if (!cfg.listen.specified) {
    // Where the original system listened; `inspect` finds it there.
    cfg.listen.specified = true;
    cfg.listen.enabled = true;
    cfg.listen.any_port_if_taken = true;
  }
  if (cfg.journal.path.empty()) {
    std::cerr << "intuition run: no journal: set journal.path in "
              << opts.config_path << " or pass --journal PATH\n";
    return 2;
  }
  auto shared = shared_mqtt_options(cfg.mqtt);
  if (auto* err = std::get_if<std::string>(&shared)) {
    std::cerr << "intuition run: " << *err << "\n";
    return 2;
  }
  auto base = std::get<mqtt_options>(std::move(shared));
  std::unique_ptr<embedded_broker> broker;
  if (cfg.mqtt.broker != "embedded") {
    auto url = parse_broker_url(cfg.mqtt.broker);
    if (!url) {
      std::cerr << "intuition run: broker: " << url.error().message << "\n";
      return 2;
    }
    base.broker = *url;
  }
  // -- journal and publication mark, before any actor exists
  auto recovered = recover_journal(cfg.journal.path, opts.accept_journal_loss);
  if (!recovered) {
    std::cerr << "intuition run: " << recovered.error().message << "\n";
    return 1;
  }
  auto& journal = *recovered;
  auto restored = journal.contents.orders.size();
  auto input_recovered = recover_input(cfg);
  if (auto* err = std::get_if<std::string>(&input_recovered)) {
    std::cerr << "intuition run: " << *err << "\n";
    return 1;
  }
  auto& input = std::get<recovered_input>(input_recovered);
  cfg.portfolio.input_watermark = input.resume_after;
  auto tail = input.log->last_position() - std::min(input.log->last_position(),
                                                    input.resume_after);
  if (tail > 0)
    std::cerr << "input log: " << tail
              << " messages received but not yet traded; trading them "
                 "before subscribing\n";
  auto mark_path = actors::publication_mark_path(cfg.journal.path);
  auto mark = actors::read_publication_mark(mark_path);
  if (!mark) {
    std::cerr << "intuition run: " << mark.error().message << "\n";
    return 1;
  }
  actors::order_publisher_config pub_cfg;
  pub_cfg.topic_prefix = cfg.mqtt.topic_prefix;
  pub_cfg.publish_signals = cfg.mqtt.publish_signals;
  pub_cfg.mark_path = mark_path;
  pub_cfg.mark = *mark;
  pub_cfg.journal_path = cfg.journal.path;
  pub_cfg.max_queued = static_cast<size_t>(cfg.mqtt.max_queued_orders);
  for (const auto& x : journal.contents.orders)
    if (x.seq > pub_cfg.mark)
      pub_cfg.unconfirmed.push_back(x);
  if (!pub_cfg.unconfirmed.empty())
    std::cerr << "journal " << cfg.journal.path << ": "
              << pub_cfg.unconfirmed.size()
              << " orders not yet confirmed by the broker will be published\n";
  // -- broker
  if (cfg.mqtt.broker == "embedded") {
    auto started = embedded_broker::start({});
    if (!started) {
      std::cerr << "intuition run: embedded broker: "
                << started.error().message << "\n";
      return 1;
    }
    broker = std::move(*started);
    base.broker = *parse_broker_url(broker->url());
    std::cout << "embedded broker: " << broker->url()
              << " (publish quotes to it, e.g. mosquitto_pub -p "
              << broker->port() << " -t quotes -m '{\"goog\": 3.45}')"
              << std::endl;
  }
  // Clients outlive the actor system: actors may still call publish while
  // shutting down, and the clients are stopped explicitly before that.
  std::set<std::string> channels;
  for (const auto& s : cfg.strategies)
    channels.insert(s.channels.begin(), s.channels.end());
  actors::order_publisher_actor publisher;
  actors::mqtt_ingress_actor ingress;
  refusal_watch refusals{to_string(base.broker), cfg.mqtt.retry_refused};
  auto out_opts = base;
  out_opts.client_id = cfg.mqtt.client_id + "-out";
  out_opts.max_inflight = feed_max_inflight;
  mqtt_callbacks out_cb;
  out_cb.on_connect = [&](bool ok, std::string reason) {
    caf::anon_send(publisher, actors::connection_event{ok, reason});
  };
  out_cb.on_disconnect = [&](std::string reason, bool) {
    caf::anon_send(publisher, actors::connection_event{false, reason});
  };
  out_cb.on_published = [&](int mid) {
    caf::anon_send(publisher, actors::puback_atom_v, static_cast<int32_t>(mid));
  };
  out_cb.on_refused = refusals.callback(out_opts.client_id);
  mqtt_client out_client{out_opts, out_cb};
  // Signals have a connection of their own, so that no id of theirs is ever
  // taken for an order's acknowledgement (see actors::publish_fns).
  auto sig_opts = base;
  sig_opts.client_id = cfg.mqtt.client_id + "-sig";
  sig_opts.clean_session = true;
  mqtt_callbacks sig_cb;
  sig_cb.on_refused = refusals.callback(sig_opts.client_id);
  mqtt_client sig_client{sig_opts, sig_cb};
  auto in_opts = base;
  in_opts.client_id = cfg.mqtt.client_id + "-in";
  in_opts.clean_session = false;
  mqtt_callbacks in_cb;
  // libmosquitto 2.0 has queued the PUBACK when this runs: the append is
  // what makes the message survive the process. The ingress reads it back
  // when it has room; at most one `input` waits in its mailbox.
  auto notified = std::make_shared<std::atomic<bool>>(false);
  in_cb.on_message = [&, notified](std::string topic, std::string payload) {
    auto res = input.log->append(topic, payload, wall_ms(), steady_ns());
    if (!res) {
      std::cerr << ("intuition run: " + res.error().message + "; stopping\n");
      stop_requested = true;
      return;
    }
    if (!notified->exchange(true))
      caf::anon_send(ingress, actors::input_atom_v);
  };
  in_cb.on_connect = [&](bool ok, std::string reason) {
    caf::anon_send(ingress, actors::connection_event{ok, reason});
  };
  in_cb.on_disconnect = [&](std::string reason, bool) {
    caf::anon_send(ingress, actors::connection_event{false, reason});
  };
  in_cb.on_subscription_refused = [](std::string topic) {
    std::cerr << ("intuition run: the broker refused the subscription to "
                  + topic
                  + "; not ready until it accepts it (check its ACL)\n");
  };
  in_cb.on_refused = refusals.callback(in_opts.client_id);
  mqtt_client in_client{in_opts, in_cb};
  // -- actor system
  system_config caf_cfg;
  if (auto ok = caf_cfg.load_file(opts.caf_config, argv0); !ok) {
    std::cerr << "intuition run: " << ok.error().message << "\n";
    return 2;
  }
  if (cfg.listen.enabled || !cfg.cluster.nodes.empty())
    if (auto ok = caf_cfg.check_failure_detection(); !ok) {
      std::cerr << "intuition run: " << ok.error().message << "\n";
      return 2;
    }
  caf::actor_system sys{caf_cfg};
  actors::set_node_label("coordinator");
  // The main loop's actor: queries states, and is told when trading halts.
  caf::scoped_actor self{sys};
  // These handles live outside the system's scope; still set when it ends,
  // they would keep the detached publisher alive and its destructor waiting.
  auto release_handles = caf::detail::make_scope_guard([&] {
    publisher = actors::order_publisher_actor{};
    ingress = actors::mqtt_ingress_actor{};
  });
  // Detached like the order log: writing the publication mark syncs a file,
  // which must not stall one of the scheduler's workers.
  auto publish_with = [](mqtt_client& client) {
    return actors::publish_fn{[&client](const std::string& topic,
                                        const std::string& payload, int qos) {
      return client.publish(topic, payload, qos);
    }};
  };
  publisher = sys.spawn<caf::detached>(actors::order_publisher, std::move(pub_cfg),
                                       actors::publish_fns{publish_with(out_client),
                                                           publish_with(sig_client)});
  auto p = start_pipeline(sys, cfg, std::move(journal),
                          cfg.cluster.local ? actors::local_placement()
                                            : actors::placement_fn{},
                          publisher,
                          caf::actor_cast<actors::halt_sink_actor>(self));
  // -- worker nodes, before the first quote, so that placement spreads
  actors::cluster_connector_actor connector;
  auto release_connector = caf::detail::make_scope_guard(
    [&] { connector = actors::cluster_connector_actor{}; });
  if (!cfg.cluster.nodes.empty()) {
    auto joined = join_cluster(sys, cfg.cluster, p.router, caf_cfg.tls());
    if (!joined) {
      std::cerr << "intuition run: " << joined.error().message << "\n";
      stop_pipeline(p);
      caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
      return 1;
    }
    connector = *joined;
  }
  actors::mqtt_ingress_config in_cfg;
  in_cfg.limits = cfg.codec;
  in_cfg.window_quotes = static_cast<size_t>(cfg.ingress.window_quotes);
  in_cfg.window_bytes = static_cast<size_t>(cfg.ingress.window_bytes);
  in_cfg.overload = cfg.ingress.overload;
  in_cfg.stale = cfg.ingress.stale;
  in_cfg.input = input.log;
  in_cfg.notified = notified;
  in_cfg.log = p.log;
  in_cfg.resume_after = input.resume_after;
  in_cfg.filter = std::move(input.filter);
  for (const auto& s : cfg.strategies)
    in_cfg.channels.push_back({s.name, s.channels});
  ingress = sys.spawn(actors::mqtt_ingress, std::move(in_cfg), p.router);
  // The input log's `interval` fsync runs on a thread of its own: on a
  // scheduler worker it stalled every actor queued behind it (tick-to-order
  // p99 at 10,000 quotes/s: 8.5 ms with it there, 2 ms without any fsync).
  std::atomic<bool> syncer_stop{false};
  std::thread input_syncer;
  if (cfg.ingress.fsync == trading::fsync_policy::interval)
    input_syncer = std::thread{[&] {
      auto period = std::chrono::milliseconds{cfg.ingress.fsync_interval_ms};
      auto last_report = clock_type::now() - std::chrono::seconds(1);
      while (!syncer_stop) {
        std::this_thread::sleep_for(period);
        auto ok = input.log->sync_if_due();
        if (!ok && clock_type::now() - last_report >= std::chrono::seconds(1)) {
          std::cerr << ("intuition run: " + ok.error().message + "\n");
          last_report = clock_type::now();
        }
      }
    }};
  auto stop_syncer = caf::detail::make_scope_guard([&] {
    syncer_stop = true;
    if (input_syncer.joinable())
      input_syncer.join();
  });
  // -- readiness: the subscriptions acknowledged (the journal is open)
  std::string channel_list;
  for (const auto& ch : channels)
    channel_list += (channel_list.empty() ? "" : ", ") + ch;
  std::atomic<bool> subscribing{false};
  auto not_ready = [&]() -> std::optional<std::string> {
    if (stop_requested)
      return std::string{"stopping"};
    if (!subscribing)
      return std::string{"starting"};
    if (!in_client.connected())
      return "no connection to " + to_string(base.broker);
    if (!in_client.subscribed())
      return "waiting for the broker to acknowledge the subscription to "
             + channel_list;
    return std::nullopt;
  };
  // -- inspection and metrics
  actors::node_agent_config agent_cfg;
  agent_cfg.role = "coordinator";
  agent_cfg.singletons = inspection_targets(p);
  agent_cfg.singletons.push_back({"mqtt_ingress", ingress});
  agent_cfg.singletons.push_back({"order_publisher", publisher});
  agent_cfg.router = p.router;
  auto started = start_control(sys, cfg.listen, cfg.metrics, agent_cfg,
                              caf_cfg.tls(), not_ready);
  if (!started) {
    std::cerr << "intuition run: " << started.error().message << "\n";
    stop_pipeline(p);
    caf::anon_send_exit(ingress, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
    return 2;
  }
  auto control = std::move(*started);
  install_stop_handlers();
  bool failed = false;
  auto start_client = [&](mqtt_client& client) {
    if (stop_requested)
      return;
    if (auto ok = client.start(); !ok) {
      std::cerr << "intuition run: mqtt: " << ok.error().message
                << "; stopping\n";
      stop_requested = true;
      failed = true;
    }
  };
  start_client(out_client);
  if (cfg.mqtt.publish_signals)
    start_client(sig_client);
  // Signals are best effort (QoS 0, not kept while disconnected): give the
  // publishing side a moment to connect before the first quote arrives.
  for (int i = 0; i < 50 && !out_client.connected() && !stop_requested; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (tail > 0)
    trade_input_tail(sys, ingress, tail);
  for (const auto& ch : channels)
    if (auto ok = in_client.subscribe(ch, cfg.mqtt.qos); !ok)
      std::cerr << "intuition run: subscribe " << ch << ": "
                << ok.error().message << "\n";
  start_client(in_client);
  subscribing = true;
  // One write, so the line is not interleaved with the actors' output.
  if (!stop_requested)
    std::cerr << ("intuition run: connecting to " + to_string(base.broker)
                  + ", subscribing to " + channel_list + " (QoS "
                  + std::to_string(cfg.mqtt.qos) + ")\n");
  // -- the live demo feeds the bundled data into the broker once ready:
  // the broker does not deliver what is published before the subscription.
  std::thread demo_feed;
  std::atomic<bool> demo_done{false};
  auto start_demo_feed = [&] {
    demo_feed = std::thread{[&] {
      auto loaded = load_quotes_csv(*opts.demo_quotes);
      if (auto* data = loaded ? &*loaded : nullptr) {
        feed_options fo;
        fo.topic = *channels.begin();
        fo.rate = 2000;
        fo.quiet = true;
        fo.client_id = cfg.mqtt.client_id + "-demo";
        auto res = publish_quotes(base.broker, data->quotes, fo, stop_requested);
        if (auto* e = std::get_if<std::string>(&res))
          std::cerr << "intuition run: demo feed: " << *e << "\n";
      } else {
        std::cerr << "intuition run: demo feed: " << loaded.error().message
                  << "\n";
      }
      demo_done = true;
    }};
  };
  // -- run until told to stop
  halt_state halt;
  auto take_halt = [&] {
    self->receive(
      [&](actors::halt_atom, std::string& cause, std::string& why) {
        if (!halt.cause.empty())
          return;
        halt = {std::move(cause), std::move(why)};
        // The ingress stops reading the input log: what arrives from now
        // on waits there, on disk, instead of in memory until a durable
        // order confirms it (which never comes).
        caf::anon_send(ingress, actors::drain_atom_v);
        // Shown even with --quiet: nothing trades until it is restarted.
        std::cerr << ("intuition run: halted: " + halt.cause + ": "
                      + halt.error
                      + "; no order is filled any more, and what arrives "
                        "waits in the input log for the next start. Stop "
                        "this process (SIGINT) once the journal can be "
                        "written again\n");
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
  };
  auto t0 = clock_type::now();
  int64_t last_quotes = 0;
  auto last_tick = t0;
  auto last_connected = t0;
  auto last_warning = t0;
  bool ready = false;
  bool ever_ready = false;
  // Idle time counts from readiness, and from the last quote after it.
  idle_watch idle{std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::duration<double>(opts.idle_exit_s))};
  while (!stop_requested) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    take_halt();
    auto now = clock_type::now();
    auto waiting = not_ready();
    if (!waiting != ready && !stop_requested) {
      ready = !waiting;
      if (ready)
        std::cerr << ("intuition run: ready"
                      + std::string{ever_ready ? " again" : ""}
                      + ": trading live on " + to_string(base.broker)
                      + ", subscribed to " + channel_list + " (QoS "
                      + std::to_string(cfg.mqtt.qos) + "); Ctrl-C stops\n");
      else
        std::cerr << ("intuition run: not ready: " + *waiting + "\n");
      if (ready && !ever_ready) {
        ever_ready = true;
        idle.ready(now);
        if (opts.demo_quotes)
          start_demo_feed();
      }
    }
    if (now - last_tick < std::chrono::seconds(1))
      continue;
    auto st = query_state(self, caf::actor_cast<caf::actor>(ingress));
    if (!st)
      continue;
    auto connected
      = nlohmann::json::parse(st->summary_json)["connected"].get<bool>();
    if (connected) {
      last_connected = now;
    } else if (now - last_connected > std::chrono::seconds(5)
               && now - last_warning > std::chrono::seconds(5)) {
      // Shown even with --quiet: nothing trades until this clears.
      std::cerr << ("intuition run: no connection to "
                    + to_string(base.broker) + " for "
                    + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                       now - last_connected)
                                       .count())
                    + " s; retrying with backoff\n");
      last_warning = now;
    }
    auto quotes = st->counters["quotes"];
    auto rate = static_cast<double>(quotes - last_quotes)
                / std::chrono::duration<double>(now - last_tick).count();
    if (quotes != last_quotes)
      idle.activity(now);
    if (!opts.quiet)
      std::cerr << "run: " << quotes << " quotes (" << static_cast<int64_t>(rate)
                << "/s), " << st->counters["rejected"] << " rejected, "
                << st->counters["duplicate"] << " duplicate, "
                << st->counters["conflated"] << " conflated, "
                << st->counters["orders"] << " orders, backlog "
                << st->counters["backlog"] << " quotes and "
                << publishing_backlog(self, publisher) << " orders, "
                << (connected ? "connected" : "disconnected")
                << (halt.cause.empty() ? "" : ", halted: " + halt.cause)
                << "\n";
    last_quotes = quotes;
    last_tick = now;
    if (idle.expired(now) && (!opts.demo_quotes || demo_done)) {
      std::cerr << ("intuition run: no quote for "
                    + std::to_string(static_cast<int64_t>(opts.idle_exit_s))
                    + " s (--exit-when-idle)\n");
      break;
    }
  }
  // -- drain: no new quotes, everything received reaches the journal and MQTT
  std::cerr << "intuition run: stopping\n";
  stop_requested = true;
  if (demo_feed.joinable())
    demo_feed.join();
  in_client.stop();
  self->request(ingress, std::chrono::seconds(30), actors::drain_atom_v)
    .receive([](uint64_t) {},
             [&](caf::error& err) {
               std::cerr << "intuition run: draining quotes: "
                         << sys.render(err) << "\n";
               failed = true;
             });
  uint64_t durable = 0;
  self->request(p.log, std::chrono::seconds(30), actors::flush_atom_v)
    .receive([&](uint64_t n) { durable = n; },
             [&](caf::error& err) {
               std::cerr << "intuition run: journal: " << sys.render(err) << "\n";
               failed = true;
             });
  // The last sync may have failed too.
  take_halt();
  if (!halt.cause.empty())
    failed = true;
  uint64_t unconfirmed = 0;
  self->request(publisher, std::chrono::seconds(10), actors::drain_atom_v)
    .receive([&](uint64_t n) { unconfirmed = n; },
             [&](caf::error& err) {
               std::cerr << "intuition run: publishing orders: "
                         << sys.render(err) << "\n";
             });
  if (unconfirmed > 0)
    std::cerr << "intuition run: " << unconfirmed
              << " orders not confirmed by the broker; the next start "
                 "publishes them\n";
  nlohmann::json report;
  self->request(p.portfolio, std::chrono::seconds(30), actors::report_atom_v)
    .receive([&](std::string& txt) { report = nlohmann::json::parse(txt); },
             [&](caf::error& err) {
               std::cerr << "intuition run: portfolio: " << sys.render(err)
                         << "\n";
             });
  auto in_state = query_state(self, caf::actor_cast<caf::actor>(ingress));
  auto pub_state = query_state(self, caf::actor_cast<caf::actor>(publisher));
  if (in_state && in_state->counters["backlog"] > 0)
    std::cerr << "intuition run: " << in_state->counters["backlog"]
              << " messages wait in the input log; the next start trades "
                 "them\n";
  out_client.stop();
  sig_client.stop();
  stop_control(sys, control);
  if (connector)
    caf::anon_send_exit(connector, caf::exit_reason::user_shutdown);
  stop_pipeline(p);
  caf::anon_send_exit(ingress, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
  restore_default_handlers();
  if (report.is_null())
    return 1;
  run_info info;
  info.mode = "run";
  info.input = to_string(base.broker);
  info.elapsed_s = std::chrono::duration<double>(clock_type::now() - t0).count();
  info.journal_path = cfg.journal.path;
  info.journal_durable = durable;
  info.restored_orders = restored;
  info.halted = halt.cause;
  info.halt_error = halt.error;
  if (in_state) {
    info.rows = static_cast<uint64_t>(in_state->counters["messages"]);
    info.quotes_sent = static_cast<uint64_t>(in_state->counters["quotes"]);
    auto by_reason = nlohmann::json::parse(in_state->summary_json)["rejected_by_reason"];
    for (size_t i = 0; i < trading::reject_reason_count; ++i) {
      auto name = std::string{
        trading::to_string(static_cast<trading::reject_reason>(i))};
      if (by_reason.contains(name))
        info.rejected[i] = by_reason[name].get<uint64_t>();
    }
  }
  complete_report(report, info);
  if (in_state) {
    report["mqtt_in"] = in_state->counters;
    auto in_summary = nlohmann::json::parse(in_state->summary_json);
    report["input_log"] = {{"mean_append_ns", in_summary["mean_append_ns"]},
                           {"max_append_us", in_summary["max_append_us"]},
                           {"bytes", in_summary["input_log_bytes"]},
                           {"segments", in_summary["input_log_segments"]}};
  }
  if (pub_state)
    report["mqtt_out"] = pub_state->counters;
  report["unconfirmed_orders"] = unconfirmed;
  print_summary(std::cout, report);
  if (opts.report_path) {
    std::ofstream out{*opts.report_path};
    out << report.dump(2) << "\n";
  }
  return failed || refusals.stopped() ? 1 : 0;
}

} // namespace intuition::runtime

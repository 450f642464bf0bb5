#include "runtime/live.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/mqtt_ingress.hpp"
#include "actors/order_publisher.hpp"
#include "actors/publication_mark.hpp"
#include "actors/telemetry.hpp"
#include "runtime/ack_relay.hpp"
#include "runtime/broker.hpp"
#include "runtime/feed.hpp"
#include "runtime/idle_watch.hpp"
#include "runtime/journal_recovery.hpp"
#include "runtime/mqtt_setup.hpp"
#include "runtime/mqtt_source.hpp"
#include "runtime/replay.hpp"
#include "runtime/session.hpp"
#include "runtime/stop_signals.hpp"
#include "trading/input_log.hpp"

namespace intuition::runtime {

namespace {

using clock_type = std::chrono::steady_clock;

/// Forwarded quotes waiting in the forwarding client's queue at most; past
/// it quotes are dropped and counted (`forward_dropped`).
constexpr int64_t max_forward_queue = 10'000;

/// The run command's flags over the configuration; a failure names a flag
/// that cannot be used.
trading::status apply_run_flags(const run_options& opts, app_config& cfg) {
  auto set = [](auto& field, const auto& flag) {
    if (flag)
      field = *flag;
  };
  set(cfg.mqtt.broker, opts.broker);
  set(cfg.mqtt.username, opts.username);
  set(cfg.mqtt.password_file, opts.password_file);
  set(cfg.mqtt.tls_ca, opts.tls_ca);
  set(cfg.mqtt.tls_cert, opts.tls_cert);
  set(cfg.mqtt.tls_key, opts.tls_key);
  set(cfg.mqtt.client_id, opts.client_id);
  if (opts.retry_refused)
    cfg.mqtt.retry_refused = true;
  if (!cfg.listen.specified) {
    // Where the original system listened; `inspect` finds it there.
    cfg.listen.specified = true;
    cfg.listen.enabled = true;
    cfg.listen.any_port_if_taken = true;
  }
  return check_mqtt_credentials(cfg.mqtt);
}

/// Live trading: the session's pipeline fed from MQTT through the input
/// log, orders and signals published back. Its steps run in the order they
/// are declared; the destructor stops the clients, then the session.
class live_run {
public:
  live_run(session& s, const run_options& opts)
      : s_(s), opts_(opts), cfg_(s.config()) {
    // nop
  }

  ~live_run();

  // -- before the actor system ---------------------------------------------

  trading::status prepare_mqtt();
  trading::status recover_input();
  trading::status prepare_publisher();
  trading::status start_broker();
  /// The broker quotes come from, `mqtt://HOST:PORT` (node-local ingress
  /// hands it to the nodes).
  std::string broker_url() const;
  void make_clients();

  // -- with the actor system -----------------------------------------------

  actors::order_publisher_actor spawn_publisher();
  void spawn_ingress();
  void start_input_syncer();
  std::vector<actors::inspection_target> inspection_targets() const;
  readiness_check readiness();

  // -- trading, then drain -------------------------------------------------

  void connect();
  void watch();
  int finish();

private:
  mqtt_options client_options(const std::string& suffix, bool clean_session,
                              int max_inflight = 0);
  std::shared_ptr<mqtt_client>
  make_client(const std::string& suffix, mqtt_callbacks cb, bool clean_session);
  source_callbacks ingress_callbacks();
  template <class Client>
  void start_client(Client& client);
  void make_forward_client();
  actors::forward_fn forwarder();
  std::vector<actors::external_route> external_routes() const;
  void trade_input_tail();
  std::optional<std::string> not_ready() const;
  void note_readiness(clock_type::time_point now);
  bool note_progress(clock_type::time_point now);
  /// `, trading halted (REASON)` while the mode is not normal.
  std::string trading_mode_note();
  void start_demo_feed();
  void drain();
  void stop();

  session& s_;
  const run_options& opts_;
  app_config& cfg_;
  mqtt_options base_;
  recovered_input input_;
  uint64_t tail_ = 0;
  actors::order_publisher_config pub_cfg_;
  std::set<std::string> channels_;
  std::string channel_list_;
  std::unique_ptr<embedded_broker> broker_;
  std::unique_ptr<refusal_watch> refusals_;
  // Actors call the clients' publish until the system stops, and the
  // clients' callbacks send to the actors: both outlive the system.
  std::shared_ptr<mqtt_sink> out_;
  /// The order connection's acknowledgements on their way to the publisher.
  std::shared_ptr<ack_relay> acks_ = std::make_shared<ack_relay>();
  std::shared_ptr<mqtt_sink> sig_;
  std::shared_ptr<mqtt_source> in_;
  /// Forwards quotes to external strategies (QoS 0); null when none does.
  std::shared_ptr<mqtt_client> fwd_;
  /// Forwarded quotes handed to `fwd_` and not yet written to its socket.
  std::shared_ptr<std::atomic<int64_t>> fwd_queued_
    = std::make_shared<std::atomic<int64_t>>(0);
  actors::order_publisher_actor publisher_;
  actors::mqtt_ingress_actor ingress_;
  /// Whether an `input` is on its way to the ingress (at most one is).
  std::shared_ptr<std::atomic<bool>> notified_
    = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool> syncer_stop_{false};
  std::thread input_syncer_;
  std::thread demo_feed_;
  std::atomic<bool> demo_done_{false};
  std::atomic<bool> subscribing_{false};
  bool failed_ = false;
  // -- the watch loop
  clock_type::time_point t0_ = clock_type::now();
  clock_type::time_point last_tick_ = t0_;
  clock_type::time_point last_connected_ = t0_;
  clock_type::time_point last_warning_ = t0_;
  int64_t last_quotes_ = 0;
  bool ready_ = false;
  bool ever_ready_ = false;
  idle_watch idle_{std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::duration<double>(opts_.idle_exit_s))};
  // -- drained
  std::optional<uint64_t> durable_;
  uint64_t unconfirmed_ = 0;
  std::optional<trading::ingress_report> in_report_;
  std::optional<actors::actor_state> pub_state_;
};

live_run::~live_run() {
  stop();
}

void live_run::stop() {
  stop_requested = true;
  if (demo_feed_.joinable())
    demo_feed_.join();
  if (in_)
    in_->stop();
  for (auto* client : {out_.get(), sig_.get()})
    if (client)
      client->stop();
  if (fwd_)
    fwd_->stop();
  // A handle still set when the system stops would keep a detached actor
  // alive and the system's destructor waiting for it.
  publisher_ = actors::order_publisher_actor{};
  ingress_ = actors::mqtt_ingress_actor{};
  s_.stop();
  syncer_stop_ = true;
  if (input_.log)
    input_.log->release_waiters();
  if (input_syncer_.joinable())
    input_syncer_.join();
}

trading::status live_run::prepare_mqtt() {
  auto shared = shared_mqtt_options(cfg_.mqtt);
  if (!shared)
    return std::move(shared).error();
  base_ = std::move(*shared);
  for (const auto& s : cfg_.strategies)
    channels_.insert(s.channels.begin(), s.channels.end());
  for (const auto& x : external_routes())
    channels_.insert(x.signal_topic);
  for (const auto& ch : channels_)
    channel_list_ += (channel_list_.empty() ? "" : ", ") + ch;
  if (cfg_.mqtt.broker == "embedded")
    return {};
  auto url = parse_broker_url(cfg_.mqtt.broker);
  if (!url)
    return std::move(url).error().within("broker");
  base_.broker = *url;
  return {};
}

trading::status live_run::recover_input() {
  auto recovered = runtime::recover_input(cfg_);
  if (!recovered)
    return std::move(recovered).error();
  input_ = std::move(*recovered);
  cfg_.portfolio.input_watermark = input_.resume_after;
  auto last = input_.log->last_position();
  tail_ = last - std::min(last, input_.resume_after);
  if (tail_ > 0)
    std::cerr << "input log: " << tail_
              << " messages received but not yet traded; trading them "
                 "before subscribing\n";
  return {};
}

trading::status live_run::prepare_publisher() {
  auto mark_path = actors::publication_mark_path(cfg_.journal.path);
  auto mark = actors::read_publication_mark(mark_path);
  if (!mark)
    return std::move(mark).error();
  pub_cfg_.topic_prefix = cfg_.mqtt.topic_prefix;
  pub_cfg_.publish_signals = cfg_.mqtt.publish_signals;
  pub_cfg_.mark_path = mark_path;
  pub_cfg_.mark = *mark;
  pub_cfg_.journal_path = cfg_.journal.path;
  pub_cfg_.max_queued = static_cast<size_t>(cfg_.mqtt.max_queued_orders);
  for (const auto& x : s_.journal().contents.orders)
    if (x.seq > pub_cfg_.mark)
      pub_cfg_.unconfirmed.push_back(x);
  if (!pub_cfg_.unconfirmed.empty())
    std::cerr << "journal " << cfg_.journal.path << ": "
              << pub_cfg_.unconfirmed.size()
              << " orders not yet confirmed by the broker will be published\n";
  return {};
}

std::string live_run::broker_url() const {
  return to_string(base_.broker);
}

trading::status live_run::start_broker() {
  if (cfg_.mqtt.broker != "embedded")
    return {};
  auto started = embedded_broker::start({});
  if (!started)
    return std::move(started).error().within("embedded broker");
  broker_ = std::move(*started);
  base_.broker = *parse_broker_url(broker_->url());
  std::cout << "embedded broker: " << broker_->url()
            << " (publish quotes to it, e.g. mosquitto_pub -p "
            << broker_->port() << " -t quotes -m '{\"goog\": 3.45}')"
            << std::endl;
  return {};
}

mqtt_options live_run::client_options(const std::string& suffix,
                                      bool clean_session, int max_inflight) {
  auto opts = base_;
  opts.client_id = cfg_.mqtt.client_id + suffix;
  opts.clean_session = clean_session;
  opts.max_inflight = max_inflight;
  return opts;
}

std::shared_ptr<mqtt_client> live_run::make_client(const std::string& suffix,
                                                   mqtt_callbacks cb,
                                                   bool clean_session) {
  auto opts = client_options(suffix, clean_session);
  cb.on_refused = refusals_->callback(opts.client_id);
  return std::make_shared<mqtt_client>(std::move(opts), std::move(cb));
}

void live_run::make_clients() {
  refusals_ = std::make_unique<refusal_watch>(to_string(base_.broker),
                                              cfg_.mqtt.retry_refused);
  mqtt_callbacks out_cb;
  out_cb.on_connect = [this](bool ok, std::string reason) {
    caf::anon_send(publisher_, actors::connection_event{ok, reason});
  };
  out_cb.on_disconnect = [this](std::string reason, bool) {
    caf::anon_send(publisher_, actors::connection_event{false, reason});
  };
  // A burst of orders comes back as PUBACKs over a few reads: the publisher
  // is told once the burst is complete (or many wait), and takes the others
  // when it runs anyway (see ack_relay).
  out_cb.on_published_together = [this](const std::vector<int>& mids) {
    auto ids = acks_->add(mids, out_->unacknowledged() == 0);
    if (!ids.empty())
      caf::anon_send(publisher_, actors::puback_atom_v, std::move(ids));
  };
  auto out_opts
    = client_options("-out", base_.clean_session, publish_max_inflight(base_));
  out_cb.on_refused = refusals_->callback(out_opts.client_id);
  out_ = make_mqtt_sink(std::move(out_opts), std::move(out_cb));
  // Signals have a connection of their own, so that no id of theirs is ever
  // taken for an order's acknowledgement (see actors::publish_fns).
  auto sig_opts = client_options("-sig", true);
  mqtt_callbacks sig_cb;
  sig_cb.on_refused = refusals_->callback(sig_opts.client_id);
  sig_ = make_mqtt_sink(std::move(sig_opts), std::move(sig_cb));
  auto in_opts = base_;
  in_opts.client_id = cfg_.mqtt.client_id + "-in";
  in_opts.clean_session = false;
  in_opts.read_pause_us = static_cast<int>(cfg_.ingress.read_pause_us);
  // Each read is appended to the input log before its PUBACKs go out, so a
  // read that waits delays no acknowledgement of what it took.
  in_opts.read_pause_qos1 = true;
  auto in_cb = ingress_callbacks();
  in_cb.events.on_refused = refusals_->callback(in_opts.client_id);
  in_ = make_mqtt_source(std::move(in_opts), std::move(in_cb));
  make_forward_client();
}

// -- external algorithms ------------------------------------------------------------

std::vector<actors::external_route> live_run::external_routes() const {
  std::vector<actors::external_route> out;
  const auto& prefix = cfg_.mqtt.topic_prefix;
  for (const auto& s : cfg_.strategies)
    if (s.external)
      out.push_back(
        {s.name, trading::signal_topic_of(*s.external, prefix, s.name),
         s.external->forward_quotes ? trading::forward_topic_of(prefix, s.name)
                                    : std::string{},
         s.symbols});
  return out;
}

void live_run::make_forward_client() {
  auto routes = external_routes();
  if (std::none_of(routes.begin(), routes.end(),
                   [](const auto& x) { return !x.forward_topic.empty(); }))
    return;
  mqtt_callbacks cb;
  // libmosquitto reports a QoS 0 message as published once it is written:
  // what is left is its queue, which `forwarder` bounds.
  cb.on_published = [queued = fwd_queued_](int) {
    if (queued->fetch_sub(1) <= 0)
      queued->store(0);
  };
  cb.on_connect = [queued = fwd_queued_](bool, std::string) {
    // A reconnect drops what QoS 0 had queued.
    queued->store(0);
  };
  fwd_ = make_client("-fwd", std::move(cb), true);
}

actors::forward_fn live_run::forwarder() {
  if (!fwd_)
    return {};
  return [client = fwd_, queued = fwd_queued_](const std::string& topic,
                                               const std::string& payload) {
    if (queued->load() >= max_forward_queue || !client->connected())
      return false;
    if (!client->publish(topic, payload, 0))
      return false;
    ++*queued;
    return true;
  };
}

source_callbacks live_run::ingress_callbacks() {
  source_callbacks src;
  // The append is what makes the messages survive the process; the source
  // acknowledges them to the broker only after it (over TLS, libmosquitto
  // 2.0 has queued the PUBACK already). The ingress reads them back when it
  // has room; at most one `input` waits in its mailbox.
  src.on_messages = [this](const std::vector<inbound_message>& batch) {
    auto res = input_.log->append(batch, actors::wall_now_ms(),
                                  actors::steady_now_ns());
    if (!res) {
      std::cerr << ("intuition run: " + res.error().message + "; stopping\n");
      stop_requested = true;
      return false;
    }
    if (!notified_->exchange(true))
      caf::anon_send(ingress_, actors::input_atom_v);
    return true;
  };
  auto& cb = src.events;
  cb.on_connect = [this](bool ok, std::string reason) {
    caf::anon_send(ingress_, actors::connection_event{ok, reason});
  };
  cb.on_disconnect = [this](std::string reason, bool) {
    caf::anon_send(ingress_, actors::connection_event{false, reason});
  };
  cb.on_subscription_refused = [](std::string topic) {
    std::cerr << ("intuition run: the broker refused the subscription to "
                  + topic
                  + "; not ready until it accepts it (check its ACL)\n");
  };
  return src;
}

actors::order_publisher_actor live_run::spawn_publisher() {
  auto publish_with = [](mqtt_sink& client) {
    return actors::publish_fn{
      [&client](const std::string& topic, const std::string& payload, int qos) {
        return client.publish(topic, payload, qos);
      }};
  };
  // Detached like the order log: writing the publication mark syncs a file,
  // which must not stall one of the scheduler's workers.
  publisher_ = s_.system().spawn<caf::detached>(
    actors::order_publisher, std::move(pub_cfg_),
    actors::publish_fns{publish_with(*out_), publish_with(*sig_),
                        [out = out_](bool on) { out->hold(on); },
                        [acks = acks_] {
                          return acks->take();
                        }});
  s_.before_stop([hdl = publisher_] {
    caf::anon_send_exit(hdl, caf::exit_reason::user_shutdown);
  });
  return publisher_;
}

void live_run::spawn_ingress() {
  actors::mqtt_ingress_config in_cfg;
  in_cfg.limits = cfg_.codec;
  in_cfg.window_quotes = static_cast<size_t>(cfg_.ingress.window_quotes);
  in_cfg.window_bytes = static_cast<size_t>(cfg_.ingress.window_bytes);
  in_cfg.overload = cfg_.ingress.overload;
  in_cfg.stale = cfg_.ingress.stale;
  in_cfg.input = input_.log;
  in_cfg.notified = notified_;
  in_cfg.log = s_.actors().log;
  in_cfg.resume_after = input_.resume_after;
  in_cfg.filter = std::move(input_.filter);
  for (const auto& s : cfg_.strategies)
    in_cfg.channels.push_back({s.name, s.channels});
  in_cfg.externals = external_routes();
  in_cfg.forward = forwarder();
  in_cfg.max_priced_symbols = static_cast<size_t>(cfg_.router.max_symbols);
  ingress_ = s_.system().spawn(actors::mqtt_ingress, std::move(in_cfg),
                               s_.actors().router);
  s_.before_stop([hdl = ingress_] {
    caf::anon_send_exit(hdl, caf::exit_reason::user_shutdown);
  });
  s_.on_halt([this](const halt_state& halt) {
    // The ingress stops reading the input log: what arrives from now on
    // waits there, on disk, instead of in memory until a durable order
    // confirms it (which never comes).
    caf::anon_send(ingress_, actors::drain_atom_v);
    // Shown even with --quiet: nothing trades until it is restarted.
    std::cerr << ("intuition run: halted: " + halt.cause + ": " + halt.error
                  + "; no order is filled any more, and what arrives waits "
                    "in the input log for the next start. Stop this process "
                    "(SIGINT) once the journal can be written again\n");
  });
}

void live_run::start_input_syncer() {
  if (cfg_.ingress.fsync != trading::fsync_policy::interval)
    return;
  // The input log's `interval` fsync runs on a thread of its own: on a
  // scheduler worker it stalled every actor queued behind it (tick-to-order
  // p99 at 10,000 quotes/s: 8.5 ms with it there, 2 ms without any fsync).
  input_syncer_ = std::thread{[this] {
    auto period = std::chrono::milliseconds{cfg_.ingress.fsync_interval_ms};
    auto last_report = clock_type::now() - std::chrono::seconds(1);
    while (!syncer_stop_) {
      // Asleep while nothing was appended: an idle run does not wake here
      // every interval. Then the interval passes before the sync, so a
      // steady stream is synced once per interval, each append within one.
      if (!input_.log->wait_dirty(std::chrono::seconds{1}))
        continue;
      std::this_thread::sleep_for(period);
      auto ok = input_.log->sync_if_due();
      if (!ok && clock_type::now() - last_report >= std::chrono::seconds(1)) {
        std::cerr << ("intuition run: " + ok.error().message + "\n");
        last_report = clock_type::now();
      }
    }
  }};
}

std::vector<actors::inspection_target> live_run::inspection_targets() const {
  return {{"mqtt_ingress", ingress_}, {"order_publisher", publisher_}};
}

std::optional<std::string> live_run::not_ready() const {
  if (stop_requested)
    return std::string{"stopping"};
  if (!subscribing_)
    return std::string{"starting"};
  if (!in_->connected())
    return "no connection to " + to_string(base_.broker);
  if (!in_->subscribed())
    return "waiting for the broker to acknowledge the subscription to "
           + channel_list_;
  return std::nullopt;
}

readiness_check live_run::readiness() {
  // Asked by the metrics endpoint's thread until the session stops it,
  // which the destructor does first.
  return [this] {
    return not_ready();
  };
}

template <class Client>
void live_run::start_client(Client& client) {
  if (stop_requested)
    return;
  if (auto ok = client.start(); !ok) {
    std::cerr << "intuition run: mqtt: " << ok.error().message
              << "; stopping\n";
    stop_requested = true;
    failed_ = true;
  }
}

void live_run::trade_input_tail() {
  for (;;) {
    auto st = s_.state_of(ingress_);
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
  std::cerr << "input log: " << tail_ << " messages traded\n";
}

void live_run::connect() {
  start_client(*out_);
  if (cfg_.mqtt.publish_signals)
    start_client(*sig_);
  if (fwd_)
    start_client(*fwd_);
  // Signals are best effort (QoS 0, not kept while disconnected): give the
  // publishing side a moment to connect before the first quote arrives.
  for (int i = 0; i < 50 && !out_->connected() && !stop_requested; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (tail_ > 0)
    trade_input_tail();
  for (const auto& ch : channels_)
    if (auto ok = in_->subscribe(ch, cfg_.mqtt.qos); !ok)
      std::cerr << "intuition run: subscribe " << ch << ": "
                << ok.error().message << "\n";
  start_client(*in_);
  subscribing_ = true;
  // One write, so the line is not interleaved with the actors' output.
  if (!stop_requested)
    std::cerr << ("intuition run: connecting to " + to_string(base_.broker)
                  + ", subscribing to " + channel_list_ + " (QoS "
                  + std::to_string(cfg_.mqtt.qos) + ")\n");
}

void live_run::start_demo_feed() {
  // The broker does not deliver what is published before the subscription:
  // the live demo feeds the bundled data once ready.
  demo_feed_ = std::thread{[this] {
    auto loaded = load_quotes_csv(*opts_.demo_quotes);
    if (loaded) {
      feed_options fo;
      fo.topic = *channels_.begin();
      fo.rate = 2000;
      fo.quiet = true;
      fo.client_id = cfg_.mqtt.client_id + "-demo";
      auto res = publish_quotes(base_, loaded->quotes, fo, stop_requested);
      if (!res)
        std::cerr << "intuition run: demo feed: " << res.error().message
                  << "\n";
    } else {
      std::cerr << "intuition run: demo feed: " << loaded.error().message
                << "\n";
    }
    demo_done_ = true;
  }};
}

void live_run::note_readiness(clock_type::time_point now) {
  auto waiting = not_ready();
  if (!waiting == ready_ || stop_requested)
    return;
  ready_ = !waiting;
  if (ready_)
    std::cerr << ("intuition run: ready"
                  + std::string{ever_ready_ ? " again" : ""}
                  + ": trading live on " + to_string(base_.broker)
                  + ", subscribed to " + channel_list_ + " (QoS "
                  + std::to_string(cfg_.mqtt.qos) + "); Ctrl-C stops\n");
  else
    std::cerr << ("intuition run: not ready: " + *waiting + "\n");
  if (ready_ && !ever_ready_) {
    ever_ready_ = true;
    // Idle time counts from readiness, and from the last quote after it.
    idle_.ready(now);
    if (opts_.demo_quotes)
      start_demo_feed();
  }
}

std::string live_run::trading_mode_note() {
  // Operator control: the mode, shown while it is not normal.
  auto pf = s_.state_of(s_.actors().portfolio);
  if (!pf)
    return "";
  auto summary = nlohmann::json::parse(pf->summary_json, nullptr, false);
  if (!summary.is_object() || !summary.contains("mode")
      || summary["mode"] == "normal")
    return "";
  auto out = ", trading " + summary["mode"].get<std::string>();
  if (summary.contains("mode_reason"))
    out += " (" + summary["mode_reason"].get<std::string>() + ")";
  return out;
}

bool live_run::note_progress(clock_type::time_point now) {
  auto st = s_.state_of(ingress_);
  if (!st)
    return true;
  auto connected
    = nlohmann::json::parse(st->summary_json)["connected"].get<bool>();
  if (connected) {
    last_connected_ = now;
  } else if (now - last_connected_ > std::chrono::seconds(5)
             && now - last_warning_ > std::chrono::seconds(5)) {
    // Shown even with --quiet: nothing trades until this clears.
    auto down
      = std::chrono::duration_cast<std::chrono::seconds>(now - last_connected_);
    std::cerr << ("intuition run: no connection to " + to_string(base_.broker)
                  + " for " + std::to_string(down.count())
                  + " s; retrying with backoff\n");
    last_warning_ = now;
  }
  auto quotes = st->counters["quotes"];
  auto rate = static_cast<double>(quotes - last_quotes_)
              / std::chrono::duration<double>(now - last_tick_).count();
  if (quotes != last_quotes_)
    idle_.activity(now);
  if (!opts_.quiet) {
    auto pub = s_.state_of(publisher_);
    const auto& halt = s_.halt();
    std::cerr << "run: " << quotes << " quotes (" << static_cast<int64_t>(rate)
              << "/s), " << st->counters["rejected"] << " rejected, "
              << st->counters["duplicate"] << " duplicate, "
              << st->counters["conflated"] << " conflated, "
              << st->counters["orders"] << " orders, backlog "
              << st->counters["backlog"] << " quotes and "
              << (pub ? pub->counters["backlog"] : -1) << " orders, "
              << (connected ? "connected" : "disconnected")
              << (halt.cause.empty() ? "" : ", halted: " + halt.cause)
              << trading_mode_note() << "\n";
  }
  last_quotes_ = quotes;
  last_tick_ = now;
  return !idle_.expired(now) || (opts_.demo_quotes && !demo_done_);
}

void live_run::watch() {
  while (!stop_requested) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s_.poll_halt();
    auto now = clock_type::now();
    note_readiness(now);
    if (now - last_tick_ < std::chrono::seconds(1))
      continue;
    if (!note_progress(now)) {
      std::cerr << ("intuition run: no quote for "
                    + std::to_string(static_cast<int64_t>(opts_.idle_exit_s))
                    + " s (--exit-when-idle)\n");
      return;
    }
  }
}

void live_run::drain() {
  std::cerr << "intuition run: stopping\n";
  stop_requested = true;
  if (demo_feed_.joinable())
    demo_feed_.join();
  // No new quotes; everything received reaches the journal and MQTT.
  in_->stop();
  s_.self()
    ->request(ingress_, std::chrono::seconds(30), actors::drain_atom_v)
    .receive([](uint64_t) {},
             [&](caf::error& err) {
               std::cerr << "intuition run: draining quotes: "
                         << s_.system().render(err) << "\n";
               failed_ = true;
             });
  durable_ = s_.flush_journal(caf::duration{std::chrono::seconds(30)});
  if (!durable_ || !s_.halt().cause.empty())
    failed_ = true;
  s_.self()
    ->request(publisher_, std::chrono::seconds(10), actors::drain_atom_v)
    .receive([&](uint64_t n) { unconfirmed_ = n; },
             [&](caf::error& err) {
               std::cerr << "intuition run: publishing orders: "
                         << s_.system().render(err) << "\n";
             });
  if (unconfirmed_ > 0)
    std::cerr << "intuition run: " << unconfirmed_
              << " orders not confirmed by the broker; the next start "
                 "publishes them\n";
}

int live_run::finish() {
  drain();
  auto report = s_.portfolio_report(caf::duration{std::chrono::seconds(30)});
  s_.self()
    ->request(ingress_, std::chrono::seconds(1), actors::report_atom_v)
    .receive([&](trading::ingress_report& x) { in_report_ = std::move(x); },
             [](caf::error&) {
               // nop: the report goes without the ingress's figures
             });
  pub_state_ = s_.state_of(publisher_);
  if (in_report_ && in_report_->counters["backlog"] > 0)
    std::cerr << "intuition run: " << in_report_->counters["backlog"]
              << " messages wait in the input log; the next start trades "
                 "them\n";
  stop();
  if (!report)
    return 1;
  run_info info;
  info.input = to_string(base_.broker);
  info.elapsed_s
    = std::chrono::duration<double>(clock_type::now() - t0_).count();
  info.journal_durable = durable_.value_or(0);
  if (in_report_) {
    info.rows = static_cast<uint64_t>(in_report_->counters["messages"]);
    info.rejected = in_report_->rejected;
    info.ingress = std::move(in_report_);
  }
  if (pub_state_)
    info.mqtt_out = pub_state_->counters;
  info.unconfirmed_orders = unconfirmed_;
  if (auto st = s_.write_report(*report, std::move(info)); !st)
    return s_.fail(st.error());
  return failed_ || refusals_->stopped() ? 1 : 0;
}

} // namespace

int run_live(const run_options& opts, const char* argv0) {
  session s{"run", opts, argv0};
  live_run run{s, opts};
  auto checked = [&](trading::status st) {
    return st ? 0 : s.fail(st.error());
  };
  // Everything is checked, and the journal recovered, before any actor
  // exists or any connection is made.
  if (auto rc = checked(s.configure(
        [&](app_config& cfg) { return apply_run_flags(opts, cfg); })))
    return rc;
  if (auto rc = checked(run.prepare_mqtt()))
    return rc;
  if (auto rc = checked(s.recover_journal()))
    return rc;
  for (auto step : {&live_run::recover_input, &live_run::prepare_publisher,
                    &live_run::start_broker})
    if (auto rc = checked((run.*step)()))
      return rc;
  run.make_clients();
  if (auto rc = checked(s.start_actor_system()))
    return rc;
  s.start_pipeline(run.spawn_publisher());
  s.set_shard_broker(run.broker_url());
  if (auto rc = checked(s.join_cluster()))
    return rc;
  run.spawn_ingress();
  run.start_input_syncer();
  if (auto rc
      = checked(s.start_control(run.inspection_targets(), {}, run.readiness())))
    return rc;
  run.connect();
  run.watch();
  return run.finish();
}

} // namespace intuition::runtime

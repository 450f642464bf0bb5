#include "runtime/replay.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <deque>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unordered_set>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "runtime/cluster.hpp"
#include "runtime/config.hpp"
#include "runtime/control_plane.hpp"
#include "runtime/journal_recovery.hpp"
#include "runtime/pipeline.hpp"
#include "runtime/system_config.hpp"
#include "runtime/stop_signals.hpp"
#include "runtime/summary.hpp"
#include "trading/algorithm.hpp"

namespace intuition::runtime {

namespace {

using clock_type = std::chrono::steady_clock;


/// Batches the driver may have in flight; enough to keep every worker busy,
/// few enough that memory stays flat.
constexpr size_t max_in_flight = 4;

/// Rejected rows printed in full before only counting.
constexpr uint64_t max_printed_rejects = 5;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

} // namespace

trading::result<loaded_quotes>
load_quotes_csv(const std::string& path,
                const trading::codec_limits& limits) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return trading::invalid_request("cannot read quotes file " + path);
  std::string text{std::istreambuf_iterator<char>{in},
                   std::istreambuf_iterator<char>{}};
  loaded_quotes out;
  out.quotes.reserve(text.size() / 24);
  std::string_view rest{text};
  uint64_t line_no = 0;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    auto line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{}
                                        : rest.substr(nl + 1);
    ++line_no;
    if (line.empty() || line == "\r")
      continue;
    if (line_no == 1 && trading::is_csv_header(line))
      continue;
    ++out.rows;
    auto res = trading::decode_csv_row(line, out.quotes, limits);
    if (res.ok)
      continue;
    ++out.rejected[static_cast<size_t>(res.reason)];
    if (++out.rejected_total <= max_printed_rejects)
      std::cerr << "quotes " << path << " line " << line_no << ": rejected ("
                << trading::to_string(res.reason)
                << (res.field.empty() ? "" : ", field ") << res.field << ")\n";
  }
  std::unordered_set<std::string_view> symbols;
  for (const auto& q : out.quotes)
    symbols.insert(q.symbol);
  out.symbols = symbols.size();
  if (out.rejected_total > max_printed_rejects)
    std::cerr << "quotes " << path << ": "
              << out.rejected_total - max_printed_rejects
              << " more rows rejected\n";
  return out;
}

size_t replay_batch_size(size_t configured, size_t symbols) {
  if (configured > 0)
    return configured;
  constexpr size_t per_symbol = 64;
  return std::clamp<size_t>(symbols * per_symbol, 1024, 262'144);
}

int run_replay(const replay_options& opts, const char* argv0) {
  // -- configuration: everything is checked before anything starts
  app_config cfg;
  auto configured = [&]() -> trading::status {
    auto loaded = load_config(opts.config_path);
    if (!loaded)
      return loaded.error();
    cfg = std::move(*loaded);
    if (opts.quotes)
      cfg.replay.quotes = *opts.quotes;
    if (opts.speed) {
      auto speed = parse_speed("--speed", *opts.speed);
      if (!speed)
        return speed.error();
      cfg.replay.speed = *speed;
    }
    if (opts.repeat)
      cfg.replay.repeat = *opts.repeat;
    if (opts.journal)
      cfg.journal.path = *opts.journal;
    return apply_node_flags(opts.node, cfg);
  }();
  if (!configured) {
    std::cerr << "intuition replay: config " << opts.config_path << ": "
              << configured.error().message << "\n";
    return 2;
  }
  if (cfg.replay.quotes.empty()) {
    std::cerr << "intuition replay: no quotes file: set replay.quotes in "
              << opts.config_path << " or pass --quotes CSV\n";
    return 2;
  }
  if (cfg.journal.path.empty()) {
    std::cerr << "intuition replay: no journal: set journal.path in "
              << opts.config_path << " or pass --journal PATH\n";
    return 2;
  }
  auto loaded = load_quotes_csv(cfg.replay.quotes, cfg.codec);
  if (!loaded) {
    std::cerr << "intuition replay: " << loaded.error().message << "\n";
    return 2;
  }
  auto& data = *loaded;
  if (data.quotes.empty()) {
    std::cerr << "intuition replay: " << cfg.replay.quotes
              << " holds no valid quote\n";
    return 2;
  }
  // -- journal recovery, before any actor exists
  auto recovered = recover_journal(cfg.journal.path, opts.accept_journal_loss);
  if (!recovered) {
    std::cerr << "intuition replay: " << recovered.error().message << "\n";
    return 1;
  }
  auto& journal = *recovered;
  auto restored = journal.contents.orders.size();
  if (restored > 0)
    std::cerr << "journal " << cfg.journal.path << ": resumed from "
              << restored << " orders, next order id "
              << journal.writer->next_id() << "\n";
  // -- actor system
  system_config caf_cfg;
  if (auto ok = caf_cfg.load_file(opts.caf_config, argv0); !ok) {
    std::cerr << "intuition replay: " << ok.error().message << "\n";
    return 2;
  }
  if (cfg.listen.enabled || !cfg.cluster.nodes.empty())
    if (auto ok = caf_cfg.check_failure_detection(); !ok) {
      std::cerr << "intuition replay: " << ok.error().message << "\n";
      return 2;
    }
  caf::actor_system sys{caf_cfg};
  actors::set_node_label("coordinator");
  // The driver: sends the batches, takes the answers, and is told when
  // trading halts.
  caf::scoped_actor self{sys};
  auto p = start_pipeline(sys, cfg, std::move(journal),
                          cfg.cluster.local ? actors::local_placement()
                                            : actors::placement_fn{},
                          {}, caf::actor_cast<actors::halt_sink_actor>(self));
  // -- worker nodes, before the first quote, so that placement spreads
  actors::cluster_connector_actor connector;
  auto release_connector = caf::detail::make_scope_guard(
    [&] { connector = actors::cluster_connector_actor{}; });
  if (!cfg.cluster.nodes.empty()) {
    auto joined = join_cluster(sys, cfg.cluster, p.router, caf_cfg.tls());
    if (!joined) {
      std::cerr << "intuition replay: " << joined.error().message << "\n";
      stop_pipeline(p);
      return 1;
    }
    connector = *joined;
  }
  // -- inspection and metrics (replay listens only when asked)
  actors::node_agent_config agent_cfg;
  agent_cfg.role = "coordinator";
  agent_cfg.singletons = inspection_targets(p);
  agent_cfg.router = p.router;
  for (size_t i = 0; i < data.rejected.size(); ++i)
    agent_cfg.fixed_samples.push_back(actors::counter_sample(
      "intuition_quotes_rejected_total",
      static_cast<double>(data.rejected[i] * cfg.replay.repeat),
      {{"reason", std::string{trading::to_string(
                    static_cast<trading::reject_reason>(i))}}}));
  agent_cfg.fixed_samples.push_back(actors::counter_sample(
    "intuition_quotes_received_total",
    static_cast<double>(data.quotes.size() * cfg.replay.repeat),
    {{"channel", "replay"}}));
  auto started = start_control(sys, cfg.listen, cfg.metrics, agent_cfg,
                              caf_cfg.tls());
  if (!started) {
    std::cerr << "intuition replay: " << started.error().message << "\n";
    stop_pipeline(p);
    return 2;
  }
  auto control = std::move(*started);
  install_stop_handlers();
  // -- feed
  self->monitor(p.router);
  const auto& qs = data.quotes;
  const auto n = qs.size();
  const auto total = n * cfg.replay.repeat;
  const auto span_ms = qs.back().ts_ms - qs.front().ts_ms + 1;
  const auto speed = cfg.replay.speed;
  const auto batch_size = replay_batch_size(cfg.replay.batch_size, data.symbols);
  uint64_t sent = 0;
  uint64_t acked = 0;
  uint64_t orders = 0;
  size_t in_flight = 0;
  std::deque<uint64_t> in_flight_sizes;
  bool failed = false;
  halt_state halt;
  auto on_halt = [&](actors::halt_atom, std::string& cause, std::string& why) {
    if (!halt.cause.empty())
      return;
    halt = {std::move(cause), std::move(why)};
    std::cerr << "intuition replay: halted: " << halt.cause << ": "
              << halt.error << "; stopping\n";
    failed = true;
  };
  auto t0 = clock_type::now();
  auto last_progress = t0;
  uint64_t last_progress_acked = 0;
  auto quote_at = [&](uint64_t i) {
    auto q = qs[i % n];
    q.ts_ms += static_cast<int64_t>(i / n) * span_ms;
    return q;
  };
  auto await_one = [&](std::chrono::milliseconds timeout) {
    self->receive(
      [&](uint64_t filled) {
        orders = filled;
        acked += in_flight_sizes.front();
        in_flight_sizes.pop_front();
        --in_flight;
      },
      [&](caf::error& err) {
        std::cerr << "intuition replay: " << sys.render(err) << "\n";
        failed = true;
        in_flight_sizes.pop_front();
        --in_flight;
      },
      [&](caf::down_msg& dm) {
        std::cerr << "intuition replay: the quote router stopped: "
                  << sys.render(dm.reason) << "\n";
        failed = true;
        in_flight = 0;
        in_flight_sizes.clear();
      },
      on_halt, caf::after(timeout) >> [] {});
  };
  auto progress = [&](bool force) {
    auto now = clock_type::now();
    if (opts.quiet || (!force && now - last_progress < std::chrono::seconds(1)))
      return;
    auto dt = std::chrono::duration<double>(now - last_progress).count();
    auto rate = dt > 0 ? static_cast<double>(acked - last_progress_acked) / dt
                       : 0.0;
    std::cerr << "replay: " << acked << "/" << total << " quotes, "
              << static_cast<uint64_t>(rate) << " quotes/s, " << orders
              << " orders"
              << (halt.cause.empty() ? "" : ", halted: " + halt.cause) << "\n";
    last_progress = now;
    last_progress_acked = acked;
  };
  while (sent < total && !stop_requested && !failed) {
    if (in_flight >= max_in_flight) {
      await_one(std::chrono::milliseconds(200));
      progress(false);
      continue;
    }
    actors::quote_batch batch;
    if (speed > 0) {
      // Paced: send what is due by now; quotes of one timestamp go together.
      auto elapsed_ms = seconds_since(t0) * 1000.0 * speed;
      auto first_ts = quote_at(0).ts_ms;
      while (sent < total && batch.quotes.size() < batch_size) {
        auto q = quote_at(sent);
        if (static_cast<double>(q.ts_ms - first_ts) > elapsed_ms)
          break;
        batch.quotes.push_back(std::move(q));
        ++sent;
      }
      if (batch.quotes.empty()) {
        auto wait_ms = (static_cast<double>(quote_at(sent).ts_ms - first_ts)
                        - elapsed_ms)
                       / speed;
        auto wait = std::chrono::milliseconds(
          std::clamp<int64_t>(static_cast<int64_t>(wait_ms) + 1, 1, 100));
        if (in_flight > 0)
          await_one(wait);
        else
          std::this_thread::sleep_for(wait);
        progress(false);
        continue;
      }
    } else {
      auto end = std::min<uint64_t>(total, sent + batch_size);
      batch.quotes.reserve(end - sent);
      for (; sent < end; ++sent)
        batch.quotes.push_back(quote_at(sent));
    }
    // The router answers every batch in order with the orders filled so far.
    in_flight_sizes.push_back(batch.quotes.size());
    self->send(p.router, std::move(batch));
    ++in_flight;
    progress(false);
  }
  while (in_flight > 0) {
    await_one(std::chrono::milliseconds(200));
    progress(false);
  }
  auto elapsed = seconds_since(t0);
  // -- results: everything journaled is durable before the summary prints
  uint64_t durable = 0;
  self->request(p.log, caf::infinite, actors::flush_atom_v)
    .receive([&](uint64_t n) { durable = n; },
             [&](caf::error& err) {
               std::cerr << "intuition replay: journal: " << sys.render(err)
                         << "\n";
               failed = true;
             });
  // The last sync may have failed too.
  self->receive(on_halt, caf::after(std::chrono::seconds(0)) >> [] {});
  nlohmann::json report;
  self->request(p.portfolio, caf::infinite, actors::report_atom_v)
    .receive([&](std::string& txt) { report = nlohmann::json::parse(txt); },
             [&](caf::error& err) {
               std::cerr << "intuition replay: portfolio: " << sys.render(err)
                         << "\n";
               failed = true;
             });
  stop_control(sys, control);
  if (connector)
    caf::anon_send_exit(connector, caf::exit_reason::user_shutdown);
  stop_pipeline(p);
  restore_default_handlers();
  if (report.is_null())
    return 1;
  run_info info;
  info.mode = "replay";
  info.input = cfg.replay.quotes;
  info.quotes_sent = acked;
  info.elapsed_s = elapsed;
  info.interrupted = stop_requested.load();
  info.rows = data.rows * cfg.replay.repeat;
  info.rejected = data.rejected;
  for (auto& r : info.rejected)
    r *= cfg.replay.repeat;
  info.journal_path = cfg.journal.path;
  info.journal_durable = durable;
  info.restored_orders = restored;
  info.halted = halt.cause;
  info.halt_error = halt.error;
  complete_report(report, info);
  print_summary(std::cout, report);
  if (opts.report_path) {
    std::ofstream out{*opts.report_path};
    out << report.dump(2) << "\n";
    if (!out) {
      std::cerr << "intuition replay: cannot write report "
                << *opts.report_path << "\n";
      return 1;
    }
  }
  return failed ? 1 : 0;
}

} // namespace intuition::runtime

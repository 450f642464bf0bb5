#include "runtime/node.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/algorithm.hpp"
#include "actors/messages.hpp"
#include "actors/node_agent.hpp"
#include "actors/order_log.hpp"
#include "actors/portfolio.hpp"
#include "trading/journal_end.hpp"
#include "trading/portfolio.hpp"
#include "trading/publication_mark.hpp"
#include "trading/warmup_file.hpp"

namespace intuition::runtime {

namespace {

bool readable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), R_OK) == 0;
}

std::string exe_parent_dir(const char* argv0) {
  char buf[4096];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  std::string exe = n > 0 ? std::string(buf, static_cast<size_t>(n))
                          : std::string{argv0 ? argv0 : ""};
  auto slash = exe.find_last_of('/');
  if (slash == std::string::npos)
    return "..";
  return exe.substr(0, slash) + "/..";
}

} // namespace

node_config::node_config() {
  actors::register_messages(*this);
  load<caf::io::middleman>();
  // One worker per core: CAF 0.17 would start at least four, and threads
  // beyond the cores only take turns. A file can still set its own.
  set("scheduler.max-threads",
      static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency())));
  // One shared run queue instead of work stealing: CAF 0.17's stealing
  // deque walks the victim's whole queue to take its tail, so a router
  // that wakes tens of thousands of algorithm actors at once made every
  // steal cost O(queue) (100,000 symbols: 23-30 s against 5-7 s shared).
  set("scheduler.policy", caf::atom("sharing"));
  // The same failure detection as the shipped caf-application.conf, for a
  // process started without it; a file can still change (or break) it.
  set("middleman.heartbeat-interval",
      caf::timespan{std::chrono::milliseconds{500}});
  set("middleman.connection-timeout", caf::timespan{std::chrono::seconds{3}});
}

caf::timespan node_config::heartbeat_interval() const {
  return caf::get_or(content, "middleman.heartbeat-interval", caf::timespan{0});
}

caf::timespan node_config::connection_timeout() const {
  return caf::get_or(content, "middleman.connection-timeout", caf::timespan{0});
}

std::optional<std::string> node_config::check_failure_detection() const {
  auto where = caf_config_path_.empty() ? std::string{"the CAF settings"}
                                        : caf_config_path_;
  auto hb = heartbeat_interval();
  auto timeout = connection_timeout();
  if (hb.count() <= 0)
    return where + ": middleman.heartbeat-interval is 0, expected a duration "
                   "such as 500ms (without heartbeats a frozen node is never "
                   "detected)";
  if (timeout.count() <= 0)
    return where + ": middleman.connection-timeout is 0, expected a duration "
                   "such as 3s (without it a frozen node is never detected "
                   "and connecting to a silent one blocks forever)";
  if (timeout <= hb)
    return where + ": middleman.connection-timeout ("
           + std::to_string(timeout.count() / 1'000'000) + "ms) must exceed "
           + "middleman.heartbeat-interval ("
           + std::to_string(hb.count() / 1'000'000) + "ms)";
  return std::nullopt;
}

std::optional<std::string> node_config::load_file(const std::string& path,
                                             const char* argv0) {
  std::string file = path;
  if (file.empty()) {
    for (auto candidate : {std::string{"caf-application.conf"},
                           exe_parent_dir(argv0) + "/caf-application.conf"})
      if (readable(candidate)) {
        file = candidate;
        break;
      }
  } else if (!readable(file)) {
    return "--caf-config: cannot read " + file;
  }
  caf::actor_system_config::string_list no_args;
  if (file.empty())
    return std::nullopt;
  std::ifstream in{file};
  if (auto err = parse(no_args, in))
    return "CAF config " + file + ": " + render(err);
  caf_config_path_ = file;
  if (!openssl_certificate.empty() || !openssl_key.empty()
      || !openssl_cafile.empty() || !openssl_capath.empty()) {
    if (openssl_certificate.empty() || openssl_key.empty()
        || (openssl_cafile.empty() && openssl_capath.empty()))
      return "CAF config " + file
             + ": [openssl] needs certificate, key and cafile (or capath) "
               "together: peers are verified against that CA";
    load<caf::openssl::manager>();
    tls_ = true;
  }
  return std::nullopt;
}

namespace {

/// Keeps a journal lock until the process exits. The journal's single writer
/// is the process, not the order log actor: the publication mark beside the
/// journal is still written after that actor stops, and nothing may read
/// and repair the journal while a run is still flushing it.
void hold_until_exit(trading::journal_lock lock) {
  static std::mutex mtx;
  static std::vector<trading::journal_lock> held;
  std::lock_guard<std::mutex> guard{mtx};
  held.push_back(std::move(lock));
}

} // namespace

std::variant<recovered_journal, std::string>
recover_journal(const std::string& path, bool accept_loss) {
  // A fresh deployment may name a folder that does not exist yet.
  auto parent = std::filesystem::path{path}.parent_path();
  std::error_code ec;
  if (!parent.empty())
    std::filesystem::create_directories(parent, ec);
  if (ec)
    return "journal " + path + ": cannot create " + parent.string() + ": "
           + ec.message();
  // Locked before reading: a second process must not cut off as "torn" the
  // record the first one is writing.
  auto locked = trading::journal_lock::acquire(path);
  if (auto* err = std::get_if<trading::journal_error>(&locked))
    return err->to_string();
  auto lock = std::move(std::get<trading::journal_lock>(locked));
  auto how_to_proceed = [] {
    return std::string{"; restore the journal from a backup, or start with "}
           + accept_journal_loss_flag
           + " to accept the journal as it is: orders missing from it stay "
             "lost, and order ids still never repeat (see README, \"The "
             "journal\")";
  };
  auto end_read = trading::read_journal_end(path);
  std::optional<trading::journal_end> end;
  if (auto* err = std::get_if<trading::journal_error>(&end_read)) {
    if (!accept_loss)
      return err->to_string() + how_to_proceed();
    // The writer would refuse it too: it is replaced by the journal's own.
    std::cerr << err->to_string() << "; replaced (" << accept_journal_loss_flag
              << "): order ids continue after the journal's last\n";
    std::filesystem::remove(trading::journal_end_path(path), ec);
  } else {
    end = std::get<std::optional<trading::journal_end>>(end_read);
  }
  // Read without repair: a journal shorter than its end record says is
  // refused as it is found, torn bytes included.
  auto read = trading::read_journal(path, false);
  if (auto* err = std::get_if<trading::journal_error>(&read))
    return err->to_string();
  recovered_journal out;
  out.contents = std::move(std::get<trading::journal_contents>(read));
  auto mark_path = trading::publication_mark_path(path);
  auto mark = trading::read_publication_mark(mark_path);
  if (auto* err = std::get_if<std::string>(&mark))
    return *err;
  auto published = std::get<uint64_t>(mark);
  if (auto err = trading::check_journal_end(path, out.contents, end, published)) {
    if (!accept_loss)
      return err->to_string() + how_to_proceed();
    std::cerr << err->to_string() << "; going on without them ("
              << accept_journal_loss_flag << ")\n";
    auto last_seq = out.contents.next_seq - 1;
    if (published > last_seq)
      if (auto failed = trading::write_publication_mark(mark_path, last_seq))
        return *failed;
  }
  if (auto err = trading::cut_torn_tail(path, out.contents))
    return err->to_string();
  if (out.contents.torn_tail)
    std::cerr << "journal " << path << ": torn last record ("
              << out.contents.torn_bytes
              << " bytes) from an interrupted write removed\n";
  out.writer = std::make_shared<trading::journal_writer>();
  if (auto err = out.writer->open(path, out.contents))
    return *err;
  if (out.writer->next_id() > out.contents.next_id)
    std::cerr << "journal " << path << ": order ids continue from "
              << out.writer->next_id() << ", above every id handed out "
              << "before (" << trading::journal_end_path(path) << ")\n";
  hold_until_exit(std::move(lock));
  return out;
}

actors::router_options
router_options_for(const app_config& cfg,
                   const std::vector<trading::order>& restored) {
  actors::router_options out;
  out.limits.max_symbols = static_cast<size_t>(cfg.router.max_symbols);
  out.limits.max_instances = static_cast<size_t>(cfg.router.max_instances);
  if (cfg.journal.path.empty())
    return out;
  // What each instance held when the journal ends, as the portfolio
  // rebuilds it.
  trading::portfolio book{cfg.portfolio};
  for (const auto& x : restored)
    book.restore(x);
  for (const auto& [key, pos] : book.positions().holdings())
    if (pos.qty != 0)
      out.positions.emplace(key.first + "/" + key.second, pos.qty);
  if (!cfg.journal.warmup)
    return out;
  out.history_path = trading::warmup_file_path(cfg.journal.path);
  auto read = trading::read_warmup_file(out.history_path);
  if (auto* err = std::get_if<std::string>(&read)) {
    // Trading goes on, with indicators starting cold; the file is
    // rewritten at the next save.
    std::cerr << *err << "; algorithms start without warm-up\n";
    return out;
  }
  for (auto& h : std::get<std::vector<trading::symbol_history>>(read))
    out.history.emplace_back(std::move(h.symbol), std::move(h.ticks));
  return out;
}

pipeline start_pipeline(caf::actor_system& sys, const app_config& cfg,
                        recovered_journal journal, actors::placement_fn place,
                        actors::order_publisher_actor publisher,
                        actors::halt_sink_actor observer) {
  pipeline p;
  actors::order_log_config log_cfg{
    cfg.journal.fsync, std::chrono::milliseconds{cfg.journal.interval_ms},
    publisher, std::move(observer)};
  // fdatasync blocks its thread for a fraction of a millisecond or more:
  // the order log gets a thread of its own instead of stalling one of the
  // scheduler's workers (and every actor queued behind it).
  p.log = sys.spawn<caf::detached>(actors::order_log, journal.writer, log_cfg);
  auto opts = router_options_for(cfg, journal.contents.orders);
  p.portfolio = sys.spawn(actors::portfolio, cfg.portfolio, cfg.report,
                          std::move(journal.contents.orders), p.log);
  std::vector<actors::strategy_route> routes;
  for (const auto& s : cfg.strategies)
    routes.push_back({s.name, s.algorithm, s.params.dump(), s.symbols});
  p.router = sys.spawn(actors::quote_router, std::move(routes),
                       std::move(place), p.portfolio, std::move(publisher),
                       std::move(opts));
  return p;
}

std::vector<actors::inspection_target> inspection_targets(const pipeline& p) {
  return {{"quote_router", p.router},
          {"portfolio", p.portfolio},
          {"order_log", p.log}};
}

std::variant<control_plane, std::string>
start_control(caf::actor_system& sys, const listen_config& listen,
              const metrics_config& metrics, actors::node_agent_config agent,
              bool tls, readiness_check ready) {
  control_plane cp;
  cp.agent = sys.spawn(actors::node_agent, std::move(agent));
  auto fail = [&](std::string msg) -> std::variant<control_plane, std::string> {
    caf::anon_send_exit(cp.agent, caf::exit_reason::user_shutdown);
    return msg;
  };
  if (listen.enabled && !tls && !listen.at.loopback() && !listen.insecure)
    return fail("cannot listen on " + listen.at.to_string()
                + " without TLS: it is beyond loopback, and node-to-node "
                  "traffic (CAF's BASP) authenticates no one and trusts a "
                  "frame's length before any handshake, so anyone who "
                  "reaches the port can place actors or exhaust memory. "
                  "Configure an [openssl] section (see README, \"Security\"), "
                  "listen on 127.0.0.1, or pass --insecure to accept the risk");
  if (listen.enabled) {
    auto publish = [&](uint16_t at_port) {
      return tls ? caf::openssl::publish(cp.agent, at_port,
                                         listen.at.host.c_str(), false)
                 : sys.middleman().publish(cp.agent, at_port,
                                           listen.at.host.c_str(), false);
    };
    auto port = publish(listen.at.port);
    if (!port && listen.any_port_if_taken) {
      std::cerr << "cannot listen on " << listen.at.to_string() << " ("
                << sys.render(port.error())
                << "); listening on a free port instead\n";
      port = publish(0);
    }
    if (!port)
      return fail("--listen: cannot listen on " + listen.at.to_string() + ": "
                  + sys.render(port.error())
                  + " (choose another with --listen [HOST:]PORT, or --listen off)");
    cp.listen_port = *port;
    endpoint actual{listen.at.host, *port};
    std::cerr << "listening for inspect and cluster peers on "
              << actual.to_string() << (tls ? " (TLS)" : "") << "\n";
    if (tls)
      std::cerr << "TLS: peers must present a certificate signed by the "
                   "configured CA; any such certificate is accepted, whichever "
                   "node it names\n";
    else if (!listen.at.loopback())
      std::cerr << "warning: --insecure: listening on "
                << listen.at.to_string()
                << " beyond loopback without TLS; node-to-node traffic is "
                   "unauthenticated: anyone who reaches this port can inspect "
                   "and place actors, and a forged frame header can exhaust "
                   "memory (see README, \"Security\")\n";
  }
  if (metrics.enabled) {
    auto started = metrics_server::start(sys, cp.agent, metrics.bind,
                                         metrics.port, std::move(ready));
    if (auto* err = std::get_if<std::string>(&started)) {
      if (cp.listen_port != 0)
        sys.middleman().unpublish(cp.agent, cp.listen_port);
      return fail(*err);
    }
    cp.metrics = std::move(std::get<std::unique_ptr<metrics_server>>(started));
    endpoint actual{metrics.bind, cp.metrics->port()};
    std::cerr << "serving metrics on http://" << actual.to_string()
              << "/metrics (readiness: /ready)\n";
    if (!actual.loopback())
      std::cerr << "warning: metrics are served beyond loopback, without "
                   "authentication\n";
  }
  return cp;
}

caf::expected<actors::node_agent_actor>
connect_agent(caf::actor_system& sys, const endpoint& at, bool tls) {
  if (tls)
    return caf::openssl::remote_actor<actors::node_agent_actor>(sys, at.host,
                                                                 at.port);
  return sys.middleman().remote_actor<actors::node_agent_actor>(at.host, at.port);
}

void stop_control(caf::actor_system& sys, control_plane& cp) {
  cp.metrics.reset();
  if (!cp.agent)
    return;
  if (cp.listen_port != 0)
    sys.middleman().unpublish(cp.agent, cp.listen_port);
  caf::anon_send_exit(cp.agent, caf::exit_reason::user_shutdown);
  cp.agent = actors::node_agent_actor{};
}

void stop_pipeline(const pipeline& p) {
  caf::anon_send_exit(p.router, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(p.portfolio, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(p.log, caf::exit_reason::user_shutdown);
}

} // namespace intuition::runtime

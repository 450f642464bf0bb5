#include "runtime/session.hpp"

#include <fstream>
#include <iostream>

#include <caf/all.hpp>

#include "actors/shard_desk.hpp"
#include "runtime/cluster.hpp"
#include "runtime/operator_control.hpp"
#include "runtime/stop_signals.hpp"

namespace intuition::runtime {

session::session(std::string command, const session_options& opts,
                 const char* argv0)
    : command_(std::move(command)), opts_(opts), argv0_(argv0) {
  // nop
}

session::~session() {
  stop();
}

void session::stop() {
  // Before the actors it reads.
  dashboard_.reset();
  if (control_) {
    stop_control(*sys_, *control_);
    control_.reset();
  }
  if (connector_) {
    caf::anon_send_exit(connector_, caf::exit_reason::user_shutdown);
    connector_ = actors::cluster_connector_actor{};
  }
  if (desk_) {
    caf::anon_send_exit(desk_, caf::exit_reason::user_shutdown);
    desk_ = actors::shard_desk_actor{};
  }
  if (pipeline_.router) {
    stop_pipeline(pipeline_);
    pipeline_ = pipeline{};
  }
  for (auto& f : before_stop_)
    f();
  before_stop_.clear();
  if (handlers_installed_) {
    restore_default_handlers();
    handlers_installed_ = false;
  }
  // The system waits for its actors here.
  self_.reset();
  sys_.reset();
}

trading::status session::configure(
  const std::function<trading::status(app_config&)>& overrides) {
  const auto& path = opts_.config_path;
  auto loaded = load_config(path);
  if (!loaded)
    return std::move(loaded).error().within("config " + path);
  cfg_ = std::move(*loaded);
  if (opts_.journal)
    cfg_.journal.path = *opts_.journal;
  if (auto st = apply_node_flags(opts_.node, cfg_); !st)
    return st;
  if (overrides)
    if (auto st = overrides(cfg_); !st)
      return st;
  if (cfg_.journal.path.empty())
    return trading::invalid_request("no journal: set journal.path in " + path
                                    + " or pass --journal PATH");
  return {};
}

trading::status session::recover_journal() {
  auto recovered
    = runtime::recover_journal(cfg_.journal.path, opts_.accept_journal_loss);
  if (!recovered)
    return std::move(recovered).error();
  journal_ = std::move(*recovered);
  // Operator control: the mode and the strategy changes an earlier
  // process journaled beside the orders.
  auto control = recover_control(cfg_.journal.path);
  if (!control)
    return std::move(control).error();
  operator_control_ = std::move(*control);
  if (auto ok = apply_strategy_changes(operator_control_.restored, cfg_); !ok)
    return ok;
  restored_ = journal_->contents.orders.size();
  if (restored_ > 0)
    std::cerr << "journal " << cfg_.journal.path << ": resumed from "
              << restored_ << " orders, next order id "
              << journal_->writer->next_id() << "\n";
  return {};
}

trading::status session::start_actor_system() {
  caf_cfg_ = std::make_unique<system_config>();
  auto networked = cfg_.listen.enabled || !cfg_.cluster.nodes.empty();
  if (auto st = caf_cfg_->read_settings(opts_.caf_config, argv0_, networked);
      !st)
    return st;
  sys_ = std::make_unique<caf::actor_system>(*caf_cfg_);
  actors::set_node_label("coordinator");
  self_ = std::make_unique<caf::scoped_actor>(*sys_);
  return {};
}

void session::start_pipeline(actors::order_publisher_actor publisher) {
  if (cfg_.cluster.node_ingress())
    shard_restore_ = router_options_for(cfg_, journal_->contents.orders);
  pipeline_ = runtime::start_pipeline(
    *sys_, cfg_, std::move(*journal_),
    cfg_.cluster.local ? actors::local_placement() : actors::placement_fn{},
    std::move(publisher), caf::actor_cast<actors::halt_sink_actor>(self()),
    std::move(operator_control_));
  journal_.reset();
}

trading::status session::join_cluster() {
  if (cfg_.cluster.nodes.empty())
    return {};
  if (cfg_.cluster.node_ingress() && !shard_broker_.empty()) {
    actors::shard_desk_options desk;
    desk.map = trading::shard_map{cfg_.cluster.universe, cfg_.cluster.shards};
    for (const auto& s : cfg_.strategies)
      if (!s.external)
        desk.strategies.push_back(route_of(s));
    desk.cluster_name = cfg_.cluster.name;
    desk.broker = shard_broker_;
    desk.qos = cfg_.mqtt.qos;
    desk.max_moves = cfg_.cluster.max_moves;
    desk.mark_interval_ms = cfg_.cluster.mark_interval_ms;
    desk.latest_marks = cfg_.cluster.marks == "latest";
    desk.read_pause_us = static_cast<int32_t>(cfg_.ingress.read_pause_us);
    desk.positions = std::move(shard_restore_.positions);
    for (auto& [symbol, ticks] : shard_restore_.history)
      for (const auto& x : ticks) {
        trading::quote q;
        q.symbol = symbol;
        trading::assign_tick(q, x);
        desk.history.push_back(std::move(q));
      }
    desk_
      = sys_->spawn(actors::shard_desk, std::move(desk), pipeline_.portfolio);
    std::cerr << "cluster: node-local ingress, " << cfg_.cluster.universe.size()
              << " symbol(s) in " << cfg_.cluster.shards
              << " shard(s) on topics quotes/SYMBOL\n";
  }
  auto joined = runtime::join_cluster(*sys_, cfg_.cluster, pipeline_.router,
                                      tls(), desk_);
  if (!joined)
    return std::move(joined).error();
  connector_ = *joined;
  return {};
}

trading::status
session::start_control(std::vector<actors::inspection_target> extra,
                       std::vector<actors::metric_sample> fixed,
                       readiness_check ready) {
  actors::node_agent_config agent;
  agent.role = "coordinator";
  agent.singletons = inspection_targets(pipeline_);
  if (desk_)
    agent.singletons.push_back({"shard_desk", desk_});
  for (auto& x : extra)
    agent.singletons.push_back(std::move(x));
  agent.router = pipeline_.router;
  agent.fixed_samples = std::move(fixed);
  if (auto st = start_dashboard(agent.singletons); !st)
    return st;
  auto started
    = runtime::start_control(*sys_, cfg_.listen, cfg_.metrics, std::move(agent),
                             tls(), std::move(ready));
  if (!started)
    return std::move(started).error();
  control_ = std::move(*started);
  install_stop_handlers();
  handlers_installed_ = true;
  return {};
}

trading::status session::start_dashboard(
  const std::vector<actors::inspection_target>& targets) {
  if (!opts_.http)
    return {};
  dashboard_sources sources;
  sources.mode = command_;
  sources.router = pipeline_.router;
  sources.journal_path = cfg_.journal.path;
  // The router's own state lists every placement: the actor map asks it
  // on its slower schedule instead.
  for (const auto& x : targets)
    if (x.name != "quote_router")
      sources.singletons.push_back(x);
  auto started
    = dashboard_server::start(*sys_, std::move(sources), *opts_.http);
  if (!started)
    return std::move(started).error();
  dashboard_ = std::move(*started);
  endpoint actual{opts_.http->host, dashboard_->port()};
  std::cerr << "serving the dashboard on http://" << actual.to_string()
            << "/\n";
  if (!actual.loopback())
    std::cerr << "warning: the dashboard is served beyond loopback, without "
                 "authentication: anyone who reaches it sees positions and "
                 "orders\n";
  return {};
}

std::function<void(actors::halt_atom, std::string&, std::string&)>
session::halt_handler() {
  return [this](actors::halt_atom, std::string& cause, std::string& why) {
    if (!halt_.cause.empty())
      return;
    halt_ = {std::move(cause), std::move(why)};
    if (on_halt_)
      on_halt_(halt_);
  };
}

void session::poll_halt() {
  self()->receive(
    halt_handler(), caf::after(std::chrono::seconds(0)) >> [] {
      // nop
    });
}

std::optional<uint64_t> session::flush_journal(const caf::duration& timeout) {
  std::optional<uint64_t> durable;
  self()
    ->request(pipeline_.log, timeout, actors::flush_atom_v)
    .receive([&](uint64_t n) { durable = n; },
             [&](caf::error& err) {
               std::cerr << "intuition " << command_
                         << ": journal: " << sys_->render(err) << "\n";
             });
  // The last sync may have failed too.
  poll_halt();
  return durable;
}

std::optional<trading::run_report>
session::portfolio_report(const caf::duration& timeout) {
  std::optional<trading::run_report> out;
  self()
    ->request(pipeline_.portfolio, timeout, actors::report_atom_v)
    .receive([&](trading::run_report& x) { out = std::move(x); },
             [&](caf::error& err) {
               std::cerr << "intuition " << command_
                         << ": portfolio: " << sys_->render(err) << "\n";
             });
  return out;
}

trading::status session::write_report(trading::run_report& report,
                                      run_info info) {
  const auto& path = opts_.report_path;
  info.mode = command_;
  info.journal_path = cfg_.journal.path;
  info.restored_orders = restored_;
  info.halted = halt_.cause;
  info.halt_error = halt_.error;
  report.run = std::move(info);
  print_summary(std::cout, report);
  if (!path)
    return {};
  std::ofstream out{*path};
  out << trading::to_json(report).dump(2) << "\n";
  if (!out)
    return trading::operation_failed("cannot write report " + *path);
  return {};
}

std::optional<actors::actor_state>
session::query_state(const caf::actor& whom) {
  std::optional<actors::actor_state> out;
  self()
    ->request(whom, std::chrono::seconds(1), actors::get_state_atom_v)
    .receive([&](actors::actor_state& st) { out = std::move(st); },
             [](caf::error&) {
               // nop: the caller reports a missing state
             });
  return out;
}

int session::fail(const trading::failure& x) const {
  std::cerr << "intuition " << command_ << ": " << x.message << "\n";
  return trading::exit_code(x);
}

} // namespace intuition::runtime

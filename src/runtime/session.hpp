#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/duration.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/actor_types.hpp"
#include "actors/metric_samples.hpp"
#include "actors/node_agent.hpp"
#include "runtime/config.hpp"
#include "runtime/control_plane.hpp"
#include "runtime/dashboard.hpp"
#include "runtime/journal_recovery.hpp"
#include "runtime/pipeline.hpp"
#include "runtime/summary.hpp"
#include "runtime/system_config.hpp"
#include "trading/report.hpp"
#include "trading/result.hpp"

/// The steps a trading command (`run`, `replay`) is composed of, in the
/// order it takes them: configuration, journal recovery, actor system,
/// pipeline, cluster, control plane; then the command's own source of
/// quotes; then drain and report. Each step that can fail returns a
/// `status`; the command hands a failure to `fail`, which prints it once,
/// prefixed with the command's name, and gives the exit code.
namespace intuition::runtime {

/// One trading command's session. Tears down what it started, in reverse
/// order, when destroyed.
class session {
public:
  /// `command` prefixes every message (`intuition run: ...`); `opts` are
  /// the command's shared flags; `argv0` locates the default
  /// `caf-application.conf`.
  session(std::string command, const session_options& opts, const char* argv0);

  ~session();

  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // -- steps ---------------------------------------------------------------

  /// Loads the configuration file, applies the shared flags (`--journal`,
  /// the node flags), then lets `overrides` apply the command's own. A
  /// failure of the file names it; one of the flags does not.
  trading::status
  configure(const std::function<trading::status(app_config&)>& overrides);

  /// Takes, verifies and opens the journal (`journal_recovery`), reporting
  /// what it resumes from.
  trading::status recover_journal();

  /// Reads the CAF settings (`--caf-config` or the default file), checks
  /// failure detection where nodes talk to each other, and starts the actor
  /// system with this process as the coordinator.
  trading::status start_actor_system();

  /// Spawns order log, portfolio and router from the recovered journal;
  /// orders and signals go to `publisher` when given.
  void start_pipeline(actors::order_publisher_actor publisher = {});

  /// Joins the configured worker nodes, before the first quote so that
  /// placement spreads over them.
  trading::status join_cluster();

  /// Publishes the node agent and serves `/metrics`, listing the pipeline
  /// and `extra` actors; `fixed` samples are exported as they are, `ready`
  /// answers `/ready`. Serves the dashboard when `--http` asked for it.
  /// Routes SIGINT and SIGTERM to `stop_requested`.
  trading::status start_control(std::vector<actors::inspection_target> extra,
                                std::vector<actors::metric_sample> fixed,
                                readiness_check ready = {});

  // -- while trading -------------------------------------------------------

  /// A handler for the `halt` the order log sends when trading halts: the
  /// first one is kept and `on_halt` is called with it.
  std::function<void(actors::halt_atom, std::string&, std::string&)>
  halt_handler();

  /// Takes a `halt` that arrived, without waiting.
  void poll_halt();

  /// Why trading halted; empty `cause` while it goes on.
  const halt_state& halt() const noexcept {
    return halt_;
  }

  /// Called once, on the first halt, after it was recorded.
  void on_halt(std::function<void(const halt_state&)> f) {
    on_halt_ = std::move(f);
  }

  /// Runs `f` before the actor system stops: releases the handles a command
  /// keeps outside it, stops actors of its own.
  void before_stop(std::function<void()> f) {
    before_stop_.push_back(std::move(f));
  }

  // -- drain and report ----------------------------------------------------

  /// Makes every journaled order durable; the number of durable orders, or
  /// nothing when the journal failed (reported). Takes a halt that the last
  /// sync caused.
  std::optional<uint64_t> flush_journal(const caf::duration& timeout);

  /// The portfolio's report; nothing when it did not answer (reported).
  std::optional<trading::run_report>
  portfolio_report(const caf::duration& timeout);

  /// Completes `report` with `info` and the session's own figures (journal,
  /// halt), prints the summary and writes the report file when asked
  /// (`--report`).
  trading::status write_report(trading::run_report& report, run_info info);

  /// Asks `whom` for its state, waiting at most a second.
  template <class Handle>
  std::optional<actors::actor_state> state_of(const Handle& whom) {
    return query_state(caf::actor_cast<caf::actor>(whom));
  }

  /// Stops what the steps started, in reverse order: control plane,
  /// cluster connector, pipeline, the command's `before_stop` actions, the
  /// actor system. Later calls do nothing; the destructor calls it.
  void stop();

  /// Prints `x` as `intuition COMMAND: MESSAGE` and returns its exit code.
  int fail(const trading::failure& x) const;

  // -- what the steps made -------------------------------------------------

  app_config& config() noexcept {
    return cfg_;
  }

  const std::string& config_path() const noexcept {
    return opts_.config_path;
  }

  /// The recovered journal, until `start_pipeline` hands it over.
  recovered_journal& journal() {
    return *journal_;
  }

  /// Orders the journal held when it was recovered.
  uint64_t restored_orders() const noexcept {
    return restored_;
  }

  caf::actor_system& system() {
    return *sys_;
  }

  /// The command's own actor: queries states and receives the halt.
  caf::scoped_actor& self() {
    return *self_;
  }

  const pipeline& actors() const noexcept {
    return pipeline_;
  }

  /// With `cluster.ingress` `node`: the broker (`mqtt://HOST:PORT`) the
  /// nodes' shard sessions connect to; set before `join_cluster`. Without
  /// it (replay), quotes enter at the coordinator whatever the setting.
  void set_shard_broker(std::string url) {
    shard_broker_ = std::move(url);
  }

  /// The shard desk (node-local ingress), if one runs.
  const actors::shard_desk_actor& desk() const noexcept {
    return desk_;
  }

  /// Whether node-to-node traffic uses TLS.
  bool tls() const noexcept {
    return caf_cfg_ && caf_cfg_->tls();
  }

private:
  std::optional<actors::actor_state> query_state(const caf::actor& whom);

  /// Serves the dashboard on `--http`, reading `targets` and the router.
  trading::status
  start_dashboard(const std::vector<actors::inspection_target>& targets);

  std::string command_;
  const session_options& opts_;
  const char* argv0_;
  app_config cfg_;
  std::optional<recovered_journal> journal_;
  uint64_t restored_ = 0;
  halt_state halt_;
  std::function<void(const halt_state&)> on_halt_;
  std::vector<std::function<void()>> before_stop_;
  bool handlers_installed_ = false;
  // Destroyed in reverse order: the system outlives every handle to its
  // actors.
  std::unique_ptr<system_config> caf_cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::unique_ptr<caf::scoped_actor> self_;
  pipeline pipeline_;
  actors::cluster_connector_actor connector_;
  /// Node-local ingress: the broker the shards' sessions connect to (set
  /// by `run`), and the desk that places them.
  std::string shard_broker_;
  actors::shard_desk_actor desk_;
  /// What the journal and the history file beside it restore, for the
  /// shards' instances (positions, warm-up).
  actors::router_options shard_restore_;
  std::optional<control_plane> control_;
  std::unique_ptr<dashboard_server> dashboard_;
  /// The control journal, until `start_pipeline` hands it to the portfolio.
  actors::portfolio_control operator_control_;
};

} // namespace intuition::runtime

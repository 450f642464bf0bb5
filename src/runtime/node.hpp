#pragma once

#include <memory>
#include <optional>
#include <variant>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/actor_types.hpp"
#include "actors/node_agent.hpp"
#include "actors/quote_router.hpp"
#include "runtime/config.hpp"
#include "runtime/metrics.hpp"
#include "trading/journal.hpp"

/// Node bootstrap: the actor system's configuration and the wiring of the
/// trading pipeline, shared by every command.
namespace intuition::runtime {

/// CAF settings of an Intuition process: every message type registered and
/// the middleman loaded.
class node_config : public caf::actor_system_config {
public:
  node_config();

  /// Reads CAF settings (INI syntax) from `path`, or from the first
  /// `caf-application.conf` found in the working directory or the folder
  /// above the executable when `path` is empty. Returns an error message.
  std::optional<std::string> load_file(const std::string& path,
                                       const char* argv0);

  /// An error message when node failure detection is off: CAF 0.17 ships
  /// `middleman.heartbeat-interval` and `middleman.connection-timeout` at 0,
  /// which never notices a frozen peer and lets a connection attempt to a
  /// silent one block forever.
  std::optional<std::string> check_failure_detection() const;

  /// The configured heartbeat interval and connection timeout.
  caf::timespan heartbeat_interval() const;
  caf::timespan connection_timeout() const;

  /// Whether node-to-node traffic uses TLS: any of `openssl.certificate`,
  /// `key`, `cafile` or `capath` is set (the OpenSSL module is then loaded).
  bool tls() const noexcept {
    return tls_;
  }

  /// The file that was read, empty if none.
  const std::string& caf_config_path() const noexcept {
    return caf_config_path_;
  }

private:
  std::string caf_config_path_;
  bool tls_ = false;
};

/// The journal after recovery, ready for the order log.
struct recovered_journal {
  trading::journal_contents contents;
  std::shared_ptr<trading::journal_writer> writer;
};

/// The option that accepts a journal shorter than what was acknowledged.
constexpr const char* accept_journal_loss_flag = "--accept-journal-loss";

/// Takes the journal's lock (`PATH.lock`, held until the process exits),
/// then reads and verifies the journal at `path` against its end record
/// (`PATH.end`) and publication mark (`PATH.published`), repairs a torn
/// tail (reported on stderr), and opens it for appending. A journal that
/// holds fewer orders than were acknowledged or published is refused,
/// unless `accept_loss`: then the loss is reported, the publication mark is
/// cut back to the journal, and order ids continue above every id handed
/// out before. Returns an error message naming the file (and line, or the
/// pid holding the lock) and, for a lost tail, how to proceed.
std::variant<recovered_journal, std::string>
recover_journal(const std::string& path, bool accept_loss = false);

/// The actors of one deployment.
struct pipeline {
  actors::order_log_actor log;
  actors::portfolio_actor portfolio;
  actors::quote_router_actor router;
};

/// The router's caps from `cfg` and, with a journal, what a restart hands
/// on: the net position of each (strategy, symbol) in `restored`, and the
/// symbols' history saved beside the journal (`JOURNAL.warmup`; a damaged
/// file is reported on stderr and ignored).
actors::router_options
router_options_for(const app_config& cfg,
                   const std::vector<trading::order>& restored);

/// Spawns order log, portfolio and router for `cfg`; the portfolio starts
/// from the recovered journal, the router from `router_options_for`.
/// `observer` (the command's driver) is told when trading halts.
pipeline start_pipeline(caf::actor_system& sys, const app_config& cfg,
                        recovered_journal journal, actors::placement_fn place,
                        actors::order_publisher_actor publisher = {},
                        actors::halt_sink_actor observer = {});

/// Why trading halted, as the order log reports it; empty `cause` while it
/// goes on.
struct halt_state {
  std::string cause;
  std::string error;
};

/// Stops the pipeline's actors, router first.
void stop_pipeline(const pipeline& p);

/// The pipeline's actors as the node agent lists them.
std::vector<actors::inspection_target> inspection_targets(const pipeline& p);

/// What a process offers the outside: its node agent, published over CAF
/// (`--listen`), and `/metrics` over HTTP.
struct control_plane {
  actors::node_agent_actor agent;
  /// The port the agent is published on; 0 when not listening.
  uint16_t listen_port = 0;
  std::unique_ptr<metrics_server> metrics;
};

/// Spawns the node agent, publishes it on `listen` (when enabled) and
/// starts the metrics endpoint (when enabled), printing where each listens
/// on stderr; the endpoint's `/ready` asks `ready` (none: always ready).
/// Warns when binding beyond loopback. Returns an error message naming the
/// setting when an address cannot be bound.
std::variant<control_plane, std::string>
start_control(caf::actor_system& sys, const listen_config& listen,
              const metrics_config& metrics, actors::node_agent_config agent,
              bool tls, readiness_check ready = {});

/// Connects to the node agent published at `at` (over TLS when `tls`);
/// blocks until it answers or the middleman's connection timeout passes.
caf::expected<actors::node_agent_actor>
connect_agent(caf::actor_system& sys, const endpoint& at, bool tls);

/// Stops serving metrics, unpublishes and stops the agent.
void stop_control(caf::actor_system& sys, control_plane& cp);

} // namespace intuition::runtime

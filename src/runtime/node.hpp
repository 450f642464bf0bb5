#pragma once

#include <memory>
#include <optional>
#include <variant>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/actor_types.hpp"
#include "actors/quote_router.hpp"
#include "runtime/config.hpp"
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

  /// The file that was read, empty if none.
  const std::string& caf_config_path() const noexcept {
    return caf_config_path_;
  }

private:
  std::string caf_config_path_;
};

/// The journal after recovery, ready for the order log.
struct recovered_journal {
  trading::journal_contents contents;
  std::shared_ptr<trading::journal_writer> writer;
};

/// Reads, verifies and (when torn) repairs the journal at `path`, reporting a
/// repair on stderr, then opens it for appending. Returns an error message
/// naming the file and line.
std::variant<recovered_journal, std::string>
recover_journal(const std::string& path);

/// The actors of one deployment.
struct pipeline {
  actors::order_log_actor log;
  actors::portfolio_actor portfolio;
  actors::quote_router_actor router;
};

/// Spawns order log, portfolio and router for `cfg`; the portfolio starts
/// from the recovered journal.
pipeline start_pipeline(caf::actor_system& sys, const app_config& cfg,
                        recovered_journal journal, actors::placement_fn place,
                        actors::order_publisher_actor publisher = {});

/// Stops the pipeline's actors, router first.
void stop_pipeline(const pipeline& p);

} // namespace intuition::runtime

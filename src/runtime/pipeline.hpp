#pragma once

#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/actor_types.hpp"
#include "actors/node_agent.hpp"
#include "actors/portfolio.hpp"
#include "actors/quote_router.hpp"
#include "runtime/config.hpp"
#include "runtime/journal_recovery.hpp"

/// The trading pipeline of a deployment: order log, portfolio and router.
namespace intuition::runtime {

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
/// `observer` (the command's driver) is told when trading halts; `control`
/// is the control journal the portfolio keeps (`recover_control`).
pipeline start_pipeline(caf::actor_system& sys, const app_config& cfg,
                        recovered_journal journal, actors::placement_fn place,
                        actors::order_publisher_actor publisher = {},
                        actors::halt_sink_actor observer = {},
                        actors::portfolio_control control = {});

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

} // namespace intuition::runtime

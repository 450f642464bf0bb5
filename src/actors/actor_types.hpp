#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/messages.hpp"

/// Every typed actor interface of Intuition.
namespace intuition::actors {

/// The generic state query every actor answers (metrics and inspection).
using state_query = caf::replies_to<get_state_atom>::with<actor_state>;

/// Publishes durable orders (QoS 1, tracked until the broker acknowledges
/// them) and signals (QoS 0) to MQTT; `drain` answers, once every order
/// handed to it is confirmed or the connection is down, with the number
/// still unconfirmed.
using order_publisher_actor
  = caf::typed_actor<caf::reacts_to<order_batch>, caf::reacts_to<signal_batch>,
                     caf::reacts_to<puback_atom, std::vector<int32_t>>,
                     caf::reacts_to<connection_event>,
                     caf::reacts_to<tick_atom>,
                     caf::replies_to<drain_atom>::with<uint64_t>, state_query>;

/// Turns MQTT messages into quotes for the router; `input` says the input
/// log has new records; `tick` is its own timer tick (rejections waiting to
/// be logged); `drain` answers, once everything received so far reached the
/// portfolio, with the number of quotes accepted; `report` with what it
/// took in, for the run report.
using mqtt_ingress_actor = caf::typed_actor<
  caf::reacts_to<mqtt_message>, caf::reacts_to<input_atom>,
  caf::reacts_to<connection_event>, caf::reacts_to<tick_atom>,
  caf::replies_to<drain_atom>::with<uint64_t>,
  caf::replies_to<report_atom>::with<trading::ingress_report>, state_query>;

/// Told that trading halted (cause, message): the portfolio, and the
/// driver of a command.
using halt_sink_actor
  = caf::typed_actor<caf::reacts_to<halt_atom, std::string, std::string>>;

/// Appends orders to the journal; `flush` forces them to stable storage and
/// answers how many orders are durable; `tick` is its own timer tick;
/// `processed` answers with the input position it was given once every
/// order appended before it is durable. When the journal fails it halts:
/// it sends `halt` (cause, message) to the sender of its order batches and
/// to its observer, and takes no order any more.
using order_log_actor = caf::typed_actor<
  caf::reacts_to<order_batch>, caf::replies_to<flush_atom>::with<uint64_t>,
  caf::reacts_to<tick_atom>,
  caf::replies_to<processed_atom, uint64_t>::with<uint64_t>, state_query>;

/// Marks quotes, turns signals into orders; answers each market batch with
/// the number of orders filled so far, and `report` with its part of the
/// run report (the runtime's part left empty). After `halt` (cause,
/// message) it fills no order any more: market batches are answered but not
/// traded. A `control_request` changes the trading mode or flattens, and
/// journals it (strategy changes the router passes on too) before it
/// answers.
using portfolio_actor
  = caf::typed_actor<caf::replies_to<market_batch>::with<uint64_t>,
                     caf::reacts_to<halt_atom, std::string, std::string>,
                     caf::replies_to<report_atom>::with<trading::run_report>,
                     caf::replies_to<control_request>::with<control_reply>,
                     state_query>;

/// Any actor, seen only as something that reports its state.
using inspectable_actor = caf::typed_actor<state_query>;

/// Lists the state of every actor whose instance name matches a pattern
/// (`actors::instance_matches`).
using list_query
  = caf::replies_to<list_atom, std::string>::with<std::vector<actor_state>>;

/// What an algorithm instance answers a part to: the router.
using part_sink_actor = caf::typed_actor<caf::reacts_to<part_result>>;

/// One (strategy, symbol): answers each `quote_part` of its symbol's quotes
/// with a `part_result` to the sender; `warmup` feeds past quotes to a
/// re-placed instance (indicators only, no signals, no answer).
using algorithm_actor
  = caf::typed_actor<caf::reacts_to<quote_part>,
                     caf::reacts_to<warmup_atom, quote_part>, state_query>;

/// Entry point of every quote source: answers each batch, once its signals
/// reached the portfolio, with the number of orders filled so far. Lists
/// its algorithm instances, wherever they run; places new ones on the
/// worker nodes that join. Takes operator control requests: adds and
/// removes strategies itself, passes the rest to the portfolio.
using quote_router_actor = caf::typed_actor<
  caf::replies_to<quote_batch>::with<uint64_t>, caf::reacts_to<part_result>,
  caf::reacts_to<cluster_member>, list_query,
  caf::replies_to<control_request>::with<control_reply>, state_query>;

/// Connects to worker nodes (`join`, with `HOST:PORT`), hands each to the
/// router when it answers and reconnects to lost ones; `await` answers, once
/// every join asked for so far was tried, with the number of nodes joined.
using cluster_connector_actor
  = caf::typed_actor<caf::reacts_to<join_atom, std::string>,
                     caf::replies_to<await_atom>::with<uint64_t>, state_query>;

/// Runs one shard on the node that owns it (node-local ingress): `intake`
/// takes the quotes of one read from the shard's MQTT session (with the
/// ticket its gate waits on), runs them through the shard's instances and
/// sends quotes and signals to the coordinator's desk.
/// `drain` hands the shard back before it moves: the session ends, what
/// waits goes to the desk, then the worker stops (answered with the quotes
/// it sent).
using shard_worker_actor = caf::typed_actor<
  caf::reacts_to<intake_atom, std::vector<trading::quote>, uint64_t>,
  caf::reacts_to<flush_atom>, caf::replies_to<drain_atom>::with<uint64_t>,
  state_query>;

/// The coordinator's side of node-local ingress: places shards on the
/// nodes that join (`cluster_member`), moves them when nodes come and go,
/// and hands the quotes and signals nodes send (`shard_batch`, answered
/// with the quotes taken, or an error when the sender's epoch is stale) to
/// the portfolio.
using shard_desk_actor
  = caf::typed_actor<caf::replies_to<shard_batch>::with<uint64_t>,
                     caf::reacts_to<cluster_member>, state_query>;

/// The actor a process publishes (`--listen`, `intuition node`): lists the
/// state of its actors for inspection, collects their metric samples, and
/// on a worker node spawns algorithm instances for a coordinator; passes
/// operator control requests to the router.
using node_agent_actor = caf::typed_actor<
  list_query,
  caf::replies_to<metrics_atom>::with<std::vector<actors::metric_sample>>,
  caf::replies_to<place_atom, algorithm_spec>::with<algorithm_actor>,
  caf::replies_to<control_request>::with<control_reply>,
  caf::replies_to<shard_assignment>::with<shard_worker_actor>,
  caf::replies_to<drain_atom, uint32_t, uint64_t>::with<uint64_t>,
  caf::reacts_to<revoke_atom, uint32_t, uint64_t>, state_query>;

} // namespace intuition::actors

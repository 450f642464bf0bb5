#include "actors/quote_router.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/algorithm.hpp"
#include "actors/inspection.hpp"
#include "trading/algorithm.hpp"
#include "trading/warmup_file.hpp"

namespace intuition::actors {

placement_fn local_placement() {
  return [](caf::actor_system& sys, const algorithm_spec& spec) {
    return sys.spawn<caf::lazy_init>(algorithm, spec);
  };
}

namespace {

using self_ptr = quote_router_actor::stateful_pointer<quote_router_state>;

void carry_out(self_ptr self, route_actions actions);

/// Hands completed batches to the portfolio, strictly in arrival order, and
/// prints what the book logged.
void flush_ready(self_ptr self) {
  auto& st = self->state;
  for (auto& ready : st.book->take_ready()) {
    auto promise = std::move(st.promises.front().second);
    st.promises.pop_front();
    if (st.publisher && !ready.signals.empty())
      self->send(st.publisher, signal_batch{ready.signals});
    self
      ->request(st.portfolio, caf::infinite,
                market_batch{std::move(ready.quotes), std::move(ready.signals),
                             steady_now_ns()})
      .then([promise](uint64_t orders) mutable { promise.deliver(orders); },
            [promise](caf::error& err) mutable { promise.deliver(err); });
  }
  for (const auto& line : st.book->take_log())
    aout(self) << "quote_router: " << line << std::endl;
}

/// Installs a running incarnation of `slot` and carries out what the book
/// asks for it (warm-up, parts owed, queued parts).
void install(self_ptr self, uint32_t slot, uint64_t epoch,
             algorithm_actor handle, route_actions& work) {
  auto& st = self->state;
  bool current = false;
  auto next = st.book->started(slot, epoch, current);
  if (!current) {
    self->send_exit(handle, caf::exit_reason::user_shutdown);
    return;
  }
  self->monitor(handle);
  st.by_addr[handle.address()] = slot;
  st.handles[slot] = std::move(handle);
  work.insert(work.end(), std::make_move_iterator(next.begin()),
              std::make_move_iterator(next.end()));
}

/// Starts incarnation `epoch` of `slot` where the book placed it: spawned
/// here, or requested from the member's node agent.
void start(self_ptr self, uint32_t slot, uint64_t epoch, route_actions& work) {
  auto& st = self->state;
  const auto& inst = st.book->instance(slot);
  const auto& s = st.book->strategy(inst.strategy);
  algorithm_spec spec{
    s.name, s.algorithm, s.params_json, st.book->symbol(inst.symbol), epoch, 0};
  if (auto pos = st.positions.find(st.book->instance_key(slot));
      pos != st.positions.end())
    spec.restored_position = pos->second;
  if (st.book->members()[inst.member].local) {
    install(self, slot, epoch, st.local(self->system(), spec), work);
    return;
  }
  self
    ->request(st.agents[inst.member], place_timeout, place_atom_v,
              std::move(spec))
    .then(
      [self, slot, epoch](algorithm_actor& handle) {
        route_actions next;
        install(self, slot, epoch, std::move(handle), next);
        carry_out(self, std::move(next));
      },
      [self, slot, epoch](caf::error& err) {
        carry_out(self, self->state.book->start_failed(
                          slot, epoch, self->system().render(err)));
      });
}

/// Carries out the book's actions, and those they lead to, in order.
void carry_out(self_ptr self, route_actions actions) {
  auto& st = self->state;
  if (st.handles.size() < st.book->slot_count())
    st.handles.resize(st.book->slot_count());
  for (size_t i = 0; i < actions.size(); ++i) {
    auto a = std::move(actions[i]);
    auto& handle = st.handles[a.slot];
    switch (a.kind) {
      case route_action::send:
        self->send(handle, quote_part{a.batch, a.slot, a.epoch,
                                      std::move(a.ticks), steady_now_ns()});
        break;
      case route_action::warmup:
        self->send(handle, warmup_atom_v,
                   quote_part{0, a.slot, a.epoch, std::move(a.ticks), 0});
        break;
      case route_action::retire:
        if (handle) {
          // A stale incarnation still running (a frozen node resumed) must
          // not trade: stop it; its node stops it too when the coordinator
          // is gone.
          st.by_addr.erase(handle.address());
          self->demonitor(handle.address());
          self->send_exit(handle, caf::exit_reason::user_shutdown);
          handle = algorithm_actor{};
        }
        break;
      case route_action::start:
        start(self, a.slot, a.epoch, actions);
        break;
    }
  }
  flush_ready(self);
}

/// Logs a failed history write; trading goes on: the next start is then
/// only warmed from older history, or not at all.
void log_history_failure(self_ptr self) {
  if (auto err = self->state.history->take_failure())
    aout(self) << "quote_router: " << err->message << std::endl;
}

/// Saves the symbols' history for the next process (see `router_options`):
/// the router takes a snapshot, the writer's thread writes it. `wait`: until
/// it is written (a clean stop).
void save_history(self_ptr self, bool wait) {
  auto& st = self->state;
  if (!st.history)
    return;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<trading::symbol_history> out;
  for (auto& [symbol, ticks] : st.book->history_snapshot())
    out.push_back({std::move(symbol), std::move(ticks)});
  st.history->submit(std::move(out));
  st.last_history_save = std::chrono::steady_clock::now();
  st.history_save_cost
    = std::max(st.last_history_save - t0, st.history->last_cost());
  if (wait)
    st.history->flush();
  log_history_failure(self);
}

/// The router's summary for `inspect`: members and where each instance runs.
nlohmann::json router_summary(const route_book& book) {
  nlohmann::json placement = nlohmann::json::object();
  for (uint32_t slot = 0; slot < book.slot_count(); ++slot) {
    const auto& inst = book.instance(slot);
    auto where = inst.member == no_member ? std::string{"(unplaced)"}
                                          : book.members()[inst.member].name;
    placement[book.instance_key(slot)]
      = {{"node", where}, {"epoch", inst.epoch}};
  }
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& m : book.members())
    nodes.push_back({{"name", m.name},
                     {"address", m.address.empty() ? "local" : m.address},
                     {"alive", m.alive},
                     {"actors", m.instances},
                     {"replaced_after_loss", m.replaced}});
  return {{"symbols", book.symbol_count()},
          {"nodes", nodes},
          {"placement", placement},
          {"pending_batches", book.pending_batches()}};
}

/// A family with one series per member (node, or the coordinator itself),
/// labelled by its name.
template <class T>
std::function<std::vector<series>(const quote_router_state&)>
per_member(T route_member::*member) {
  return [member](const quote_router_state& st) {
    std::vector<series> out;
    for (const auto& m : st.book->members())
      out.push_back({{m.name}, m.*member});
    return out;
  };
}

/// Reads one of the routing counters.
std::function<figure(const quote_router_state&)>
routed(uint64_t route_counters::*counter) {
  return [counter](const quote_router_state& st) {
    return st.book->counters().*counter;
  };
}

/// Fills in each strategy's warm-up from the algorithm itself (its longest
/// window); returns the channels each asked for.
std::vector<std::vector<std::string>>
fill_warmups(std::vector<strategy_route>& strategies) {
  std::vector<std::vector<std::string>> out;
  for (auto& s : strategies) {
    out.emplace_back();
    if (auto algo = trading::make_algorithm(s.algorithm, "")) {
      // A failure is reported by the instance when it is placed.
      auto ok = trading::initialize_from_text(*algo, s.params_json);
      s.warmup = ok ? algo->warmup() : 0;
      if (ok)
        out.back() = std::move(*ok);
    }
  }
  return out;
}

// -- operator control ---------------------------------------------------------------

control_reply refused(const trading::failure& x) {
  return {false, x.kind == trading::failure_kind::invalid_request, x.message};
}

/// Names of the strategies running now, for messages.
std::string running_names(const route_book& book) {
  std::string out;
  for (uint32_t k = 0; k < book.strategy_count(); ++k)
    if (!book.strategy(k).removed)
      out += (out.empty() ? "" : ", ") + book.strategy(k).name;
  return out;
}

/// Passes `req` to the portfolio (which journals it) and, once it is
/// journaled, runs `then` on the router; answers `promise` with the result.
void through_portfolio(self_ptr self, control_request req,
                       caf::typed_response_promise<control_reply> promise,
                       std::function<control_reply(control_reply)> then) {
  self->request(self->state.portfolio, std::chrono::seconds{30}, std::move(req))
    .then(
      [promise, then](control_reply& reply) mutable {
        promise.deliver(reply.ok && then ? then(std::move(reply))
                                         : std::move(reply));
      },
      [self, promise](caf::error& err) mutable {
        promise.deliver(control_reply{
          false, false, "portfolio: " + self->system().render(err)});
      });
}

/// `add-strategy`: validates the definition, journals it, then adds it.
void add_strategy(self_ptr self, control_request& req,
                  caf::typed_response_promise<control_reply> promise) {
  auto& st = self->state;
  if (!st.parse_strategy) {
    promise.deliver(
      control_reply{false, true, "this process cannot add strategies"});
    return;
  }
  auto parsed = st.parse_strategy(req.strategy);
  if (!parsed) {
    promise.deliver(refused(parsed.error()));
    return;
  }
  auto& s = parsed->route;
  if (st.book->find_strategy(s.name)) {
    promise.deliver(refused(trading::invalid_value(
      "name", "\"" + s.name + "\"", "a name no other strategy uses")));
    return;
  }
  // The ingress subscribed at start: an added strategy takes the quotes of
  // the strategies with its channels.
  for (uint32_t k = 0; k < st.book->strategy_count(); ++k)
    if (!st.book->strategy(k).removed && k < st.channels.size()
        && st.channels[k] == parsed->channels)
      s.peers.push_back(k);
  if (s.peers.empty() && st.book->uses_channels()) {
    std::string asked;
    for (const auto& c : parsed->channels)
      asked += (asked.empty() ? "" : ", ") + c;
    promise.deliver(refused(trading::invalid_value(
      "params.channels", "[" + asked + "]",
      "the channels of a running strategy (topics are subscribed at "
      "start)")));
    return;
  }
  req.strategy = parsed->definition;
  through_portfolio(
    self, req, promise,
    [self, parsed = std::move(*parsed)](control_reply reply) mutable {
      auto& st = self->state;
      auto name = parsed.route.name;
      std::vector<strategy_route> one{std::move(parsed.route)};
      fill_warmups(one);
      st.book->add_strategy(std::move(one.front()));
      st.channels.push_back(std::move(parsed.channels));
      ++st.strategies_added;
      aout(self) << "quote_router: strategy " << name
                 << " added; its instances start at the next quote of each "
                    "symbol"
                 << std::endl;
      return reply;
    });
}

/// `remove-strategy`: journals the removal, then stops its instances.
void remove_strategy(self_ptr self, control_request& req,
                     caf::typed_response_promise<control_reply> promise) {
  auto& st = self->state;
  auto index = st.book->find_strategy(req.strategy);
  if (!index) {
    promise.deliver(refused(trading::invalid_value(
      "strategy", "\"" + req.strategy + "\"",
      "one of the running strategies: " + running_names(*st.book))));
    return;
  }
  auto at = *index;
  through_portfolio(self, req, promise, [self, at](control_reply reply) {
    auto& st = self->state;
    size_t stopped = 0;
    carry_out(self, st.book->remove_strategy(at, stopped));
    ++st.strategies_removed;
    aout(self) << "quote_router: strategy " << st.book->strategy(at).name
               << " removed; " << stopped << " instance(s) stopped"
               << std::endl;
    reply.message += "; " + std::to_string(stopped) + " instance(s) stopped";
    return reply;
  });
}

/// Any control request: strategy changes here, the rest at the portfolio.
caf::typed_response_promise<control_reply> on_control(self_ptr self,
                                                      control_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<control_reply>();
  if (req.command == "add-strategy") {
    add_strategy(self, req, promise);
  } else if (req.command == "remove-strategy") {
    remove_strategy(self, req, promise);
  } else if (req.command == "flatten" && !req.strategy.empty()
             && !st.book->find_strategy(req.strategy)) {
    bool known = false;
    for (uint32_t k = 0; k < st.book->strategy_count(); ++k)
      known = known || st.book->strategy(k).name == req.strategy;
    if (!known)
      promise.deliver(refused(trading::invalid_value(
        "--strategy", "\"" + req.strategy + "\"",
        "one of the strategies: " + running_names(*st.book))));
    else
      through_portfolio(self, req, promise, {});
  } else {
    through_portfolio(self, req, promise, {});
  }
  return promise;
}

} // namespace

const telemetry<quote_router_state>& quote_router_telemetry() {
  using field = telemetry_field<quote_router_state>;
  using state = quote_router_state;
  static const telemetry<state> table{{
    field::count("quotes", routed(&route_counters::quotes))
      .counter("intuition_router_quotes_total",
               "Quotes that entered the router."),
    field::count("unrouted_quotes", routed(&route_counters::unrouted))
      .counter("intuition_unrouted_quotes_total",
               "Quotes no strategy takes (by symbol, or by the topic they "
               "came on)."),
    field::count("unplaced_quotes", routed(&route_counters::unplaced))
      .counter("intuition_unplaced_quotes_total",
               "Quotes no algorithm instance saw because no member was "
               "alive to host it."),
    field::count("algorithm_failures",
                 routed(&route_counters::algorithm_failures))
      .counter("intuition_algorithm_failures_total",
               "Algorithm instances that stopped or failed a batch."),
    field::count("stale_replies", routed(&route_counters::stale_replies))
      .counter("intuition_stale_replies_total",
               "Replies from an algorithm instance's earlier incarnation, "
               "dropped after it was placed anew."),
    field::count("too_many_symbols", routed(&route_counters::too_many_symbols))
      .counter("intuition_too_many_symbols_total",
               "Quotes of new symbols refused past router.max_symbols or "
               "router.max_instances."),
    field::value([](const state& st) {
      return st.book->symbol_count();
    }).gauge("intuition_symbols", "Symbols seen by the router."),
    field::family(algorithm_actors_metric(),
                  per_member(&route_member::instances)),
    field::family({"intuition_node_alive",
                   metric_type::gauge,
                   "1 while the member (a node, or the coordinator itself) "
                   "is alive, by node.",
                   {"node"}},
                  per_member(&route_member::alive)),
    field::family({"intuition_replacements_total",
                   metric_type::counter,
                   "Algorithm actors placed anew after their node was lost, "
                   "by lost node.",
                   {"node"}},
                  per_member(&route_member::replaced)),
    field::count("strategies_added", &state::strategies_added),
    field::count("strategies_removed", &state::strategies_removed),
    field::count("placements", routed(&route_counters::placements)),
    field::count("replacements", routed(&route_counters::replacements)),
    field::count("placement_failures",
                 routed(&route_counters::placement_failures)),
  }};
  return table;
}

quote_router_actor::behavior_type
quote_router(quote_router_actor::stateful_pointer<quote_router_state> self,
             std::vector<strategy_route> strategies, placement_fn local,
             portfolio_actor portfolio, order_publisher_actor publisher,
             router_options opts) {
  auto& st = self->state;
  st.channels = fill_warmups(strategies);
  st.parse_strategy = std::move(opts.parse_strategy);
  st.book = std::make_unique<route_book>(std::move(strategies), opts.limits);
  if (!opts.history_path.empty()) {
    st.book->keep_history();
    for (auto& [symbol, ticks] : opts.history)
      st.book->restore_history(symbol, std::move(ticks));
    st.history = std::make_unique<trading::warmup_writer>(
      std::move(opts.history_path), std::move(opts.write_history));
    st.last_history_save = std::chrono::steady_clock::now();
  }
  st.positions = std::move(opts.positions);
  st.local = std::move(local);
  if (st.local) {
    st.book->add_member(node_label(), "", true);
    st.agents.emplace_back();
  }
  st.portfolio = std::move(portfolio);
  st.publisher = std::move(publisher);
  st.probe.count_rejected(self);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Instances are monitored, not linked (one failing must not stop the
    // router), so the router takes them down with it: one message each.
    for (const auto& handle : self->state.handles)
      if (handle)
        self->send_exit(handle, msg.reason);
    // A clean stop: the next process continues from this history.
    save_history(self, true);
    self->state.book->log_too_many(true);
    for (const auto& line : self->state.book->take_log())
      aout(self) << "quote_router: " << line << std::endl;
    self->quit(msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& dm) {
    auto timer = self->state.probe.time(self);
    auto& st = self->state;
    auto reason = self->system().render(dm.reason);
    for (size_t i = 0; i < st.agents.size(); ++i)
      if (st.agents[i] && st.agents[i].address() == dm.source) {
        carry_out(self, st.book->member_lost(i, reason));
        return;
      }
    auto found = st.by_addr.find(dm.source);
    if (found == st.by_addr.end())
      return; // an incarnation already replaced
    auto slot = found->second;
    st.by_addr.erase(found);
    st.handles[slot] = algorithm_actor{};
    auto unreachable = dm.reason == caf::exit_reason::remote_link_unreachable;
    carry_out(self, st.book->stopped(slot, unreachable, reason));
  });
  return {
    [self](quote_batch& batch) -> caf::typed_response_promise<uint64_t> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.probe.mailbox_time(self, batch.sent_ns);
      auto promise = self->make_response_promise<uint64_t>();
      uint64_t id = 0;
      for (const auto& set : batch.channel_sets)
        st.book->define_channels(set);
      auto actions = st.book->intake(std::move(batch.quotes), id,
                                     std::move(batch.signals));
      st.promises.emplace_back(id, promise);
      carry_out(self, std::move(actions));
      // Periodically too, for a crash (SIGKILL) between clean stops.
      if (st.history
          && std::chrono::steady_clock::now() - st.last_history_save
               >= std::max<std::chrono::steady_clock::duration>(
                 history_save_interval, 10 * st.history_save_cost))
        save_history(self, false);
      return promise;
    },
    [self](part_result& res) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.book->answered(res.slot, res.epoch, res.batch, std::move(res.signals));
      flush_ready(self);
    },
    [self](cluster_member& x) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto agent = caf::actor_cast<node_agent_actor>(x.agent);
      if (!agent)
        return;
      auto index = st.book->add_member(x.name, x.address, false);
      if (index >= st.agents.size())
        st.agents.resize(index + 1);
      st.agents[index] = agent;
      self->monitor(agent);
      flush_ready(self);
    },
    [self](list_atom, const std::string& pattern)
      -> caf::typed_response_promise<std::vector<actor_state>> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise = self->make_response_promise<std::vector<actor_state>>();
      std::vector<inspection_target> targets;
      for (uint32_t slot = 0; slot < st.handles.size(); ++slot) {
        if (!st.handles[slot])
          continue;
        auto name = "algorithm/" + st.book->instance_key(slot);
        if (actors::instance_matches(pattern, name))
          targets.push_back({std::move(name), st.handles[slot]});
      }
      std::sort(targets.begin(), targets.end(),
                [](const auto& x, const auto& y) { return x.name < y.name; });
      gather_states(self, std::move(targets), promise);
      return promise;
    },
    [self](control_request& req) -> caf::typed_response_promise<control_reply> {
      auto timer = self->state.probe.time(self);
      return on_control(self, req);
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      return quote_router_telemetry().reply(self,
                                            router_summary(*st.book).dump());
    },
  };
}

} // namespace intuition::actors

#include "actors/quote_router.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/algorithm.hpp"
#include "actors/inspection.hpp"
#include "trading/algorithm.hpp"

namespace intuition::actors {

bool strategy_route::matches(const std::string& symbol) const {
  return symbols.empty()
         || std::find(symbols.begin(), symbols.end(), symbol) != symbols.end();
}

placement_fn local_placement() {
  return [](caf::actor_system& sys, const algorithm_spec& spec) {
    return sys.spawn(algorithm, spec);
  };
}

uint64_t rendezvous_weight(const std::string& member, const std::string& key) {
  uint64_t h = 14695981039346656037ull;
  auto feed = [&h](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  feed(member);
  h ^= 0xff;
  h *= 1099511628211ull;
  feed(key);
  // FNV alone mixes the last bytes weakly; finish like splitmix64.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

size_t rendezvous_pick(const std::vector<std::string>& names,
                       const std::vector<bool>& alive, const std::string& key) {
  size_t best = no_member;
  uint64_t best_weight = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!alive[i])
      continue;
    auto w = rendezvous_weight(names[i], key);
    if (best == no_member || w > best_weight
        || (w == best_weight && names[i] < names[best])) {
      best = i;
      best_weight = w;
    }
  }
  return best;
}

namespace {

using self_ptr = quote_router_actor::stateful_pointer<quote_router_state>;

std::string instance_key(const quote_router_state& st, const std::string& symbol,
                         const routed_instance& inst) {
  return st.strategies[inst.strategy].name + "/" + symbol;
}

bool is_local(const quote_router_state& st, size_t member) {
  return member != no_member && !st.members[member].agent;
}

/// Hands completed batches to the portfolio, strictly in arrival order.
void flush_ready(self_ptr self) {
  auto& st = self->state;
  while (!st.pending.empty() && st.pending.front().waiting == 0) {
    auto& b = st.pending.front();
    // Same order as a single-threaded loop: by quote, then by strategy.
    const auto& index = st.strategy_index;
    std::stable_sort(b.signals.begin(), b.signals.end(),
                     [&](const trading::signal& x, const trading::signal& y) {
                       if (x.quote_seq != y.quote_seq)
                         return x.quote_seq < y.quote_seq;
                       return index.at(x.strategy) < index.at(y.strategy);
                     });
    auto promise = b.promise;
    if (st.publisher && !b.signals.empty())
      self->send(st.publisher, signal_batch{b.signals});
    self
      ->request(st.portfolio, caf::infinite,
                market_batch{std::move(b.quotes), std::move(b.signals),
                             steady_now_ns()})
      .then([promise](uint64_t orders) mutable { promise.deliver(orders); },
            [promise](caf::error& err) mutable { promise.deliver(err); });
    st.pending.pop_front();
  }
}

/// Records the signals of one instance's part of batch `id`.
void complete(self_ptr self, uint64_t id, std::vector<trading::signal> sigs) {
  auto& st = self->state;
  auto& b = st.pending[id - st.pending.front().id];
  b.signals.insert(b.signals.end(), std::make_move_iterator(sigs.begin()),
                   std::make_move_iterator(sigs.end()));
  --b.waiting;
  flush_ready(self);
}

void place(self_ptr self, const std::string& symbol, size_t k);

/// Sends one part to the instance's current incarnation.
void send_part(self_ptr self, const std::string& symbol, size_t k, uint64_t id,
               quote_batch part) {
  auto& st = self->state;
  auto& inst = st.routes[symbol].instances[k];
  part.sent_ns = steady_now_ns();
  auto epoch = inst.epoch;
  // A remote incarnation may vanish with its node: keep the quotes until
  // it answers. A local one fails only with the process or by a bug.
  if (is_local(st, inst.member))
    inst.in_flight.emplace(id, quote_batch{});
  else
    inst.in_flight.emplace(id, part);
  self->request(inst.handle, caf::infinite, std::move(part))
    .then(
      [self, symbol, k, epoch, id](signal_batch& sb) {
        auto& inst = self->state.routes[symbol].instances[k];
        if (inst.epoch != epoch) {
          // A replaced incarnation (say, from a node that froze and came
          // back): its part went to the successor, which answers for it.
          ++self->state.stale_replies;
          return;
        }
        inst.in_flight.erase(id);
        complete(self, id, std::move(sb.signals));
      },
      [self, symbol, k, epoch, id](caf::error& err) {
        auto& st = self->state;
        auto& inst = st.routes[symbol].instances[k];
        if (inst.epoch != epoch)
          return; // settled when the instance was placed anew
        if (!is_local(st, inst.member))
          return; // the down message re-places it and sends the part again
        ++st.algorithm_failures;
        aout(self) << "quote_router: batch " << id << ": "
                   << self->system().render(err) << std::endl;
        inst.in_flight.erase(id);
        complete(self, id, {});
      });
}

/// Routes one part: to the incarnation, into the placement queue, or -
/// with no member alive - nowhere, counted and logged.
void route_part(self_ptr self, const std::string& symbol, size_t k, uint64_t id,
                quote_batch part) {
  auto& st = self->state;
  auto& inst = st.routes[symbol].instances[k];
  if (inst.given_up) {
    complete(self, id, {});
    return;
  }
  if (inst.member == no_member && !inst.placing)
    place(self, symbol, k);
  if (inst.placing) {
    inst.queued.emplace_back(id, std::move(part));
    return;
  }
  if (inst.member == no_member) {
    st.unplaced += part.quotes.size();
    auto now = std::chrono::steady_clock::now();
    if (now - st.last_unplaced_log > std::chrono::seconds(5)) {
      aout(self) << "quote_router: no node is alive to run "
                 << instance_key(st, symbol, inst) << "; " << st.unplaced
                 << " quote(s) not traded so far" << std::endl;
      st.last_unplaced_log = now;
    }
    complete(self, id, {});
    return;
  }
  send_part(self, symbol, k, id, std::move(part));
}

/// The incarnation is running: re-warm it when it replaces another, then
/// send it what the previous one left unanswered and what queued up.
void activate(self_ptr self, const std::string& symbol, size_t k,
              algorithm_actor handle) {
  auto& st = self->state;
  auto& route = st.routes[symbol];
  auto& inst = route.instances[k];
  inst.handle = std::move(handle);
  inst.placing = false;
  self->monitor(inst.handle);
  st.by_addr[inst.handle.address()] = {symbol, k};
  if (inst.epoch > 1 && !route.history.empty()) {
    // Indicators resume where the lost incarnation was: the symbol's last
    // quotes before the first one it still has to answer for.
    uint64_t first_pending = std::numeric_limits<uint64_t>::max();
    if (!inst.in_flight.empty()
        && !inst.in_flight.begin()->second.quotes.empty())
      first_pending = inst.in_flight.begin()->second.quotes.front().seq;
    else if (!inst.queued.empty() && !inst.queued.front().second.quotes.empty())
      first_pending = inst.queued.front().second.quotes.front().seq;
    quote_batch warm;
    for (const auto& q : route.history)
      if (q.seq < first_pending)
        warm.quotes.push_back(q);
    if (!warm.quotes.empty())
      self->send(inst.handle, warmup_atom_v, std::move(warm));
  }
  auto resend = std::move(inst.in_flight);
  inst.in_flight.clear();
  for (auto& [id, part] : resend) {
    if (part.quotes.empty()) {
      // A local incarnation's part: its quotes were not kept.
      ++st.algorithm_failures;
      complete(self, id, {});
    } else {
      send_part(self, symbol, k, id, std::move(part));
    }
  }
  auto queued = std::move(inst.queued);
  inst.queued.clear();
  for (auto& [id, part] : queued)
    route_part(self, symbol, k, id, std::move(part));
}

/// Notes that one instance of lost member `from` found its new place.
void replaced_one(self_ptr self, size_t from) {
  if (from == no_member)
    return;
  auto& m = self->state.members[from];
  if (m.replacing == 0 || --m.replacing > 0)
    return;
  auto ms = std::chrono::duration<double, std::milli>(
              std::chrono::steady_clock::now() - m.lost_at)
              .count();
  aout(self) << "quote_router: every algorithm actor of node " << m.name
             << " runs elsewhere again (" << m.replaced << " moved so far; "
             << static_cast<int64_t>(ms) << " ms after the loss)" << std::endl;
}

/// Places (or re-places) instance `k` of `symbol` on the member the
/// rendezvous hash picks among the live ones.
void place(self_ptr self, const std::string& symbol, size_t k) {
  auto& st = self->state;
  auto& inst = st.routes[symbol].instances[k];
  auto previous = inst.member;
  if (inst.handle) {
    st.by_addr.erase(inst.handle.address());
    self->demonitor(inst.handle.address());
    // A stale incarnation still running (a frozen node resumed) must not
    // trade: stop it; its node stops it too when the coordinator is gone.
    self->send_exit(inst.handle, caf::exit_reason::user_shutdown);
    inst.handle = algorithm_actor{};
  }
  std::vector<std::string> names;
  std::vector<bool> alive;
  for (const auto& m : st.members) {
    names.push_back(m.name);
    alive.push_back(m.alive);
  }
  auto key = instance_key(st, symbol, inst);
  inst.member = rendezvous_pick(names, alive, key);
  inst.placing = false;
  if (inst.member == no_member)
    return;
  ++inst.epoch;
  ++st.placements;
  const auto& s = st.strategies[inst.strategy];
  algorithm_spec spec{s.name, s.algorithm, s.params_json, symbol, inst.epoch};
  auto& m = st.members[inst.member];
  if (!m.agent) {
    activate(self, symbol, k, st.local(self->system(), spec));
    return;
  }
  inst.placing = true;
  auto epoch = inst.epoch;
  auto member = inst.member;
  self->request(m.agent, place_timeout, place_atom_v, std::move(spec))
    .then(
      [self, symbol, k, epoch, previous](algorithm_actor& handle) {
        auto& inst = self->state.routes[symbol].instances[k];
        if (inst.epoch != epoch) {
          self->send_exit(handle, caf::exit_reason::user_shutdown);
          return;
        }
        activate(self, symbol, k, std::move(handle));
        if (previous != no_member && !self->state.members[previous].alive)
          replaced_one(self, previous);
      },
      [self, symbol, k, epoch, member, previous](caf::error& err) {
        auto& st = self->state;
        auto& inst = st.routes[symbol].instances[k];
        if (inst.epoch != epoch)
          return;
        ++st.placement_failures;
        auto& m = st.members[member];
        if (m.alive) {
          aout(self) << "quote_router: node " << m.name << " (" << m.address
                     << ") did not place " << instance_key(st, symbol, inst)
                     << ": " << self->system().render(err)
                     << "; no longer placing there until it rejoins"
                     << std::endl;
          m.alive = false;
        }
        inst.placing = false;
        inst.member = previous;
        place(self, symbol, k);
        if (inst.member == no_member) {
          // Nowhere to go: what waited is answered empty, and counted.
          auto queued = std::move(inst.queued);
          inst.queued.clear();
          for (auto& [id, part] : queued)
            route_part(self, symbol, k, id, std::move(part));
          auto lost = std::move(inst.in_flight);
          inst.in_flight.clear();
          for (auto& [id, part] : lost) {
            st.unplaced += part.quotes.size();
            complete(self, id, {});
          }
        }
      });
}

/// Instances for `symbol`, placing them on first sight.
symbol_route& resolve(self_ptr self, const std::string& symbol) {
  auto& st = self->state;
  auto i = st.routes.find(symbol);
  if (i != st.routes.end())
    return i->second;
  auto& route = st.routes[symbol];
  for (size_t k = 0; k < st.strategies.size(); ++k) {
    const auto& s = st.strategies[k];
    if (!s.matches(symbol))
      continue;
    route.history_limit = std::max(route.history_limit, s.warmup);
    routed_instance inst;
    inst.strategy = k;
    inst.slot = static_cast<uint32_t>(st.slots.size());
    st.slots.emplace_back(symbol, route.instances.size());
    route.instances.push_back(std::move(inst));
  }
  for (size_t k = 0; k < route.instances.size(); ++k)
    place(self, symbol, k);
  return route;
}

/// A member is gone: every instance it ran goes elsewhere.
void member_lost(self_ptr self, size_t index, const caf::error& reason) {
  auto& st = self->state;
  auto& m = st.members[index];
  auto runs_any = std::any_of(st.slots.begin(), st.slots.end(), [&](const auto& key) {
    return st.routes[key.first].instances[key.second].member == index;
  });
  if (!m.alive && !runs_any)
    return; // already handled: an instance's down reported the loss first
  m.alive = false;
  m.lost_at = std::chrono::steady_clock::now();
  std::vector<std::pair<std::string, size_t>> moved;
  for (auto& [symbol, route] : st.routes)
    for (size_t k = 0; k < route.instances.size(); ++k)
      if (route.instances[k].member == index)
        moved.emplace_back(symbol, k);
  m.replaced += moved.size();
  m.replacing = moved.size();
  st.replacements += moved.size();
  aout(self) << "quote_router: node " << m.name << " (" << m.address
             << ") lost: " << self->system().render(reason) << "; re-placing its "
             << moved.size() << " algorithm actor(s)" << std::endl;
  for (auto& [symbol, k] : moved) {
    place(self, symbol, k);
    auto& inst = st.routes[symbol].instances[k];
    if (!inst.placing)
      replaced_one(self, index); // placed locally, or nowhere to go
  }
}

} // namespace

quote_router_actor::behavior_type
quote_router(quote_router_actor::stateful_pointer<quote_router_state> self,
             std::vector<strategy_route> strategies, placement_fn local,
             portfolio_actor portfolio, order_publisher_actor publisher) {
  auto& st = self->state;
  st.strategies = std::move(strategies);
  for (size_t k = 0; k < st.strategies.size(); ++k) {
    auto& s = st.strategies[k];
    st.strategy_index.emplace(s.name, k);
    // The warm-up a re-placed instance needs comes from the algorithm
    // itself (its longest window).
    if (auto algo = trading::make_algorithm(s.algorithm, "")) {
      try {
        algo->initialize(nlohmann::json::parse(s.params_json));
        s.warmup = algo->warmup();
      } catch (const std::exception&) {
        s.warmup = 0; // the instance reports the error when placed
      }
    }
  }
  st.local = std::move(local);
  if (st.local) {
    cluster_node self_node;
    self_node.name = node_label();
    st.members.push_back(std::move(self_node));
  }
  st.portfolio = std::move(portfolio);
  st.publisher = std::move(publisher);
  st.probe.count_rejected(self);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Instances are monitored, not linked (one failing must not stop the
    // router), so the router takes them down with it.
    for (const auto& [symbol, route] : self->state.routes)
      for (const auto& inst : route.instances)
        if (inst.handle)
          self->send_exit(inst.handle, msg.reason);
    self->quit(msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& dm) {
    auto timer = self->state.probe.time(self);
    auto& st = self->state;
    for (size_t i = 0; i < st.members.size(); ++i)
      if (st.members[i].agent && st.members[i].agent.address() == dm.source) {
        member_lost(self, i, dm.reason);
        return;
      }
    auto found = st.by_addr.find(dm.source);
    if (found == st.by_addr.end())
      return; // an incarnation already replaced
    auto [symbol, k] = found->second;
    st.by_addr.erase(found);
    auto& inst = st.routes[symbol].instances[k];
    inst.handle = algorithm_actor{};
    if (!is_local(st, inst.member)) {
      // Its node dropped the connection; the node's own down message may
      // still be on its way. Either way the instance moves.
      auto& m = st.members[inst.member];
      if (m.alive && dm.reason == caf::exit_reason::remote_link_unreachable) {
        member_lost(self, inst.member, dm.reason);
        return;
      }
      ++m.replaced;
      ++st.replacements;
      place(self, symbol, k);
      return;
    }
    ++st.algorithm_failures;
    aout(self) << "quote_router: algorithm instance "
               << instance_key(st, symbol, inst)
               << " stopped: " << self->system().render(dm.reason) << std::endl;
    if (++inst.failures >= max_local_failures) {
      inst.given_up = true;
      aout(self) << "quote_router: " << instance_key(st, symbol, inst)
                 << " failed " << inst.failures
                 << " times; its quotes are no longer routed to it" << std::endl;
      auto lost = std::move(inst.in_flight);
      inst.in_flight.clear();
      for (auto& kv : lost)
        complete(self, kv.first, {});
      return;
    }
    place(self, symbol, k);
  });
  return {
    [self](quote_batch& batch) -> caf::typed_response_promise<uint64_t> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.probe.mailbox_time(self, batch.sent_ns);
      auto promise = self->make_response_promise<uint64_t>();
      for (auto& q : batch.quotes)
        q.seq = st.next_seq++;
      st.quotes += batch.quotes.size();
      // Split the batch per instance, keeping quote order within each.
      std::unordered_map<uint32_t, size_t> part_of;
      std::vector<std::pair<uint32_t, quote_batch>> parts;
      for (const auto& q : batch.quotes) {
        auto& route = resolve(self, q.symbol);
        if (route.instances.empty())
          ++st.unrouted;
        if (st.keep_history && route.history_limit > 0) {
          route.history.push_back(q);
          if (route.history.size() > route.history_limit)
            route.history.pop_front();
        }
        for (const auto& inst : route.instances) {
          auto [it, added] = part_of.try_emplace(inst.slot, parts.size());
          if (added)
            parts.emplace_back(inst.slot, quote_batch{});
          parts[it->second].second.quotes.push_back(q);
        }
      }
      auto id = st.next_batch++;
      st.pending.push_back(
        {id, std::move(batch.quotes), {}, parts.size(), promise});
      for (auto& [slot, part] : parts) {
        const auto& key = st.slots[slot];
        route_part(self, key.first, key.second, id, std::move(part));
      }
      flush_ready(self);
      return promise;
    },
    [self](cluster_member& x) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto agent = caf::actor_cast<node_agent_actor>(x.agent);
      if (!agent)
        return;
      st.keep_history = true;
      auto same = std::find_if(st.members.begin(), st.members.end(),
                               [&](const cluster_node& m) {
                                 return m.agent && m.address == x.address;
                               });
      if (same != st.members.end()) {
        // A lost node is back: new instances may land there again, the
        // ones that moved away stay where they are.
        same->agent = agent;
        same->alive = true;
        self->monitor(agent);
        aout(self) << "quote_router: node " << same->name << " ("
                   << x.address << ") rejoined" << std::endl;
        return;
      }
      cluster_node m;
      m.name = x.name;
      for (const auto& other : st.members)
        if (other.name == m.name) {
          m.name = x.name + "@" + x.address;
          break;
        }
      m.address = x.address;
      m.agent = agent;
      self->monitor(agent);
      aout(self) << "quote_router: node " << m.name << " (" << x.address
                 << ") joined" << std::endl;
      st.members.push_back(std::move(m));
    },
    [self](list_atom, const std::string& pattern)
      -> caf::typed_response_promise<std::vector<actor_state>> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise = self->make_response_promise<std::vector<actor_state>>();
      std::vector<inspection_target> targets;
      for (const auto& [symbol, route] : st.routes)
        for (const auto& inst : route.instances) {
          auto name = "algorithm/" + st.strategies[inst.strategy].name + "/"
                      + symbol;
          if (inst.handle && trading::instance_matches(pattern, name))
            targets.push_back({std::move(name), inst.handle});
        }
      std::sort(targets.begin(), targets.end(),
                [](const auto& x, const auto& y) { return x.name < y.name; });
      gather_states(self, std::move(targets), promise);
      return promise;
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      nlohmann::json placement = nlohmann::json::object();
      std::map<std::string, uint64_t> per_node;
      for (const auto& m : st.members)
        per_node[m.name] = 0;
      for (const auto& [symbol, route] : st.routes)
        for (const auto& inst : route.instances) {
          auto where = inst.member == no_member ? std::string{"(unplaced)"}
                                                : st.members[inst.member].name;
          if (inst.member != no_member)
            ++per_node[where];
          placement[instance_key(st, symbol, inst)]
            = {{"node", where}, {"epoch", inst.epoch}};
        }
      nlohmann::json nodes = nlohmann::json::array();
      for (const auto& m : st.members)
        nodes.push_back({{"name", m.name},
                         {"address", m.address.empty() ? "local" : m.address},
                         {"alive", m.alive},
                         {"actors", per_node[m.name]},
                         {"replaced_after_loss", m.replaced}});
      nlohmann::json summary{{"symbols", st.routes.size()},
                             {"nodes", nodes},
                             {"placement", placement},
                             {"pending_batches", st.pending.size()}};
      auto out = make_actor_state(
        quote_router_state::name, quote_router_state::name,
        {{"quotes", static_cast<int64_t>(st.quotes)},
         {"placements", static_cast<int64_t>(st.placements)},
         {"replacements", static_cast<int64_t>(st.replacements)},
         {"placement_failures", static_cast<int64_t>(st.placement_failures)},
         {"stale_replies", static_cast<int64_t>(st.stale_replies)},
         {"algorithm_failures", static_cast<int64_t>(st.algorithm_failures)},
         {"unrouted_quotes", static_cast<int64_t>(st.unrouted)},
         {"unplaced_quotes", static_cast<int64_t>(st.unplaced)}},
        summary.dump());
      auto n = [](uint64_t x) { return static_cast<double>(x); };
      out.metrics = {
        trading::counter_sample("intuition_router_quotes_total", n(st.quotes)),
        trading::counter_sample("intuition_unrouted_quotes_total",
                                n(st.unrouted)),
        trading::counter_sample("intuition_unplaced_quotes_total",
                                n(st.unplaced)),
        trading::counter_sample("intuition_algorithm_failures_total",
                                n(st.algorithm_failures)),
        trading::counter_sample("intuition_stale_replies_total",
                                n(st.stale_replies)),
        trading::gauge_sample("intuition_symbols", n(st.routes.size())),
      };
      for (const auto& m : st.members) {
        out.metrics.push_back(trading::gauge_sample(
          "intuition_algorithm_actors", n(per_node[m.name]), {{"node", m.name}}));
        out.metrics.push_back(trading::gauge_sample(
          "intuition_node_alive", m.alive ? 1.0 : 0.0, {{"node", m.name}}));
        out.metrics.push_back(trading::counter_sample(
          "intuition_replacements_total", n(m.replaced), {{"node", m.name}}));
      }
      st.probe.stamp(out, self->mailbox().size());
      return out;
    },
  };
}

} // namespace intuition::actors

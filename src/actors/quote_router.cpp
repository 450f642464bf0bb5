#include "actors/quote_router.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/algorithm.hpp"
#include "actors/inspection.hpp"

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

namespace {

using self_ptr = quote_router_actor::stateful_pointer<quote_router_state>;

/// Instances for `symbol`, spawning them on first sight.
std::vector<routed_instance>& resolve(self_ptr self, const std::string& symbol) {
  auto& st = self->state;
  auto i = st.routes.find(symbol);
  if (i != st.routes.end())
    return i->second;
  std::vector<routed_instance> found;
  for (size_t k = 0; k < st.strategies.size(); ++k) {
    const auto& s = st.strategies[k];
    if (!s.matches(symbol))
      continue;
    auto handle = st.place(self->system(),
                           {s.name, s.algorithm, s.params_json, symbol, 1});
    self->monitor(handle);
    found.push_back({k, ++st.spawned, std::move(handle)});
  }
  return st.routes.emplace(symbol, std::move(found)).first->second;
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

/// Records the signals of one instance's reply to batch `id`.
void complete(self_ptr self, uint64_t id, std::vector<trading::signal> sigs) {
  auto& st = self->state;
  auto& b = st.pending[id - st.pending.front().id];
  b.signals.insert(b.signals.end(), std::make_move_iterator(sigs.begin()),
                   std::make_move_iterator(sigs.end()));
  --b.waiting;
  flush_ready(self);
}

} // namespace

quote_router_actor::behavior_type
quote_router(quote_router_actor::stateful_pointer<quote_router_state> self,
             std::vector<strategy_route> strategies, placement_fn place,
             portfolio_actor portfolio, order_publisher_actor publisher) {
  auto& st = self->state;
  st.strategies = std::move(strategies);
  for (size_t k = 0; k < st.strategies.size(); ++k)
    st.strategy_index.emplace(st.strategies[k].name, k);
  st.place = std::move(place);
  st.portfolio = std::move(portfolio);
  st.publisher = std::move(publisher);
  st.probe.count_rejected(self);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Instances are monitored, not linked (one failing must not stop the
    // router), so the router takes them down with it.
    for (const auto& [symbol, inst] : self->state.routes)
      for (const auto& r : inst)
        self->send_exit(r.handle, msg.reason);
    self->quit(msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& dm) {
    auto timer = self->state.probe.time(self);
    // A failed instance is dropped; the next quote of its symbol places a
    // fresh one.
    auto& st = self->state;
    for (auto i = st.routes.begin(); i != st.routes.end();) {
      auto& v = i->second;
      auto before = v.size();
      v.erase(std::remove_if(v.begin(), v.end(),
                             [&](const routed_instance& r) {
                               return r.handle.address() == dm.source;
                             }),
              v.end());
      if (v.size() != before) {
        ++st.algorithm_failures;
        aout(self) << "quote_router: algorithm instance for " << i->first
                   << " stopped: " << self->system().render(dm.reason)
                   << std::endl;
        i = st.routes.erase(i);
      } else {
        ++i;
      }
    }
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
      std::unordered_map<uint64_t, std::pair<algorithm_actor, quote_batch>>
        parts;
      std::vector<uint64_t> order;
      for (const auto& q : batch.quotes) {
        auto& inst = resolve(self, q.symbol);
        if (inst.empty())
          ++st.unrouted;
        for (auto& r : inst) {
          auto [it, added] = parts.try_emplace(r.slot, r.handle, quote_batch{});
          if (added)
            order.push_back(r.slot);
          it->second.second.quotes.push_back(q);
        }
      }
      auto id = st.next_batch++;
      st.pending.push_back(
        {id, std::move(batch.quotes), {}, parts.size(), promise});
      auto now = steady_now_ns();
      for (auto slot : order) {
        auto& [handle, part] = parts[slot];
        part.sent_ns = now;
        self->request(handle, caf::infinite, std::move(part))
          .then(
            [self, id](signal_batch& sb) {
              complete(self, id, std::move(sb.signals));
            },
            [self, id](caf::error& err) {
              ++self->state.algorithm_failures;
              aout(self) << "quote_router: batch " << id << ": "
                         << self->system().render(err) << std::endl;
              complete(self, id, {});
            });
      }
      flush_ready(self);
      return promise;
    },
    [self](list_atom, const std::string& pattern)
      -> caf::typed_response_promise<std::vector<actor_state>> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise = self->make_response_promise<std::vector<actor_state>>();
      std::vector<inspection_target> targets;
      for (const auto& [symbol, inst] : st.routes)
        for (const auto& r : inst) {
          auto name = "algorithm/" + st.strategies[r.strategy].name + "/" + symbol;
          if (trading::instance_matches(pattern, name))
            targets.push_back({std::move(name), r.handle});
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
      for (const auto& [symbol, inst] : st.routes)
        for (const auto& r : inst) {
          auto where = r.handle.node() == self->node() ? node_label()
                                                       : to_string(r.handle.node());
          ++per_node[where];
          placement[st.strategies[r.strategy].name + "/" + symbol] = where;
        }
      nlohmann::json summary{{"symbols", st.routes.size()},
                             {"actors_by_node", per_node},
                             {"placement", placement},
                             {"pending_batches", st.pending.size()}};
      auto out = make_actor_state(quote_router_state::name,
                                  quote_router_state::name,
                                  {{"quotes", static_cast<int64_t>(st.quotes)},
                                   {"spawned", static_cast<int64_t>(st.spawned)},
                                   {"algorithm_failures",
                                    static_cast<int64_t>(st.algorithm_failures)},
                                   {"unrouted_quotes", static_cast<int64_t>(st.unrouted)}},
                                  summary.dump());
      auto n = [](uint64_t x) { return static_cast<double>(x); };
      out.metrics = {
        trading::counter_sample("intuition_router_quotes_total", n(st.quotes)),
        trading::counter_sample("intuition_unrouted_quotes_total",
                                n(st.unrouted)),
        trading::counter_sample("intuition_algorithm_failures_total",
                                n(st.algorithm_failures)),
        trading::gauge_sample("intuition_symbols", n(st.routes.size())),
      };
      for (const auto& [where, count] : per_node)
        out.metrics.push_back(trading::gauge_sample(
          "intuition_algorithm_actors", n(count), {{"node", where}}));
      st.probe.stamp(out, self->mailbox().size());
      return out;
    },
  };
}

} // namespace intuition::actors

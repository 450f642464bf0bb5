#include "actors/shard_desk.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/shard_worker.hpp"
#include "trading/algorithm.hpp"

namespace intuition::actors {

namespace {

using self_ptr = shard_desk_actor::stateful_pointer<shard_desk_state>;

void carry_out(self_ptr self, shard_actions actions);
void report_takeovers(self_ptr self);

/// The longest warm-up any strategy needs (at least one quote).
size_t longest_warmup(const std::vector<strategy_route>& strategies) {
  size_t out = 1;
  for (const auto& s : strategies)
    if (auto algo = trading::make_algorithm(s.algorithm, ""))
      if (trading::initialize_from_text(*algo, s.params_json))
        out = std::max(out, algo->warmup());
  return out;
}

/// The assignment of incarnation `epoch` of `shard`.
shard_assignment assignment_of(self_ptr self, uint32_t shard, uint64_t epoch) {
  auto& st = self->state;
  shard_assignment a;
  a.shard = shard;
  a.epoch = epoch;
  a.client_id = trading::shard_client_id(st.opts.cluster_name, shard);
  a.broker = st.opts.broker;
  a.qos = st.opts.qos;
  a.desk = caf::actor_cast<caf::actor>(self);
  a.mark_interval_ms = st.opts.mark_interval_ms;
  a.latest_marks = st.opts.latest_marks;
  a.read_pause_us = st.opts.read_pause_us;
  for (const auto& sym : st.opts.map.symbols(shard)) {
    a.topics.push_back(trading::symbol_topic(st.opts.topic_base, sym));
    for (const auto& s : st.opts.strategies) {
      if (s.removed || !s.matches(sym))
        continue;
      algorithm_spec spec{s.name, s.algorithm, s.params_json, sym, epoch, 0};
      if (auto i = st.opts.positions.find(s.name + "/" + sym);
          i != st.opts.positions.end())
        spec.restored_position = i->second;
      a.instances.push_back(std::move(spec));
    }
    if (auto h = st.history.find(sym); h != st.history.end())
      a.warmup.insert(a.warmup.end(), h->second.begin(), h->second.end());
  }
  return a;
}

void assign(self_ptr self, const shard_action& x) {
  auto& st = self->state;
  auto shard = x.shard;
  auto epoch = x.epoch;
  self
    ->request(st.agents[x.member], std::chrono::seconds{30},
              assignment_of(self, shard, epoch))
    .then(
      [self, shard, epoch](shard_worker_actor& worker) {
        auto& st = self->state;
        if (!st.book->current(shard, epoch)) {
          // Moved on while it started: it must not take quotes.
          self->send_exit(worker, caf::exit_reason::user_shutdown);
          return;
        }
        self->monitor(worker);
        st.workers[worker.address()] = {shard, epoch};
        carry_out(self, st.book->started(shard, epoch));
        report_takeovers(self);
      },
      [self, shard, epoch](caf::error& err) {
        aout(self) << "shard_desk: shard " << shard << " (epoch " << epoch
                   << ") did not start: " << self->system().render(err)
                   << std::endl;
        carry_out(self, self->state.book->stopped(shard, epoch, true));
      });
}

/// Asks the owner to hand the shard back before it moves; the move goes on
/// when it did, or could not.
void drain(self_ptr self, const shard_action& x) {
  auto& st = self->state;
  auto shard = x.shard;
  auto epoch = x.epoch;
  self
    ->request(st.agents[x.member], shard_drain_timeout, drain_atom_v, shard,
              epoch)
    .then(
      [self, shard, epoch](uint64_t) {
        carry_out(self, self->state.book->drained(shard, epoch));
      },
      [self, shard, epoch](caf::error& err) {
        auto& st = self->state;
        if (st.book->current(shard, epoch) && st.book->place(shard).draining)
          aout(self) << "shard_desk: shard " << shard << " (epoch " << epoch
                     << ") was not handed back: " << self->system().render(err)
                     << "; it moves anyway" << std::endl;
        carry_out(self, st.book->drained(shard, epoch));
      });
}

/// Logs, once per lost member, when every shard runs again on a live
/// member: the takeover time of a failure.
void report_takeovers(self_ptr self) {
  auto& st = self->state;
  if (st.taking_over.empty())
    return;
  for (uint32_t s = 0; s < st.book->shard_count(); ++s) {
    const auto& p = st.book->place(s);
    if (p.owner == no_member || !p.running)
      return;
  }
  auto now = steady_now_ns();
  for (const auto& [member, lost] : st.taking_over)
    aout(self) << "shard_desk: every shard of node "
               << st.book->members()[member].name << " runs again ("
               << lost.second << " shard(s), " << (now - lost.first) / 1'000'000
               << " ms after it was lost)" << std::endl;
  st.taking_over.clear();
}

void carry_out(self_ptr self, shard_actions actions) {
  auto& st = self->state;
  for (const auto& x : actions) {
    if (x.member >= st.agents.size() || !st.agents[x.member])
      continue;
    if (x.kind == shard_action::revoke)
      self->send(st.agents[x.member], revoke_atom_v, x.shard, x.epoch);
    else if (x.kind == shard_action::drain)
      drain(self, x);
    else
      assign(self, x);
  }
}

/// Keeps `q` as recent history of its symbol.
void remember(shard_desk_state& st, const trading::quote& q) {
  auto& ring = st.history[q.symbol];
  ring.push_back(q);
  while (ring.size() > st.history_limit)
    ring.pop_front();
}

/// Whether `q`, without a signal, is older than the newest quote of its
/// symbol taken so far: with latest marks it would move the mark back.
bool older_than_marked(const shard_desk_state& st, const trading::quote& q) {
  auto h = st.history.find(q.symbol);
  return h != st.history.end() && !h->second.empty()
         && q.ts_ms < h->second.back().ts_ms;
}

/// Takes a batch an owner sent: drops quotes taken before (and their
/// signals), numbers the rest; returns the portfolio's batch. With latest
/// marks a quote without a signal that is older than its symbol's newest
/// is not marked either and counts as conflated: a node conflated it once
/// and a read delivered again after its crash can bring it back alone.
market_batch take(shard_desk_state& st, shard_batch& b) {
  market_batch out;
  std::vector<uint64_t> seq_of(b.quotes.size(), 0);
  // Which quotes raised a signal: only latest marks ask.
  std::vector<bool> signalled;
  if (st.opts.latest_marks)
    signalled = trading::signalled_quotes(b.signals, b.quotes.size());
  for (size_t i = 0; i < b.quotes.size(); ++i) {
    auto& q = b.quotes[i];
    if (st.filter.check(q) != trading::filter_verdict::accept) {
      ++st.duplicates;
      continue;
    }
    if (st.opts.latest_marks && !signalled[i] && older_than_marked(st, q)) {
      ++st.conflated;
      ++b.conflated;
      continue;
    }
    q.seq = st.next_seq++;
    seq_of[i] = q.seq;
    remember(st, q);
    out.quotes.push_back(std::move(q));
  }
  for (auto& s : b.signals) {
    if (s.quote_seq >= seq_of.size() || seq_of[s.quote_seq] == 0)
      continue;
    s.quote_seq = seq_of[s.quote_seq];
    out.signals.push_back(std::move(s));
  }
  return out;
}

nlohmann::json desk_summary(const shard_desk_state& st) {
  nlohmann::json nodes = nlohmann::json::array();
  const auto& members = st.book->members();
  for (size_t i = 0; i < members.size(); ++i) {
    const auto& m = members[i];
    nlohmann::json shards = nlohmann::json::array();
    for (uint32_t s = 0; s < st.book->shard_count(); ++s)
      if (st.book->place(s).owner == i)
        shards.push_back(s);
    nodes.push_back(
      {{"name", m.name},
       {"address", m.address},
       {"alive", m.alive},
       {"shards", shards},
       {"quotes", i < st.member_quotes.size() ? st.member_quotes[i] : 0},
       {"moved_in", m.moved_in},
       {"failed_over", m.failed_over}});
  }
  return {{"shards", st.book->shard_count()},
          {"universe", st.opts.map.universe().size()},
          {"nodes", nodes},
          {"moves_pending", st.book->moves_pending()}};
}

/// A family with one series per member, labelled by its name.
template <class F>
std::function<std::vector<series>(const shard_desk_state&)> per_member(F f) {
  return [f](const shard_desk_state& st) {
    std::vector<series> out;
    const auto& members = st.book->members();
    for (size_t i = 0; i < members.size(); ++i)
      out.push_back({{members[i].name}, f(st, i)});
    return out;
  };
}

} // namespace

const telemetry<shard_desk_state>& shard_desk_telemetry() {
  using field = telemetry_field<shard_desk_state>;
  using state = shard_desk_state;
  static const telemetry<state> table{{
    field::count("quotes", &state::quotes)
      .counter("intuition_shard_quotes_total",
               "Quotes nodes took from the broker and the coordinator traded "
               "(node-local ingress)."),
    field::count("signals", &state::signals),
    field::count("batches", &state::batches),
    field::count("duplicates", &state::duplicates)
      .counter("intuition_shard_duplicates_total",
               "Quotes a shard's next owner got again after its previous "
               "owner's batch was traded, dropped by (symbol, ts)."),
    field::count("conflated", &state::conflated)
      .counter("intuition_shard_conflated_quotes_total",
               "Quotes nodes took and left out of their batches "
               "(cluster.marks latest): counted in the quotes, not marked."),
    field::count("fenced", &state::fenced)
      .counter("intuition_shard_fenced_batches_total",
               "Batches refused because their shard had moved on to a newer "
               "incarnation (epoch)."),
    field::count("fenced_quotes", &state::fenced_quotes)
      .counter("intuition_shard_fenced_quotes_total",
               "Quotes of fenced batches: not traded, not acknowledged, "
               "delivered again to the current owner."),
    field::count("moves",
                 [](const state& st) { return st.book->counters().moves; })
      .counter("intuition_shard_moves_total",
               "Shards moved to a node that joined (rebalance)."),
    field::count("handovers",
                 [](const state& st) { return st.book->counters().handovers; })
      .counter("intuition_shard_handovers_total",
               "Moves whose old owner handed the shard back first (sent "
               "what it had acknowledged, then stopped)."),
    field::count("failovers",
                 [](const state& st) { return st.book->counters().failovers; })
      .counter("intuition_shard_failovers_total",
               "Shards placed anew after their owner was lost or their "
               "incarnation stopped."),
    field::count("moves_pending",
                 [](const state& st) { return st.book->moves_pending(); }),
    field::family(
      {"intuition_shards", metric_type::gauge, "Shards a node owns.", {"node"}},
      per_member([](const state& st, size_t i) {
        return st.book->members()[i].shards;
      })),
    field::family({"intuition_shard_node_quotes_total",
                   metric_type::counter,
                   "Quotes a node took from the broker that were traded, by "
                   "node (its ingress rate).",
                   {"node"}},
                  per_member([](const state& st, size_t i) {
                    return i < st.member_quotes.size() ? st.member_quotes[i]
                                                       : 0;
                  })),
  }};
  return table;
}

shard_desk_actor::behavior_type
shard_desk(shard_desk_actor::stateful_pointer<shard_desk_state> self,
           shard_desk_options opts, portfolio_actor portfolio) {
  auto& st = self->state;
  st.history_limit = longest_warmup(opts.strategies);
  st.book = std::make_unique<shard_book>(opts.map.shards(), opts.max_moves);
  for (auto& q : opts.history) {
    // Seen already: a redelivery of it is not traded again.
    st.filter.remember(q.symbol, q.ts_ms);
    remember(st, q);
  }
  opts.history.clear();
  st.opts = std::move(opts);
  st.portfolio = std::move(portfolio);
  st.probe.count_rejected(self);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto timer = self->state.probe.time(self);
    auto& st = self->state;
    for (size_t i = 0; i < st.agents.size(); ++i)
      if (st.agents[i] && st.agents[i].address() == dm.source) {
        aout(self) << "shard_desk: lost node " << st.book->members()[i].name
                   << " (" << self->system().render(dm.reason)
                   << "); its shards move to the survivors" << std::endl;
        st.agents[i] = node_agent_actor{};
        auto had = st.book->members()[i].shards;
        st.taking_over[i] = {steady_now_ns(), static_cast<size_t>(had)};
        carry_out(self, st.book->member_lost(i));
        return;
      }
    auto w = st.workers.find(dm.source);
    if (w == st.workers.end())
      return;
    auto ref = w->second;
    st.workers.erase(w);
    carry_out(self, st.book->stopped(ref.shard, ref.epoch));
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (const auto& [addr, ref] : self->state.workers)
      if (auto h = caf::actor_cast<caf::actor>(addr))
        self->send_exit(h, msg.reason);
    self->quit(msg.reason);
  });
  return {
    [self](shard_batch& b) -> caf::typed_response_promise<uint64_t> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise = self->make_response_promise<uint64_t>();
      if (!st.book->current(b.shard, b.epoch)) {
        ++st.fenced;
        st.fenced_quotes += b.quotes.size() + b.conflated;
        promise.deliver(caf::make_error(caf::sec::runtime_error,
                                        "shard " + std::to_string(b.shard)
                                          + " epoch " + std::to_string(b.epoch)
                                          + " is no longer current"));
        return promise;
      }
      ++st.batches;
      auto owner = st.book->place(b.shard).owner;
      st.conflated += b.conflated;
      // Adds what it does not mark to `conflated` (both).
      auto batch = take(st, b);
      auto n = static_cast<uint64_t>(batch.quotes.size()) + b.conflated;
      if (owner >= st.member_quotes.size())
        st.member_quotes.resize(owner + 1, 0);
      st.member_quotes[owner] += n;
      st.quotes += n;
      st.signals += batch.signals.size();
      if (batch.quotes.empty()) {
        promise.deliver(uint64_t{0});
        return promise;
      }
      batch.sent_ns = steady_now_ns();
      self->request(st.portfolio, caf::infinite, std::move(batch))
        .then([promise, n](uint64_t) mutable { promise.deliver(n); },
              [promise](caf::error& err) mutable { promise.deliver(err); });
      return promise;
    },
    [self](cluster_member& x) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto agent = caf::actor_cast<node_agent_actor>(x.agent);
      if (!agent)
        return;
      auto index = st.book->add_member(x.name, x.address);
      if (index >= st.agents.size())
        st.agents.resize(index + 1);
      st.agents[index] = agent;
      self->monitor(agent);
      auto actions = st.book->rebalance();
      aout(self) << "shard_desk: node " << x.name << " joined; "
                 << st.book->moves_pending() << " shard move(s) pending"
                 << std::endl;
      carry_out(self, std::move(actions));
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      return shard_desk_telemetry().reply(self, desk_summary(st).dump());
    },
  };
}

} // namespace intuition::actors

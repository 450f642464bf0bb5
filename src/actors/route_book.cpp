#include "actors/route_book.hpp"

#include <algorithm>
#include <cstdint>

#include "trading/external_strategy.hpp"

namespace intuition::actors {

bool strategy_route::matches(const std::string& symbol) const {
  return symbols.empty()
         || std::find(symbols.begin(), symbols.end(), symbol) != symbols.end();
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

void symbol_route::remember(const trading::quote_tick& x, uint32_t channel) {
  // Channels are kept, in step with the ring, from the first quote that
  // has one (quotes before it came from no topic: channel 0).
  auto with_channels = channel != 0 || !history_channels.empty();
  if (with_channels)
    history_channels.resize(history.size(), 0);
  if (history.size() < history_limit) {
    history.push_back(x);
    if (with_channels)
      history_channels.push_back(channel);
    return;
  }
  history[history_next] = x;
  if (with_channels)
    history_channels[history_next] = channel;
  history_next = (history_next + 1) % history.size();
}

std::vector<trading::quote_tick> symbol_route::recent() const {
  std::vector<trading::quote_tick> out;
  out.reserve(history.size());
  for (size_t i = 0; i < history.size(); ++i)
    out.push_back(history[(history_next + i) % history.size()]);
  return out;
}

std::vector<uint32_t> symbol_route::recent_channels() const {
  if (history_channels.empty())
    return std::vector<uint32_t>(history.size(), 0);
  std::vector<uint32_t> out;
  out.reserve(history.size());
  for (size_t i = 0; i < history.size(); ++i)
    out.push_back(history_channels[(history_next + i) % history.size()]);
  return out;
}

void symbol_route::grow(size_t limit) {
  if (limit <= history_limit)
    return;
  // Unroll the ring, so that pushing at the back keeps the order.
  auto channels
    = history_channels.empty() ? std::vector<uint32_t>{} : recent_channels();
  history = recent();
  history_channels = std::move(channels);
  history_next = 0;
  history_limit = limit;
}

route_book::route_book(std::vector<strategy_route> strategies,
                       size_t max_symbols)
    : route_book(std::move(strategies), route_limits{max_symbols}) {
  // nop
}

route_book::route_book(std::vector<strategy_route> strategies,
                       route_limits limits)
    : strategies_(std::move(strategies)), limits_(limits), takers_(1),
      no_takers_(std::max<size_t>(strategies_.size(), 1), 0) {
  // nop
}

// -- members ------------------------------------------------------------------------

size_t route_book::add_member(std::string name, std::string address,
                              bool local) {
  if (!local)
    for (size_t i = 0; i < members_.size(); ++i) {
      auto& m = members_[i];
      if (!m.local && m.address == address) {
        // A lost node is back: new instances may land there again, the
        // ones that moved away stay where they are.
        m.alive = true;
        log_.push_back("node " + m.name + " (" + address + ") rejoined");
        return i;
      }
    }
  for (const auto& other : members_)
    if (other.name == name) {
      name += "@" + address;
      break;
    }
  route_member m;
  m.name = std::move(name);
  m.address = std::move(address);
  m.local = local;
  if (!local) {
    has_remote_ = true;
    log_.push_back("node " + m.name + " (" + m.address + ") joined");
  }
  members_.push_back(std::move(m));
  return members_.size() - 1;
}

size_t route_book::member_at(const std::string& address) const {
  for (size_t i = 0; i < members_.size(); ++i)
    if (!members_[i].local && members_[i].address == address)
      return i;
  return no_member;
}

route_actions route_book::member_lost(size_t index, const std::string& reason) {
  route_actions out;
  auto& m = members_[index];
  std::vector<uint32_t> moved;
  for (uint32_t slot = 0; slot < instances_.size(); ++slot)
    if (instances_[slot].member == index)
      moved.push_back(slot);
  if (!m.alive && moved.empty())
    return out; // already handled: an instance's stop reported the loss
  m.alive = false;
  m.lost_at = std::chrono::steady_clock::now();
  m.replaced += moved.size();
  m.replacing = moved.size();
  counters_.replacements += moved.size();
  log_.push_back("node " + m.name + " (" + m.address + ") lost: " + reason
                 + "; re-placing its " + std::to_string(moved.size())
                 + " algorithm actor(s)");
  for (auto slot : moved) {
    place(slot, out);
    auto& inst = instances_[slot];
    if (inst.member == no_member) {
      settle_lost(inst);
      replaced_one(index);
    }
  }
  return out;
}

// -- quotes -------------------------------------------------------------------------

void route_book::define_channels(const trading::channel_set& set) {
  if (set.id == 0)
    return;
  if (takers_.size() <= set.id)
    takers_.resize(set.id + 1);
  auto& flags = takers_[set.id];
  flags.assign(std::max<size_t>(strategies_.size(), 1), 0);
  for (const auto& name : set.strategies)
    for (size_t k = 0; k < strategies_.size(); ++k)
      if (strategies_[k].name == name && strategies_[k].peers.empty())
        flags[k] = 1;
  // A strategy added while trading is unknown to the ingress: it takes what
  // the strategies with its channels take.
  for (size_t k = 0; k < strategies_.size(); ++k)
    for (auto peer : strategies_[k].peers)
      if (peer < flags.size() && flags[peer] != 0)
        flags[k] = 1;
}

const uint8_t* route_book::takers(uint32_t channel) const {
  if (channel == 0)
    return nullptr;
  if (channel < takers_.size() && !takers_[channel].empty())
    return takers_[channel].data();
  return no_takers_.data();
}

bool route_book::takes(uint32_t channel, uint32_t strategy) const {
  const auto* flags = takers(channel);
  return flags == nullptr || flags[strategy] != 0;
}

uint32_t route_book::route_for(const std::string& symbol, uint32_t channel,
                               std::vector<uint32_t>& fresh) {
  auto found = symbol_ids_.find(symbol);
  auto known = found != symbol_ids_.end();
  if (known && routes_[found->second].channel == channel)
    return found->second;
  if (!known && routes_.size() >= limits_.max_symbols)
    return no_symbol;
  // The instances this channel's quotes of the symbol need and do not have.
  const auto* flags = takers(channel);
  std::vector<uint32_t> missing;
  for (uint32_t k = 0; k < strategies_.size(); ++k) {
    if ((flags != nullptr && flags[k] == 0) || strategies_[k].removed
        || !strategies_[k].matches(symbol) || is_external(k))
      continue;
    if (known) {
      const auto& slots = routes_[found->second].slots;
      if (std::any_of(slots.begin(), slots.end(), [&](uint32_t slot) {
            return instances_[slot].strategy == k;
          }))
        continue;
    }
    missing.push_back(k);
  }
  if (missing.size() > limits_.max_instances
      || instances_.size() > limits_.max_instances - missing.size())
    return no_symbol;
  uint32_t id = 0;
  if (known) {
    id = found->second;
  } else {
    id = static_cast<uint32_t>(routes_.size());
    symbol_ids_.emplace(symbol, id);
    symbol_route route;
    route.symbol = symbol;
    bool traded = false;
    for (const auto& s : strategies_) {
      if (s.removed || !s.matches(symbol))
        continue;
      traded = true;
      // Persisted, a symbol keeps at least its last quote: an instance that
      // needs no window still learns it is not seeing its first quote.
      route.history_limit
        = std::max(route.history_limit,
                   persist_ ? std::max<size_t>(s.warmup, 1) : s.warmup);
    }
    if (auto saved = restored_.find(symbol); saved != restored_.end()) {
      if (traded) {
        for (const auto& x : saved->second)
          route.remember(x);
        route.restored = std::move(saved->second);
      }
      restored_.erase(saved);
    }
    routes_.push_back(std::move(route));
  }
  auto& route = routes_[id];
  for (auto k : missing) {
    route_instance inst;
    inst.symbol = id;
    inst.strategy = k;
    auto slot = static_cast<uint32_t>(instances_.size());
    instances_.push_back(std::move(inst));
    part_index_.push_back(0);
    part_batch_.push_back(0);
    // Strategy order, whichever channel brought each instance.
    auto pos = std::find_if(
      route.slots.begin(), route.slots.end(),
      [&](uint32_t other) { return instances_[other].strategy > k; });
    route.slots.insert(pos, slot);
    fresh.push_back(slot);
  }
  route.channel = channel;
  return id;
}

// -- external algorithms ------------------------------------------------------------

bool route_book::is_external(uint32_t strategy) const {
  return strategies_[strategy].algorithm == trading::external_algorithm;
}

bool route_book::external_takes(uint32_t channel,
                                const std::string& symbol) const {
  for (uint32_t k = 0; k < strategies_.size(); ++k)
    if (is_external(k) && takes(channel, k) && strategies_[k].matches(symbol))
      return true;
  return false;
}

route_actions route_book::intake(std::vector<trading::quote> quotes,
                                 uint64_t& id,
                                 std::vector<trading::signal> external) {
  // Carriers are never dropped: the k-th carrier of `quotes` is the k-th of
  // the batch, whatever quotes `intake` refused.
  std::vector<size_t> ordinal(quotes.size(), SIZE_MAX);
  size_t count = 0;
  for (size_t i = 0; i < quotes.size(); ++i)
    if (quotes[i].channel == trading::signal_carrier_channel)
      ordinal[i] = count++;
  auto out = intake(std::move(quotes), id);
  auto& batch = batches_.back();
  std::vector<uint64_t> seqs;
  seqs.reserve(count);
  for (const auto& q : batch.quotes)
    if (q.channel == trading::signal_carrier_channel)
      seqs.push_back(q.seq);
  for (auto& s : external) {
    if (s.quote_seq >= ordinal.size() || ordinal[s.quote_seq] >= seqs.size())
      continue; // no carrier: cannot come from the ingress
    s.quote_seq = seqs[ordinal[s.quote_seq]];
    uint32_t k = 0;
    while (k < strategies_.size() && strategies_[k].name != s.strategy)
      ++k;
    batch.signals.emplace_back(k, std::move(s));
  }
  return out;
}

route_actions route_book::intake(std::vector<trading::quote> quotes,
                                 uint64_t& id) {
  route_actions out;
  id = next_batch_++;
  // First pass: number the quotes, find their symbols and count each
  // instance's share, so that every part is allocated once at its size.
  std::vector<std::pair<uint32_t, std::vector<trading::quote_tick>>> parts;
  std::vector<uint32_t> sids;
  sids.reserve(quotes.size());
  std::vector<uint32_t> fresh;
  size_t kept = 0;
  size_t carriers = 0;
  uint32_t last_id = no_symbol;
  for (size_t i = 0; i < quotes.size(); ++i) {
    auto& q = quotes[i];
    if (q.channel == trading::signal_carrier_channel) {
      // An external signal's carrier: numbered, traded by no instance.
      q.seq = next_seq_++;
      sids.push_back(no_symbol);
      if (kept != i)
        quotes[kept] = std::move(q);
      ++kept;
      ++carriers;
      continue;
    }
    // Streams often repeat a symbol (and its channel): skip the hash then.
    uint32_t sid = last_id != no_symbol && routes_[last_id].channel == q.channel
                       && routes_[last_id].symbol == q.symbol
                     ? last_id
                     : route_for(q.symbol, q.channel, fresh);
    if (sid == no_symbol) {
      ++counters_.too_many_symbols;
      continue;
    }
    last_id = sid;
    q.seq = next_seq_++;
    const auto& route = routes_[sid];
    const auto* flags = takers(q.channel);
    bool taken = false;
    for (auto slot : route.slots) {
      if (flags != nullptr && flags[instances_[slot].strategy] == 0)
        continue;
      taken = true;
      if (part_batch_[slot] != id) {
        part_batch_[slot] = id;
        part_index_[slot] = static_cast<uint32_t>(parts.size());
        parts.emplace_back(slot, std::vector<trading::quote_tick>{});
        part_size_.push_back(0);
      }
      ++part_size_[part_index_[slot]];
    }
    if (!taken && !external_takes(q.channel, q.symbol))
      ++counters_.unrouted;
    sids.push_back(sid);
    if (kept != i)
      quotes[kept] = std::move(q);
    ++kept;
  }
  quotes.resize(kept);
  // Second pass: fill the parts.
  for (size_t k = 0; k < parts.size(); ++k)
    parts[k].second.reserve(part_size_[k]);
  part_size_.clear();
  for (size_t i = 0; i < kept; ++i) {
    if (sids[i] == no_symbol)
      continue; // a carrier
    auto& route = routes_[sids[i]];
    auto tick = trading::tick_of(quotes[i]);
    auto channel = quotes[i].channel;
    if ((has_remote_ || persist_) && route.history_limit > 0)
      route.remember(tick, channel);
    const auto* flags = takers(channel);
    for (auto slot : route.slots)
      if (flags == nullptr || flags[instances_[slot].strategy] != 0)
        parts[part_index_[slot]].second.push_back(tick);
  }
  counters_.quotes += kept - carriers;
  log_too_many();
  route_batch b;
  b.id = id;
  b.quotes = std::move(quotes);
  b.waiting = parts.size();
  batches_.push_back(std::move(b));
  for (auto slot : fresh)
    place(slot, out);
  for (auto& [slot, part] : parts)
    route_part(slot, id, std::move(part), out);
  return out;
}

void route_book::log_too_many(bool force) {
  // At most once a second, with a count: a client inventing symbols must
  // not flood the log either.
  if (counters_.too_many_symbols == logged_too_many_)
    return;
  auto now = std::chrono::steady_clock::now();
  if (!force && logged_too_many_ > 0
      && now - last_too_many_log_ < std::chrono::seconds(1))
    return;
  auto caps = [](size_t x) {
    return x == std::numeric_limits<size_t>::max() ? std::string{"none"}
                                                   : std::to_string(x);
  };
  log_.push_back(std::to_string(counters_.too_many_symbols - logged_too_many_)
                 + " quote(s) of new symbols refused (too_many_symbols, "
                 + std::to_string(counters_.too_many_symbols)
                 + " in all): " + std::to_string(routes_.size())
                 + " symbols and " + std::to_string(instances_.size())
                 + " instances reached router.max_symbols "
                 + caps(limits_.max_symbols) + " or router.max_instances "
                 + caps(limits_.max_instances));
  logged_too_many_ = counters_.too_many_symbols;
  last_too_many_log_ = now;
}

void route_book::answered(uint32_t slot, uint64_t epoch, uint64_t batch,
                          std::vector<trading::signal> signals) {
  if (slot >= instances_.size()) {
    ++counters_.stale_replies;
    return;
  }
  auto& inst = instances_[slot];
  auto part = inst.in_flight.find(batch);
  if (inst.epoch != epoch || part == inst.in_flight.end()) {
    // A replaced incarnation (say, from a node that froze and came back):
    // its part went to the successor, which answers for it.
    ++counters_.stale_replies;
    return;
  }
  inst.in_flight.erase(part);
  complete(batch, inst.strategy, std::move(signals));
}

std::vector<ready_batch> route_book::take_ready() {
  std::vector<ready_batch> out;
  while (!batches_.empty() && batches_.front().waiting == 0) {
    auto& b = batches_.front();
    // Same order as a single-threaded loop: by quote, then by strategy.
    std::stable_sort(b.signals.begin(), b.signals.end(),
                     [](const auto& x, const auto& y) {
                       if (x.second.quote_seq != y.second.quote_seq)
                         return x.second.quote_seq < y.second.quote_seq;
                       return x.first < y.first;
                     });
    ready_batch r;
    r.id = b.id;
    r.quotes = std::move(b.quotes);
    r.signals.reserve(b.signals.size());
    for (auto& s : b.signals)
      r.signals.push_back(std::move(s.second));
    out.push_back(std::move(r));
    batches_.pop_front();
  }
  return out;
}

// -- strategies while trading --------------------------------------------------------

std::optional<uint32_t>
route_book::find_strategy(const std::string& name) const {
  for (uint32_t k = 0; k < strategies_.size(); ++k)
    if (!strategies_[k].removed && strategies_[k].name == name)
      return k;
  return std::nullopt;
}

uint32_t route_book::add_strategy(strategy_route s) {
  auto index = static_cast<uint32_t>(strategies_.size());
  for (auto& flags : takers_) {
    if (flags.empty())
      continue;
    uint8_t taken = 0;
    for (auto peer : s.peers)
      if (peer < flags.size() && flags[peer] != 0)
        taken = 1;
    flags.resize(index, 0);
    flags.push_back(taken);
  }
  for (auto& route : routes_) {
    if (!s.matches(route.symbol))
      continue;
    if (has_remote_ || persist_)
      route.grow(persist_ ? std::max<size_t>(s.warmup, 1) : s.warmup);
    // Its next quote looks at the strategies again and places the new one.
    route.channel = stale_channel;
  }
  strategies_.push_back(std::move(s));
  no_takers_.resize(std::max<size_t>(strategies_.size(), 1), 0);
  return index;
}

route_actions route_book::remove_strategy(uint32_t index, size_t& stopped) {
  route_actions out;
  stopped = 0;
  strategies_[index].removed = true;
  for (auto& route : routes_) {
    auto& slots = route.slots;
    for (auto i = slots.begin(); i != slots.end();) {
      auto& inst = instances_[*i];
      if (inst.strategy != index) {
        ++i;
        continue;
      }
      if (inst.member != no_member) {
        --members_[inst.member].instances;
        ++stopped;
      }
      if (inst.epoch > 0)
        out.push_back({route_action::retire, *i, 0, inst.epoch, {}});
      inst.member = no_member;
      inst.starting = false;
      inst.given_up = true;
      answer_owed_empty(inst);
      i = slots.erase(i);
    }
  }
  return out;
}

// -- incarnations -------------------------------------------------------------------

route_actions route_book::started(uint32_t slot, uint64_t epoch,
                                  bool& current) {
  route_actions out;
  auto& inst = instances_[slot];
  current = inst.epoch == epoch && inst.starting;
  if (!current)
    return out;
  inst.starting = false;
  const auto& route = routes_[inst.symbol];
  if (epoch == 1 && !route.restored.empty()) {
    // A first incarnation: warmed from what an earlier process saved; this
    // process's quotes reach it as parts.
    out.push_back({route_action::warmup, slot, 0, epoch, route.restored});
    auto& r = routes_[inst.symbol];
    bool all_started = true;
    for (auto other : r.slots)
      all_started = all_started && instances_[other].epoch > 0
                    && !instances_[other].starting;
    if (all_started)
      std::vector<trading::quote_tick>{}.swap(r.restored);
  } else if (!route.history.empty()) {
    // Indicators resume where the lost incarnation was (or, for an instance
    // a new channel brought, start from the history its strategy takes):
    // the symbol's last quotes of the strategy's channels before the first
    // one it still has to answer for.
    auto first_pending = std::numeric_limits<uint64_t>::max();
    if (!inst.in_flight.empty() && !inst.in_flight.begin()->second.empty())
      first_pending = inst.in_flight.begin()->second.front().seq;
    else if (!inst.queued.empty() && !inst.queued.front().second.empty())
      first_pending = inst.queued.front().second.front().seq;
    route_action warm{route_action::warmup, slot, 0, epoch, {}};
    auto ticks = route.recent();
    auto channels = route.recent_channels();
    for (size_t i = 0; i < ticks.size(); ++i)
      if (ticks[i].seq < first_pending && takes(channels[i], inst.strategy))
        warm.ticks.push_back(ticks[i]);
    if (!warm.ticks.empty())
      out.push_back(std::move(warm));
  }
  auto resend = std::move(inst.in_flight);
  inst.in_flight.clear();
  for (auto& [batch, ticks] : resend) {
    if (ticks.empty()) {
      // A local incarnation's part: its quotes were not kept.
      ++counters_.algorithm_failures;
      complete(batch, inst.strategy, {});
    } else {
      dispatch(slot, batch, std::move(ticks), out);
    }
  }
  auto queued = std::move(inst.queued);
  inst.queued.clear();
  for (auto& [batch, ticks] : queued)
    route_part(slot, batch, std::move(ticks), out);
  if (inst.previous != no_member && !members_[inst.previous].alive)
    replaced_one(inst.previous);
  inst.previous = no_member;
  return out;
}

route_actions route_book::start_failed(uint32_t slot, uint64_t epoch,
                                       const std::string& reason) {
  route_actions out;
  auto& inst = instances_[slot];
  if (inst.epoch != epoch || !inst.starting)
    return out;
  ++counters_.placement_failures;
  auto& m = members_[inst.member];
  if (m.alive) {
    log_.push_back("node " + m.name + " (" + m.address + ") did not place "
                   + instance_key(slot) + ": " + reason
                   + "; no longer placing there until it rejoins");
    m.alive = false;
  }
  inst.starting = false;
  --m.instances;
  inst.member = no_member;
  place(slot, out);
  if (inst.member == no_member) {
    // Nowhere to go: what waited is answered empty, and counted.
    settle_lost(inst);
    if (inst.previous != no_member)
      replaced_one(inst.previous);
    inst.previous = no_member;
  }
  return out;
}

route_actions route_book::stopped(uint32_t slot, bool unreachable,
                                  const std::string& reason) {
  route_actions out;
  auto& inst = instances_[slot];
  if (inst.member == no_member)
    return out;
  auto& m = members_[inst.member];
  if (!m.local) {
    // Its node dropped the connection; the node's own down message may
    // still be on its way. Either way the instance moves.
    if (m.alive && unreachable)
      return member_lost(inst.member, reason);
    ++m.replaced;
    ++counters_.replacements;
    place(slot, out);
    if (inst.member == no_member)
      settle_lost(inst);
    return out;
  }
  ++counters_.algorithm_failures;
  log_.push_back("algorithm instance " + instance_key(slot)
                 + " stopped: " + reason);
  if (++inst.failures >= max_local_failures) {
    inst.given_up = true;
    log_.push_back(instance_key(slot) + " failed "
                   + std::to_string(inst.failures)
                   + " times; its quotes are no longer routed to it");
    --m.instances;
    inst.member = no_member;
    inst.starting = false;
    answer_owed_empty(inst);
    out.push_back({route_action::retire, slot, 0, inst.epoch, {}});
    return out;
  }
  place(slot, out);
  if (inst.member == no_member)
    settle_lost(inst);
  return out;
}

// -- queries ------------------------------------------------------------------------

std::string route_book::instance_key(uint32_t slot) const {
  const auto& inst = instances_[slot];
  return strategies_[inst.strategy].name + "/" + routes_[inst.symbol].symbol;
}

void route_book::keep_history() {
  persist_ = true;
}

void route_book::restore_history(const std::string& symbol,
                                 std::vector<trading::quote_tick> ticks) {
  for (auto& x : ticks)
    x.seq = 0;
  restored_[symbol] = std::move(ticks);
}

std::vector<std::pair<std::string, std::vector<trading::quote_tick>>>
route_book::history_snapshot() const {
  std::vector<std::pair<std::string, std::vector<trading::quote_tick>>> out;
  for (const auto& route : routes_)
    if (!route.history.empty())
      out.emplace_back(route.symbol, route.recent());
  // Symbols restored but not seen in this process keep their history.
  for (const auto& [symbol, ticks] : restored_)
    if (!ticks.empty())
      out.emplace_back(symbol, ticks);
  return out;
}

std::vector<std::string> route_book::take_log() {
  std::vector<std::string> out;
  out.swap(log_);
  return out;
}

// -- internals ----------------------------------------------------------------------

void route_book::place(uint32_t slot, route_actions& out) {
  auto& inst = instances_[slot];
  if (inst.epoch > 0)
    out.push_back({route_action::retire, slot, 0, inst.epoch, {}});
  if (inst.member != no_member) {
    --members_[inst.member].instances;
    inst.previous = inst.member;
  }
  inst.member = no_member;
  inst.starting = false;
  // The same choice as `rendezvous_pick`, without building its vectors;
  // a single member needs no hashing at all.
  size_t best = no_member;
  if (members_.size() == 1) {
    if (members_[0].alive)
      best = 0;
  } else {
    auto key = instance_key(slot);
    uint64_t best_weight = 0;
    for (size_t i = 0; i < members_.size(); ++i) {
      if (!members_[i].alive)
        continue;
      auto w = rendezvous_weight(members_[i].name, key);
      if (best == no_member || w > best_weight
          || (w == best_weight && members_[i].name < members_[best].name)) {
        best = i;
        best_weight = w;
      }
    }
  }
  if (best == no_member)
    return;
  inst.member = best;
  inst.starting = true;
  ++inst.epoch;
  ++members_[best].instances;
  ++counters_.placements;
  out.push_back({route_action::start, slot, 0, inst.epoch, {}});
}

void route_book::route_part(uint32_t slot, uint64_t batch,
                            std::vector<trading::quote_tick> ticks,
                            route_actions& out) {
  auto& inst = instances_[slot];
  if (inst.given_up) {
    complete(batch, inst.strategy, {});
    return;
  }
  if (inst.member == no_member)
    place(slot, out);
  if (inst.starting) {
    inst.queued.emplace_back(batch, std::move(ticks));
    return;
  }
  if (inst.member == no_member) {
    counters_.unplaced += ticks.size();
    auto now = std::chrono::steady_clock::now();
    if (now - last_unplaced_log_ > std::chrono::seconds(5)) {
      log_.push_back("no node is alive to run " + instance_key(slot) + "; "
                     + std::to_string(counters_.unplaced)
                     + " quote(s) not traded so far");
      last_unplaced_log_ = now;
    }
    complete(batch, inst.strategy, {});
    return;
  }
  dispatch(slot, batch, std::move(ticks), out);
}

void route_book::dispatch(uint32_t slot, uint64_t batch,
                          std::vector<trading::quote_tick> ticks,
                          route_actions& out) {
  auto& inst = instances_[slot];
  // A remote incarnation may vanish with its node: keep the quotes until it
  // answers. A local one fails only with the process or by a bug.
  if (members_[inst.member].local)
    inst.in_flight.emplace(batch, std::vector<trading::quote_tick>{});
  else
    inst.in_flight.emplace(batch, ticks);
  out.push_back(
    {route_action::send, slot, batch, inst.epoch, std::move(ticks)});
}

void route_book::complete(uint64_t batch, uint32_t strategy,
                          std::vector<trading::signal> signals) {
  if (batches_.empty() || batch < batches_.front().id
      || batch - batches_.front().id >= batches_.size())
    return; // not pending (cannot happen while parts are tracked)
  auto& b = batches_[batch - batches_.front().id];
  for (auto& s : signals)
    b.signals.emplace_back(strategy, std::move(s));
  if (b.waiting > 0)
    --b.waiting;
}

void route_book::answer_owed_empty(route_instance& inst) {
  for (auto& part : inst.in_flight)
    complete(part.first, inst.strategy, {});
  inst.in_flight.clear();
  for (auto& part : inst.queued)
    complete(part.first, inst.strategy, {});
  inst.queued.clear();
}

void route_book::settle_lost(route_instance& inst) {
  for (auto& [batch, ticks] : inst.queued) {
    counters_.unplaced += ticks.size();
    complete(batch, inst.strategy, {});
  }
  inst.queued.clear();
  for (auto& [batch, ticks] : inst.in_flight) {
    counters_.unplaced += ticks.size();
    complete(batch, inst.strategy, {});
  }
  inst.in_flight.clear();
}

void route_book::replaced_one(size_t member) {
  auto& m = members_[member];
  if (m.replacing == 0 || --m.replacing > 0)
    return;
  auto ms = std::chrono::duration<double, std::milli>(
              std::chrono::steady_clock::now() - m.lost_at)
              .count();
  log_.push_back("every algorithm actor of node " + m.name
                 + " runs elsewhere again (" + std::to_string(m.replaced)
                 + " moved so far; " + std::to_string(static_cast<int64_t>(ms))
                 + " ms after the loss)");
}

} // namespace intuition::actors

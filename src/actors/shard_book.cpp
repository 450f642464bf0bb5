#include "actors/shard_book.hpp"

#include <algorithm>

namespace intuition::actors {

namespace {

std::string shard_key(uint32_t shard) {
  return "shard-" + std::to_string(shard);
}

} // namespace

shard_book::shard_book(uint32_t shards, size_t max_moves)
    : places_(shards), max_moves_(std::max<size_t>(1, max_moves)) {
  // nop
}

size_t shard_book::member_at(const std::string& address) const {
  for (size_t i = 0; i < members_.size(); ++i)
    if (members_[i].address == address)
      return i;
  return no_member;
}

size_t shard_book::add_member(std::string name, std::string address) {
  if (auto i = member_at(address); i != no_member) {
    members_[i].alive = true;
    members_[i].name = std::move(name);
    return i;
  }
  shard_member m;
  m.name = std::move(name);
  m.address = std::move(address);
  members_.push_back(std::move(m));
  return members_.size() - 1;
}

size_t shard_book::pick(uint32_t shard, size_t avoid) const {
  std::vector<std::string> names;
  std::vector<bool> alive;
  bool other = false;
  for (size_t i = 0; i < members_.size(); ++i) {
    names.push_back(members_[i].name);
    alive.push_back(members_[i].alive);
    other = other || (members_[i].alive && i != avoid);
  }
  if (avoid != no_member && avoid < alive.size() && other)
    alive[avoid] = false;
  return rendezvous_pick(names, alive, shard_key(shard));
}

size_t shard_book::desired_owner(uint32_t shard) const {
  return pick(shard, no_member);
}

bool shard_book::current(uint32_t shard, uint64_t epoch) const noexcept {
  return shard < places_.size() && places_[shard].owner != no_member
         && places_[shard].epoch == epoch;
}

void shard_book::place_on(uint32_t shard, size_t member, bool move,
                          shard_actions& out) {
  auto& p = places_[shard];
  if (p.owner != no_member) {
    auto& old = members_[p.owner];
    if (old.shards > 0)
      --old.shards;
    // A live owner stops its incarnation; a lost one cannot be told (its
    // late batches are refused by epoch, its session taken over).
    if (old.alive)
      out.push_back({shard_action::revoke, shard, p.owner, p.epoch});
  }
  if (p.moving && moving_ > 0)
    --moving_;
  p.owner = member;
  p.moving = false;
  p.draining = false;
  p.running = false;
  if (member == no_member)
    return;
  ++p.epoch;
  p.moving = move;
  if (move) {
    ++moving_;
    ++members_[member].moved_in;
    ++counters_.moves;
  }
  ++members_[member].shards;
  ++counters_.assignments;
  out.push_back({shard_action::assign, shard, member, p.epoch});
}

shard_actions shard_book::rebalance() {
  shard_actions out;
  queued_.clear();
  for (uint32_t s = 0; s < places_.size(); ++s) {
    auto want = desired_owner(s);
    if (want == no_member)
      continue;
    auto& p = places_[s];
    if (p.owner == no_member || !members_[p.owner].alive)
      place_on(s, want, false, out);
    else if (p.owner != want && !p.moving)
      queued_.push_back(s);
  }
  start_queued(out);
  return out;
}

void shard_book::start_queued(shard_actions& out) {
  while (moving_ < max_moves_ && !queued_.empty()) {
    auto s = queued_.front();
    queued_.pop_front();
    auto want = desired_owner(s);
    auto& p = places_[s];
    if (want == no_member || want == p.owner)
      continue;
    if (p.owner != no_member && members_[p.owner].alive) {
      // Handed back first: what the owner acknowledged and holds still
      // reaches the desk under its epoch, and the broker keeps the rest
      // for the next owner. Also before its start is confirmed: its
      // session may be reading already.
      p.moving = true;
      p.draining = true;
      ++moving_;
      out.push_back({shard_action::drain, s, p.owner, p.epoch});
      continue;
    }
    place_on(s, want, true, out);
  }
}

shard_actions shard_book::drained(uint32_t shard, uint64_t epoch) {
  shard_actions out;
  if (!current(shard, epoch) || !places_[shard].draining)
    return out;
  ++counters_.handovers;
  // Its incarnation is gone: a new one starts even where it was (when the
  // member that would have taken it left meanwhile).
  auto want = desired_owner(shard);
  place_on(shard, want, want != places_[shard].owner, out);
  start_queued(out);
  return out;
}

shard_actions shard_book::member_lost(size_t member) {
  shard_actions out;
  if (member >= members_.size() || !members_[member].alive)
    return out;
  members_[member].alive = false;
  for (uint32_t s = 0; s < places_.size(); ++s) {
    if (places_[s].owner != member)
      continue;
    ++members_[member].failed_over;
    ++counters_.failovers;
    place_on(s, desired_owner(s), false, out);
  }
  // Moves planned toward the lost member are void; others go on.
  start_queued(out);
  return out;
}

shard_actions shard_book::started(uint32_t shard, uint64_t epoch) {
  shard_actions out;
  if (!current(shard, epoch))
    return out;
  auto& p = places_[shard];
  p.running = true;
  if (p.moving) {
    p.moving = false;
    if (moving_ > 0)
      --moving_;
  }
  start_queued(out);
  return out;
}

shard_actions shard_book::stopped(uint32_t shard, uint64_t epoch,
                                  bool start_failed) {
  shard_actions out;
  if (!current(shard, epoch))
    return out;
  if (places_[shard].draining && !start_failed)
    return drained(shard, epoch);
  auto failed = places_[shard].owner;
  if (start_failed)
    ++counters_.start_failures;
  ++counters_.failovers;
  // The failed incarnation is gone: nothing to revoke.
  auto& p = places_[shard];
  if (members_[failed].shards > 0)
    --members_[failed].shards;
  if (p.moving && moving_ > 0)
    --moving_;
  p.moving = false;
  p.owner = no_member;
  place_on(shard, pick(shard, start_failed ? failed : no_member), false, out);
  start_queued(out);
  return out;
}

} // namespace intuition::actors

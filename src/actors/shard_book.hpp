#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "actors/route_book.hpp"

/// Where the shards of a cluster with node-local ingress live, as a plain
/// class without CAF: the members, each shard's owner and placement epoch,
/// failover when a member is lost, and the bounded moves that give a member
/// that joins its rendezvous share. The shard desk actor feeds it events
/// and carries out the actions it returns.
namespace intuition::actors {

/// What the desk must do after an event, in order.
struct shard_action {
  enum kind_type : uint8_t {
    /// Tell `member` to stop the shard's incarnation `epoch` (its session
    /// is taken over by the next owner anyway).
    revoke,
    /// Start incarnation `epoch` of the shard on `member` (warmed up, then
    /// subscribed), then report `started` or `start_failed`.
    assign,
    /// Ask `member` to hand incarnation `epoch` back before a move: stop
    /// reading (its session ends and the broker keeps what follows for the
    /// next owner), send what waits, stop; then report `drained`, also
    /// when it failed.
    drain,
  };
  kind_type kind = assign;
  uint32_t shard = 0;
  size_t member = no_member;
  uint64_t epoch = 0;

  friend bool operator==(const shard_action& x, const shard_action& y) {
    return x.kind == y.kind && x.shard == y.shard && x.member == y.member
           && x.epoch == y.epoch;
  }
};

using shard_actions = std::vector<shard_action>;

/// A node that may own shards.
struct shard_member {
  std::string name;
  /// `HOST:PORT` it was reached at.
  std::string address;
  bool alive = true;
  /// Shards it owns now (moves to it included).
  uint64_t shards = 0;
  /// Shards that moved to it while it was alive (rebalance).
  uint64_t moved_in = 0;
  /// Shards that moved away from it after it was lost.
  uint64_t failed_over = 0;
};

/// One shard's placement.
struct shard_place {
  size_t owner = no_member;
  /// Raised on every placement; what an older incarnation sends is
  /// recognised by it and refused (fencing).
  uint64_t epoch = 0;
  /// A move to `owner` whose start is not confirmed yet, or of `owner`'s
  /// incarnation being drained.
  bool moving = false;
  /// The owner hands the shard back before it moves (`drain`): its epoch
  /// stays current, so the quotes it still sends are taken.
  bool draining = false;
  /// The owner's incarnation confirmed it runs.
  bool running = false;
};

/// Counters of the placement, for metrics and inspection.
struct shard_counters {
  uint64_t assignments = 0;
  /// Shards moved to a member that joined (rebalance).
  uint64_t moves = 0;
  /// Shards placed anew because their owner was lost or their incarnation
  /// stopped.
  uint64_t failovers = 0;
  uint64_t start_failures = 0;
  /// Moves whose old owner handed the shard back (drained) first.
  uint64_t handovers = 0;
};

/// Shards, their owners and the moves under way.
class shard_book {
public:
  /// `shards` shards, at most `max_moves` rebalance moves at a time.
  shard_book(uint32_t shards, size_t max_moves);

  /// Adds a member, or marks one known by `address` (it rejoins) alive
  /// again; returns its index. Call `rebalance` next.
  size_t add_member(std::string name, std::string address);

  /// Places every unowned shard at once and plans a move for each shard
  /// whose rendezvous owner is now another member; starts at most
  /// `max_moves` of them (the rest start as moves complete). A move drains
  /// a live owner first (`drain`, then `drained`), so that nothing it
  /// acknowledged is lost.
  shard_actions rebalance();

  /// The owner of the shard's incarnation `epoch` handed it back (or
  /// failed to: the move goes on either way): the shard starts on its
  /// rendezvous owner with a higher epoch.
  shard_actions drained(uint32_t shard, uint64_t epoch);

  /// The member is gone: each of its shards goes to the survivor with the
  /// highest rendezvous weight, at once, with a higher epoch.
  shard_actions member_lost(size_t member);

  /// The shard's incarnation `epoch` runs; a finished move lets the next
  /// one start.
  shard_actions started(uint32_t shard, uint64_t epoch);

  /// The shard's incarnation `epoch` stopped (its session ended) or, with
  /// `start_failed`, could not start: the shard is placed anew with a
  /// higher epoch, on its rendezvous owner or, after a failed start, on
  /// another member when there is one. Stale epochs change nothing; an
  /// incarnation that stops while it is drained has handed the shard back
  /// (`drained`).
  shard_actions stopped(uint32_t shard, uint64_t epoch,
                        bool start_failed = false);

  /// Whether `epoch` is the shard's current incarnation.
  bool current(uint32_t shard, uint64_t epoch) const noexcept;

  /// The rendezvous owner of `shard` among the live members (`no_member`
  /// when none is alive).
  size_t desired_owner(uint32_t shard) const;

  const std::vector<shard_member>& members() const noexcept {
    return members_;
  }

  const shard_place& place(uint32_t shard) const {
    return places_[shard];
  }

  uint32_t shard_count() const noexcept {
    return static_cast<uint32_t>(places_.size());
  }

  /// Moves planned and not started yet, plus those under way.
  size_t moves_pending() const noexcept {
    return queued_.size() + moving_;
  }

  const shard_counters& counters() const noexcept {
    return counters_;
  }

  /// Index of the member reached at `address`, or `no_member`.
  size_t member_at(const std::string& address) const;

private:
  /// Places `shard` on `member` with a new epoch (revoking the old owner's
  /// incarnation first when it is alive).
  void place_on(uint32_t shard, size_t member, bool move, shard_actions& out);
  void start_queued(shard_actions& out);
  size_t pick(uint32_t shard, size_t avoid) const;

  std::vector<shard_member> members_;
  std::vector<shard_place> places_;
  std::deque<uint32_t> queued_;
  size_t moving_ = 0;
  size_t max_moves_;
  shard_counters counters_;
};

} // namespace intuition::actors

#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "trading/shard_engine.hpp"
#include "trading/types.hpp"

/// What a shard's owner still has to send to the coordinator, as a plain
/// class: the quotes its instances took and the signals they raised, in
/// order, and the broker reads waiting for the coordinator. A read whose
/// quotes raised no signal is acknowledged at once and its quotes wait here
/// (for the portfolio's marks and the warm-up history) until the next
/// batch; a read that raised a signal is held until the batch carrying it
/// is confirmed, so no signal is acknowledged before the coordinator has
/// it. One batch is out at a time, so the coordinator sees the shard's
/// quotes in order.
namespace intuition::trading {

/// When an outbox sends.
struct outbox_limits {
  /// A batch leaves once this many quotes wait (and on the owner's timer).
  size_t flush_quotes = 2048;
  /// Beyond this many waiting quotes, reads are held (not acknowledged)
  /// until a batch is confirmed: the node stops taking quotes rather than
  /// hold an unbounded number that a crash would lose.
  size_t max_unsent = 8192;
  /// Of the quotes that raised no signal, a batch carries only each
  /// symbol's newest (`cluster.marks` `latest`): the portfolio marks at the
  /// latest price and the coordinator does no work for the others, which
  /// are counted (`outbox_batch::conflated`), not sent.
  bool conflate = false;
};

/// What to do with a read just added.
struct outbox_verdict {
  /// Acknowledge the read to the broker now (false: it is held).
  bool settle = false;
  /// Send a batch now (`take`), instead of at the timer.
  bool flush = false;
};

/// A batch for the coordinator and the reads its confirmation settles.
struct outbox_batch {
  std::vector<quote> quotes;
  /// Each signal's `quote_seq` is the index of its quote in `quotes`.
  std::vector<signal> signals;
  std::vector<uint64_t> tickets;
  /// Quotes the batch stands for that were left out (`conflate`): older
  /// quotes of a symbol whose newer one is in `quotes`, without a signal.
  uint64_t conflated = 0;
};

/// Which of `n` quotes raised a signal, for signals whose `quote_seq` is
/// the index of their quote (as in a batch); out-of-range indices count
/// for none.
std::vector<bool> signalled_quotes(const std::vector<signal>& signals,
                                   size_t n);

class shard_outbox {
public:
  explicit shard_outbox(outbox_limits limits = {});

  /// Adds what the instances made of the read `ticket`.
  outbox_verdict add(shard_output out, uint64_t ticket);

  /// Whether a batch should leave now: nothing is out and a held read or a
  /// full batch waits.
  bool due() const noexcept;

  /// The next batch (everything waiting) and marks it out; empty quotes
  /// and tickets when nothing waits. Call only while `!sending()`.
  outbox_batch take();

  /// The batch out was confirmed (or failed): the next may leave.
  void done() noexcept;

  bool sending() const noexcept {
    return sending_;
  }

  /// Quotes waiting, acknowledged (or held) but not sent: what a crash of
  /// the node now would keep from the coordinator.
  size_t unsent() const noexcept {
    return quotes_.size();
  }

  /// Reads held until the next confirmed batch.
  size_t held() const noexcept {
    return tickets_.size();
  }

  /// Drops what waits (the shard stops); returns the quotes dropped.
  size_t discard() noexcept;

private:
  /// Keeps of `out` the quotes with a signal and each symbol's newest.
  static void conflate(outbox_batch& out);

  outbox_limits limits_;
  std::vector<quote> quotes_;
  std::vector<signal> signals_;
  std::vector<uint64_t> tickets_;
  bool sending_ = false;
};

} // namespace intuition::trading

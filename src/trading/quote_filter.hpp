#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "trading/types.hpp"

/// The duplicate filter at the edge: canonical quotes carry their source's
/// `ts`, so a redelivered message is recognisable by (symbol, ts).
namespace intuition::trading {

/// What to do with a quote older than the last one seen for its symbol.
enum class stale_policy : uint8_t {
  drop,  ///< drop and count it (`stale`)
  trade, ///< trade it; only an exact repeat of the last ts is a duplicate
};

std::string_view to_string(stale_policy x) noexcept;
bool from_string(std::string_view str, stale_policy& x) noexcept;

/// What the ingress does while the runtime is behind the feed.
enum class overload_policy : uint8_t {
  queue,    ///< lossless: the backlog waits in the input log
  conflate, ///< keep only the newest waiting quote per symbol
};

std::string_view to_string(overload_policy x) noexcept;
bool from_string(std::string_view str, overload_policy& x) noexcept;

/// The last `capacity` distinct 64-bit keys added, the oldest forgotten
/// first: an open-addressing table (linear probing, backward-shift
/// deletion) and a ring of the keys in arrival order, both mapped once, by
/// the first `add` (a filter that never sees a quote costs nothing).
/// A lookup or an insert touches one or two cache lines and never
/// allocates, where a node-based set allocated and freed a node per key.
///
/// The tables are fresh zero pages from the kernel, never written whole:
/// a page costs its first touch only, spread over the quotes that land on
/// it. Zeroed in one go (6 MB at the ingress's window), they held the first
/// quote of a live run, and every quote behind it, for 24 ms.
class recent_keys {
public:
  explicit recent_keys(size_t capacity);

  bool contains(uint64_t k) const noexcept;

  /// Adds `k` unless present; forgets the oldest key beyond the capacity.
  void add(uint64_t k);

  /// Forgets every key; the tables go back to the kernel until the next
  /// `add`.
  void clear() noexcept;

  size_t size() const noexcept {
    return size_;
  }

  size_t capacity() const noexcept {
    return capacity_;
  }

  /// Bytes the tables take once made (whether touched yet or not).
  size_t table_bytes() const noexcept;

private:
  /// Words mapped zeroed and untouched: the kernel backs a page when it is
  /// first used.
  class zero_pages {
  public:
    zero_pages() noexcept = default;
    explicit zero_pages(size_t words);
    zero_pages(zero_pages&& other) noexcept;
    zero_pages& operator=(zero_pages&& other) noexcept;
    ~zero_pages();

    uint64_t& operator[](size_t i) noexcept {
      return words_[i];
    }
    uint64_t operator[](size_t i) const noexcept {
      return words_[i];
    }
    explicit operator bool() const noexcept {
      return words_ != nullptr;
    }

  private:
    uint64_t* words_ = nullptr;
    size_t bytes_ = 0;
  };

  /// 0 marks an empty slot: key 0 is stored as 1.
  static uint64_t stored(uint64_t k) noexcept {
    return k == 0 ? 1 : k;
  }
  void allocate();
  size_t home(uint64_t k) const noexcept;
  /// The slot holding `k`, or the empty slot where it would go.
  size_t find(uint64_t k) const noexcept;
  void erase(uint64_t k) noexcept;

  size_t capacity_;
  zero_pages slots_;
  size_t mask_ = 0;
  zero_pages ring_;
  size_t head_ = 0;
  size_t size_ = 0;
};

/// The filter's decision on one quote.
enum class filter_verdict : uint8_t { accept, duplicate, stale };

/// The newest accepted `ts` per symbol (saved with the input log) and the
/// last `recent_capacity` accepted (symbol, ts) (rebuilt from the log on
/// start): a quote among them is a duplicate; one older than its symbol's
/// newest is stale. Only quotes whose payload carried a `ts`
/// are checked: an arrival time says nothing about redelivery.
class quote_filter {
public:
  /// Remembers the last `recent` accepted (symbol, ts): about 24 bytes
  /// each once the first quote came.
  explicit quote_filter(stale_policy policy = stale_policy::drop,
                        size_t recent = recent_capacity)
      : policy_(policy), recent_(recent) {
    // nop
  }

  /// Decides on `q` and, when it is accepted, remembers its ts.
  filter_verdict check(const quote& q);

  /// Replaces the state (from a snapshot: the newest ts per symbol).
  void restore(std::unordered_map<std::string, int64_t> last_ts) {
    last_ts_ = std::move(last_ts);
    recent_.clear();
  }

  /// Records an accepted quote without deciding (state advanced elsewhere).
  void remember(const std::string& symbol, int64_t ts_ms);

  /// Accepted (symbol, ts) remembered across all symbols, the oldest
  /// forgotten first: a redelivery this far back is still recognised. QoS 1
  /// redelivery comes out of order and can reach thousands of messages back
  /// (every PUBACK still queued when a process died). 6 MB.
  static constexpr size_t recent_capacity = 262'144;

  const std::unordered_map<std::string, int64_t>& last_ts() const noexcept {
    return last_ts_;
  }

  /// How many accepted (symbol, ts) it remembers.
  size_t recent_window() const noexcept {
    return recent_.capacity();
  }

private:
  /// A 64-bit fingerprint of (symbol, ts).
  static uint64_t key(const std::string& symbol, int64_t ts_ms) noexcept;

  stale_policy policy_;
  std::unordered_map<std::string, int64_t> last_ts_;
  recent_keys recent_;
};

} // namespace intuition::trading

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <deque>
#include <unordered_map>
#include <unordered_set>

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

/// The filter's decision on one quote.
enum class filter_verdict : uint8_t { accept, duplicate, stale };

/// The newest accepted `ts` per symbol (saved with the input log) and the
/// last `recent_capacity` accepted (symbol, ts) (rebuilt from the log on
/// start): a quote among them is a duplicate; one older than its symbol's
/// newest is stale. Only quotes whose payload carried a `ts`
/// are checked: an arrival time says nothing about redelivery.
class quote_filter {
public:
  explicit quote_filter(stale_policy policy = stale_policy::drop)
      : policy_(policy) {
    // nop
  }

  /// Decides on `q` and, when it is accepted, remembers its ts.
  filter_verdict check(const quote& q);

  /// Replaces the state (from a snapshot: the newest ts per symbol).
  void restore(std::unordered_map<std::string, int64_t> last_ts) {
    last_ts_ = std::move(last_ts);
    recent_.clear();
    order_.clear();
  }

  /// Records an accepted quote without deciding (state advanced elsewhere).
  void remember(const std::string& symbol, int64_t ts_ms);

  /// Accepted (symbol, ts) remembered across all symbols, the oldest
  /// forgotten first: a redelivery this far back is still recognised. QoS 1
  /// redelivery comes out of order and can reach thousands of messages back
  /// (every PUBACK still queued when a process died). About 10 MB.
  static constexpr size_t recent_capacity = 262'144;

  const std::unordered_map<std::string, int64_t>& last_ts() const noexcept {
    return last_ts_;
  }

private:
  /// A 64-bit fingerprint of (symbol, ts).
  static uint64_t key(const std::string& symbol, int64_t ts_ms) noexcept;

  /// Remembers a fingerprint, forgetting the oldest past the capacity.
  void add_recent(uint64_t k);

  stale_policy policy_;
  std::unordered_map<std::string, int64_t> last_ts_;
  std::unordered_set<uint64_t> recent_;
  std::deque<uint64_t> order_;
};

} // namespace intuition::trading

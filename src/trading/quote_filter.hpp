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

/// The filter's decision on one quote.
enum class filter_verdict : uint8_t { accept, duplicate, stale };

/// The newest accepted `ts` per symbol (saved with the input log) and the
/// last `recent_window` accepted ones (rebuilt from the log on start): a
/// quote whose ts is among them is a duplicate; one older than the newest
/// is stale. Only quotes whose payload carried a `ts`
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
  }

  /// Records an accepted quote without deciding (state advanced elsewhere).
  void remember(const std::string& symbol, int64_t ts_ms);

  /// Accepted timestamps remembered per symbol: a redelivery this far back
  /// is still recognised (QoS 1 redelivery after a broker restart comes out
  /// of order).
  static constexpr size_t recent_window = 128;

  const std::unordered_map<std::string, int64_t>& last_ts() const noexcept {
    return last_ts_;
  }

private:
  /// The last `recent_window` accepted timestamps of a symbol, as a ring.
  struct recent {
    std::vector<int64_t> ts;
    size_t next = 0;

    bool contains(int64_t x) const noexcept;
    void add(int64_t x);
  };

  stale_policy policy_;
  std::unordered_map<std::string, int64_t> last_ts_;
  std::unordered_map<std::string, recent> recent_;
};

} // namespace intuition::trading

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trading/result.hpp"

/// The symbol universe of a cluster and its shards: which shard a symbol
/// belongs to, the topic its quotes arrive on with node-local ingress, and
/// the MQTT session of each shard. Plain code: the same answers on every
/// process and machine.
namespace intuition::trading {

/// Most shards a cluster may have (each is one MQTT session).
constexpr uint32_t max_shards = 4096;

/// Shard of `symbol` among `shards` (> 0): a stable hash (FNV-1a, mixed),
/// the same in every process and build.
uint32_t shard_of(const std::string& symbol, uint32_t shards) noexcept;

/// The topic the quotes of `symbol` arrive on in the topic-per-symbol
/// layout: `BASE/SYMBOL` (`quotes/AAPL`).
std::string symbol_topic(const std::string& base, const std::string& symbol);

/// The client id of shard `shard`'s persistent MQTT session:
/// `CLUSTER-shard-N`. Whichever node owns the shard connects with it, so
/// that a new owner takes the session (and the quotes it queued) over.
std::string shard_client_id(const std::string& cluster, uint32_t shard);

/// Checks a cluster name: 1 to 64 characters of `[A-Za-z0-9_-]` (it is
/// part of MQTT client ids). Fails with an `invalid_value` naming `field`.
status check_cluster_name(const std::string& field, const std::string& name);

/// Upper-cases and checks `symbols` (as quotes' symbols are checked),
/// refusing an empty list and duplicates. `field` names the source in
/// messages (`cluster.universe`, or a file and line).
result<std::vector<std::string>>
check_universe(const std::string& field, std::vector<std::string> symbols);

/// Reads a universe file, one symbol a line; blank lines and lines
/// starting with `#` are skipped. Failures name the file and line.
result<std::vector<std::string>> read_universe_file(const std::string& path);

/// The universe spread over `shards`: the symbols of each shard, in the
/// universe's order.
class shard_map {
public:
  shard_map() = default;

  /// Spreads `universe` (checked) over `shards` (in [1, max_shards]).
  shard_map(std::vector<std::string> universe, uint32_t shards);

  uint32_t shards() const noexcept {
    return static_cast<uint32_t>(by_shard_.size());
  }

  const std::vector<std::string>& universe() const noexcept {
    return universe_;
  }

  /// The symbols of `shard`.
  const std::vector<std::string>& symbols(uint32_t shard) const {
    return by_shard_[shard];
  }

  /// Whether `symbol` is part of the universe.
  bool contains(const std::string& symbol) const;

private:
  std::vector<std::string> universe_;
  std::vector<std::vector<std::string>> by_shard_;
};

} // namespace intuition::trading

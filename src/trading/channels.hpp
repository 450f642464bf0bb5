#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "trading/result.hpp"

/// Channels: the MQTT topic filters an algorithm's `initialize` asks for,
/// and which strategies the quotes of a topic reach. Plain code, no CAF and
/// no MQTT library: the ingress resolves topics here, the router only sees
/// the compact ids.
namespace intuition::trading {

// -- topic filters --------------------------------------------------------------

/// The filter a subscription matches with: `filter` without a shared
/// subscription's `$share/GROUP/` prefix (MQTT 5, also offered to 3.1.1
/// clients by mosquitto), unchanged otherwise.
std::string_view match_part(std::string_view filter) noexcept;

/// Whether the topic filter `filter` matches the topic name `topic` under
/// MQTT's rules: levels split at `/`, `+` matches one whole level (an empty
/// one too), `#` as the last level matches its parent and every level below,
/// and a topic starting with `$` is not matched by a filter whose first level
/// is a wildcard. A shared subscription matches as its filter part
/// (`match_part`).
bool topic_matches(std::string_view filter, std::string_view topic) noexcept;

/// Checks that `filter` is a topic filter a broker accepts: non-empty, at most
/// 65535 bytes, no NUL, `+` and `#` only as whole levels, `#` only last, and
/// for `$share/GROUP/FILTER` a group without `/`, `+` or `#` and a non-empty
/// filter. Fails with an invalid request saying what is wrong.
status check_topic_filter(std::string_view filter);

// -- which strategies a topic reaches ---------------------------------------------

/// One strategy's name and the channels (topic filters) it asked for.
struct strategy_channels {
  std::string strategy;
  std::vector<std::string> filters;
};

/// A set of strategies numbered by a `channel_table`: quotes carry `id`, and
/// the receiver learns once which strategies it stands for.
struct channel_set {
  /// 1, 2, ...; 0 is never a set (a quote with channel 0 came from no topic).
  uint32_t id = 0;
  /// Names of the strategies whose channels match the topics of this set, in
  /// the table's strategy order; empty for a topic no strategy asked for.
  std::vector<std::string> strategies;
};

bool operator==(const channel_set& x, const channel_set& y) noexcept;

/// Resolves a topic to the set of strategies whose channels match it, once
/// per distinct topic: the answer is cached, and equal answers share one id.
/// The number of ids is bounded by the distinct matching sets the configured
/// filters allow, not by the topics; the cache holds at most
/// `max_cached_topics` topics and starts over when full (a client inventing
/// topics costs matching time, not memory).
class channel_table {
public:
  /// Topics a table remembers by default.
  static constexpr size_t default_max_cached_topics = 65'536;

  /// A table without strategies: every topic resolves to 0.
  channel_table() = default;

  /// A table over `strategies` (in the order their indices keep).
  explicit channel_table(std::vector<strategy_channels> strategies,
                         size_t max_cached_topics = default_max_cached_topics);

  /// The id of the set of strategies `topic` reaches; 0 when the table has
  /// no strategies.
  uint32_t resolve(const std::string& topic);

  /// The sets numbered since the last call, oldest first, for the receiver
  /// of the ids.
  std::vector<channel_set> take_new();

  /// Indices of the strategies set `id` stands for (empty for an unknown id).
  const std::vector<uint32_t>& strategies_of(uint32_t id) const;

  /// Whether the table routes anything (it has strategies).
  bool active() const noexcept {
    return !strategies_.empty();
  }

  /// Sets numbered so far.
  size_t set_count() const noexcept {
    return sets_.size();
  }

  /// Topics remembered now.
  size_t cached_topics() const noexcept {
    return topics_.size();
  }

private:
  std::vector<strategy_channels> strategies_;
  size_t max_cached_topics_ = default_max_cached_topics;
  std::unordered_map<std::string, uint32_t> topics_;
  /// Ids by the strategy indices they stand for, and back (index id - 1).
  std::map<std::vector<uint32_t>, uint32_t> ids_;
  std::vector<std::vector<uint32_t>> sets_;
  /// Sets handed out by `take_new` so far.
  size_t announced_ = 0;
};

} // namespace intuition::trading

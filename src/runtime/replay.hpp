#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/config.hpp"
#include "trading/quote_codec.hpp"
#include "trading/result.hpp"

/// `intuition replay`: history through the same actors live mode uses.
namespace intuition::runtime {

/// Options of the replay command (each overrides the configuration).
struct replay_options {
  std::string config_path;
  std::optional<std::string> quotes;
  std::optional<std::string> speed;
  std::optional<uint64_t> repeat;
  std::optional<std::string> report_path;
  std::optional<std::string> journal;
  std::string caf_config;
  /// --listen (replay listens only when asked), --metrics-port, --join.
  node_flags node;
  bool quiet = false;
  /// Start on a journal shorter than what was acknowledged or published.
  bool accept_journal_loss = false;
};

/// A CSV file decoded into memory, with what was rejected.
struct loaded_quotes {
  std::vector<trading::quote> quotes;
  std::array<uint64_t, trading::reject_reason_count> rejected{};
  uint64_t rejected_total = 0;
  uint64_t rows = 0;
  /// Distinct symbols among `quotes`.
  size_t symbols = 0;
};

/// Quotes per router batch: `configured` if set, otherwise enough that
/// each algorithm instance gets many quotes per message (64 per symbol),
/// within [1,024, 262,144] so that small files stay responsive and memory
/// stays flat.
size_t replay_batch_size(size_t configured, size_t symbols);

/// Reads a `ts,symbol,price` CSV. Rejected rows are counted by reason; the
/// first few are printed to stderr with their line numbers. `limits` are
/// the configured `codec` limits (`codec.max_price` applies to CSV rows as
/// to MQTT payloads). Fails with an invalid request if the file cannot be
/// read.
trading::result<loaded_quotes>
load_quotes_csv(const std::string& path,
                const trading::codec_limits& limits = {});

/// Runs the replay; returns the process exit code.
int run_replay(const replay_options& opts, const char* argv0);

} // namespace intuition::runtime

#pragma once

#include <optional>
#include <string>
#include <vector>

#include "trading/result.hpp"
#include "trading/types.hpp"

/// The recent history of each symbol, kept in a small file beside the
/// journal (`JOURNAL.warmup`) so that a restarted process warms every
/// algorithm instance from it before its first live quote: indicators go
/// on where they were instead of starting cold.
namespace intuition::trading {

/// The last quotes of one symbol, oldest first.
struct symbol_history {
  std::string symbol;
  std::vector<quote_tick> ticks;
};

/// Most ticks kept per symbol (the longest window an algorithm accepts,
/// plus one).
constexpr size_t max_history_ticks = 100'001;

/// Where the history of the journal at `journal_path` is kept.
std::string warmup_file_path(const std::string& journal_path);

/// Writes `history` to `path` atomically: a temporary file, synced, then
/// renamed over the old one, so a crash leaves the old file or the new one.
/// Fails (a failed operation) naming the file.
status write_warmup_file(const std::string& path,
                         const std::vector<symbol_history>& history);

/// Reads a file `write_warmup_file` wrote; a missing file is an empty
/// history. Ticks come back with `seq` 0 (they precede every quote of the
/// new session). Fails (a failed operation) naming the file and line.
result<std::vector<symbol_history>> read_warmup_file(const std::string& path);

} // namespace intuition::trading

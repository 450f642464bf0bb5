#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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

/// Writes snapshots of the history on a thread of its own, so that the one
/// who takes them (the quote router, on the quote path) never waits for the
/// disk: a write formats every tick and syncs the file, milliseconds with a
/// few symbols and far more with many. At most one snapshot waits; a newer
/// one replaces it, since only the latest matters.
class warmup_writer {
public:
  using write_fn = std::function<status(const std::string& path,
                                        const std::vector<symbol_history>&)>;

  /// Writes to `path` with `write` (`write_warmup_file` unless given).
  explicit warmup_writer(std::string path, write_fn write = {});

  /// Writes the snapshot still waiting, then stops the thread.
  ~warmup_writer();

  warmup_writer(const warmup_writer&) = delete;
  warmup_writer& operator=(const warmup_writer&) = delete;

  /// Hands `history` to the thread, replacing a snapshot not started yet.
  void submit(std::vector<symbol_history> history);

  /// Waits until the thread wrote everything handed to it.
  void flush();

  /// The latest failure not taken yet (earlier ones are only counted).
  std::optional<failure> take_failure();

  /// How long the latest write took.
  std::chrono::steady_clock::duration last_cost() const;

  /// Snapshots written, replaced before they were written, and failed.
  uint64_t written() const;
  uint64_t replaced() const;
  uint64_t failures() const;

private:
  void run();

  std::string path_;
  write_fn write_;
  mutable std::mutex mtx_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::optional<std::vector<symbol_history>> pending_;
  bool busy_ = false;
  bool stop_ = false;
  std::optional<failure> failure_;
  std::chrono::steady_clock::duration last_cost_{0};
  uint64_t written_ = 0;
  uint64_t replaced_ = 0;
  uint64_t failures_ = 0;
  std::thread thread_;
};

} // namespace intuition::trading

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trading/result.hpp"
#include "trading/trading_mode.hpp"

/// The control journal: every operator change (mode, flatten, strategies
/// added or removed) and every risk halt, one JSON object per line beside
/// the order journal (`JOURNAL.control`), with a sequence number and a
/// CRC-32 of the line's bytes before the checksum, as the order journal:
///
///   {"seq":1,"kind":"mode","mode":"halted","reason":"operator","crc":"..."}
///
/// Read back at start, so that a restarted process trades in the mode and
/// with the strategies it had.
namespace intuition::trading {

/// One change.
struct control_record {
  uint64_t seq = 0;
  /// `mode`, `flatten`, `flattened`, `add_strategy` or `remove_strategy`.
  std::string kind;
  /// `mode`: the new mode, why, and whether a risk limit set it.
  mode_kind mode = mode_kind::normal;
  std::string reason;
  bool risk = false;
  /// `flatten`, `flattened` (empty: every strategy), `add_strategy` and
  /// `remove_strategy`: the strategy's name.
  std::string strategy;
  /// `add_strategy`: the strategy's definition, a JSON object as text.
  std::string definition;
  /// `remove_strategy`: whether its positions were flattened.
  bool flatten = false;
};

bool operator==(const control_record& x, const control_record& y) noexcept;

/// Renders a record as one line (without newline).
std::string encode_control_record(const control_record& x);

/// Parses and verifies one line; fails (a failed operation) with "bad
/// checksum" or saying which field is wrong.
result<control_record> decode_control_record(std::string_view line);

/// What the records add up to.
struct control_state {
  mode_kind mode = mode_kind::normal;
  std::string reason;
  bool risk = false;
  /// Flattens not done yet (`""`: every strategy).
  std::set<std::string> flatten;
  /// Strategies changed while trading, by name, in the order of their last
  /// change: the definition of an added one, nothing for a removed one.
  std::vector<std::pair<std::string, std::optional<std::string>>> strategies;

  /// Applies one record.
  void apply(const control_record& x);
};

/// What `open_control_log` found in the file.
struct control_contents {
  std::vector<control_record> records;
  uint64_t next_seq = 1;
  /// Lines of a torn tail that were cut.
  uint64_t cut_lines = 0;
  /// Bytes of the good records (the file is cut to this length).
  uint64_t valid_bytes = 0;
  control_state state;
};

/// The control journal's path beside `journal_path`.
std::string control_log_path(const std::string& journal_path);

/// Reads the records of `path` (none when it does not exist). A torn tail
/// (bad lines with no good record after them: a write that never
/// completed, never acknowledged) is reported in `cut_lines` and cut by
/// `control_log::open`. A bad line before a good one, or a sequence gap, is
/// corruption: a failed operation naming the file and the line.
result<control_contents> read_control_log(const std::string& path);

/// Appends records, each on stable storage before `append` returns.
class control_log {
public:
  ~control_log();
  control_log(const control_log&) = delete;
  control_log& operator=(const control_log&) = delete;

  /// Reads `path` (`read_control_log`), cuts a torn tail and opens it for
  /// appending; `contents` receives what it held.
  static result<std::unique_ptr<control_log>> open(const std::string& path,
                                                   control_contents& contents);

  /// Gives `x` the next sequence number and writes it, then `fdatasync`s;
  /// fails (a failed operation) when either fails.
  status append(control_record& x);

  const std::string& path() const noexcept {
    return path_;
  }

  uint64_t next_seq() const noexcept {
    return next_seq_;
  }

private:
  control_log(std::string path, int fd, uint64_t next_seq);

  std::string path_;
  int fd_ = -1;
  uint64_t next_seq_ = 1;
};

} // namespace intuition::trading

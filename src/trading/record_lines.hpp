#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "trading/result.hpp"

/// The reading rule of the append-only files of JSON lines (the order
/// journal, the control journal): records in order, each ended by a newline;
/// bad lines after the last good record are a torn tail (writes that never
/// completed, never acknowledged), a bad line before a good one is
/// corruption.
namespace intuition::trading {

/// Where the good records of a file end.
struct record_lines_end {
  /// Bytes up to and including the last good record's newline.
  uint64_t valid_bytes = 0;
  /// Lines after it: the torn tail.
  uint64_t torn_lines = 0;
};

/// Reads `data` line by line. `decode(line)` returns a `result` of the
/// record; a line it refuses, or one without its newline (`unterminated`
/// says why then), is bad. Each good record goes to `take(record,
/// line_number)` in order, which may fail (a sequence gap). Fails with
/// `fail(line_number, reason)` for the first bad line when a good record
/// follows it.
template <class Decode, class Take, class Fail>
result<record_lines_end> read_record_lines(std::string_view data, Decode decode,
                                           std::string_view unterminated,
                                           Take take, Fail fail) {
  record_lines_end out;
  uint64_t bad_line = 0;
  std::string bad_reason;
  uint64_t line_number = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    ++line_number;
    auto eol = data.find('\n', pos);
    auto terminated = eol != std::string_view::npos;
    auto end = terminated ? eol : data.size();
    auto line = data.substr(pos, end - pos);
    pos = terminated ? eol + 1 : data.size();
    auto decoded = decode(line);
    if (!decoded || !terminated) {
      // A record without its newline was cut mid-write even if it checks out.
      if (bad_line == 0) {
        bad_line = line_number;
        bad_reason
          = decoded ? std::string{unterminated} : decoded.error().message;
      }
      continue;
    }
    if (bad_line != 0)
      return fail(bad_line, bad_reason);
    if (auto ok = take(std::move(*decoded), line_number); !ok)
      return std::move(ok).error();
    out.valid_bytes = pos;
  }
  if (bad_line != 0)
    out.torn_lines = line_number - bad_line + 1;
  return out;
}

} // namespace intuition::trading

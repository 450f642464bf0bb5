#pragma once

#include <optional>
#include <string>

#include "trading/result.hpp"
#include "trading/trading_mode.hpp"

/// `JOURNAL.risk`: the risk limits' watermarks (`risk_marks`) beside the
/// order journal, so that a restarted process measures drawdown from the
/// peak the last one reached and the day's loss from that day's opening.
/// One JSON object, rewritten whole: a new file renamed over the old one,
/// so that a crash leaves the old marks or the new ones, never a mix.
namespace intuition::trading {

/// `journal_path + ".risk"`.
std::string risk_file_path(const std::string& journal_path);

/// The watermarks saved at `path`; none when there is no file. A file that
/// is not what `write_risk_file` writes fails, naming it.
result<std::optional<risk_marks>> read_risk_file(const std::string& path);

/// Saves `marks`, or removes the file for none (watermarks started over).
/// Not synced: a process crash loses nothing written, a machine crash may
/// leave the marks before.
status write_risk_file(const std::string& path,
                       const std::optional<risk_marks>& marks);

} // namespace intuition::trading

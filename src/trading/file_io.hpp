#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "trading/result.hpp"

/// Small POSIX file helpers shared by the journal and the input log.
namespace intuition::trading {

/// Reads the whole file at `path` into `data` (replacing its contents).
/// A file that does not exist is not an error: `missing` is set, `data` is
/// left empty and the result is true. On any other failure returns false
/// with the errno in `err`.
bool read_file(const std::string& path, std::string& data, bool& missing,
               int& err);

/// Which step of `replace_file` failed.
enum class replace_step : uint8_t { none, create, write, sync, close, rename };

/// Writes `data` to `path + ".tmp"`, syncs it when `sync`, and renames it
/// over `path`: a reader finds the old contents or the new, never a mix.
/// On failure returns false with the errno in `err` and the step that
/// failed in `step`, and removes the temporary file.
bool replace_file(const std::string& path, std::string_view data, bool sync,
                  int& err, replace_step& step);

/// `replace_file` for a file described as `what`: a failure names the file
/// that failed (the temporary one, or `path` when the rename did) and the
/// system's reason.
status replace_file(std::string_view what, const std::string& path,
                    std::string_view data, bool sync);

} // namespace intuition::trading

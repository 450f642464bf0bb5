#pragma once

#include <string>

/// Small POSIX file helpers shared by the journal and the input log.
namespace intuition::trading {

/// Reads the whole file at `path` into `data` (replacing its contents).
/// A file that does not exist is not an error: `missing` is set, `data` is
/// left empty and the result is true. On any other failure returns false
/// with the errno in `err`.
bool read_file(const std::string& path, std::string& data, bool& missing,
               int& err);

} // namespace intuition::trading

#pragma once

#include <cstdint>
#include <string>

#include "trading/result.hpp"

/// The publication mark: which journaled orders the broker confirmed.
///
/// It lives beside the journal (`JOURNAL.published`) and holds one number:
/// the highest `seq` such that every order up to it was acknowledged by the
/// MQTT broker. After a restart the orders above it are published again, in
/// order; a subscriber that dedupes by order id sees each exactly once.
namespace intuition::actors {

/// `journal_path + ".published"`.
std::string publication_mark_path(const std::string& journal_path);

/// Reads a mark; a missing file means 0. Fails (a failed operation naming
/// the file) for a file that does not hold a single decimal number.
trading::result<uint64_t> read_publication_mark(const std::string& path);

/// Replaces the mark atomically (temporary file, fdatasync, rename). Fails
/// with a failed operation naming the file.
trading::status write_publication_mark(const std::string& path, uint64_t seq);

} // namespace intuition::actors

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "trading/journal.hpp"

/// The journal's end record (`PATH.end`): how far the journal was
/// acknowledged and which order ids are spent, kept beside the journal so
/// that a journal which lost acknowledged records is recognised at start and
/// their ids are never handed out again, whatever happened to the file.
///
///   {"seq":439,"id":439,"reserved":65975,
///    "boot":"0b7c6d2e-4f1a-4c8e-9a53-2d6e1f0c7b94","crc":"135893d7"}
///
/// The record has a fixed size (`journal_end_bytes`, padded with spaces) and
/// is overwritten in place with one write(2), so that a reader finds either
/// the old record or the new one: a write within one disk sector is atomic,
/// as PostgreSQL relies on for its control file, and the CRC (as in journal
/// records) tells a damaged record from a good one.
///
/// The writer overwrites it after every group commit without syncing it (the
/// page cache keeps it across a crash of the process), and syncs it only when
/// it reserves a new block of ids, before handing out any of them, and when it
/// closes cleanly. A crash of the process therefore leaves it exact; after a
/// crash of the machine its `seq` and `id` may be older than the last
/// acknowledgement, but `reserved` still lies above every id handed out.
namespace intuition::trading {

/// What the end record holds.
struct journal_end {
  /// Every record up to this seq was acknowledged (durable under `always`
  /// and `interval`, written under `never`); 0 when none.
  uint64_t seq = 0;
  /// The order id of record `seq` (0 when `seq` is 0).
  uint64_t id = 0;
  /// No order id at or above this was handed out.
  uint64_t reserved = 1;
  /// The boot id of the machine when the record was written
  /// (`current_boot_id`); empty when unknown.
  std::string boot;
};

bool operator==(const journal_end& x, const journal_end& y) noexcept;

/// Size of the record on disk, newline included; well within one sector.
constexpr size_t journal_end_bytes = 256;

/// Ids the writer reserves at a time: one sync of the end record per block.
constexpr uint64_t journal_id_block = 65'536;

/// `journal_path + ".end"`.
std::string journal_end_path(const std::string& journal_path);

/// Renders the record: exactly `journal_end_bytes` bytes, ending in a newline.
std::string encode_journal_end(const journal_end& x);

/// Parses and verifies a record; nothing when it is damaged.
std::optional<journal_end> decode_journal_end(std::string_view bytes);

/// Reads the end record of the journal at `journal_path`. A missing file is
/// no record (a journal written before end records existed, or a fresh one).
/// A damaged or unreadable record is a `journal_failure` naming the file.
result<std::optional<journal_end>>
read_journal_end(const std::string& journal_path);

/// This machine's boot id (`/proc/sys/kernel/random/boot_id`), empty when
/// it cannot be read.
std::string current_boot_id();

/// The lowest order id a writer may hand out after `end`. In the boot that
/// wrote the record, the record is exact (a crashed process leaves its page
/// cache behind) and the next id follows its `id`; after a reboot the last
/// acknowledgements may be lost with the page cache, and ids continue at
/// `reserved` instead, which was synced before any id above it was used.
uint64_t journal_id_floor(const journal_end& end,
                          std::string_view boot) noexcept;

/// Why the journal read as `contents` cannot simply be resumed: it ends
/// before the seq its end record says was acknowledged, or before the
/// publication mark (`published_seq`, the orders the broker confirmed, read
/// from the file `mark_path`), or
/// its record at the acknowledged seq has another id than the end record
/// says (another journal in its place). Fails with a `journal_failure`
/// saying which; succeeds when it can be resumed.
status check_journal_end(const std::string& journal_path,
                         const journal_contents& contents,
                         const std::optional<journal_end>& end,
                         uint64_t published_seq, std::string_view mark_path);

} // namespace intuition::trading

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trading/result.hpp"
#include "trading/types.hpp"

/// The order journal: one JSON object per line, each with a sequence number
/// and a CRC-32 of the line's bytes before the checksum field:
///
///   {"seq":1,"id":1,"ts":678334707692,"strategy":"sma","symbol":"DAX",
///    "side":"buy","qty":10,"price":1628.75,"commission":1,"crc":"1a2b3c4d"}
///
/// Prices and commissions are exact decimals (`format_micros`). Orders of a
/// live run add `"in":N` before the checksum, the input-log position of the
/// quote that caused them; journals without it load as before.
namespace intuition::trading {

// -- record format ------------------------------------------------------------------

/// CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of `bytes`.
uint32_t crc32(std::string_view bytes) noexcept;

/// Renders an order as one journal line, without the trailing newline.
std::string encode_journal_record(const order& x);

/// Renders an order as the JSON object published on MQTT (same fields as the
/// journal record, without the checksum).
std::string encode_order_json(const order& x);

/// Parses and verifies one line (without newline). Fails (a failed
/// operation) saying why the line is not accepted: "bad checksum" for a
/// missing or mismatching `crc`, else that it is not a journal record (not a
/// JSON object, or a field missing or of the wrong type).
result<order> decode_journal_record(std::string_view line);

// -- reading ------------------------------------------------------------------------

/// What `read_journal` found.
struct journal_contents {
  std::vector<order> orders;
  /// Next sequence number and order id to hand out.
  uint64_t next_seq = 1;
  uint64_t next_id = 1;
  /// Bytes of valid records; the file is cut to this length if torn.
  uint64_t valid_bytes = 0;
  /// A torn last line was found (crash mid-write) and truncated.
  bool torn_tail = false;
  /// Length of the torn tail that was removed.
  uint64_t torn_bytes = 0;
};

/// The failure for a journal that cannot be used: "journal PATH line N:
/// MESSAGE" (`line` is 1-based, 0 when not about a line; a failed operation).
failure journal_failure(std::string_view path, uint64_t line,
                        std::string_view message);

/// Reads and verifies a journal. A missing file is an empty journal. The last
/// line is "torn" when it lacks its newline or fails verification and nothing
/// valid follows it; with `repair` it is cut off the file. Any invalid line
/// followed by more data, a sequence gap, or a repeated id is corruption: a
/// `journal_failure` naming the line.
result<journal_contents> read_journal(const std::string& path,
                                      bool repair = true);

/// Cuts the torn tail `read_journal` found without repair off the file (back
/// to `contents.valid_bytes`), durably; nothing to do without one. Lets a
/// caller check the journal before changing it. Fails with a
/// `journal_failure`.
status cut_torn_tail(const std::string& path, journal_contents& contents);

// -- single writer ------------------------------------------------------------------

/// The lock file beside a journal: `PATH.lock`.
std::string journal_lock_path(const std::string& journal_path);

/// An exclusive claim on a journal for as long as the object lives: a
/// non-blocking flock(2) on `PATH.lock`, which also holds the holder's pid
/// for the message a second process gets. Two writers would interleave
/// records and hand out the same ids. The lock belongs to the open file, so
/// a crashed holder leaves the file behind but not the lock, and a second
/// open in the same process conflicts as a second process would.
class journal_lock {
public:
  journal_lock() = default;
  journal_lock(const journal_lock&) = delete;
  journal_lock& operator=(const journal_lock&) = delete;
  journal_lock(journal_lock&& other) noexcept;
  journal_lock& operator=(journal_lock&& other) noexcept;
  ~journal_lock();

  /// Takes the lock without waiting. Fails (a `journal_failure`) naming the
  /// journal, the lock file and the holder's pid when it is held, or the
  /// lock file and the system's reason when it cannot be created.
  static result<journal_lock> acquire(const std::string& journal_path);

  /// Whether this object holds a lock.
  bool held() const noexcept {
    return fd_ >= 0;
  }

  /// Gives the lock up (the file stays, with no pid in it).
  void release() noexcept;

private:
  int fd_ = -1;
};

/// Reads the orders of a growing journal by sequence number, from where the
/// last read ended (the order publisher's overflow: orders beyond its bound
/// wait in the journal and are read back here).
class journal_cursor {
public:
  /// Appends to `out` the orders with seq in [`from_seq`, `to_seq`], at most
  /// `max_count`. Fails (a failed operation naming the journal) when the
  /// file cannot be read or a record in the range is missing or damaged.
  status read(const std::string& path, uint64_t from_seq, uint64_t to_seq,
              size_t max_count, std::vector<order>& out);

private:
  /// Byte offset of the record with seq `next_seq_`.
  uint64_t offset_ = 0;
  uint64_t next_seq_ = 1;
  std::string path_;
};

// -- writing ------------------------------------------------------------------------

/// When appended records are forced to stable storage.
enum class fsync_policy : uint8_t {
  always,   ///< before any appended order is acknowledged (group commit)
  interval, ///< at most every `interval` ms; acknowledged at the sync
  never,    ///< left to the OS (backtests); acknowledged on write
};

std::string_view to_string(fsync_policy x) noexcept;
bool from_string(std::string_view str, fsync_policy& x) noexcept;

/// Append-only writer. Not thread-safe; owned by one actor.
class journal_writer {
public:
  journal_writer() = default;
  journal_writer(const journal_writer&) = delete;
  journal_writer& operator=(const journal_writer&) = delete;
  journal_writer(journal_writer&& other) noexcept;
  journal_writer& operator=(journal_writer&& other) noexcept;
  ~journal_writer();

  /// Opens (creating) `path` for appending and continues numbering from
  /// `contents`, never below the ids its end record (`PATH.end`, see
  /// journal_end.hpp) says were handed out. Rewrites the end record (synced)
  /// to say that `contents` is what was acknowledged: a caller that must not
  /// accept a journal shorter than that checks it with `check_journal_end`
  /// first. Fails with a failed operation naming the path.
  status open(const std::string& path, const journal_contents& contents);

  bool is_open() const noexcept {
    return fd_ >= 0;
  }

  /// Assigns seq and id to every order, then writes all records with one
  /// write(2). Ids beyond the last reservation are first reserved in the end
  /// record, in blocks of `journal_id_block`, synced before any is used.
  /// Fails on I/O failure (a failed operation); the file then holds exactly
  /// the records appended before (a partial batch is cut off), unless the
  /// message says otherwise.
  status append(std::vector<order>& orders);

  /// fdatasync(2)s everything written so far. On failure (a failed
  /// operation) the writer is closed (a retried fsync can report success
  /// for data the kernel already dropped).
  status sync();

  /// Records in the end record that every order appended so far is
  /// acknowledged. Call it once they are durable (after `sync`, or at once
  /// under `never`), before anyone learns of them. One write, not synced: a
  /// crash of the process keeps it, see journal_end.hpp. Fails with a failed
  /// operation.
  status acknowledge();

  /// Records written but not yet synced.
  uint64_t unsynced() const noexcept {
    return unsynced_;
  }

  uint64_t next_seq() const noexcept {
    return next_seq_;
  }

  uint64_t next_id() const noexcept {
    return next_id_;
  }

  /// Latency of the last sync in nanoseconds.
  int64_t last_sync_ns() const noexcept {
    return last_sync_ns_;
  }

  /// Order ids below this are reserved (handed out or about to be).
  uint64_t reserved() const noexcept {
    return reserved_;
  }

  /// Closes cleanly: syncs the journal and records its exact end, so that
  /// the next start continues the numbering without a gap. Without a clean
  /// close (a crash, a failed sync) the next start in another boot continues
  /// above the reservation instead.
  void close() noexcept;

private:
  /// Overwrites the end record; syncs it when `durable`.
  status write_end(bool durable);

  /// Closes the files without recording a clean end.
  void release() noexcept;

  int fd_ = -1;
  /// The end record, overwritten in place.
  int end_fd_ = -1;
  std::string path_;
  uint64_t next_seq_ = 1;
  uint64_t next_id_ = 1;
  /// Id of the last record in the file (0 when none).
  uint64_t last_id_ = 0;
  /// The acknowledged record and its id, as the end record says.
  uint64_t acked_seq_ = 0;
  uint64_t acked_id_ = 0;
  uint64_t reserved_ = 1;
  std::string boot_;
  uint64_t unsynced_ = 0;
  int64_t last_sync_ns_ = 0;
  /// File length after the last complete append; a failed write cuts back to
  /// it.
  uint64_t size_bytes_ = 0;
  std::string buf_;
};

} // namespace intuition::trading

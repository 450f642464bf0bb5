#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "trading/journal.hpp"
#include "trading/result.hpp"

/// The input log: every MQTT message, appended in the client's message
/// callback before anything else happens with it, so that a message the
/// broker saw acknowledged survives the process.
///
/// The log is a folder of segment files named after the position of their
/// first record (`00000000000000000001.seg`). A record is
///
///   [u32 body length][u32 CRC-32 of the body][body]
///   body = [u64 position][i64 received_ms][i64 received_ns]
///          [u32 topic length][topic][payload]
///
/// (integers little-endian). Positions start at 1 and increase by one per
/// record, across segments and restarts. Beside the segments the folder holds
/// `processed` (the watermark: every record up to it was turned into durable
/// orders) and `filter` (the duplicate filter's state at a position no later
/// than the watermark, written before segments are removed).
namespace intuition::trading {

// -- records ------------------------------------------------------------------------

/// One message as the log holds it.
struct input_record {
  uint64_t position = 0;
  /// Wall-clock time of the append (epoch ms): ts-less payloads get it as
  /// their timestamp, on the first run and on every replay alike.
  int64_t received_ms = 0;
  /// Steady-clock time of the arrival (ns), for tick-to-order latency; only
  /// meaningful within the process that appended the record.
  int64_t received_ns = 0;
  std::string topic;
  std::string payload;
};

/// Renders one record (header and body) onto `out`.
void append_input_record(std::string& out, const input_record& x);

/// A message to append: topic and payload, borrowed.
struct message_view {
  std::string_view topic;
  std::string_view payload;
};

/// Parses one record at the start of `data`; returns its full size or 0 when
/// the bytes are incomplete or fail the checksum.
size_t decode_input_record(std::string_view data, input_record& x);

// -- writer -------------------------------------------------------------------------

/// Where the log lives and how it reaches the disk.
struct input_log_options {
  /// The log's folder (created when missing).
  std::string dir;
  /// A new segment starts once the current one reaches this size.
  uint64_t segment_bytes = 64ull << 20;
  /// `always`: fdatasync in every append (before the callback returns);
  /// `interval`: fdatasync by `sync_if_due` once `interval_ms` passed since
  /// the last one (the runtime calls it from a thread of its own); `never`:
  /// left to the OS.
  fsync_policy fsync = fsync_policy::interval;
  int64_t interval_ms = 10;
};

/// What `open` found.
struct input_log_recovery {
  /// Bytes of a torn last record, cut off (the append never completed).
  uint64_t torn_bytes = 0;
  /// Records in the retained segments.
  uint64_t records = 0;
};

/// The appending side, shared by the network thread (`append`) and the
/// ingress (`sync_if_due`, `remove_through`, observers). Thread-safe.
class input_log {
public:
  input_log() = default;
  input_log(const input_log&) = delete;
  input_log& operator=(const input_log&) = delete;
  ~input_log();

  /// Opens (creating) the folder, verifies every segment and cuts a torn
  /// tail off the last one. A bad record followed by valid data, or a gap in
  /// positions, is corruption: the failure names the file and offset. Every
  /// failure of the input log is a failed operation.
  result<input_log_recovery> open(input_log_options opts);

  /// Appends one record with the next position; returns it, or the failure.
  result<uint64_t> append(std::string_view topic, std::string_view payload,
                          int64_t received_ms, int64_t received_ns = 0);

  /// Appends one record per message, in order, with consecutive positions
  /// and one write (and under `always` one fdatasync); returns the last
  /// position, or the failure, after which none of them is in the log.
  result<uint64_t> append(const std::vector<message_view>& messages,
                          int64_t received_ms, int64_t received_ns = 0);

  /// fdatasyncs the current segment when the policy is `interval` and the
  /// interval passed (or `force`), without holding up appends meanwhile.
  status sync_if_due(bool force = false);

  /// Waits until an append leaves data that no fdatasync took yet,
  /// `release_waiters` is called, or `limit` passes; returns whether such
  /// data waits. Lets the `interval` syncer sleep while nothing arrives
  /// instead of waking every interval.
  bool wait_dirty(std::chrono::milliseconds limit);

  /// Makes every `wait_dirty`, now and later, return at once (the syncer
  /// stops).
  void release_waiters();

  /// Deletes every segment whose records all have positions <= `position`,
  /// never the one being appended to. Returns how many were removed.
  size_t remove_through(uint64_t position);

  /// Position of the last appended record (0: none ever).
  uint64_t last_position() const noexcept {
    return last_.load(std::memory_order_acquire);
  }

  /// Position of the first record still on disk.
  uint64_t first_position() const;

  /// Position of the last record of the oldest segment when a newer one
  /// exists (so that the oldest could be removed); 0 otherwise.
  uint64_t oldest_segment_end() const;

  /// Bytes of all retained segments.
  uint64_t disk_bytes() const;

  /// Segments on disk.
  size_t segments() const;

  /// Appends that failed (I/O errors).
  uint64_t append_errors() const noexcept {
    return append_errors_.load();
  }

  /// Longest append (write plus any fsync) so far, in ns.
  int64_t max_append_ns() const noexcept {
    return max_append_ns_.load();
  }

  /// Mean time of an append so far, in ns (0 before the first).
  int64_t mean_append_ns() const noexcept {
    auto n = appends_.load();
    return n == 0 ? 0 : static_cast<int64_t>(total_append_ns_.load() / n);
  }

  const input_log_options& options() const noexcept {
    return opts_;
  }

private:
  status start_segment(uint64_t first);

  input_log_options opts_;
  mutable std::mutex mtx_;
  /// Told when `dirty_` turns true, and by `release_waiters`.
  std::condition_variable dirty_cv_;
  bool released_ = false;
  int fd_ = -1;
  /// First position of each segment -> its size in bytes.
  std::map<uint64_t, uint64_t> segments_;
  uint64_t next_ = 1;
  std::atomic<uint64_t> last_{0};
  std::atomic<uint64_t> append_errors_{0};
  std::atomic<int64_t> max_append_ns_{0};
  std::atomic<uint64_t> appends_{0};
  std::atomic<uint64_t> total_append_ns_{0};
  int64_t last_sync_ns_ = 0;
  bool dirty_ = false;
  std::string buf_;
};

// -- reader -------------------------------------------------------------------------

/// Reads records back in position order, behind a concurrent writer. Owned by
/// one thread.
class input_log_reader {
public:
  input_log_reader() = default;
  input_log_reader(const input_log_reader&) = delete;
  input_log_reader& operator=(const input_log_reader&) = delete;
  input_log_reader(input_log_reader&& other) noexcept;
  input_log_reader& operator=(input_log_reader&& other) noexcept;
  ~input_log_reader();

  /// Positions the reader at `position` in the log at `dir`.
  void seek(std::string dir, uint64_t position);

  /// Appends records from the current position up to `last` (inclusive) to
  /// `out`, at most `max_records` and roughly `max_bytes`. Fails when a
  /// record the writer reported is missing or damaged.
  status read(uint64_t last, size_t max_records, size_t max_bytes,
              std::vector<input_record>& out);

  /// Position of the next record to read.
  uint64_t position() const noexcept {
    return next_;
  }

private:
  status open_segment_for(uint64_t position);

  std::string dir_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  uint64_t next_ = 1;
  std::string buf_;
};

// -- watermark and filter state -----------------------------------------------------

/// Reads `processed` in `dir` (0 when missing).
result<uint64_t> read_input_watermark(const std::string& dir);

/// Overwrites `processed` in place (one small pwrite: a process crash never
/// sees it half-written; after a machine crash it may be older, which only
/// replays more).
status write_input_watermark(const std::string& dir, uint64_t position);

/// The duplicate filter's state as saved: last ts per symbol at `position`.
struct filter_snapshot {
  uint64_t position = 0;
  std::unordered_map<std::string, int64_t> last_ts;
};

/// Reads `filter` in `dir` (empty at position 0 when missing).
result<filter_snapshot> read_filter_snapshot(const std::string& dir);

/// Writes `filter` atomically (temporary file, fdatasync, rename).
status write_filter_snapshot(const std::string& dir, const filter_snapshot& x);

} // namespace intuition::trading

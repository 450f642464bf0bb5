#include "trading/journal.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "trading/decimal.hpp"
#include "trading/file_io.hpp"
#include "trading/record_lines.hpp"
#include "trading/flat_json.hpp"
#include "trading/journal_end.hpp"

namespace intuition::trading {

namespace {

/// Marks the start of the checksum field; the CRC covers everything before it.
constexpr std::string_view crc_marker = ",\"crc\":\"";

/// The checksum field after the marker: eight hex digits, quote, brace.
constexpr size_t crc_tail_size = 8 + 2;

// -- encoding -----------------------------------------------------------------------

/// Appends the fields of a resting order's records: nothing for a market
/// fill, so that such records stay exactly as before resting orders existed.
void append_order_life(std::string& out, const order& x) {
  if (x.kind != record_kind::fill) {
    out += ",\"kind\":\"";
    out += to_string(x.kind);
    out += '"';
  }
  if (x.kind == record_kind::placed) {
    out += ",\"type\":\"";
    out += to_string(x.type);
    out += "\",\"tif\":\"";
    out += to_string(x.tif);
    out += "\",\"limit\":";
    out += format_micros(x.limit_micros);
    out += ",\"stop\":";
    out += format_micros(x.stop_micros);
  }
  if (x.ref != 0) {
    out += ",\"ref\":";
    flat_json::append_uint(out, x.ref);
  }
  if (x.kind == record_kind::cancelled) {
    out += ",\"reason\":";
    flat_json::append_string(out, x.reason);
  }
}

/// Appends the record's fields, from `{` up to the commission (and a resting
/// order's fields), unterminated.
void append_fields(std::string& out, const order& x) {
  out += "{\"seq\":";
  flat_json::append_uint(out, x.seq);
  out += ",\"id\":";
  flat_json::append_uint(out, x.id);
  out += ",\"ts\":";
  flat_json::append_int(out, x.ts_ms);
  out += ",\"strategy\":";
  flat_json::append_string(out, x.strategy);
  out += ",\"symbol\":";
  flat_json::append_string(out, x.symbol);
  out += ",\"side\":\"";
  out += to_string(x.direction);
  out += "\",\"qty\":";
  flat_json::append_int(out, x.qty);
  out += ",\"price\":";
  out += format_micros(x.price_micros);
  out += ",\"commission\":";
  out += format_micros(x.commission_micros);
  append_order_life(out, x);
  // Only live orders have an input position; replay journals stay as the
  // plain loop writes them.
  if (x.input_pos != 0) {
    out += ",\"in\":";
    flat_json::append_uint(out, x.input_pos);
  }
}

/// Appends one complete journal line (without newline).
void append_record(std::string& out, const order& x) {
  auto start = out.size();
  append_fields(out, x);
  auto crc = crc32(std::string_view{out}.substr(start));
  static constexpr char hex[] = "0123456789abcdef";
  out += crc_marker;
  for (int shift = 28; shift >= 0; shift -= 4)
    out += hex[(crc >> shift) & 0x0F];
  out += "\"}";
}

// -- decoding -----------------------------------------------------------------------

bool parse_hex32(std::string_view text, uint32_t& x) noexcept {
  if (text.size() != 8)
    return false;
  x = 0;
  for (auto c : text) {
    uint32_t digit = 0;
    if (c >= '0' && c <= '9')
      digit = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      digit = static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      digit = static_cast<uint32_t>(c - 'A' + 10);
    else
      return false;
    x = (x << 4) | digit;
  }
  return true;
}

bool get_signed(const flat_json::document& doc, std::string_view key,
                int64_t& x) noexcept {
  auto v = doc.find(key);
  if (v == nullptr)
    return false;
  if (v->type == flat_json::kind::integer) {
    x = v->integer;
    return true;
  }
  if (v->type == flat_json::kind::unsigned_integer
      && v->unsigned_integer <= static_cast<uint64_t>(INT64_MAX)) {
    x = static_cast<int64_t>(v->unsigned_integer);
    return true;
  }
  return false;
}

bool get_string(const flat_json::document& doc, std::string_view key,
                std::string& x) {
  auto v = doc.find(key);
  if (v == nullptr || v->type != flat_json::kind::string)
    return false;
  x = v->text;
  return true;
}

/// Reads a money field exactly from the number's text.
bool get_micros(const flat_json::document& doc, std::string_view key,
                int64_t& x) noexcept {
  auto v = doc.find(key);
  if (v == nullptr)
    return false;
  switch (v->type) {
    case flat_json::kind::integer:
    case flat_json::kind::unsigned_integer: {
      int64_t units = 0;
      if (!get_signed(doc, key, units) || units > INT64_MAX / micros_per_unit
          || units < -(INT64_MAX / micros_per_unit))
        return false;
      x = units * micros_per_unit;
      return true;
    }
    case flat_json::kind::floating: {
      // format_micros never writes exponents; a hand-edited 1e3 still reads.
      auto parsed = parse_decimal_micros(v->text);
      if (!parsed)
        parsed = double_to_micros(v->floating);
      if (!parsed)
        return false;
      x = *parsed;
      return true;
    }
    default:
      return false;
  }
}

/// Reads the fields of a resting order's records. A record without `kind`
/// is a fill (every record of a journal written before resting orders
/// existed); a fill with `ref` is the fill of resting order `ref`.
bool decode_order_life(const flat_json::document& doc, order& x) {
  std::string text;
  if (doc.find("kind") != nullptr
      && (!get_string(doc, "kind", text) || !from_string(text, x.kind)
          || x.kind == record_kind::fill))
    return false;
  if (doc.find("ref") != nullptr
      && (!flat_json::get_unsigned(doc, "ref", x.ref) || x.ref == 0))
    return false;
  if (x.kind != record_kind::fill && x.ref == 0)
    return false;
  if (x.kind == record_kind::placed) {
    std::string tif;
    if (!get_string(doc, "type", text) || !from_string(text, x.type)
        || x.type == order_type::market || !get_string(doc, "tif", tif)
        || !from_string(tif, x.tif) || !get_micros(doc, "limit", x.limit_micros)
        || !get_micros(doc, "stop", x.stop_micros))
      return false;
  }
  if (x.kind == record_kind::cancelled && !get_string(doc, "reason", x.reason))
    return false;
  return true;
}

// -- files --------------------------------------------------------------------------

std::string errno_message(std::string_view what, int err) {
  std::string out{what};
  out += ": ";
  out += std::strerror(err);
  return out;
}

/// Forces a directory entry to disk, so a newly created file survives a crash.
bool sync_parent_directory(const std::string& path, int& err) noexcept {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? std::string{"."}
                    : slash == 0               ? std::string{"/"}
                                               : path.substr(0, slash);
  auto fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  auto ok = ::fsync(fd) == 0;
  err = errno;
  ::close(fd);
  return ok;
}

/// Cuts the file to `size` bytes and makes the cut durable.
bool truncate_file(const std::string& path, uint64_t size, int& err) noexcept {
  auto fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  auto ok = ::ftruncate(fd, static_cast<off_t>(size)) == 0 && ::fsync(fd) == 0;
  err = errno;
  ::close(fd);
  return ok;
}

/// Why a journal line was not accepted.
enum class record_error : uint8_t {
  bad_checksum, ///< missing or mismatching `crc`
  bad_json,     ///< not a JSON object, or a field missing or of the wrong type
};

std::string_view describe(record_error err) noexcept {
  return err == record_error::bad_checksum
           ? "bad checksum"
           : "not a journal record (not a JSON object, or a field missing or "
             "of the wrong type)";
}

} // namespace

// -- record format ------------------------------------------------------------------

uint32_t crc32(std::string_view bytes) noexcept {
  // zlib's, several bytes a step: a table lookup per byte was 2 % of a live
  // run's CPU (every quote is checksummed into the input log and out).
  return static_cast<uint32_t>(
    ::crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

std::string encode_journal_record(const order& x) {
  std::string out;
  out.reserve(160);
  append_record(out, x);
  return out;
}

std::string encode_order_json(const order& x) {
  std::string out;
  out.reserve(160);
  append_fields(out, x);
  out += '}';
  return out;
}

result<order> decode_journal_record(std::string_view line) {
  auto fail = [](record_error e) -> result<order> {
    return operation_failed(std::string{describe(e)});
  };
  // The checksum comes first: a record is only parsed if its bytes are the
  // ones that were written.
  auto pos = line.rfind(crc_marker);
  if (pos == std::string_view::npos
      || line.size() != pos + crc_marker.size() + crc_tail_size
      || line.substr(line.size() - 2) != "\"}")
    return fail(record_error::bad_checksum);
  uint32_t stored = 0;
  if (!parse_hex32(line.substr(pos + crc_marker.size(), 8), stored)
      || stored != crc32(line.substr(0, pos)))
    return fail(record_error::bad_checksum);
  flat_json::document doc;
  if (flat_json::parse(line, doc) != flat_json::status::ok)
    return fail(record_error::bad_json);
  order x;
  std::string side_name;
  if (!flat_json::get_unsigned(doc, "seq", x.seq)
      || !flat_json::get_unsigned(doc, "id", x.id)
      || !get_signed(doc, "ts", x.ts_ms)
      || !get_string(doc, "strategy", x.strategy)
      || !get_string(doc, "symbol", x.symbol)
      || !get_string(doc, "side", side_name)
      || !from_string(side_name, x.direction) || !get_signed(doc, "qty", x.qty)
      || !get_micros(doc, "price", x.price_micros)
      || !get_micros(doc, "commission", x.commission_micros))
    return fail(record_error::bad_json);
  if (doc.find("in") != nullptr
      && !flat_json::get_unsigned(doc, "in", x.input_pos))
    return fail(record_error::bad_json);
  if (!decode_order_life(doc, x))
    return fail(record_error::bad_json);
  return x;
}

// -- reading ------------------------------------------------------------------------

failure journal_failure(std::string_view path, uint64_t line,
                        std::string_view message) {
  return file_content_failure("journal", path, line, message);
}

result<journal_contents> read_journal(const std::string& path, bool repair) {
  journal_contents result;
  std::string data;
  auto missing = false;
  auto err = 0;
  if (!read_file(path, data, missing, err))
    return journal_failure(path, 0, errno_message("cannot read", err));
  if (missing)
    return result;
  uint64_t last_id = 0;
  auto end = read_record_lines(
    data, [](std::string_view line) { return decode_journal_record(line); },
    describe(record_error::bad_json),
    [&](order&& x, uint64_t line) -> status {
      if (x.seq != result.next_seq)
        return journal_failure(path, line,
                               "expected seq " + std::to_string(result.next_seq)
                                 + ", found " + std::to_string(x.seq));
      if (x.id <= last_id)
        return journal_failure(path, line,
                               "id " + std::to_string(x.id)
                                 + " does not increase (previous id "
                                 + std::to_string(last_id) + ")");
      last_id = x.id;
      result.next_seq = x.seq + 1;
      result.next_id = x.id + 1;
      result.orders.push_back(std::move(x));
      return {};
    },
    [&](uint64_t line, const std::string& why) {
      return journal_failure(path, line, why);
    });
  if (!end)
    return std::move(end).error();
  result.valid_bytes = end->valid_bytes;
  if (result.valid_bytes < data.size()) {
    result.torn_tail = true;
    result.torn_bytes = data.size() - result.valid_bytes;
    if (repair && !truncate_file(path, result.valid_bytes, err))
      return journal_failure(path, 0,
                             errno_message("cannot cut off torn tail", err));
  }
  return result;
}

status cut_torn_tail(const std::string& path, journal_contents& contents) {
  if (!contents.torn_tail)
    return {};
  auto err = 0;
  if (!truncate_file(path, contents.valid_bytes, err))
    return journal_failure(path, 0,
                           errno_message("cannot cut off torn tail", err));
  return {};
}

// -- single writer ------------------------------------------------------------------

std::string journal_lock_path(const std::string& journal_path) {
  return journal_path + ".lock";
}

journal_lock::journal_lock(journal_lock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

journal_lock& journal_lock::operator=(journal_lock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

journal_lock::~journal_lock() {
  release();
}

result<journal_lock> journal_lock::acquire(const std::string& journal_path) {
  auto lock_path = journal_lock_path(journal_path);
  auto fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return journal_failure(
      journal_path, 0,
      errno_message("cannot create lock file " + lock_path, errno));
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    auto err = errno;
    if (err == EINTR)
      continue;
    std::string holder;
    if (err == EWOULDBLOCK) {
      // The holder writes its pid right after locking; a racing reader may
      // find the file still empty.
      char buf[32];
      auto n = ::pread(fd, buf, sizeof(buf) - 1, 0);
      if (n > 0) {
        std::string text(buf, static_cast<size_t>(n));
        while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
          text.pop_back();
        if (!text.empty()
            && text.find_first_not_of("0123456789") == std::string::npos)
          holder = "process " + text;
      }
      if (holder.empty())
        holder = "another process";
    }
    ::close(fd);
    if (err != EWOULDBLOCK)
      return journal_failure(journal_path, 0,
                             errno_message("cannot lock " + lock_path, err));
    return journal_failure(journal_path, 0,
                           "in use by " + holder + " (lock " + lock_path
                             + "); a journal has one writer: stop that "
                               "process or use another journal");
  }
  journal_lock out;
  out.fd_ = fd;
  // The pid is only for the message above: the lock itself is the flock.
  auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0
      || ::pwrite(fd, pid.data(), pid.size(), 0)
           != static_cast<ssize_t>(pid.size())) {
    // Not fatal: the lock is held; a second process just cannot name us.
  }
  return out;
}

void journal_lock::release() noexcept {
  if (fd_ < 0)
    return;
  // Empty the pid first, so a stale file never names a live process.
  if (::ftruncate(fd_, 0) != 0) {
    // Nothing to do: the lock goes with the descriptor regardless.
  }
  ::close(fd_);
  fd_ = -1;
}

status journal_cursor::read(const std::string& path, uint64_t from_seq,
                            uint64_t to_seq, size_t max_count,
                            std::vector<order>& out) {
  if (path != path_ || from_seq < next_seq_) {
    path_ = path;
    offset_ = 0;
    next_seq_ = 1;
  }
  auto fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return operation_failed(
      errno_message("journal " + path + ": cannot open", errno));
  std::string buf;
  size_t taken = 0;
  bool failed = false;
  std::string error;
  char chunk[64 * 1024];
  while (next_seq_ <= to_seq && taken < max_count) {
    auto n = ::pread(fd, chunk, sizeof(chunk),
                     static_cast<off_t>(offset_ + buf.size()));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      failed = true;
      error = errno_message("journal " + path + ": read", errno);
      break;
    }
    if (n == 0) {
      failed = true;
      error = "journal " + path + ": seq " + std::to_string(next_seq_)
              + " is missing";
      break;
    }
    buf.append(chunk, static_cast<size_t>(n));
    size_t pos = 0;
    for (auto eol = buf.find('\n');
         eol != std::string::npos && next_seq_ <= to_seq && taken < max_count;
         eol = buf.find('\n', pos)) {
      auto rec = std::string_view{buf}.substr(pos, eol - pos);
      if (next_seq_ >= from_seq) {
        auto x = decode_journal_record(rec);
        if (!x || x->seq != next_seq_) {
          failed = true;
          error = "journal " + path + ": record " + std::to_string(next_seq_)
                  + " is damaged";
          break;
        }
        out.push_back(std::move(*x));
        ++taken;
      }
      ++next_seq_;
      pos = eol + 1;
    }
    offset_ += pos;
    buf.erase(0, pos);
    if (failed)
      break;
  }
  ::close(fd);
  if (failed)
    return operation_failed(std::move(error));
  return {};
}

// -- writing ------------------------------------------------------------------------

std::string_view to_string(fsync_policy x) noexcept {
  switch (x) {
    case fsync_policy::always:
      return "always";
    case fsync_policy::interval:
      return "interval";
    case fsync_policy::never:
      return "never";
  }
  return "unknown";
}

bool from_string(std::string_view str, fsync_policy& x) noexcept {
  if (str == "always")
    x = fsync_policy::always;
  else if (str == "interval")
    x = fsync_policy::interval;
  else if (str == "never")
    x = fsync_policy::never;
  else
    return false;
  return true;
}

journal_writer::journal_writer(journal_writer&& other) noexcept {
  *this = std::move(other);
}

journal_writer& journal_writer::operator=(journal_writer&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    end_fd_ = other.end_fd_;
    path_ = std::move(other.path_);
    next_seq_ = other.next_seq_;
    next_id_ = other.next_id_;
    last_id_ = other.last_id_;
    acked_seq_ = other.acked_seq_;
    acked_id_ = other.acked_id_;
    reserved_ = other.reserved_;
    boot_ = std::move(other.boot_);
    unsynced_ = other.unsynced_;
    last_sync_ns_ = other.last_sync_ns_;
    size_bytes_ = other.size_bytes_;
    buf_ = std::move(other.buf_);
    other.fd_ = -1;
    other.end_fd_ = -1;
  }
  return *this;
}

journal_writer::~journal_writer() {
  close();
}

status journal_writer::open(const std::string& path,
                            const journal_contents& contents) {
  close();
  auto fail = [&path](std::string_view what, int err) {
    return operation_failed(
      errno_message("journal " + path + ": " + std::string{what}, err));
  };
  constexpr int flags = O_WRONLY | O_APPEND | O_CLOEXEC;
  auto created = true;
  auto fd = ::open(path.c_str(), flags | O_CREAT | O_EXCL, 0644);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), flags);
  }
  if (fd < 0)
    return fail("cannot open for appending", errno);
  auto err = 0;
  if (created && !sync_parent_directory(path, err)) {
    ::close(fd);
    return fail("cannot sync directory", err);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    err = errno;
    ::close(fd);
    return fail("cannot stat", err);
  }
  // Appending behind a torn tail would bury it in the middle of the file,
  // where the next read calls it corruption.
  if (static_cast<uint64_t>(st.st_size) != contents.valid_bytes) {
    ::close(fd);
    return journal_failure(path, 0,
                           "file has " + std::to_string(st.st_size)
                             + " bytes but "
                             + std::to_string(contents.valid_bytes)
                             + " were read as valid (read it with repair "
                               "first)");
  }
  // The end record: ids already spent, whatever the journal still holds.
  auto end = read_journal_end(path);
  if (!end) {
    ::close(fd);
    return end.error();
  }
  auto end_path = journal_end_path(path);
  auto end_created = true;
  auto end_fd
    = ::open(end_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (end_fd < 0 && errno == EEXIST) {
    end_created = false;
    end_fd = ::open(end_path.c_str(), O_RDWR | O_CLOEXEC);
  }
  if (end_fd < 0) {
    err = errno;
    ::close(fd);
    return fail("end record " + end_path + ": cannot open", err);
  }
  fd_ = fd;
  end_fd_ = end_fd;
  path_ = path;
  boot_ = current_boot_id();
  next_seq_ = contents.next_seq;
  next_id_ = contents.next_id;
  if (const auto& known = *end)
    next_id_ = std::max(next_id_, journal_id_floor(*known, boot_));
  last_id_ = contents.next_seq > 1 ? contents.next_id - 1 : 0;
  acked_seq_ = contents.next_seq - 1;
  acked_id_ = last_id_;
  reserved_ = next_id_ + journal_id_block;
  unsynced_ = 0;
  size_bytes_ = contents.valid_bytes;
  if (auto ok = write_end(true); !ok) {
    release();
    return ok;
  }
  if (end_created && !sync_parent_directory(end_path, err)) {
    release();
    return fail("cannot sync directory", err);
  }
  return {};
}

status journal_writer::append(std::vector<order>& orders) {
  if (fd_ < 0)
    return operation_failed("journal is not open");
  if (orders.empty())
    return {};
  // Ids are reserved durably before they are used: however the journal is
  // cut later, the next start hands out none of them again.
  if (next_id_ + orders.size() > reserved_) {
    reserved_ = next_id_ + orders.size() + journal_id_block;
    if (auto ok = write_end(true); !ok)
      return ok;
  }
  buf_.clear();
  auto first_seq = next_seq_;
  for (auto& x : orders) {
    x.seq = next_seq_++;
    x.id = next_id_++;
    append_record(buf_, x);
    buf_ += '\n';
  }
  const char* data = buf_.data();
  auto left = buf_.size();
  while (left > 0) {
    auto n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      auto err = n < 0 ? errno : EIO;
      // Cut off whatever part of the batch made it, so the journal stays a
      // clean sequence; seq numbers are reused, ids are not (they may have
      // been seen by the caller).
      next_seq_ = first_seq;
      std::string msg
        = errno_message("journal " + path_ + ": write failed", err);
      if (::ftruncate(fd_, static_cast<off_t>(size_bytes_)) != 0) {
        // The file now ends in a partial batch: stop writing so that the
        // next start sees it as a torn tail.
        release();
        msg += " (partial write left in place, journal closed)";
      }
      return operation_failed(std::move(msg));
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  size_bytes_ += buf_.size();
  unsynced_ += orders.size();
  last_id_ = orders.back().id;
  return {};
}

status journal_writer::sync() {
  if (fd_ < 0)
    return operation_failed("journal is not open");
  auto start = std::chrono::steady_clock::now();
  if (::fdatasync(fd_) != 0) {
    auto err = errno;
    // After a failed fdatasync the kernel may have dropped the dirty pages
    // and a retry would report success for lost data: give up the file.
    auto msg = errno_message("journal " + path_ + ": fdatasync failed", err);
    release();
    return operation_failed(std::move(msg));
  }
  last_sync_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  unsynced_ = 0;
  return {};
}

status journal_writer::acknowledge() {
  if (fd_ < 0)
    return operation_failed("journal is not open");
  acked_seq_ = next_seq_ - 1;
  acked_id_ = last_id_;
  return write_end(false);
}

status journal_writer::write_end(bool durable) {
  auto record = encode_journal_end({acked_seq_, acked_id_, reserved_, boot_});
  auto n = ::pwrite(end_fd_, record.data(), record.size(), 0);
  if (n != static_cast<ssize_t>(record.size()))
    return operation_failed(errno_message("journal " + path_ + ": end record "
                                            + journal_end_path(path_)
                                            + ": write failed",
                                          n < 0 ? errno : EIO));
  if (durable && ::fdatasync(end_fd_) != 0)
    return operation_failed(errno_message("journal " + path_ + ": end record "
                                            + journal_end_path(path_)
                                            + ": fdatasync failed",
                                          errno));
  return {};
}

void journal_writer::close() noexcept {
  if (fd_ >= 0 && end_fd_ >= 0 && ::fdatasync(fd_) == 0) {
    // Everything written is durable now: the end is exact, and nothing
    // above the next id was handed out.
    acked_seq_ = next_seq_ - 1;
    acked_id_ = last_id_;
    reserved_ = next_id_;
    if (!write_end(true)) {
      // The reservation on disk still covers every id: the next start only
      // continues above it (in another boot) instead of right after.
    }
  }
  release();
}

void journal_writer::release() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (end_fd_ >= 0) {
    ::close(end_fd_);
    end_fd_ = -1;
  }
}

} // namespace intuition::trading

#include "trading/input_log.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trading/file_io.hpp"

namespace intuition::trading {

namespace {

namespace fs = std::filesystem;

constexpr size_t header_bytes = 8;
constexpr size_t fixed_body_bytes = 8 + 8 + 8 + 4;
/// A record larger than this is damage, not data (payloads are limited far
/// below it by the broker and the codec).
constexpr uint32_t max_body_bytes = 64u << 20;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

void put_u32(std::string& out, uint32_t x) {
  for (int i = 0; i < 4; ++i)
    out += static_cast<char>((x >> (8 * i)) & 0xFF);
}

void put_u64(std::string& out, uint64_t x) {
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((x >> (8 * i)) & 0xFF);
}

uint32_t get_u32(const char* p) {
  uint32_t x = 0;
  for (int i = 3; i >= 0; --i)
    x = (x << 8) | static_cast<unsigned char>(p[i]);
  return x;
}

uint64_t get_u64(const char* p) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; --i)
    x = (x << 8) | static_cast<unsigned char>(p[i]);
  return x;
}

/// `WHAT: strerror(err)` (a failed operation).
failure errno_failure(const std::string& what, int err) {
  return operation_failed(what + ": " + std::strerror(err));
}

std::string segment_name(uint64_t first) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu.seg",
                static_cast<unsigned long long>(first));
  return buf;
}

/// First positions of the segment files in `dir`, ascending.
std::vector<uint64_t> list_segments(const std::string& dir) {
  std::vector<uint64_t> out;
  std::error_code ec;
  for (fs::directory_iterator i{dir, ec}, end; !ec && i != end;
       i.increment(ec)) {
    auto name = i->path().filename().string();
    if (name.size() != 24 || name.compare(20, 4, ".seg") != 0)
      continue;
    uint64_t first = 0;
    bool digits = true;
    for (size_t k = 0; k < 20; ++k) {
      if (name[k] < '0' || name[k] > '9') {
        digits = false;
        break;
      }
      first = first * 10 + static_cast<uint64_t>(name[k] - '0');
    }
    if (digits && first > 0)
      out.push_back(first);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool sync_dir(const std::string& dir) {
  auto fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  auto ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

bool write_all(int fd, const char* data, size_t left) {
  while (left > 0) {
    auto n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

} // namespace

// -- records ------------------------------------------------------------------------

namespace {

void append_record(std::string& out, uint64_t position, int64_t received_ms,
                   int64_t received_ns, std::string_view topic,
                   std::string_view payload) {
  auto start = out.size();
  out.append(header_bytes, '\0');
  put_u64(out, position);
  put_u64(out, static_cast<uint64_t>(received_ms));
  put_u64(out, static_cast<uint64_t>(received_ns));
  put_u32(out, static_cast<uint32_t>(topic.size()));
  out.append(topic.data(), topic.size());
  out.append(payload.data(), payload.size());
  auto body = std::string_view{out}.substr(start + header_bytes);
  auto len = static_cast<uint32_t>(body.size());
  auto crc = crc32(body);
  for (int i = 0; i < 4; ++i) {
    out[start + static_cast<size_t>(i)]
      = static_cast<char>((len >> (8 * i)) & 0xFF);
    out[start + 4 + static_cast<size_t>(i)]
      = static_cast<char>((crc >> (8 * i)) & 0xFF);
  }
}

} // namespace

void append_input_record(std::string& out, const input_record& x) {
  append_record(out, x.position, x.received_ms, x.received_ns, x.topic,
                x.payload);
}

size_t decode_input_record(std::string_view data, input_record& x) {
  if (data.size() < header_bytes)
    return 0;
  auto len = get_u32(data.data());
  if (len < fixed_body_bytes || len > max_body_bytes
      || data.size() - header_bytes < len)
    return 0;
  auto body = data.substr(header_bytes, len);
  if (crc32(body) != get_u32(data.data() + 4))
    return 0;
  auto topic_len = get_u32(body.data() + 24);
  if (topic_len > len - fixed_body_bytes)
    return 0;
  x.position = get_u64(body.data());
  x.received_ms = static_cast<int64_t>(get_u64(body.data() + 8));
  x.received_ns = static_cast<int64_t>(get_u64(body.data() + 16));
  x.topic.assign(body.data() + fixed_body_bytes, topic_len);
  x.payload.assign(body.data() + fixed_body_bytes + topic_len,
                   len - fixed_body_bytes - topic_len);
  return header_bytes + len;
}

// -- writer -------------------------------------------------------------------------

input_log::~input_log() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (fd_ >= 0) {
    if (dirty_ && opts_.fsync != fsync_policy::never)
      ::fdatasync(fd_);
    ::close(fd_);
  }
}

result<input_log_recovery> input_log::open(input_log_options opts) {
  std::lock_guard<std::mutex> guard{mtx_};
  opts_ = std::move(opts);
  std::error_code ec;
  fs::create_directories(opts_.dir, ec);
  if (ec)
    return operation_failed("input log " + opts_.dir
                            + ": cannot create: " + ec.message());
  input_log_recovery rec;
  auto firsts = list_segments(opts_.dir);
  std::string data;
  uint64_t expected = firsts.empty() ? 1 : firsts.front();
  for (size_t i = 0; i < firsts.size(); ++i) {
    auto path = opts_.dir + "/" + segment_name(firsts[i]);
    auto err = 0;
    auto missing = false;
    if (!read_file(path, data, missing, err) || missing)
      return errno_failure("input log " + path + ": cannot read",
                           missing ? ENOENT : err);
    if (firsts[i] != expected)
      return operation_failed("input log " + path + ": starts at position "
                              + std::to_string(firsts[i]) + ", expected "
                              + std::to_string(expected)
                              + " (a segment is missing)");
    size_t pos = 0;
    input_record x;
    while (pos < data.size()) {
      auto n = decode_input_record(std::string_view{data}.substr(pos), x);
      if (n == 0 || x.position != expected)
        break;
      pos += n;
      ++expected;
      ++rec.records;
    }
    if (pos < data.size()) {
      if (i + 1 < firsts.size())
        return operation_failed(
          "input log " + path + ": damaged record at byte "
          + std::to_string(pos) + " before the last segment");
      // The last append never completed, so it was never handed on: cut it.
      auto fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(pos)) != 0
          || ::fsync(fd) != 0) {
        auto e = errno;
        if (fd >= 0)
          ::close(fd);
        return errno_failure("input log " + path + ": cannot cut off torn tail",
                             e);
      }
      ::close(fd);
      rec.torn_bytes = data.size() - pos;
    }
    segments_[firsts[i]] = pos;
  }
  next_ = expected;
  last_.store(expected - 1, std::memory_order_release);
  if (!firsts.empty()) {
    auto path = opts_.dir + "/" + segment_name(firsts.back());
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0)
      return errno_failure("input log " + path + ": cannot open", errno);
  }
  last_sync_ns_ = steady_ns();
  return rec;
}

status input_log::start_segment(uint64_t first) {
  if (fd_ >= 0) {
    // The finished segment reaches the disk as the policy promised.
    if (dirty_ && opts_.fsync != fsync_policy::never && ::fdatasync(fd_) != 0)
      return errno_failure("input log: fdatasync", errno);
    ::close(fd_);
    fd_ = -1;
    dirty_ = false;
  }
  auto path = opts_.dir + "/" + segment_name(first);
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    return errno_failure("input log " + path + ": cannot create", errno);
  if (opts_.fsync != fsync_policy::never)
    sync_dir(opts_.dir);
  segments_[first] = 0;
  return {};
}

result<uint64_t> input_log::append(std::string_view topic,
                                   std::string_view payload,
                                   int64_t received_ms, int64_t received_ns) {
  return append(std::vector<message_view>{{topic, payload}}, received_ms,
                received_ns);
}

result<uint64_t> input_log::append(const std::vector<message_view>& messages,
                                   int64_t received_ms, int64_t received_ns) {
  auto t0 = steady_ns();
  std::lock_guard<std::mutex> guard{mtx_};
  auto fail = [this](failure err) {
    append_errors_.fetch_add(1);
    return result<uint64_t>{std::move(err)};
  };
  if (messages.empty())
    return next_ - 1;
  if (segments_.empty() || fd_ < 0
      || segments_.rbegin()->second >= opts_.segment_bytes)
    if (auto ok = start_segment(next_); !ok)
      return fail(ok.error());
  auto& size = segments_.rbegin()->second;
  buf_.clear();
  auto position = next_;
  for (const auto& m : messages)
    append_record(buf_, position++, received_ms, received_ns, m.topic,
                  m.payload);
  if (!write_all(fd_, buf_.data(), buf_.size())) {
    auto err = errno;
    // Keep the segment a clean sequence of records.
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    return fail(errno_failure("input log " + opts_.dir + ": write", err));
  }
  size += buf_.size();
  if (!dirty_) {
    dirty_ = true;
    dirty_cv_.notify_all();
  }
  auto now = steady_ns();
  // `interval` is synced by `sync_if_due` on a thread of its own: an
  // fdatasync here would hold up the network thread for milliseconds.
  if (opts_.fsync == fsync_policy::always) {
    if (::fdatasync(fd_) != 0)
      return fail(
        errno_failure("input log " + opts_.dir + ": fdatasync", errno));
    dirty_ = false;
    last_sync_ns_ = now;
  }
  next_ = position;
  auto last = position - 1;
  last_.store(last, std::memory_order_release);
  auto took = steady_ns() - t0;
  if (took > max_append_ns_.load())
    max_append_ns_.store(took);
  appends_.fetch_add(messages.size());
  total_append_ns_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(took, 0)));
  return last;
}

status input_log::sync_if_due(bool force) {
  int fd = -1;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (fd_ < 0 || !dirty_ || opts_.fsync == fsync_policy::never)
      return {};
    auto now = steady_ns();
    if (!force && now - last_sync_ns_ < opts_.interval_ms * 1'000'000)
      return {};
    // Sync a duplicate outside the lock, so appends go on meanwhile; what
    // they add is marked dirty again and taken by the next sync.
    fd = ::dup(fd_);
    if (fd < 0)
      return errno_failure("input log " + opts_.dir + ": dup", errno);
    dirty_ = false;
    last_sync_ns_ = now;
  }
  auto rc = ::fdatasync(fd);
  auto err = errno;
  ::close(fd);
  if (rc == 0)
    return {};
  std::lock_guard<std::mutex> guard{mtx_};
  dirty_ = true;
  dirty_cv_.notify_all();
  return errno_failure("input log " + opts_.dir + ": fdatasync", err);
}

bool input_log::wait_dirty(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> guard{mtx_};
  dirty_cv_.wait_for(guard, limit, [this] { return dirty_ || released_; });
  return dirty_;
}

void input_log::release_waiters() {
  std::lock_guard<std::mutex> guard{mtx_};
  released_ = true;
  dirty_cv_.notify_all();
}

size_t input_log::remove_through(uint64_t position) {
  std::lock_guard<std::mutex> guard{mtx_};
  size_t removed = 0;
  while (segments_.size() > 1) {
    auto second = std::next(segments_.begin())->first;
    if (second - 1 > position)
      break;
    auto path = opts_.dir + "/" + segment_name(segments_.begin()->first);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      break;
    segments_.erase(segments_.begin());
    ++removed;
  }
  return removed;
}

uint64_t input_log::first_position() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return segments_.empty() ? next_ : segments_.begin()->first;
}

uint64_t input_log::oldest_segment_end() const {
  std::lock_guard<std::mutex> guard{mtx_};
  if (segments_.size() < 2)
    return 0;
  return std::next(segments_.begin())->first - 1;
}

uint64_t input_log::disk_bytes() const {
  std::lock_guard<std::mutex> guard{mtx_};
  uint64_t sum = 0;
  for (const auto& [first, size] : segments_)
    sum += size;
  return sum;
}

size_t input_log::segments() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return segments_.size();
}

// -- reader -------------------------------------------------------------------------

input_log_reader::input_log_reader(input_log_reader&& other) noexcept
    : dir_(std::move(other.dir_)), fd_(other.fd_), offset_(other.offset_),
      next_(other.next_) {
  other.fd_ = -1;
}

input_log_reader&
input_log_reader::operator=(input_log_reader&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    dir_ = std::move(other.dir_);
    fd_ = other.fd_;
    offset_ = other.offset_;
    next_ = other.next_;
    other.fd_ = -1;
  }
  return *this;
}

input_log_reader::~input_log_reader() {
  if (fd_ >= 0)
    ::close(fd_);
}

void input_log_reader::seek(std::string dir, uint64_t position) {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  dir_ = std::move(dir);
  next_ = position == 0 ? 1 : position;
  offset_ = 0;
}

status input_log_reader::open_segment_for(uint64_t position) {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  offset_ = 0;
  auto firsts = list_segments(dir_);
  auto i = std::upper_bound(firsts.begin(), firsts.end(), position);
  if (i == firsts.begin())
    return operation_failed("input log " + dir_ + ": no segment holds position "
                            + std::to_string(position));
  auto path = dir_ + "/" + segment_name(*std::prev(i));
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0)
    return errno_failure("input log " + path + ": cannot open", errno);
  // Skip the records before `position` (once per segment switch).
  auto first = *std::prev(i);
  std::vector<input_record> skipped;
  auto target = next_;
  next_ = first;
  while (next_ < target) {
    skipped.clear();
    auto before = next_;
    if (auto ok = read(target - 1, 4096, 16u << 20, skipped); !ok)
      return ok;
    if (next_ == before)
      return operation_failed("input log " + path + ": position "
                              + std::to_string(target) + " not found");
  }
  return {};
}

status input_log_reader::read(uint64_t last, size_t max_records,
                              size_t max_bytes,
                              std::vector<input_record>& out) {
  size_t records = 0;
  size_t bytes = 0;
  size_t chunk = 256 * 1024;
  bool switched = false;
  while (next_ <= last && records < max_records && bytes < max_bytes) {
    if (fd_ < 0)
      if (auto ok = open_segment_for(next_); !ok)
        return ok;
    buf_.resize(chunk);
    ssize_t n = 0;
    do
      n = ::pread(fd_, buf_.data(), buf_.size(), static_cast<off_t>(offset_));
    while (n < 0 && errno == EINTR);
    if (n < 0)
      return errno_failure("input log " + dir_ + ": read", errno);
    auto data = std::string_view{buf_.data(), static_cast<size_t>(n)};
    size_t used = 0;
    input_record x;
    while (next_ <= last && records < max_records && bytes < max_bytes) {
      auto k = decode_input_record(data.substr(used), x);
      if (k == 0)
        break;
      if (x.position != next_)
        return operation_failed("input log " + dir_ + ": expected position "
                                + std::to_string(next_) + ", found "
                                + std::to_string(x.position));
      used += k;
      bytes += k;
      ++records;
      ++next_;
      out.push_back(std::move(x));
    }
    offset_ += used;
    if (used > 0) {
      switched = false;
      continue;
    }
    if (next_ > last || records >= max_records || bytes >= max_bytes)
      break;
    // Nothing decoded: a record larger than the chunk, or the end of this
    // segment (the writer moved on to the next one).
    if (data.size() >= header_bytes) {
      auto len = get_u32(data.data());
      if (len <= max_body_bytes && data.size() < header_bytes + len) {
        chunk = header_bytes + len;
        continue;
      }
      return operation_failed("input log " + dir_
                              + ": damaged record at position "
                              + std::to_string(next_));
    }
    if (switched)
      return operation_failed("input log " + dir_ + ": position "
                              + std::to_string(next_) + " is missing");
    ::close(fd_);
    fd_ = -1;
    switched = true;
  }
  return {};
}

// -- watermark and filter state -----------------------------------------------------

result<uint64_t> read_input_watermark(const std::string& dir) {
  std::string data;
  auto err = 0;
  auto path = dir + "/processed";
  auto missing = false;
  if (!read_file(path, data, missing, err))
    return errno_failure("input log " + path + ": cannot read", err);
  if (missing)
    return uint64_t{0};
  if (data.size() < 12
      || crc32(std::string_view{data}.substr(0, 8)) != get_u32(data.data() + 8))
    return operation_failed("input log " + path + ": damaged watermark");
  return get_u64(data.data());
}

status write_input_watermark(const std::string& dir, uint64_t position) {
  std::string data;
  put_u64(data, position);
  put_u32(data, crc32(data));
  auto path = dir + "/processed";
  auto fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno_failure("input log " + path + ": cannot open", errno);
  auto n = ::pwrite(fd, data.data(), data.size(), 0);
  auto err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(data.size()))
    return errno_failure("input log " + path + ": write", err);
  return {};
}

result<filter_snapshot> read_filter_snapshot(const std::string& dir) {
  filter_snapshot out;
  std::string data;
  auto err = 0;
  auto path = dir + "/filter";
  auto missing = false;
  if (!read_file(path, data, missing, err))
    return errno_failure("input log " + path + ": cannot read", err);
  if (missing)
    return out;
  if (data.size() < 12
      || crc32(std::string_view{data}.substr(0, data.size() - 4))
           != get_u32(data.data() + data.size() - 4))
    return operation_failed("input log " + path + ": damaged filter state");
  out.position = get_u64(data.data());
  size_t pos = 8;
  auto end = data.size() - 4;
  while (pos + 12 <= end) {
    auto len = get_u32(data.data() + pos);
    if (pos + 12 + len > end)
      return operation_failed("input log " + path + ": damaged filter state");
    auto ts = static_cast<int64_t>(get_u64(data.data() + pos + 4));
    out.last_ts.emplace(data.substr(pos + 12, len), ts);
    pos += 12 + len;
  }
  return out;
}

status write_filter_snapshot(const std::string& dir, const filter_snapshot& x) {
  std::string data;
  put_u64(data, x.position);
  for (const auto& [symbol, ts] : x.last_ts) {
    put_u32(data, static_cast<uint32_t>(symbol.size()));
    put_u64(data, static_cast<uint64_t>(ts));
    data += symbol;
  }
  put_u32(data, crc32(data));
  auto path = dir + "/filter";
  int err = 0;
  auto step = replace_step::none;
  if (!replace_file(path, data, true, err, step)) {
    if (step == replace_step::rename)
      return errno_failure("input log " + path + ": rename", err);
    return errno_failure(
      "input log " + path
        + ".tmp: " + (step == replace_step::create ? "cannot create" : "write"),
      err);
  }
  sync_dir(dir);
  return {};
}

} // namespace intuition::trading

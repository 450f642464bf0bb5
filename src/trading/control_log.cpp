#include "trading/control_log.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "trading/file_io.hpp"
#include "trading/record_lines.hpp"
#include "trading/journal.hpp"

namespace intuition::trading {

namespace {

constexpr std::string_view crc_marker = ",\"crc\":\"";

bool known_kind(const std::string& kind) {
  return kind == "mode" || kind == "flatten" || kind == "flattened"
         || kind == "add_strategy" || kind == "remove_strategy";
}

failure control_failure(std::string_view path, uint64_t line,
                        std::string_view message) {
  return file_content_failure("control journal", path, line, message);
}

std::string errno_text(int err) {
  return std::strerror(err);
}

} // namespace

bool operator==(const control_record& x, const control_record& y) noexcept {
  return x.seq == y.seq && x.kind == y.kind && x.mode == y.mode
         && x.reason == y.reason && x.risk == y.risk && x.strategy == y.strategy
         && x.definition == y.definition && x.flatten == y.flatten;
}

std::string encode_control_record(const control_record& x) {
  nlohmann::ordered_json j;
  j["seq"] = x.seq;
  j["kind"] = x.kind;
  if (x.kind == "mode") {
    j["mode"] = std::string{to_string(x.mode)};
    j["reason"] = x.reason;
    if (x.risk)
      j["risk"] = true;
  } else if (x.kind == "add_strategy") {
    j["strategy"] = x.strategy;
    j["definition"]
      = nlohmann::ordered_json::parse(x.definition, nullptr, false);
    if (j["definition"].is_discarded())
      j["definition"] = x.definition;
  } else {
    j["strategy"] = x.strategy;
    if (x.kind == "remove_strategy")
      j["flatten"] = x.flatten;
  }
  auto body = j.dump();
  body.pop_back(); // the closing brace: the checksum goes before it
  auto crc = crc32(body);
  static constexpr char hex[] = "0123456789abcdef";
  body += crc_marker;
  for (int shift = 28; shift >= 0; shift -= 4)
    body += hex[(crc >> shift) & 0x0F];
  body += "\"}";
  return body;
}

result<control_record> decode_control_record(std::string_view line) {
  auto pos = line.rfind(crc_marker);
  if (pos == std::string_view::npos
      || line.size() != pos + crc_marker.size() + 10
      || line.substr(line.size() - 2) != "\"}")
    return operation_failed("bad checksum");
  uint32_t stored = 0;
  for (auto c : line.substr(pos + crc_marker.size(), 8)) {
    uint32_t digit = 0;
    if (c >= '0' && c <= '9')
      digit = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      digit = static_cast<uint32_t>(c - 'a' + 10);
    else
      return operation_failed("bad checksum");
    stored = (stored << 4) | digit;
  }
  if (stored != crc32(line.substr(0, pos)))
    return operation_failed("bad checksum");
  auto j = nlohmann::json::parse(line, nullptr, false);
  auto bad = [](const char* what) {
    return operation_failed(std::string{"not a control record: "} + what);
  };
  if (!j.is_object())
    return bad("not a JSON object");
  control_record x;
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned())
    return bad("no seq");
  x.seq = seq->get<uint64_t>();
  auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string()
      || !known_kind(kind->get<std::string>()))
    return bad("no known kind");
  x.kind = kind->get<std::string>();
  auto text = [&](const char* key, std::string& out) {
    auto i = j.find(key);
    if (i == j.end() || !i->is_string())
      return false;
    out = i->get<std::string>();
    return true;
  };
  if (x.kind == "mode") {
    std::string mode;
    if (!text("mode", mode) || !from_string(mode, x.mode))
      return bad("no valid mode");
    if (!text("reason", x.reason))
      return bad("no reason");
    auto risk = j.find("risk");
    x.risk = risk != j.end() && risk->is_boolean() && risk->get<bool>();
    return x;
  }
  if (!text("strategy", x.strategy))
    return bad("no strategy");
  if (x.kind == "add_strategy") {
    auto def = j.find("definition");
    if (def == j.end() || !def->is_object())
      return bad("no definition");
    // Kept as written: the record is the operator's file, not a rewrite.
    auto ordered = nlohmann::ordered_json::parse(line, nullptr, false);
    x.definition = ordered["definition"].dump();
  } else if (x.kind == "remove_strategy") {
    auto flat = j.find("flatten");
    if (flat == j.end() || !flat->is_boolean())
      return bad("no flatten");
    x.flatten = flat->get<bool>();
  }
  return x;
}

void control_state::apply(const control_record& x) {
  if (x.kind == "mode") {
    mode = x.mode;
    reason = x.reason;
    risk = x.risk;
  } else if (x.kind == "flatten") {
    flatten.insert(x.strategy);
  } else if (x.kind == "flattened") {
    flatten.erase(x.strategy);
  } else if (x.kind == "add_strategy" || x.kind == "remove_strategy") {
    for (auto i = strategies.begin(); i != strategies.end(); ++i)
      if (i->first == x.strategy) {
        strategies.erase(i);
        break;
      }
    std::optional<std::string> def;
    if (x.kind == "add_strategy")
      def = x.definition;
    strategies.emplace_back(x.strategy, std::move(def));
    if (x.kind == "remove_strategy" && x.flatten)
      flatten.insert(x.strategy);
  }
}

std::string control_log_path(const std::string& journal_path) {
  return journal_path + ".control";
}

result<control_contents> read_control_log(const std::string& path) {
  control_contents out;
  std::string data;
  auto missing = false;
  auto err = 0;
  if (!read_file(path, data, missing, err))
    return control_failure(path, 0, "cannot read: " + errno_text(err));
  if (missing)
    return out;
  auto end = read_record_lines(
    data, [](std::string_view line) { return decode_control_record(line); },
    "record without its newline",
    [&](control_record&& x, uint64_t line) -> status {
      if (x.seq != out.next_seq)
        return control_failure(path, line,
                               "expected seq " + std::to_string(out.next_seq)
                                 + ", found " + std::to_string(x.seq));
      out.next_seq = x.seq + 1;
      out.state.apply(x);
      out.records.push_back(std::move(x));
      return {};
    },
    [&](uint64_t line, const std::string& why) {
      return control_failure(path, line, why);
    });
  if (!end)
    return std::move(end).error();
  out.valid_bytes = end->valid_bytes;
  out.cut_lines = end->torn_lines;
  return out;
}

control_log::control_log(std::string path, int fd, uint64_t next_seq)
    : path_(std::move(path)), fd_(fd), next_seq_(next_seq) {
  // nop
}

control_log::~control_log() {
  if (fd_ >= 0)
    ::close(fd_);
}

result<std::unique_ptr<control_log>>
control_log::open(const std::string& path, control_contents& contents) {
  auto read = read_control_log(path);
  if (!read)
    return std::move(read).error();
  contents = std::move(*read);
  auto good = static_cast<off_t>(contents.valid_bytes);
  auto fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return control_failure(path, 0, "cannot open: " + errno_text(errno));
  if (contents.cut_lines > 0 && ::ftruncate(fd, good) != 0) {
    auto e = errno;
    ::close(fd);
    return control_failure(path, 0,
                           "cannot cut the torn tail: " + errno_text(e));
  }
  if (::lseek(fd, 0, SEEK_END) < 0) {
    auto e = errno;
    ::close(fd);
    return control_failure(path, 0, "cannot seek: " + errno_text(e));
  }
  return std::unique_ptr<control_log>{
    new control_log(path, fd, contents.next_seq)};
}

status control_log::append(control_record& x) {
  x.seq = next_seq_;
  auto line = encode_control_record(x) + "\n";
  auto before = ::lseek(fd_, 0, SEEK_END);
  size_t done = 0;
  while (done < line.size()) {
    auto n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      auto e = errno;
      // A half-written line would make the next record look like corruption.
      if (before >= 0 && ::ftruncate(fd_, before) != 0)
        e = errno;
      return control_failure(path_, 0, "cannot write: " + errno_text(e));
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0)
    return control_failure(path_, 0, "fdatasync: " + errno_text(errno));
  ++next_seq_;
  return {};
}

} // namespace intuition::trading

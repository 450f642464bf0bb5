#include "trading/journal_end.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "trading/file_io.hpp"
#include "trading/flat_json.hpp"

namespace intuition::trading {

namespace {

/// Marks the start of the checksum field, as in journal records.
constexpr std::string_view crc_marker = ",\"crc\":\"";

std::string hex32(uint32_t x) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (int shift = 28; shift >= 0; shift -= 4)
    out += digits[(x >> shift) & 0x0F];
  return out;
}

} // namespace

bool operator==(const journal_end& x, const journal_end& y) noexcept {
  return x.seq == y.seq && x.id == y.id && x.reserved == y.reserved
         && x.boot == y.boot;
}

std::string journal_end_path(const std::string& journal_path) {
  return journal_path + ".end";
}

std::string encode_journal_end(const journal_end& x) {
  std::string out = "{\"seq\":";
  flat_json::append_uint(out, x.seq);
  out += ",\"id\":";
  flat_json::append_uint(out, x.id);
  out += ",\"reserved\":";
  flat_json::append_uint(out, x.reserved);
  out += ",\"boot\":";
  // A boot id is 36 characters; anything longer is cut so the record keeps
  // its size (it only ever compares against this machine's id).
  flat_json::append_string(out, std::string_view{x.boot}.substr(0, 64));
  auto crc = crc32(out);
  out += crc_marker;
  out += hex32(crc);
  out += "\"}";
  out.resize(journal_end_bytes - 1, ' ');
  out += '\n';
  return out;
}

std::optional<journal_end> decode_journal_end(std::string_view bytes) {
  if (bytes.size() != journal_end_bytes || bytes.back() != '\n')
    return std::nullopt;
  auto line = bytes.substr(0, bytes.size() - 1);
  while (!line.empty() && line.back() == ' ')
    line.remove_suffix(1);
  auto pos = line.rfind(crc_marker);
  if (pos == std::string_view::npos
      || line.size() != pos + crc_marker.size() + 8 + 2
      || line.substr(line.size() - 2) != "\"}"
      || line.substr(pos + crc_marker.size(), 8)
           != hex32(crc32(line.substr(0, pos))))
    return std::nullopt;
  flat_json::document doc;
  if (flat_json::parse(line, doc) != flat_json::status::ok)
    return std::nullopt;
  journal_end x;
  auto boot = doc.find("boot");
  if (!flat_json::get_unsigned(doc, "seq", x.seq)
      || !flat_json::get_unsigned(doc, "id", x.id)
      || !flat_json::get_unsigned(doc, "reserved", x.reserved)
      || boot == nullptr || boot->type != flat_json::kind::string)
    return std::nullopt;
  x.boot = boot->text;
  return x;
}

result<std::optional<journal_end>>
read_journal_end(const std::string& journal_path) {
  auto path = journal_end_path(journal_path);
  std::string data;
  auto missing = false;
  auto err = 0;
  if (!read_file(path, data, missing, err))
    return journal_failure(journal_path, 0,
                           "end record " + path
                             + ": cannot read: " + std::strerror(err));
  if (missing)
    return std::optional<journal_end>{};
  auto x = decode_journal_end(data);
  if (!x)
    return journal_failure(journal_path, 0,
                           "end record " + path
                             + ": damaged (expected one "
                               "record of "
                             + std::to_string(journal_end_bytes)
                             + " bytes with a valid checksum, found "
                             + std::to_string(data.size()) + " bytes)");
  return std::optional<journal_end>{std::move(*x)};
}

std::string current_boot_id() {
  std::ifstream in{"/proc/sys/kernel/random/boot_id"};
  std::string id;
  std::getline(in, id);
  return id;
}

uint64_t journal_id_floor(const journal_end& end,
                          std::string_view boot) noexcept {
  auto after_acknowledged = end.id + 1;
  if (!boot.empty() && end.boot == boot)
    return after_acknowledged;
  return std::max(after_acknowledged, end.reserved);
}

status check_journal_end(const std::string& journal_path,
                         const journal_contents& contents,
                         const std::optional<journal_end>& end,
                         uint64_t published_seq, std::string_view mark_path) {
  auto last_seq = contents.next_seq - 1;
  auto acknowledged = end ? end->seq : 0;
  if (acknowledged > last_seq || published_seq > last_seq) {
    std::string msg = "holds " + std::to_string(last_seq) + " orders, but ";
    if (acknowledged > last_seq)
      msg += "its end record " + journal_end_path(journal_path)
             + " says orders up to seq " + std::to_string(end->seq)
             + " (order id " + std::to_string(end->id) + ") were acknowledged";
    if (acknowledged > last_seq && published_seq > last_seq)
      msg += " and ";
    if (published_seq > last_seq)
      msg += "its publication mark " + std::string{mark_path}
             + " says orders up to seq " + std::to_string(published_seq)
             + " were published";
    auto missing = std::max(acknowledged, published_seq) - last_seq;
    msg += ": " + std::to_string(missing)
           + " acknowledged orders are missing from the journal (cut short or "
             "replaced)";
    return journal_failure(journal_path, 0, msg);
  }
  if (acknowledged > 0 && acknowledged <= contents.orders.size()) {
    // Records are numbered from 1 without gaps: seq N is the N-th order.
    const auto& x = contents.orders[acknowledged - 1];
    if (x.id != end->id)
      return journal_failure(journal_path, acknowledged,
                             "order id " + std::to_string(x.id)
                               + ", but end record "
                               + journal_end_path(journal_path) + " says seq "
                               + std::to_string(end->seq) + " was order id "
                               + std::to_string(end->id)
                               + ": not the journal that was acknowledged");
  }
  return {};
}

} // namespace intuition::trading

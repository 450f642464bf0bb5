#include "trading/risk_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "trading/file_io.hpp"

namespace intuition::trading {

namespace {

constexpr std::string_view what = "risk marks";

} // namespace

std::string risk_file_path(const std::string& journal_path) {
  return journal_path + ".risk";
}

result<std::optional<risk_marks>> read_risk_file(const std::string& path) {
  std::string data;
  bool missing = false;
  int err = 0;
  if (!read_file(path, data, missing, err))
    return file_content_failure(what, path, 0, std::strerror(err));
  if (missing)
    return std::optional<risk_marks>{};
  auto doc = nlohmann::json::parse(data, nullptr, false);
  auto integer = [&](const char* key) -> std::optional<int64_t> {
    if (!doc.is_object() || !doc.contains(key) || !doc[key].is_number_integer())
      return std::nullopt;
    // Above 63 bits the JSON number is unsigned: no int64_t holds it.
    if (doc[key].is_number_unsigned()
        && doc[key].get<uint64_t>()
             > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return std::nullopt;
    return doc[key].get<int64_t>();
  };
  auto peak = integer("peak");
  auto day = integer("day");
  auto open = integer("day_open");
  if (!peak || !day || !open)
    return file_content_failure(
      what, path, 1,
      "expected {\"peak\": N, \"day\": N, \"day_open\": N} with integers "
      "(micros and days); move the file away to start the watermarks over");
  return std::optional<risk_marks>{risk_marks{*peak, *day, *open}};
}

status write_risk_file(const std::string& path,
                       const std::optional<risk_marks>& marks) {
  if (!marks) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return file_content_failure(what, path, 0, std::strerror(errno));
    return {};
  }
  nlohmann::json doc{{"peak", marks->peak_micros},
                     {"day", marks->day},
                     {"day_open", marks->day_open_micros}};
  return replace_file(what, path, doc.dump() + "\n", false);
}

} // namespace intuition::trading

#include "actors/publication_mark.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "trading/file_io.hpp"

namespace intuition::actors {

std::string publication_mark_path(const std::string& journal_path) {
  return journal_path + ".published";
}

trading::result<uint64_t> read_publication_mark(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return uint64_t{0};
  std::stringstream buf;
  buf << in.rdbuf();
  auto text = buf.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  uint64_t seq = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    return trading::file_content_failure("publication mark", path, 0,
                                         "expected one decimal number, found "
                                         "\""
                                           + text.substr(0, 40) + "\"");
  return seq;
}

trading::status write_publication_mark(const std::string& path, uint64_t seq) {
  return trading::replace_file("publication mark", path,
                               std::to_string(seq) + "\n", true);
}

} // namespace intuition::actors

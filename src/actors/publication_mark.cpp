#include "actors/publication_mark.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

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
  auto fail = [](const std::string& file, int err) {
    return trading::file_content_failure("publication mark", file, 0,
                                         std::strerror(err));
  };
  auto tmp = path + ".tmp";
  auto fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail(tmp, errno);
  auto text = std::to_string(seq) + "\n";
  auto ok
    = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size())
      && ::fdatasync(fd) == 0;
  auto err = errno;
  ::close(fd);
  if (!ok)
    return fail(tmp, err);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return fail(path, errno);
  return {};
}

} // namespace intuition::actors

#include "trading/file_io.hpp"

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace intuition::trading {

bool read_file(const std::string& path, std::string& data, bool& missing,
               int& err) {
  data.clear();
  missing = false;
  auto fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    missing = err == ENOENT;
    return missing;
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0)
    data.reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    auto n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      err = errno;
      ::close(fd);
      return false;
    }
    if (n == 0)
      break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

} // namespace intuition::trading

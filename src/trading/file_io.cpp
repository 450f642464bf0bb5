#include "trading/file_io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

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

bool replace_file(const std::string& path, std::string_view data, bool sync,
                  int& err, replace_step& step) {
  auto tmp = path + ".tmp";
  auto fail = [&](replace_step at) {
    err = errno;
    step = at;
    std::remove(tmp.c_str());
    return false;
  };
  step = replace_step::none;
  auto fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail(replace_step::create);
  for (size_t done = 0; done < data.size();) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = EIO;
      auto e = errno;
      ::close(fd);
      errno = e;
      return fail(replace_step::write);
    }
    done += static_cast<size_t>(n);
  }
  if (sync && ::fdatasync(fd) != 0) {
    auto e = errno;
    ::close(fd);
    errno = e;
    return fail(replace_step::sync);
  }
  if (::close(fd) != 0)
    return fail(replace_step::close);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return fail(replace_step::rename);
  return true;
}

status replace_file(std::string_view what, const std::string& path,
                    std::string_view data, bool sync) {
  int err = 0;
  auto step = replace_step::none;
  if (replace_file(path, data, sync, err, step))
    return {};
  return file_content_failure(
    what, step == replace_step::rename ? path : path + ".tmp", 0,
    std::strerror(err));
}

} // namespace intuition::trading

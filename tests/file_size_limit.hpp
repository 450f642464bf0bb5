#pragma once

// A full disk for the scope of a test, without root: RLIMIT_FSIZE lowered
// and SIGXFSZ ignored, so that a write growing a file past the limit fails
// with EFBIG (as one on a full disk fails with ENOSPC) instead of killing the
// process. Files are only refused growth: rewriting bytes already there works.

#include <csignal>
#include <cstdint>
#include <sys/resource.h>

namespace intuition::fault {

/// Lowers the soft file size limit to `bytes` while alive.
class file_size_limit {
public:
  explicit file_size_limit(uint64_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    handler_ = std::signal(SIGXFSZ, SIG_IGN);
    auto lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(bytes);
    ::setrlimit(RLIMIT_FSIZE, &lowered);
  }

  ~file_size_limit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, handler_);
  }

  file_size_limit(const file_size_limit&) = delete;
  file_size_limit& operator=(const file_size_limit&) = delete;

private:
  rlimit saved_{};
  void (*handler_)(int) = SIG_DFL;
};

} // namespace intuition::fault

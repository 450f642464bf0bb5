#pragma once

// Helpers of the end-to-end suites: temporary folders, files, and the
// `intuition` binary (or a stock MQTT client) run as real processes.

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace intuition::e2e {

inline const std::string bin = INTUITION_BINARY;
inline const std::string src = INTUITION_SOURCE_DIR;

inline std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// A child process with stdout and stderr in files.
struct process {
  pid_t pid = -1;
  std::string out_path;
  std::string err_path;

  /// Waits for the exit; returns the exit code, or 128 + signal.
  int wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  /// Waits at most `timeout`; kills the child hard when it is still running.
  int wait_for(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status)
                                 : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    return wait();
  }

  void signal(int sig) {
    if (pid > 0)
      ::kill(pid, sig);
  }
};

/// A temporary folder, removed with everything in it.
struct temp_dir {
  std::string path;

  temp_dir() {
    char tmpl[] = "/tmp/intuition-e2e-XXXXXX";
    path = ::mkdtemp(tmpl);
  }

  ~temp_dir() {
    std::string cmd = "rm -rf " + path;
    if (std::system(cmd.c_str()) != 0)
      std::fprintf(stderr, "could not remove %s\n", path.c_str());
  }

  std::string write(const std::string& name, const std::string& text) const {
    auto p = path + "/" + name;
    std::ofstream{p} << text;
    return p;
  }

  std::string file(const std::string& name) const {
    return path + "/" + name;
  }

  /// Starts `program` (a path, or a name looked up on PATH) with `args` in
  /// the source folder; `stdin_path` feeds its standard input when given.
  /// With `max_file_bytes`, no file the child writes may grow past that
  /// (RLIMIT_FSIZE, SIGXFSZ ignored): such a write fails as on a full disk.
  process spawn(const std::string& program, std::vector<std::string> args,
                const std::string& tag, const std::string& stdin_path = {},
                uint64_t max_file_bytes = 0) const {
    process p;
    p.out_path = file(tag + ".out");
    p.err_path = file(tag + ".err");
    p.pid = ::fork();
    if (p.pid == 0) {
      auto out = ::open(p.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      auto err = ::open(p.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      auto in = ::open(stdin_path.empty() ? "/dev/null" : stdin_path.c_str(),
                       O_RDONLY);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      if (max_file_bytes > 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        limit.rlim_cur = static_cast<rlim_t>(max_file_bytes);
        ::setrlimit(RLIMIT_FSIZE, &limit);
      }
      if (::chdir(src.c_str()) != 0)
        ::_exit(126);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(program.c_str()));
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp(program.c_str(), argv.data());
      ::_exit(127);
    }
    return p;
  }

  /// Starts the `intuition` binary.
  process intuition(std::vector<std::string> args, const std::string& tag) const {
    return spawn(bin, std::move(args), tag);
  }

  /// Runs the `intuition` binary to completion; returns its exit code.
  int run(std::vector<std::string> args, const std::string& tag) const {
    return intuition(std::move(args), tag).wait_for(std::chrono::minutes(5));
  }
};

/// Polls `pred` every 20 ms until it holds or `timeout` passed.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

/// Makes a private CA (`dir/ca.pem`) and one certificate it signed
/// (`dir/node.pem`, `dir/node.key`) with openssl; true on success.
inline bool make_test_certificates(const std::string& dir) {
  auto sh = "cd " + dir
            + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key"
              " -out ca.pem -days 1 -subj /CN=intuition-test-ca 2>/dev/null"
              " && openssl req -newkey rsa:2048 -nodes -keyout node.key"
              " -out node.csr -subj /CN=node 2>/dev/null"
              " && openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key"
              " -CAcreateserial -out node.pem -days 1 2>/dev/null";
  return std::system(sh.c_str()) == 0;
}

/// The CAF `[openssl]` section for the certificates of
/// `make_test_certificates(dir)`.
inline std::string test_openssl_section(const std::string& dir) {
  return "[openssl]\ncertificate=\"" + dir + "/node.pem\"\nkey=\"" + dir
         + "/node.key\"\ncafile=\"" + dir + "/ca.pem\"\n";
}

} // namespace intuition::e2e

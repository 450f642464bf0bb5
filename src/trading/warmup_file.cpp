#include "trading/warmup_file.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string_view>
#include <unistd.h>

#include "trading/file_io.hpp"

namespace intuition::trading {

namespace {

constexpr std::string_view magic = "intuition-warmup 1";

bool parse_int(std::string_view text, int64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

/// Splits off the next space-separated field of `rest`.
std::string_view next_field(std::string_view& rest) {
  auto sp = rest.find(' ');
  auto out = rest.substr(0, sp);
  rest
    = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
  return out;
}

} // namespace

std::string warmup_file_path(const std::string& journal_path) {
  return journal_path + ".warmup";
}

status write_warmup_file(const std::string& path,
                         const std::vector<symbol_history>& history) {
  std::string text{magic};
  text += '\n';
  for (const auto& h : history) {
    if (h.ticks.empty())
      continue;
    text += h.symbol;
    text += ' ';
    text += std::to_string(h.ticks.size());
    for (const auto& x : h.ticks) {
      text += ' ';
      text += std::to_string(x.ts_ms);
      text += ' ';
      text += std::to_string(x.price_micros);
    }
    text += '\n';
  }
  int err = 0;
  auto step = replace_step::none;
  if (replace_file(path, text, true, err, step))
    return {};
  const char* verb = step == replace_step::create  ? "cannot create "
                     : step == replace_step::write ? "cannot write "
                     : step == replace_step::sync  ? "cannot sync "
                     : step == replace_step::close ? "cannot close "
                                                   : "cannot rename ";
  return file_content_failure("warm-up history", path, 0,
                              verb + path + ".tmp: " + std::strerror(err));
}

result<std::vector<symbol_history>> read_warmup_file(const std::string& path) {
  std::vector<symbol_history> out;
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    if (::access(path.c_str(), F_OK) != 0)
      return out; // nothing kept yet
    return file_content_failure("warm-up history", path, 0,
                                std::string{"cannot read: "}
                                  + std::strerror(errno));
  }
  std::string line;
  uint64_t line_no = 0;
  auto bad = [&](const std::string& expected) {
    return file_content_failure("warm-up history", path, line_no,
                                "expected " + expected);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1) {
      if (line != magic)
        return bad("\"" + std::string{magic} + "\"");
      continue;
    }
    if (line.empty())
      continue;
    std::string_view rest{line};
    symbol_history h;
    h.symbol = std::string{next_field(rest)};
    int64_t n = 0;
    if (h.symbol.empty() || !parse_int(next_field(rest), n) || n < 1
        || static_cast<uint64_t>(n) > max_history_ticks)
      return bad("SYMBOL COUNT (1 to " + std::to_string(max_history_ticks)
                 + ") then COUNT pairs of timestamp and price");
    h.ticks.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      quote_tick x;
      if (!parse_int(next_field(rest), x.ts_ms)
          || !parse_int(next_field(rest), x.price_micros)
          || x.price_micros <= 0)
        return bad(std::to_string(n) + " pairs of timestamp and price (> 0)");
      h.ticks.push_back(x);
    }
    if (!rest.empty())
      return bad("no more than " + std::to_string(n) + " pairs");
    out.push_back(std::move(h));
  }
  // An empty file has always been reported at "line 0".
  if (line_no == 0)
    return operation_failed("warm-up history " + path + " line 0: expected \""
                            + std::string{magic} + "\"");
  return out;
}

// -- warmup_writer ------------------------------------------------------------------

warmup_writer::warmup_writer(std::string path, write_fn write)
    : path_(std::move(path)),
      write_(write ? std::move(write) : write_fn{write_warmup_file}) {
  thread_ = std::thread{[this] {
    run();
  }};
}

warmup_writer::~warmup_writer() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void warmup_writer::submit(std::vector<symbol_history> history) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (pending_)
      ++replaced_;
    pending_ = std::move(history);
  }
  wake_.notify_one();
}

void warmup_writer::flush() {
  std::unique_lock<std::mutex> guard{mtx_};
  idle_.wait(guard, [this] { return !pending_ && !busy_; });
}

std::optional<failure> warmup_writer::take_failure() {
  std::lock_guard<std::mutex> guard{mtx_};
  auto out = std::move(failure_);
  failure_.reset();
  return out;
}

std::chrono::steady_clock::duration warmup_writer::last_cost() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return last_cost_;
}

uint64_t warmup_writer::written() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return written_;
}

uint64_t warmup_writer::replaced() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return replaced_;
}

uint64_t warmup_writer::failures() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return failures_;
}

void warmup_writer::run() {
  std::unique_lock<std::mutex> guard{mtx_};
  for (;;) {
    wake_.wait(guard, [this] { return pending_ || stop_; });
    if (!pending_)
      return; // stopped with nothing left to write
    auto history = std::move(*pending_);
    pending_.reset();
    busy_ = true;
    guard.unlock();
    auto t0 = std::chrono::steady_clock::now();
    auto ok = write_(path_, history);
    auto cost = std::chrono::steady_clock::now() - t0;
    guard.lock();
    busy_ = false;
    last_cost_ = cost;
    if (ok) {
      ++written_;
    } else {
      ++failures_;
      failure_ = std::move(ok).error();
    }
    if (!pending_)
      idle_.notify_all();
  }
}

} // namespace intuition::trading

#include "runtime/replay.hpp"

#include <chrono>
#include <deque>
#include <fstream>
#include <iostream>
#include <thread>
#include <unordered_set>

#include <caf/all.hpp>

#include "actors/messages.hpp"
#include "runtime/stop_signals.hpp"
#include "runtime/session.hpp"
#include "runtime/summary.hpp"

namespace intuition::runtime {

namespace {

using clock_type = std::chrono::steady_clock;

/// Batches the driver may have in flight; enough to keep every worker busy,
/// few enough that memory stays flat.
constexpr size_t max_in_flight = 4;

/// Rejected rows printed in full before only counting.
constexpr uint64_t max_printed_rejects = 5;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

} // namespace

trading::result<loaded_quotes>
load_quotes_csv(const std::string& path, const trading::codec_limits& limits) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return trading::invalid_request("cannot read quotes file " + path);
  std::string text{std::istreambuf_iterator<char>{in},
                   std::istreambuf_iterator<char>{}};
  loaded_quotes out;
  out.quotes.reserve(text.size() / 24);
  std::string_view rest{text};
  uint64_t line_no = 0;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    auto line = rest.substr(0, nl);
    rest
      = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    ++line_no;
    if (line.empty() || line == "\r")
      continue;
    if (line_no == 1 && trading::is_csv_header(line))
      continue;
    ++out.rows;
    auto res = trading::decode_csv_row(line, out.quotes, limits);
    if (res.ok)
      continue;
    ++out.rejected[static_cast<size_t>(res.reason)];
    if (++out.rejected_total <= max_printed_rejects)
      std::cerr << "quotes " << path << " line " << line_no << ": rejected ("
                << trading::to_string(res.reason)
                << (res.field.empty() ? "" : ", field ") << res.field << ")\n";
  }
  std::unordered_set<std::string_view> symbols;
  for (const auto& q : out.quotes)
    symbols.insert(q.symbol);
  out.symbols = symbols.size();
  if (out.rejected_total > max_printed_rejects)
    std::cerr << "quotes " << path << ": "
              << out.rejected_total - max_printed_rejects
              << " more rows rejected\n";
  return out;
}

size_t replay_batch_size(size_t configured, size_t symbols) {
  if (configured > 0)
    return configured;
  constexpr size_t per_symbol = 64;
  return std::clamp<size_t>(symbols * per_symbol, 1024, 262'144);
}

namespace {

/// The replay command's flags over the configuration; a failure names a
/// flag that cannot be used.
trading::status apply_replay_flags(const replay_options& opts,
                                   app_config& cfg) {
  if (opts.quotes)
    cfg.replay.quotes = *opts.quotes;
  if (opts.repeat)
    cfg.replay.repeat = *opts.repeat;
  if (!opts.speed)
    return {};
  auto speed = parse_speed("--speed", *opts.speed);
  if (!speed)
    return std::move(speed).error();
  cfg.replay.speed = *speed;
  return {};
}

/// The quotes file of the configuration, with at least one valid quote.
trading::result<loaded_quotes> load_replay_quotes(const app_config& cfg,
                                                  const std::string& path) {
  if (cfg.replay.quotes.empty())
    return trading::invalid_request("no quotes file: set replay.quotes in "
                                    + path + " or pass --quotes CSV");
  auto loaded = load_quotes_csv(cfg.replay.quotes, cfg.codec);
  if (loaded && loaded->quotes.empty())
    return trading::invalid_request(cfg.replay.quotes
                                    + " holds no valid quote");
  return loaded;
}

/// What replay exports beside the actors' own series: the rejected rows
/// and the quotes read, as counters that do not change during the run.
std::vector<actors::metric_sample> replay_samples(const loaded_quotes& data,
                                                  uint64_t repeat) {
  std::vector<actors::metric_sample> out;
  for (size_t i = 0; i < data.rejected.size(); ++i)
    out.push_back(actors::counter_sample(
      "intuition_quotes_rejected_total",
      static_cast<double>(data.rejected[i] * repeat),
      {{"reason", std::string{trading::to_string(
                    static_cast<trading::reject_reason>(i))}}}));
  out.push_back(actors::counter_sample(
    "intuition_quotes_received_total",
    static_cast<double>(data.quotes.size() * repeat), {{"channel", "replay"}}));
  return out;
}

/// Sends the quotes (`replay.repeat` times, timestamps shifted each round)
/// to the router in batches, paced by `replay.speed`, with at most
/// `max_in_flight` batches unanswered. The router answers every batch in
/// order with the orders filled so far.
class replay_driver {
public:
  replay_driver(session& s, const loaded_quotes& data, bool quiet);

  /// Runs until every quote was answered, a stop was requested, trading
  /// halted or the router failed.
  void run();

  /// Whether the router failed or stopped.
  bool failed() const noexcept {
    return failed_;
  }

  /// Seconds from the first batch to the last answer.
  double elapsed_s() const noexcept {
    return elapsed_s_;
  }

private:
  trading::quote quote_at(uint64_t i) const;
  bool stopped() const;
  void send_next();
  bool fill_paced(actors::quote_batch& batch);
  void await_one(std::chrono::milliseconds timeout);
  void progress();

  session& s_;
  const std::vector<trading::quote>& qs_;
  bool quiet_;
  uint64_t total_;
  int64_t span_ms_;
  double speed_;
  size_t batch_size_;
  uint64_t sent_ = 0;
  uint64_t acked_ = 0;
  uint64_t orders_ = 0;
  std::deque<uint64_t> in_flight_;
  bool failed_ = false;
  double elapsed_s_ = 0.0;
  clock_type::time_point t0_;
  clock_type::time_point last_progress_;
  uint64_t last_progress_acked_ = 0;
};

replay_driver::replay_driver(session& s, const loaded_quotes& data, bool quiet)
    : s_(s), qs_(data.quotes), quiet_(quiet),
      total_(data.quotes.size() * s.config().replay.repeat),
      span_ms_(data.quotes.back().ts_ms - data.quotes.front().ts_ms + 1),
      speed_(s.config().replay.speed),
      batch_size_(
        replay_batch_size(s.config().replay.batch_size, data.symbols)) {
  s_.on_halt([](const halt_state& halt) {
    std::cerr << "intuition replay: halted: " << halt.cause << ": "
              << halt.error << "; stopping\n";
  });
}

trading::quote replay_driver::quote_at(uint64_t i) const {
  auto q = qs_[i % qs_.size()];
  q.ts_ms += static_cast<int64_t>(i / qs_.size()) * span_ms_;
  return q;
}

bool replay_driver::stopped() const {
  return stop_requested || failed_ || !s_.halt().cause.empty();
}

void replay_driver::run() {
  s_.self()->monitor(s_.actors().router);
  t0_ = last_progress_ = clock_type::now();
  while (sent_ < total_ && !stopped()) {
    if (in_flight_.size() >= max_in_flight)
      await_one(std::chrono::milliseconds(200));
    else
      send_next();
    progress();
  }
  while (!in_flight_.empty()) {
    await_one(std::chrono::milliseconds(200));
    progress();
  }
  elapsed_s_ = seconds_since(t0_);
}

void replay_driver::send_next() {
  actors::quote_batch batch;
  if (speed_ > 0) {
    if (!fill_paced(batch))
      return;
  } else {
    auto end = std::min<uint64_t>(total_, sent_ + batch_size_);
    batch.quotes.reserve(end - sent_);
    for (; sent_ < end; ++sent_)
      batch.quotes.push_back(quote_at(sent_));
  }
  in_flight_.push_back(batch.quotes.size());
  s_.self()->send(s_.actors().router, std::move(batch));
}

bool replay_driver::fill_paced(actors::quote_batch& batch) {
  // Send what is due by now; quotes of one timestamp go together.
  auto elapsed_ms = seconds_since(t0_) * 1000.0 * speed_;
  auto first_ts = quote_at(0).ts_ms;
  while (sent_ < total_ && batch.quotes.size() < batch_size_) {
    auto q = quote_at(sent_);
    if (static_cast<double>(q.ts_ms - first_ts) > elapsed_ms)
      break;
    batch.quotes.push_back(std::move(q));
    ++sent_;
  }
  if (!batch.quotes.empty())
    return true;
  auto wait_ms
    = (static_cast<double>(quote_at(sent_).ts_ms - first_ts) - elapsed_ms)
      / speed_;
  auto wait = std::chrono::milliseconds(
    std::clamp<int64_t>(static_cast<int64_t>(wait_ms) + 1, 1, 100));
  if (!in_flight_.empty())
    await_one(wait);
  else
    std::this_thread::sleep_for(wait);
  return false;
}

void replay_driver::await_one(std::chrono::milliseconds timeout) {
  auto& sys = s_.system();
  s_.self()->receive(
    [&](uint64_t filled) {
      orders_ = filled;
      acked_ += in_flight_.front();
      in_flight_.pop_front();
    },
    [&](caf::error& err) {
      std::cerr << "intuition replay: " << sys.render(err) << "\n";
      failed_ = true;
      in_flight_.pop_front();
    },
    [&](caf::down_msg& dm) {
      std::cerr << "intuition replay: the quote router stopped: "
                << sys.render(dm.reason) << "\n";
      failed_ = true;
      in_flight_.clear();
    },
    s_.halt_handler(),
    caf::after(timeout) >>
      [] {
        // nop
      });
}

void replay_driver::progress() {
  auto now = clock_type::now();
  if (quiet_ || now - last_progress_ < std::chrono::seconds(1))
    return;
  auto dt = std::chrono::duration<double>(now - last_progress_).count();
  auto rate
    = dt > 0 ? static_cast<double>(acked_ - last_progress_acked_) / dt : 0.0;
  const auto& halt = s_.halt();
  std::cerr << "replay: " << acked_ << "/" << total_ << " quotes, "
            << static_cast<uint64_t>(rate) << " quotes/s, " << orders_
            << " orders"
            << (halt.cause.empty() ? "" : ", halted: " + halt.cause) << "\n";
  last_progress_ = now;
  last_progress_acked_ = acked_;
}

/// Drains the session (everything journaled is durable before the summary
/// prints) and writes the report; the exit code.
int finish_replay(session& s, const replay_driver& driver,
                  const loaded_quotes& data) {
  auto durable = s.flush_journal(caf::infinite);
  auto report = s.portfolio_report(caf::infinite);
  s.stop();
  if (!report)
    return 1;
  const auto repeat = s.config().replay.repeat;
  run_info info;
  info.input = s.config().replay.quotes;
  info.elapsed_s = driver.elapsed_s();
  info.interrupted = stop_requested.load();
  info.rows = data.rows * repeat;
  info.rejected = data.rejected;
  for (auto& r : info.rejected)
    r *= repeat;
  info.journal_durable = durable.value_or(0);
  if (auto st = s.write_report(*report, std::move(info)); !st)
    return s.fail(st.error());
  return driver.failed() || !durable || !s.halt().cause.empty() ? 1 : 0;
}

} // namespace

int run_replay(const replay_options& opts, const char* argv0) {
  session s{"replay", opts, argv0};
  auto checked = [&](trading::status st) {
    return st ? 0 : s.fail(st.error());
  };
  if (auto rc = checked(s.configure(
        [&](app_config& cfg) { return apply_replay_flags(opts, cfg); })))
    return rc;
  auto data = load_replay_quotes(s.config(), opts.config_path);
  if (!data)
    return s.fail(data.error());
  // The journal is recovered before any actor exists.
  if (auto rc = checked(s.recover_journal()))
    return rc;
  if (auto rc = checked(s.start_actor_system()))
    return rc;
  s.start_pipeline();
  if (auto rc = checked(s.join_cluster()))
    return rc;
  // Replay listens only when asked (`--listen`).
  if (auto rc = checked(
        s.start_control({}, replay_samples(*data, s.config().replay.repeat))))
    return rc;
  replay_driver driver{s, *data, opts.quiet};
  driver.run();
  return finish_replay(s, driver, *data);
}

} // namespace intuition::runtime

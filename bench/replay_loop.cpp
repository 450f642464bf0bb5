// The replay's trading work as a plain single-threaded loop, without actors:
// the baseline that tells what the actor plumbing costs. It reads the same
// configuration and CSV, runs the same algorithms, portfolio and journal,
// and prints the same summary, which must match `intuition replay` exactly.
//
// usage: intuition-bench-loop --config FILE [--quotes CSV] [--repeat N]
//                             [--journal PATH]

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/config.hpp"
#include "runtime/replay.hpp"
#include "runtime/summary.hpp"
#include "trading/algorithm.hpp"
#include "trading/journal.hpp"
#include "trading/performance.hpp"
#include "trading/portfolio.hpp"
#include "trading/result.hpp"
#include "trading/report.hpp"
#include "trading/warmup_file.hpp"

using namespace intuition;

namespace {

/// The flags of the loop.
struct loop_options {
  std::string config_path;
  std::string quotes;
  std::string journal_path;
  uint64_t repeat = 0;
};

/// Reads the flags; nothing when they are unusable (reported).
std::optional<loop_options> parse_flags(int argc, char** argv) {
  loop_options out;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--config")
      out.config_path = argv[i + 1];
    else if (flag == "--quotes")
      out.quotes = argv[i + 1];
    else if (flag == "--repeat")
      out.repeat = std::stoull(argv[i + 1]);
    else if (flag == "--journal")
      out.journal_path = argv[i + 1];
    else {
      std::cerr << "unknown option " << flag << "\n";
      return std::nullopt;
    }
  }
  if (out.config_path.empty()) {
    std::cerr << "usage: intuition-bench-loop --config FILE [--quotes CSV] "
                 "[--repeat N] [--journal PATH]\n";
    return std::nullopt;
  }
  return out;
}

/// The configuration with the flags applied.
trading::result<runtime::app_config> configure(const loop_options& opts) {
  auto loaded = runtime::load_config(opts.config_path);
  if (!loaded)
    return std::move(loaded).error().within("config");
  auto cfg = std::move(*loaded);
  if (!opts.quotes.empty())
    cfg.replay.quotes = opts.quotes;
  if (opts.repeat > 0)
    cfg.replay.repeat = opts.repeat;
  if (!opts.journal_path.empty())
    cfg.journal.path = opts.journal_path;
  return cfg;
}

/// One symbol's algorithm instances, in strategy order.
using instance_list
  = std::vector<std::pair<const runtime::strategy_config*,
                          std::unique_ptr<trading::algorithm>>>;

/// The replay's trading work in one thread: what the router, the
/// algorithm actors, the portfolio and the order log do, without them.
class plain_loop {
public:
  plain_loop(const runtime::app_config& cfg, const runtime::loaded_quotes& data)
      : cfg_(cfg), qs_(data.quotes), pf_(cfg.portfolio),
        curve_(cfg.report.equity_interval_ms),
        batch_size_(
          runtime::replay_batch_size(cfg.replay.batch_size, data.symbols)),
        total_(data.quotes.size() * cfg.replay.repeat),
        history_path_(trading::warmup_file_path(cfg.journal.path)) {
    // nop
  }

  /// Opens the journal and restores the portfolio and the warm-up history
  /// from it, as a restart of the runtime does.
  trading::status open_journal();

  /// Trades every quote, `replay.repeat` times.
  void run();

  /// Syncs the journal, saves the warm-up history and prints the summary.
  void finish(uint64_t rows);

private:
  instance_list* instances_for(const trading::quote& q);
  void keep_recent(const trading::quote& q);
  void trade(trading::quote q, instance_list& instances);
  void append(bool last);

  const runtime::app_config& cfg_;
  const std::vector<trading::quote>& qs_;
  trading::portfolio pf_;
  trading::equity_curve curve_;
  size_t batch_size_;
  uint64_t total_;
  std::string history_path_;
  trading::journal_writer journal_;
  uint64_t restored_orders_ = 0;
  int64_t starting_equity_ = 0;
  /// History to warm new instances from, as the router has it.
  std::unordered_map<std::string, std::vector<trading::quote_tick>> restored_;
  /// The history to save at the end: each traded symbol's last quotes, as
  /// many as its longest warm-up (at least one).
  std::unordered_map<std::string, std::deque<trading::quote_tick>> recent_;
  std::unordered_map<std::string, size_t> recent_limit_;
  /// Instances per symbol, created on first sight.
  std::unordered_map<std::string, instance_list> instances_;
  /// The router's caps, so that a capped run journals the same orders.
  uint64_t instance_count_ = 0;
  uint64_t seq_ = 0;
  std::vector<trading::order> filled_;
  uint64_t durable_ = 0;
  double elapsed_s_ = 0.0;
};

trading::status plain_loop::open_journal() {
  auto recovered = trading::read_journal(cfg_.journal.path);
  if (!recovered)
    return std::move(recovered).error();
  auto& contents = *recovered;
  if (auto st = journal_.open(cfg_.journal.path, contents); !st)
    return st;
  for (const auto& x : contents.orders)
    pf_.restore(x);
  restored_orders_ = contents.orders.size();
  starting_equity_ = pf_.positions().equity_micros();
  if (!cfg_.journal.warmup)
    return {};
  auto read = trading::read_warmup_file(history_path_);
  if (read)
    for (auto& x : *read)
      restored_[x.symbol] = std::move(x.ticks);
  else
    std::cerr << read.error().message << "; algorithms start without warm-up\n";
  return {};
}

instance_list* plain_loop::instances_for(const trading::quote& q) {
  if (auto it = instances_.find(q.symbol); it != instances_.end())
    return &it->second;
  auto trades = [&q](const runtime::strategy_config& s) {
    return s.symbols.empty()
           || std::find(s.symbols.begin(), s.symbols.end(), q.symbol)
                != s.symbols.end();
  };
  uint64_t needed = 0;
  for (const auto& s : cfg_.strategies)
    needed += trades(s) ? 1 : 0;
  if (instances_.size() >= cfg_.router.max_symbols
      || needed > cfg_.router.max_instances
      || instance_count_ > cfg_.router.max_instances - needed)
    return nullptr; // too_many_symbols
  instance_count_ += needed;
  auto& v = instances_[q.symbol];
  auto warm = restored_.find(q.symbol);
  size_t limit = 0;
  for (const auto& s : cfg_.strategies) {
    if (!trades(s))
      continue;
    auto algo = trading::make_algorithm(s.algorithm, q.symbol);
    algo->initialize(s.params);
    limit = std::max<size_t>(limit, std::max<size_t>(algo->warmup(), 1));
    if (auto held = pf_.positions().holding(s.name, q.symbol).qty; held != 0)
      algo->restore_position(held);
    if (warm != restored_.end())
      for (const auto& x : warm->second) {
        trading::quote past{q.symbol, x.price_micros, x.ts_ms, 0, 0};
        algo->on_quote(past);
      }
    v.emplace_back(&s, std::move(algo));
  }
  if (limit > 0) {
    recent_limit_[q.symbol] = limit;
    auto& kept = recent_[q.symbol];
    if (warm != restored_.end())
      for (const auto& x : warm->second) {
        kept.push_back(x);
        if (kept.size() > limit)
          kept.pop_front();
      }
  }
  if (warm != restored_.end())
    restored_.erase(warm);
  return &v;
}

void plain_loop::keep_recent(const trading::quote& q) {
  if (auto kept = recent_.find(q.symbol); kept != recent_.end()) {
    kept->second.push_back(trading::tick_of(q));
    if (kept->second.size() > recent_limit_[q.symbol])
      kept->second.pop_front();
  }
}

void plain_loop::trade(trading::quote q, instance_list& instances) {
  keep_recent(q);
  q.seq = ++seq_;
  pf_.on_quote(q);
  // Resting orders' records follow what caused them, as the actors journal
  // them; without resting orders there are none.
  auto take_records = [this] {
    for (auto& x : pf_.take_records())
      filled_.push_back(std::move(x));
  };
  take_records();
  for (auto& [strategy, algo] : instances) {
    auto d = algo->on_quote(q);
    if (!d)
      continue;
    trading::signal sig{strategy->name, q.symbol, d->direction, d->strength,
                        q.price_micros, q.ts_ms,  q.seq};
    auto outcome = pf_.on_signal(sig);
    if (auto* x = std::get_if<trading::order>(&outcome))
      filled_.push_back(std::move(*x));
    take_records();
  }
  curve_.record(q.ts_ms, pf_.positions().equity_micros());
}

void plain_loop::append(bool sync) {
  journal_.append(filled_);
  if (sync)
    journal_.sync();
  durable_ += filled_.size();
  filled_.clear();
}

void plain_loop::run() {
  auto t0 = std::chrono::steady_clock::now();
  const auto n = qs_.size();
  const auto span_ms = qs_.back().ts_ms - qs_.front().ts_ms + 1;
  for (uint64_t i = 0; i < total_; ++i) {
    auto q = qs_[i % n];
    q.ts_ms += static_cast<int64_t>(i / n) * span_ms;
    auto* instances = instances_for(q);
    if (!instances)
      continue;
    trade(std::move(q), *instances);
    // Same journaling granularity as the actors: one append per batch.
    if (!filled_.empty() && ((i + 1) % batch_size_ == 0 || i + 1 == total_))
      append(cfg_.journal.fsync == trading::fsync_policy::always);
  }
  if (!filled_.empty())
    append(false);
  journal_.sync();
  elapsed_s_
    = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
}

void plain_loop::finish(uint64_t rows) {
  std::vector<trading::symbol_history> saved;
  for (auto& [symbol, ticks] : recent_)
    saved.push_back({symbol, {ticks.begin(), ticks.end()}});
  for (auto& [symbol, ticks] : restored_)
    saved.push_back({symbol, std::move(ticks)});
  if (!cfg_.journal.path.empty() && cfg_.journal.warmup)
    if (auto st = trading::write_warmup_file(history_path_, saved); !st)
      std::cerr << st.error().message << "\n";
  auto report
    = trading::portfolio_report(pf_, curve_, starting_equity_, cfg_.report);
  runtime::run_info info;
  info.mode = "loop";
  info.input = cfg_.replay.quotes;
  info.elapsed_s = elapsed_s_;
  info.rows = rows * cfg_.replay.repeat;
  info.journal_path = cfg_.journal.path;
  info.journal_durable = durable_;
  info.restored_orders = restored_orders_;
  report.run = std::move(info);
  runtime::print_summary(std::cout, report);
}

} // namespace

int main(int argc, char** argv) {
  auto opts = parse_flags(argc, argv);
  if (!opts)
    return 2;
  auto fail = [](const trading::failure& x) {
    std::cerr << x.message << "\n";
    return trading::exit_code(x);
  };
  auto cfg = configure(*opts);
  if (!cfg)
    return fail(cfg.error());
  auto loaded = runtime::load_quotes_csv(cfg->replay.quotes, cfg->codec);
  if (!loaded)
    return fail(loaded.error());
  plain_loop loop{*cfg, *loaded};
  if (auto st = loop.open_journal(); !st)
    return fail(st.error());
  loop.run();
  loop.finish(loaded->rows);
  return 0;
}

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
#include "trading/report.hpp"
#include "trading/warmup_file.hpp"

using namespace intuition;

int main(int argc, char** argv) {
  std::string config_path;
  std::string quotes;
  std::string journal_path;
  uint64_t repeat = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--config")
      config_path = argv[i + 1];
    else if (flag == "--quotes")
      quotes = argv[i + 1];
    else if (flag == "--repeat")
      repeat = std::stoull(argv[i + 1]);
    else if (flag == "--journal")
      journal_path = argv[i + 1];
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }
  if (config_path.empty()) {
    std::cerr << "usage: intuition-bench-loop --config FILE [--quotes CSV] "
                 "[--repeat N] [--journal PATH]\n";
    return 2;
  }
  auto configured = runtime::load_config(config_path);
  if (!configured) {
    std::cerr << "config: " << configured.error().message << "\n";
    return trading::exit_code(configured.error());
  }
  auto cfg = std::move(*configured);
  if (!quotes.empty())
    cfg.replay.quotes = quotes;
  if (repeat > 0)
    cfg.replay.repeat = repeat;
  if (!journal_path.empty())
    cfg.journal.path = journal_path;
  auto loaded = runtime::load_quotes_csv(cfg.replay.quotes, cfg.codec);
  if (!loaded) {
    std::cerr << loaded.error().message << "\n";
    return trading::exit_code(loaded.error());
  }
  const auto& qs = loaded->quotes;
  const auto batch_size = runtime::replay_batch_size(cfg.replay.batch_size,
                                                     loaded->symbols);
  auto recovered = trading::read_journal(cfg.journal.path);
  if (!recovered) {
    std::cerr << recovered.error().message << "\n";
    return trading::exit_code(recovered.error());
  }
  auto& contents = *recovered;
  trading::journal_writer journal;
  if (auto ok = journal.open(cfg.journal.path, contents); !ok) {
    std::cerr << ok.error().message << "\n";
    return trading::exit_code(ok.error());
  }
  trading::portfolio pf{cfg.portfolio};
  for (const auto& x : contents.orders)
    pf.restore(x);
  // What a restart hands on, as the router does: history to warm new
  // instances from, and each instance's restored position.
  const auto history_path = trading::warmup_file_path(cfg.journal.path);
  std::unordered_map<std::string, std::vector<trading::quote_tick>> restored;
  if (cfg.journal.warmup) {
    auto read = trading::read_warmup_file(history_path);
    if (read)
      for (auto& x : *read)
        restored[x.symbol] = std::move(x.ticks);
    else
      std::cerr << read.error().message
                << "; algorithms start without warm-up\n";
  }
  // The history to save at the end: each traded symbol's last quotes, as
  // many as its longest warm-up (at least one).
  std::unordered_map<std::string, std::deque<trading::quote_tick>> recent;
  std::unordered_map<std::string, size_t> recent_limit;
  auto starting_equity = pf.positions().equity_micros();
  trading::equity_curve curve{cfg.report.equity_interval_ms};
  // Instances per symbol in strategy order, created on first sight.
  std::unordered_map<std::string,
                     std::vector<std::pair<const runtime::strategy_config*,
                                           std::unique_ptr<trading::algorithm>>>>
    instances;
  auto t0 = std::chrono::steady_clock::now();
  const auto n = qs.size();
  const auto total = n * cfg.replay.repeat;
  const auto span_ms = qs.back().ts_ms - qs.front().ts_ms + 1;
  std::vector<trading::order> filled;
  uint64_t durable = 0;
  // The router's caps, so that a capped run journals the same orders.
  uint64_t seq = 0;
  uint64_t instance_count = 0;
  for (uint64_t i = 0; i < total; ++i) {
    auto q = qs[i % n];
    q.ts_ms += static_cast<int64_t>(i / n) * span_ms;
    auto it = instances.find(q.symbol);
    if (it == instances.end()) {
      auto trades = [&q](const runtime::strategy_config& s) {
        return s.symbols.empty()
               || std::find(s.symbols.begin(), s.symbols.end(), q.symbol)
                    != s.symbols.end();
      };
      uint64_t needed = 0;
      for (const auto& s : cfg.strategies)
        needed += trades(s) ? 1 : 0;
      if (instances.size() >= cfg.router.max_symbols
          || needed > cfg.router.max_instances
          || instance_count > cfg.router.max_instances - needed)
        continue; // too_many_symbols
      instance_count += needed;
      auto& v = instances[q.symbol];
      auto warm = restored.find(q.symbol);
      size_t limit = 0;
      for (const auto& s : cfg.strategies) {
        if (!trades(s))
          continue;
        auto algo = trading::make_algorithm(s.algorithm, q.symbol);
        // The configuration loader initialised these parameters already.
        static_cast<void>(algo->initialize(s.params));
        limit = std::max<size_t>(limit, std::max<size_t>(algo->warmup(), 1));
        if (auto held = pf.positions().holding(s.name, q.symbol).qty; held != 0)
          algo->restore_position(held);
        if (warm != restored.end())
          for (const auto& x : warm->second) {
            trading::quote past{q.symbol, x.price_micros, x.ts_ms, 0, 0};
            algo->on_quote(past);
          }
        v.emplace_back(&s, std::move(algo));
      }
      if (limit > 0) {
        recent_limit[q.symbol] = limit;
        auto& kept = recent[q.symbol];
        if (warm != restored.end())
          for (const auto& x : warm->second) {
            kept.push_back(x);
            if (kept.size() > limit)
              kept.pop_front();
          }
      }
      if (warm != restored.end())
        restored.erase(warm);
      it = instances.find(q.symbol);
    }
    if (auto kept = recent.find(q.symbol); kept != recent.end()) {
      kept->second.push_back(trading::tick_of(q));
      if (kept->second.size() > recent_limit[q.symbol])
        kept->second.pop_front();
    }
    q.seq = ++seq;
    pf.on_quote(q);
    for (auto& [strategy, algo] : it->second) {
      auto d = algo->on_quote(q);
      if (!d)
        continue;
      trading::signal sig{strategy->name, q.symbol, d->direction, d->strength,
                          q.price_micros, q.ts_ms, q.seq};
      auto outcome = pf.on_signal(sig);
      if (auto* x = std::get_if<trading::order>(&outcome))
        filled.push_back(std::move(*x));
    }
    curve.record(q.ts_ms, pf.positions().equity_micros());
    // Same journaling granularity as the actors: one append per batch.
    if (!filled.empty()
        && ((i + 1) % batch_size == 0 || i + 1 == total)) {
      auto ok = journal.append(filled);
      if (ok && cfg.journal.fsync == trading::fsync_policy::always)
        ok = journal.sync();
      if (!ok) {
        std::cerr << ok.error().message << "\n";
        return trading::exit_code(ok.error());
      }
      durable += filled.size();
      filled.clear();
    }
  }
  auto ok = filled.empty() ? trading::status{} : journal.append(filled);
  if (ok)
    ok = journal.sync();
  if (!ok) {
    std::cerr << ok.error().message << "\n";
    return trading::exit_code(ok.error());
  }
  durable += filled.size();
  std::vector<trading::symbol_history> saved;
  for (auto& [symbol, ticks] : recent)
    saved.push_back({symbol, {ticks.begin(), ticks.end()}});
  for (auto& [symbol, ticks] : restored)
    saved.push_back({symbol, std::move(ticks)});
  if (!cfg.journal.path.empty() && cfg.journal.warmup)
    if (auto ok = trading::write_warmup_file(history_path, saved); !ok)
      std::cerr << ok.error().message << "\n";
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                               - t0)
                   .count();
  auto report = trading::portfolio_report(pf, curve, starting_equity,
                                          cfg.report, false);
  runtime::run_info info;
  info.mode = "loop";
  info.input = cfg.replay.quotes;
  info.quotes_sent = total;
  info.elapsed_s = elapsed;
  info.rows = loaded->rows * cfg.replay.repeat;
  info.journal_path = cfg.journal.path;
  info.journal_durable = durable;
  info.restored_orders = contents.orders.size();
  runtime::complete_report(report, info);
  runtime::print_summary(std::cout, report);
  return 0;
}

#include "runtime/pipeline.hpp"

#include <iostream>

#include <caf/all.hpp>

#include "actors/order_log.hpp"
#include "actors/portfolio.hpp"
#include "runtime/operator_control.hpp"
#include "trading/portfolio.hpp"
#include "trading/warmup_file.hpp"

namespace intuition::runtime {

actors::router_options
router_options_for(const app_config& cfg,
                   const std::vector<trading::order>& restored) {
  actors::router_options out;
  out.limits.max_symbols = static_cast<size_t>(cfg.router.max_symbols);
  out.limits.max_instances = static_cast<size_t>(cfg.router.max_instances);
  if (cfg.journal.path.empty())
    return out;
  // What each instance held when the journal ends, as the portfolio
  // rebuilds it.
  trading::portfolio book{cfg.portfolio};
  for (const auto& x : restored)
    book.restore(x);
  for (const auto& [key, pos] : book.positions().holdings())
    if (pos.qty != 0)
      out.positions.emplace(key.first + "/" + key.second, pos.qty);
  if (!cfg.journal.warmup)
    return out;
  out.history_path = trading::warmup_file_path(cfg.journal.path);
  auto read = trading::read_warmup_file(out.history_path);
  if (!read) {
    // Trading goes on, with indicators starting cold; the file is
    // rewritten at the next save.
    std::cerr << read.error().message << "; algorithms start without warm-up\n";
    return out;
  }
  for (auto& h : *read)
    out.history.emplace_back(std::move(h.symbol), std::move(h.ticks));
  return out;
}

pipeline start_pipeline(caf::actor_system& sys, const app_config& cfg,
                        recovered_journal journal, actors::placement_fn place,
                        actors::order_publisher_actor publisher,
                        actors::halt_sink_actor observer,
                        actors::portfolio_control control) {
  pipeline p;
  actors::order_log_config log_cfg{
    cfg.journal.fsync, std::chrono::milliseconds{cfg.journal.interval_ms},
    publisher, std::move(observer)};
  // fdatasync blocks its thread for a fraction of a millisecond or more:
  // the order log gets a thread of its own instead of stalling one of the
  // scheduler's workers (and every actor queued behind it).
  p.log = sys.spawn<caf::detached>(actors::order_log, journal.writer, log_cfg);
  auto opts = router_options_for(cfg, journal.contents.orders);
  opts.parse_strategy = make_strategy_parser();
  p.portfolio
    = sys.spawn(actors::controlled_portfolio, cfg.portfolio, cfg.report,
                std::move(journal.contents.orders), p.log, std::move(control));
  std::vector<actors::strategy_route> routes;
  for (const auto& s : cfg.strategies) {
    routes.push_back(route_of(s));
    // The ingress knows configured strategies only: one added while
    // trading takes what those with its channels take.
    if (s.added_while_trading)
      for (uint32_t k = 0; k < cfg.strategies.size(); ++k)
        if (!cfg.strategies[k].added_while_trading
            && cfg.strategies[k].channels == s.channels)
          routes.back().peers.push_back(k);
  }
  p.router
    = sys.spawn(actors::quote_router, std::move(routes), std::move(place),
                p.portfolio, std::move(publisher), std::move(opts));
  return p;
}

std::vector<actors::inspection_target> inspection_targets(const pipeline& p) {
  return {{"quote_router", p.router},
          {"portfolio", p.portfolio},
          {"order_log", p.log}};
}

void stop_pipeline(const pipeline& p) {
  caf::anon_send_exit(p.router, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(p.portfolio, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(p.log, caf::exit_reason::user_shutdown);
}

} // namespace intuition::runtime

#include "actors/portfolio.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "trading/decimal.hpp"
#include "trading/external_strategy.hpp"
#include "trading/risk_file.hpp"

namespace intuition::actors {

namespace {

using state = portfolio_state;

/// Moves the records of resting orders the last quote or signal produced
/// into `out`, stamped with the quote's input position.
void take_resting_records(state& st, const trading::quote& q,
                          order_batch& out) {
  for (auto& x : st.pf->take_records()) {
    x.input_pos = q.input_pos;
    if (x.kind == trading::record_kind::fill)
      ++st.orders_by[{x.strategy, x.direction}];
    out.orders.push_back(std::move(x));
  }
}

/// Open orders as `inspect portfolio` lists them: the count and the oldest
/// `open_orders_listed`.
nlohmann::json open_orders_json(const trading::open_orders& open) {
  constexpr size_t open_orders_listed = 20;
  auto list = nlohmann::json::array();
  for (const auto& [ref, x] : open.all()) {
    if (list.size() == open_orders_listed)
      break;
    const auto& o = x.placed;
    list.push_back({{"ref", ref},
                    {"strategy", o.strategy},
                    {"symbol", o.symbol},
                    {"side", trading::to_string(o.direction)},
                    {"qty", o.qty},
                    {"type", trading::to_string(o.type)},
                    {"tif", trading::to_string(o.tif)},
                    {"limit", trading::format_micros(o.limit_micros)},
                    {"stop", trading::format_micros(o.stop_micros)},
                    {"triggered", x.triggered},
                    {"ts", o.ts_ms}});
  }
  return {{"count", open.size()}, {"first", std::move(list)}};
}

/// Money as the exporter shows it: currency units.
double units(int64_t micros) {
  return static_cast<double>(micros)
         / static_cast<double>(trading::micros_per_unit);
}

/// A family of this run's counts by (strategy, side).
telemetry_field<state>::family_reader by_strategy_and_side(
  std::map<std::pair<std::string, trading::side>, uint64_t> state::*counts) {
  return [counts](const state& st) {
    std::vector<series> out;
    for (const auto& [key, count] : st.*counts)
      out.push_back(
        {{key.first, std::string{trading::to_string(key.second)}}, count});
    return out;
  };
}

/// Reads one of the portfolio's own counters.
telemetry_field<state>::reader
counted(uint64_t trading::portfolio_counters::*x) {
  return [x](const state& st) {
    return st.pf->counters().*x;
  };
}

/// One P&L figure summed over every strategy, in currency units.
telemetry_field<state>::reader pnl(int64_t trading::strategy_pnl::*x) {
  return [x](const state& st) {
    int64_t sum = 0;
    for (const auto& [name, figures] : st.pf->positions().pnl_by_strategy())
      sum += figures.*x;
    return units(sum);
  };
}

// -- operator control ---------------------------------------------------------------

using self_ptr = portfolio_actor::stateful_pointer<portfolio_state>;

/// Journals `x` (when there is a control journal); the failure otherwise.
trading::status journal_control(state& st, trading::control_record x) {
  if (!st.control)
    return {};
  return st.control->append(x);
}

control_reply control_failed(const trading::failure& x) {
  return {false, x.kind == trading::failure_kind::invalid_request, x.message};
}

/// Sends the order log the records of resting orders the portfolio made
/// outside a market batch (a halt cancels every open order).
void journal_resting_records(self_ptr self) {
  auto& st = self->state;
  order_batch out;
  out.orders = st.pf->take_records();
  if (out.orders.empty())
    return;
  out.sent_ns = steady_now_ns();
  self->send(st.log, std::move(out));
}

/// Whether a risk limit is set, so that its watermarks matter.
bool has_risk_limits(const portfolio_state& st) {
  const auto& limits = st.pf->mode().limits();
  return limits.max_drawdown_ppm > 0 || limits.max_daily_loss_micros > 0;
}

/// Saves the risk limits' watermarks when they changed: at most once a
/// second while quotes flow, at once when `now_too` (a resume, the stop).
/// Nothing without a file or without limits.
void save_risk_marks(self_ptr self, bool now_too) {
  auto& st = self->state;
  if (st.risk_path.empty() || !has_risk_limits(st))
    return;
  auto now = std::chrono::steady_clock::now();
  if (!now_too && now - st.marks_saved_at < std::chrono::seconds{1})
    return;
  auto marks = st.pf->mode().marks();
  if (marks == st.saved_marks)
    return;
  st.marks_saved_at = now;
  if (auto ok = trading::write_risk_file(st.risk_path, marks); !ok) {
    if (!st.marks_failed)
      aout(self) << "portfolio: " << ok.error().message
                 << " (a restart would measure the risk limits from its "
                    "first quote)"
                 << std::endl;
    st.marks_failed = true;
    return;
  }
  st.marks_failed = false;
  st.saved_marks = marks;
}

/// `halt`, `reduce-only`, `resume`: journals the new mode, then sets it.
control_reply change_mode(self_ptr self, trading::mode_kind kind,
                          const std::string& origin) {
  auto& st = self->state;
  const auto& mode = st.pf->mode();
  auto before = std::string{trading::to_string(mode.kind())};
  if (mode.kind() == kind && !mode.risk_tripped())
    return {true, false, "trading is already " + before};
  trading::control_record x;
  x.kind = "mode";
  x.mode = kind;
  x.reason = kind == trading::mode_kind::normal ? "" : origin;
  if (auto ok = journal_control(st, x); !ok)
    return control_failed(ok.error());
  st.pf->set_mode(kind, x.reason);
  journal_resting_records(self);
  // A resume starts the watermarks over: so does a restart after it.
  save_risk_marks(self, true);
  ++st.control_changes;
  auto line = "trading " + std::string{trading::to_string(kind)} + " (was "
              + before + ")";
  aout(self) << "portfolio: " << line << " by " << origin << std::endl;
  return {true, false, line};
}

/// `flatten`: journals it, then closes at the next quotes.
control_reply flatten(self_ptr self, const std::string& strategy) {
  auto& st = self->state;
  trading::control_record x;
  x.kind = "flatten";
  x.strategy = strategy;
  if (auto ok = journal_control(st, x); !ok)
    return control_failed(ok.error());
  auto open = st.pf->request_flatten(strategy);
  ++st.control_changes;
  auto line = "flattening " + std::to_string(open) + " open position(s)"
              + (strategy.empty() ? "" : " of " + strategy)
              + " at the next quote of each symbol";
  aout(self) << "portfolio: " << line << std::endl;
  return {true, false, line};
}

/// `add-strategy`, `remove-strategy` (checked by the router): journaled
/// here, beside the mode, so that one file says how to restart.
control_reply strategy_change(self_ptr self, const control_request& req) {
  auto& st = self->state;
  trading::control_record x;
  if (req.command == "add-strategy") {
    auto def = nlohmann::json::parse(req.strategy, nullptr, false);
    if (!def.is_object() || !def.contains("name") || !def["name"].is_string())
      return {false, true, "strategy: expected a JSON object with a name"};
    x.kind = "add_strategy";
    x.strategy = def["name"].get<std::string>();
    x.definition = req.strategy;
  } else {
    x.kind = "remove_strategy";
    x.strategy = req.strategy;
    x.flatten = req.flatten;
  }
  if (auto ok = journal_control(st, x); !ok)
    return control_failed(ok.error());
  ++st.control_changes;
  std::string line = "strategy " + x.strategy
                     + (x.kind == "add_strategy" ? " added" : " removed");
  if (x.kind == "remove_strategy") {
    // Its resting orders go with it.
    if (auto n = st.pf->cancel_resting(x.strategy, "strategy removed"))
      line += "; " + std::to_string(n) + " open order(s) cancelled";
    journal_resting_records(self);
    if (x.flatten) {
      auto open = st.pf->request_flatten(x.strategy);
      line += "; flattening its " + std::to_string(open)
              + " open position(s) at the next quote of each symbol";
    } else {
      line += "; its positions stay";
    }
  }
  return {true, false, line};
}

control_reply on_control(self_ptr self, const control_request& req) {
  using trading::mode_kind;
  if (req.command == "halt")
    return change_mode(self, mode_kind::halted, req.origin);
  if (req.command == "reduce-only")
    return change_mode(self, mode_kind::reduce_only, req.origin);
  if (req.command == "resume")
    return change_mode(self, mode_kind::normal, req.origin);
  if (req.command == "flatten")
    return flatten(self, req.strategy);
  if (req.command == "add-strategy" || req.command == "remove-strategy")
    return strategy_change(self, req);
  return {false, true,
          "unknown command \"" + req.command
            + "\" (expected halt, reduce-only, resume, flatten, "
              "add-strategy or remove-strategy)"};
}

/// After a quote marked the book: flatten orders go out with the batch's
/// orders; a crossed risk limit and a completed flatten are journaled.
void control_at_quote(self_ptr self, const trading::quote& q,
                      order_batch& filled) {
  auto& st = self->state;
  auto outcome = st.pf->after_quote(q);
  for (auto& x : outcome.orders) {
    x.input_pos = q.input_pos;
    ++st.orders_by[{x.strategy, x.direction}];
    ++st.flatten_orders;
    filled.orders.push_back(std::move(x));
  }
  for (const auto& strategy : outcome.flattened) {
    trading::control_record x;
    x.kind = "flattened";
    x.strategy = strategy;
    if (auto ok = journal_control(st, x); !ok)
      aout(self) << "portfolio: " << ok.error().message << std::endl;
    aout(self) << "portfolio: flattened "
               << (strategy.empty() ? "every strategy" : strategy) << std::endl;
  }
  if (outcome.tripped) {
    ++st.risk_halts;
    ++st.control_changes;
    trading::control_record x;
    x.kind = "mode";
    x.mode = trading::mode_kind::halted;
    x.reason = *outcome.tripped;
    x.risk = true;
    // Halted either way: a limit crossed must stop trading even when the
    // journal cannot say so.
    if (auto ok = journal_control(st, x); !ok)
      aout(self) << "portfolio: " << ok.error().message << std::endl;
    aout(self) << "portfolio: trading halted: " << *outcome.tripped
               << " (intuition control resume continues)" << std::endl;
  }
}

} // namespace

const telemetry<portfolio_state>& portfolio_telemetry() {
  using field = telemetry_field<state>;
  static const telemetry<state> table{{
    field::family({"intuition_signals_total",
                   metric_type::counter,
                   "Signals the portfolio received, by strategy and side.",
                   {"strategy", "side"}},
                  by_strategy_and_side(&state::signals_by)),
    field::family({"intuition_orders_total",
                   metric_type::counter,
                   "Orders filled, by strategy and side.",
                   {"strategy", "side"}},
                  by_strategy_and_side(&state::orders_by)),
    field::family({"intuition_risk_refusals_total",
                   metric_type::counter,
                   "Signals refused by sizing or risk, by reason.",
                   {"reason"}},
                  [](const state& st) {
                    const auto& refusals = st.pf->counters().refusals;
                    std::vector<series> out;
                    for (size_t i = 0; i < refusals.size(); ++i)
                      out.push_back(
                        {{std::string{trading::to_string(
                           static_cast<trading::refusal_reason>(i))}},
                         refusals[i]});
                    return out;
                  }),
    field::count("quotes", counted(&trading::portfolio_counters::quotes))
      .counter("intuition_portfolio_quotes_total",
               "Quotes that marked the portfolio."),
    field::value([](const state& st) {
      return units(st.pf->positions().cash_micros());
    }).gauge("intuition_cash", "Cash, in currency units."),
    field::value([](const state& st) {
      return units(st.pf->positions().equity_micros());
    }).gauge("intuition_equity", "Cash plus open positions at last prices."),
    field::value(pnl(&trading::strategy_pnl::realised_micros))
      .gauge("intuition_realised_pnl",
             "Realised profit and loss, net of commission."),
    field::value(pnl(&trading::strategy_pnl::unrealised_micros))
      .gauge("intuition_unrealised_pnl",
             "Unrealised profit and loss at last prices."),
    field::value(
      [](const state& st) { return st.pf->positions().net_positions().size(); })
      .gauge("intuition_open_positions",
             "Symbols with a non-zero net position."),
    field::histogram("intuition_tick_to_order_seconds",
                     "From receiving a live quote to filling its order.",
                     &state::tick_to_order_seconds),
    field::count("signals", counted(&trading::portfolio_counters::signals)),
    field::count("orders", counted(&trading::portfolio_counters::orders)),
    field::count("restored_orders", &state::restored_orders),
    field::count("already_journaled", &state::already_journaled),
    field::count("halted_quotes", &state::halted_quotes),
    field::count("halted_signals", &state::halted_signals),
    // -- operator control
    field::value([](const state& st) {
      return static_cast<uint64_t>(st.pf->mode().kind());
    })
      .gauge("intuition_trading_mode",
             "Trading mode: 0 normal, 1 reduce-only, 2 halted (by the "
             "operator or a risk limit)."),
    field::count("control_changes", &state::control_changes)
      .counter("intuition_control_changes_total",
               "Operator control changes and risk halts applied."),
    field::count("risk_halts", &state::risk_halts)
      .counter("intuition_risk_halts_total",
               "Times a risk limit (max_drawdown, max_daily_loss) halted "
               "trading."),
    field::count("flatten_orders", &state::flatten_orders),
    // -- resting orders
    field::count(
      "orders_placed",
      [](const state& st) { return st.pf->resting().counters.placed; }),
    field::count(
      "orders_cancelled",
      [](const state& st) { return st.pf->resting().counters.cancelled; }),
    field::count(
      "orders_expired",
      [](const state& st) { return st.pf->resting().counters.expired; }),
    field::value([](const state& st) {
      return st.pf->resting().size();
    }).gauge("intuition_open_orders", "Resting orders open."),
  }};
  return table;
}

portfolio_actor::behavior_type
portfolio(portfolio_actor::stateful_pointer<portfolio_state> self,
          trading::portfolio_config cfg, trading::report_config report,
          std::vector<trading::order> restored, order_log_actor log) {
  return controlled_portfolio(self, std::move(cfg), report, std::move(restored),
                              std::move(log), {});
}

portfolio_actor::behavior_type
controlled_portfolio(portfolio_actor::stateful_pointer<portfolio_state> self,
                     trading::portfolio_config cfg,
                     trading::report_config report,
                     std::vector<trading::order> restored, order_log_actor log,
                     portfolio_control control) {
  auto& st = self->state;
  st.pf = std::make_unique<trading::portfolio>(std::move(cfg));
  st.control = std::move(control.log);
  const auto& back = control.restored;
  if (back.mode != trading::mode_kind::normal)
    st.pf->restore_mode(back.mode, back.reason, back.risk);
  st.risk_path = std::move(control.risk_path);
  st.saved_marks = control.risk_marks;
  if (st.saved_marks && !has_risk_limits(st) && !st.risk_path.empty()) {
    // Nothing tracks them without limits: turning limits on again later
    // starts them over rather than from a peak long past.
    if (auto ok = trading::write_risk_file(st.risk_path, std::nullopt); ok)
      st.saved_marks.reset();
  } else if (st.saved_marks) {
    st.pf->restore_risk_marks(*st.saved_marks);
  }
  for (const auto& strategy : back.flatten)
    st.pf->request_flatten(strategy);
  for (const auto& x : restored)
    if (!st.pf->restore(x))
      // Only a hand-made or foreign record gets here: this runtime never
      // journals an order whose money figures leave 64 bits.
      std::cerr << "journal record seq " << x.seq << " (order " << x.id
                << "): a money figure would leave 64 bits; not applied\n";
  st.restored_orders = restored.size();
  st.starting_equity_micros = st.pf->positions().equity_micros();
  st.report = report;
  st.curve = trading::equity_curve{report.equity_interval_ms};
  st.log = std::move(log);
  st.probe.count_rejected(self);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // As CAF's default: a normal exit of a linked actor is no reason to go.
    if (!msg.reason)
      return;
    save_risk_marks(self, true);
    self->quit(msg.reason);
  });
  return {
    [self](market_batch& batch) -> uint64_t {
      // Signals arrive sorted by quote sequence: fill each right after its
      // quote marked the book, as a single-threaded loop would.
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.probe.mailbox_time(self, batch.sent_ns);
      if (!st.halted.empty()) {
        // An order filled now could not be journaled.
        st.halted_quotes += batch.quotes.size();
        st.halted_signals += batch.signals.size();
        return st.pf->counters().orders;
      }
      order_batch filled;
      auto sig = batch.signals.begin();
      bool marked = false;
      for (const auto& q : batch.quotes) {
        // An external signal's carrier repeats its symbol's last quote: it
        // is no new quote to mark or count (external algorithms).
        if (q.channel != trading::signal_carrier_channel) {
          marked = true;
          st.pf->on_quote(q);
          take_resting_records(st, q, filled);
          // Flatten orders, and the cancellations a risk halt makes.
          control_at_quote(self, q, filled);
          take_resting_records(st, q, filled);
        }
        for (; sig != batch.signals.end() && sig->quote_seq == q.seq; ++sig) {
          if (st.pf->journaled(q.input_pos, sig->strategy, sig->symbol)) {
            ++st.already_journaled;
            continue;
          }
          ++st.signals_by[{sig->strategy, sig->direction}];
          auto outcome = st.pf->on_signal(*sig);
          if (auto* x = std::get_if<trading::order>(&outcome)) {
            x->input_pos = q.input_pos;
            // A resting order's `new` record is no fill (yet).
            auto is_fill = x->kind == trading::record_kind::fill;
            if (is_fill)
              ++st.orders_by[{x->strategy, x->direction}];
            filled.orders.push_back(std::move(*x));
            if (is_fill && q.received_ns > 0) {
              auto ns = steady_now_ns() - q.received_ns;
              st.tick_to_order.record(ns);
              st.tick_to_order_seconds.observe(static_cast<double>(ns) / 1e9);
            }
          }
          take_resting_records(st, q, filled);
        }
        st.curve.record(q.ts_ms, st.pf->positions().equity_micros());
        filled.input_through = std::max(filled.input_through, q.input_pos);
      }
      if (marked) {
        st.last_quote_at_ms = wall_now_ms();
        save_risk_marks(self, false);
      }
      if (!filled.orders.empty() || filled.input_through > 0) {
        filled.sent_ns = steady_now_ns();
        self->send(st.log, std::move(filled));
      }
      return st.pf->counters().orders;
    },
    [self](halt_atom, std::string& cause, std::string& why) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      if (!st.halted.empty())
        return;
      st.halted = std::move(cause);
      st.halt_error = std::move(why);
      aout(self) << "portfolio: halted: " << st.halted
                 << " (no order is filled any more)" << std::endl;
    },
    [self](control_request& req) -> control_reply {
      auto timer = self->state.probe.time(self);
      return on_control(self, req);
    },
    [self](report_atom) -> trading::run_report {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto out = trading::portfolio_report(
        *st.pf, st.curve, st.starting_equity_micros, st.report);
      out.restored_orders = st.restored_orders;
      out.tick_to_order = st.tick_to_order.figures();
      return out;
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto summary = trading::to_json(trading::portfolio_figures_of(*st.pf));
      summary["tick_to_order"] = trading::to_json(st.tick_to_order.figures());
      summary["last_quote_at_ms"] = st.last_quote_at_ms;
      summary["halted"]
        = st.halted.empty() ? nlohmann::json{} : nlohmann::json(st.halted);
      const auto& mode = st.pf->mode();
      summary["mode"] = std::string{trading::to_string(mode.kind())};
      if (!mode.reason().empty())
        summary["mode_reason"] = mode.reason();
      if (mode.flatten_pending())
        summary["flattening"] = mode.flattening();
      // How far the limits are: the watermarks they measure from.
      if (auto marks = mode.marks(); marks && has_risk_limits(st))
        summary["risk_marks"]
          = {{"peak", trading::micros_to_double(marks->peak_micros)},
             {"day_open", trading::micros_to_double(marks->day_open_micros)},
             {"saved", st.saved_marks == marks}};
      summary["open_orders"] = open_orders_json(st.pf->resting());
      return portfolio_telemetry().reply(self, summary.dump());
    },
  };
}

} // namespace intuition::actors

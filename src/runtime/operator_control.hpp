#pragma once

#include <memory>
#include <string>

#include "actors/portfolio.hpp"
#include "actors/quote_router.hpp"
#include "runtime/config.hpp"
#include "trading/control_log.hpp"
#include "trading/result.hpp"

/// Operator control at start: the control journal beside the order journal
/// read back, the strategies it added or removed applied to the
/// configuration, and the validation of strategies added while trading.
namespace intuition::runtime {

/// Opens the control journal beside `journal_path`
/// (`trading::control_log_path`), cutting a torn tail, and prints what it
/// restores (a mode other than normal, strategy changes, pending
/// flattens). Fails, naming the file and line, on corruption.
trading::result<actors::portfolio_control>
recover_control(const std::string& journal_path);

/// Applies the journaled strategy changes to `cfg.strategies`: a removed
/// one is dropped, an added one validated again (`parse_strategy`) and
/// appended with `added_while_trading` set. Fails naming the strategy when
/// a definition no longer validates.
trading::status apply_strategy_changes(const trading::control_state& state,
                                       app_config& cfg);

/// The router's route of a configured strategy.
actors::strategy_route route_of(const strategy_config& s);

/// Validates an `add-strategy` definition as the configuration does.
actors::strategy_parser make_strategy_parser();

} // namespace intuition::runtime

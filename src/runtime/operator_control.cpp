#include "runtime/operator_control.hpp"

#include <algorithm>
#include <iostream>

#include "trading/risk_file.hpp"

namespace intuition::runtime {

trading::result<actors::portfolio_control>
recover_control(const std::string& journal_path) {
  auto path = trading::control_log_path(journal_path);
  trading::control_contents contents;
  auto opened = trading::control_log::open(path, contents);
  if (!opened)
    return std::move(opened).error();
  actors::portfolio_control out;
  out.log = std::move(*opened);
  out.restored = std::move(contents.state);
  out.risk_path = trading::risk_file_path(journal_path);
  auto marks = trading::read_risk_file(out.risk_path);
  if (!marks)
    return std::move(marks).error();
  out.risk_marks = *marks;
  const auto& st = out.restored;
  if (contents.cut_lines > 0)
    std::cerr << "control journal " << path << ": cut a torn tail of "
              << contents.cut_lines << " line(s)\n";
  if (st.mode != trading::mode_kind::normal)
    std::cerr << "control journal " << path << ": trading stays "
              << trading::to_string(st.mode) << " (" << st.reason
              << "); intuition control resume continues\n";
  if (!st.strategies.empty())
    std::cerr << "control journal " << path << ": " << st.strategies.size()
              << " strategy change(s) made while trading apply\n";
  for (const auto& s : st.flatten)
    std::cerr << "control journal " << path << ": flattening "
              << (s.empty() ? std::string{"every strategy"} : s)
              << " at the next quotes\n";
  return out;
}

trading::status apply_strategy_changes(const trading::control_state& state,
                                       app_config& cfg) {
  for (const auto& [name, definition] : state.strategies) {
    auto& xs = cfg.strategies;
    xs.erase(std::remove_if(xs.begin(), xs.end(),
                            [&](const auto& s) { return s.name == name; }),
             xs.end());
    if (!definition)
      continue;
    auto parsed = parse_strategy(*definition);
    if (!parsed)
      return std::move(parsed).error().within("control journal: strategy "
                                              + name + " added while trading");
    parsed->added_while_trading = true;
    xs.push_back(std::move(*parsed));
  }
  if (cfg.strategies.empty())
    return trading::invalid_request(
      "control journal: every strategy was removed while trading; add one "
      "(intuition control add-strategy) or move the control journal away");
  return {};
}

actors::strategy_route route_of(const strategy_config& s) {
  return {s.name, s.algorithm, s.params.dump(), s.symbols};
}

actors::strategy_parser make_strategy_parser() {
  return
    [](const std::string& text) -> trading::result<actors::parsed_strategy> {
      auto parsed = parse_strategy(text);
      if (!parsed)
        return std::move(parsed).error();
      // What is fixed at start: the ingress subscribes an external
      // strategy's signal topic, and the portfolio keeps the order types.
      if (parsed->external)
        return trading::invalid_value(
          "algorithm", "\"external\"",
          "a built-in algorithm (an external strategy's signal topic is "
          "subscribed at start: put it in the configuration)");
      if (parsed->order.type != trading::order_type::market)
        return trading::invalid_value(
          "order.type",
          "\"" + std::string{to_string(parsed->order.type)} + "\"",
          "market (order types are set at start: put the strategy in the "
          "configuration)");
      nlohmann::json def = nlohmann::json::parse(text, nullptr, false, true);
      return actors::parsed_strategy{route_of(*parsed), parsed->channels,
                                     def.dump()};
    };
}

} // namespace intuition::runtime

#include "runtime/control.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/actor_types.hpp"
#include "runtime/config.hpp"
#include "runtime/control_plane.hpp"
#include "runtime/system_config.hpp"

namespace intuition::runtime {

trading::result<actors::control_request>
make_control_request(const control_options& opts) {
  actors::control_request out;
  out.command = opts.command;
  const auto& c = opts.command;
  if (c == "halt" || c == "reduce-only" || c == "resume") {
    // nop: the command says it all
  } else if (c == "flatten") {
    out.strategy = opts.strategy;
  } else if (c == "add-strategy") {
    if (opts.file.empty())
      return trading::invalid_setting("add-strategy",
                                      "needs the strategy's FILE.json");
    auto checked = load_strategy(opts.file);
    if (!checked)
      return std::move(checked).error();
    // The process validates again (it knows the running strategies); the
    // file goes as written.
    std::ifstream in{opts.file};
    std::stringstream text;
    text << in.rdbuf();
    out.strategy = text.str();
  } else if (c == "remove-strategy") {
    if (opts.strategy.empty())
      return trading::invalid_setting("remove-strategy",
                                      "needs the strategy's NAME");
    out.strategy = opts.strategy;
    out.flatten = opts.flatten;
  } else {
    return trading::invalid_value("command", "\"" + c + "\"",
                                  "one of: halt, reduce-only, resume, "
                                  "flatten, add-strategy, remove-strategy");
  }
  if (opts.flatten && c != "remove-strategy")
    return trading::invalid_setting("--flatten",
                                    "only with remove-strategy (use the "
                                    "flatten command)");
  if (!opts.strategy.empty() && c != "flatten" && c != "remove-strategy")
    return trading::invalid_setting("--strategy", "only with flatten");
  return out;
}

int run_control(const control_options& opts, const char* argv0) {
  auto node = parse_endpoint("--node", opts.node);
  if (!node) {
    std::cerr << "intuition control: " << node.error().message << "\n";
    return 2;
  }
  auto req = make_control_request(opts);
  if (!req) {
    std::cerr << "intuition control: " << req.error().message << "\n";
    return trading::exit_code(req.error());
  }
  auto at = *node;
  system_config caf_cfg;
  if (auto ok = caf_cfg.read_settings(opts.caf_config, argv0, true); !ok) {
    std::cerr << "intuition control: " << ok.error().message << "\n";
    return trading::exit_code(ok.error());
  }
  caf::actor_system sys{caf_cfg};
  auto agent = connect_agent(sys, at, caf_cfg.tls());
  if (!agent) {
    std::cerr << "intuition control: cannot reach " << at.to_string() << ": "
              << agent.error().message
              << " (is intuition run or replay --listen running there?)\n";
    return 1;
  }
  int rc = 0;
  {
    caf::scoped_actor self{sys};
    self->request(*agent, std::chrono::seconds{60}, std::move(*req))
      .receive(
        [&](actors::control_reply& reply) {
          if (reply.ok) {
            std::cout << reply.message << "\n";
            return;
          }
          std::cerr << "intuition control: " << reply.message << "\n";
          rc = reply.invalid ? 2 : 1;
        },
        [&](caf::error& err) {
          std::cerr << "intuition control: " << at.to_string() << ": "
                    << sys.render(err) << "\n";
          rc = 1;
        });
  }
  agent = actors::node_agent_actor{};
  return rc;
}

} // namespace intuition::runtime

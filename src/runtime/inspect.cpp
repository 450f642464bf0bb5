#include "runtime/inspect.hpp"

#include <iomanip>
#include <iostream>
#include <sstream>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/actor_types.hpp"
#include "runtime/config.hpp"
#include "runtime/control_plane.hpp"
#include "runtime/system_config.hpp"

namespace intuition::runtime {

namespace {

/// A summary value on one line; big objects and lists are abbreviated.
std::string brief(const nlohmann::json& v) {
  if ((v.is_object() || v.is_array()) && v.size() > 8)
    return v.is_object() ? "{" + std::to_string(v.size()) + " entries}"
                         : "[" + std::to_string(v.size()) + " items]";
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_float()) {
    std::ostringstream out;
    out << std::setprecision(10) << v.get<double>();
    return out.str();
  }
  return v.dump();
}

nlohmann::json parse_summary(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

} // namespace

std::string render_states(const std::vector<actors::actor_state>& xs) {
  size_t name_w = 5;
  size_t kind_w = 4;
  size_t node_w = 4;
  for (const auto& x : xs) {
    name_w = std::max(name_w, x.name.size());
    kind_w = std::max(kind_w, x.kind.size());
    node_w = std::max(node_w, x.node.size());
  }
  std::ostringstream out;
  auto row = [&](const std::string& name, const std::string& kind,
                 const std::string& node, const std::string& mailbox,
                 const std::string& processed) {
    out << std::left << std::setw(static_cast<int>(name_w + 2)) << name
        << std::setw(static_cast<int>(kind_w + 2)) << kind
        << std::setw(static_cast<int>(node_w + 2)) << node << std::right
        << std::setw(8) << mailbox << std::setw(11) << processed << "\n";
  };
  row("ACTOR", "KIND", "NODE", "MAILBOX", "PROCESSED");
  for (const auto& x : xs) {
    row(x.name, x.kind, x.node, std::to_string(x.mailbox_size),
        std::to_string(x.processed));
    if (!x.counters.empty()) {
      auto sep = "    ";
      for (const auto& [k, v] : x.counters) {
        out << sep << k << "=" << v;
        sep = " ";
      }
      out << "\n";
    }
    auto summary = parse_summary(x.summary_json);
    if (summary.is_object()) {
      for (const auto& [k, v] : summary.items())
        out << "    " << k << ": " << brief(v) << "\n";
    } else if (!summary.is_null()) {
      out << "    " << brief(summary) << "\n";
    }
  }
  if (xs.empty())
    out << "(no actor matches)\n";
  return out.str();
}

nlohmann::json states_json(const std::vector<actors::actor_state>& xs) {
  auto out = nlohmann::json::array();
  for (const auto& x : xs)
    out.push_back({{"name", x.name},
                   {"kind", x.kind},
                   {"node", x.node},
                   {"mailbox_size", x.mailbox_size},
                   {"processed", x.processed},
                   {"counters", x.counters},
                   {"summary", parse_summary(x.summary_json)}});
  return out;
}

int run_inspect(const inspect_options& opts, const char* argv0) {
  auto node = parse_endpoint("--node", opts.node);
  if (!node) {
    std::cerr << "intuition inspect: " << node.error().message << "\n";
    return 2;
  }
  auto at = *node;
  system_config caf_cfg;
  if (auto ok = caf_cfg.read_settings(opts.caf_config, argv0, true); !ok) {
    std::cerr << "intuition inspect: " << ok.error().message << "\n";
    return trading::exit_code(ok.error());
  }
  caf::actor_system sys{caf_cfg};
  auto agent = connect_agent(sys, at, caf_cfg.tls());
  if (!agent) {
    std::cerr
      << "intuition inspect: cannot reach " << at.to_string() << ": "
      << agent.error().message
      << " (is intuition run, replay --listen or node running there?)\n";
    return 1;
  }
  int rc = 0;
  {
    caf::scoped_actor self{sys};
    self
      ->request(*agent, std::chrono::seconds{30}, actors::list_atom_v,
                opts.actor)
      .receive(
        [&](std::vector<actors::actor_state>& xs) {
          if (opts.json)
            std::cout << states_json(xs).dump(2) << "\n";
          else
            std::cout << render_states(xs);
          if (xs.empty() && !opts.actor.empty())
            rc = 1;
        },
        [&](caf::error& err) {
          std::cerr << "intuition inspect: " << at.to_string() << ": "
                    << sys.render(err) << "\n";
          rc = 1;
        });
  }
  agent = actors::node_agent_actor{};
  return rc;
}

} // namespace intuition::runtime

#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"

/// `intuition inspect`: the live state of a running process's actors.
namespace intuition::runtime {

/// Options of the inspect command.
struct inspect_options {
  /// `HOST:PORT` the process listens on (`--listen`).
  std::string node;
  /// Instance pattern (`portfolio`, `algorithm/sma/GOOG`,
  /// `algorithm/*/GOOG`); empty lists every actor.
  std::string actor;
  bool json = false;
  std::string caf_config;
};

/// The states as a readable table: one row per actor (name, kind, node,
/// mailbox, processed), then its counters and summary, indented.
std::string render_states(const std::vector<actors::actor_state>& xs);

/// The states as a JSON array of objects (summary parsed, not quoted).
nlohmann::json states_json(const std::vector<actors::actor_state>& xs);

/// Runs the inspect command; returns the process exit code.
int run_inspect(const inspect_options& opts, const char* argv0);

} // namespace intuition::runtime

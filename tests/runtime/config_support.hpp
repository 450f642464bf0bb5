#pragma once

// What the configuration tests share. Included by test sources only, after
// the CAF test header.

#include <string>

#include "runtime/config.hpp"

namespace config_support {

/// The message a bad configuration stops the program with (an invalid
/// request), or "no error".
inline std::string error_of(const std::string& text) {
  auto cfg = intuition::runtime::parse_config(text, "/cfg");
  if (cfg)
    return "no error";
  CAF_CHECK(cfg.error().kind
            == intuition::trading::failure_kind::invalid_request);
  return cfg.error().message;
}

/// The configuration `text` describes; the test stops when it is refused.
inline intuition::runtime::app_config config_of(const std::string& text) {
  auto cfg = intuition::runtime::parse_config(text, "/cfg");
  if (!cfg)
    CAF_FAIL("refused: " << cfg.error().message);
  return std::move(cfg).value();
}

} // namespace config_support

using config_support::config_of;
using config_support::error_of;

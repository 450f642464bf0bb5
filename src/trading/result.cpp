#include "trading/result.hpp"

#include <cstring>

namespace intuition::trading {

failure failure::within(std::string_view context) const {
  return {kind, std::string{context} + ": " + message};
}

failure failure::in_field(std::string_view parent) const {
  return {kind, std::string{parent} + "." + message};
}

int exit_code(const failure& x) noexcept {
  return x.kind == failure_kind::invalid_request ? 2 : 1;
}

failure invalid_value(std::string_view field, std::string_view value,
                      std::string_view expected) {
  return {failure_kind::invalid_request, std::string{field} + ": got "
                                           + std::string{value} + ", expected "
                                           + std::string{expected}};
}

failure invalid_setting(std::string_view field, std::string_view why) {
  return {failure_kind::invalid_request,
          std::string{field} + ": " + std::string{why}};
}

failure invalid_request(std::string message) {
  return {failure_kind::invalid_request, std::move(message)};
}

failure file_failure(std::string_view action, std::string_view path,
                     int errnum) {
  return {failure_kind::operation_failed, "cannot " + std::string{action} + " "
                                            + std::string{path} + ": "
                                            + std::strerror(errnum)};
}

failure operation_failed(std::string message) {
  return {failure_kind::operation_failed, std::move(message)};
}

failure file_content_failure(std::string_view what, std::string_view path,
                             uint64_t line, std::string_view message) {
  std::string out{what};
  out += ' ';
  out += path;
  if (line != 0) {
    out += " line ";
    out += std::to_string(line);
  }
  out += ": ";
  out += message;
  return {failure_kind::operation_failed, std::move(out)};
}

} // namespace intuition::trading

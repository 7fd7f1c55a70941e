#include "factorkit/core/error.h"

namespace factorkit {

std::string printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  static const char* hex = "0123456789abcdef";
  return std::string("\\x") + hex[u >> 4] + hex[u & 15];
}

namespace {
std::string compose(const std::string& where, const std::string& field, const std::string& expected,
                    const std::string& code) {
  std::string m = where.empty() ? std::string("<input>") : where;
  if (!field.empty()) m += ": " + field;
  if (!expected.empty()) m += ": expected " + expected;
  if (!code.empty()) m += " [" + code + "]";
  return m;
}
}  // namespace

Error::Error(ErrorKind kind, std::string where, std::string field, std::string expected,
             std::string code)
    : std::runtime_error(compose(where, field, expected, code)),
      kind_(kind),
      where_(std::move(where)),
      field_(std::move(field)),
      expected_(std::move(expected)),
      code_(std::move(code)) {}

int exit_code(const std::exception& e) noexcept {
  if (auto* fe = dynamic_cast<const Error*>(&e)) {
    switch (fe->kind()) {
      case ErrorKind::InvalidInput:
      case ErrorKind::MalformedFile:
        return kExitBadInput;
      case ErrorKind::NumericalFailure:
        return kExitNumerical;
    }
  }
  return kExitInternal;
}

}  // namespace factorkit

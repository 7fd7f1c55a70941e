// factorkit/core/error.h — the toolkit's error types.
//
// Every error raised at a boundary (a file, a CLI option, a function argument)
// names *where* (file or argument), *which field* and *what was expected*, so a
// user can fix the input without reading the source. The CLI maps the kinds to
// exit codes (see exit_code()).
#pragma once

#include <stdexcept>
#include <string>

namespace factorkit {

enum class ErrorKind {
  InvalidInput,      // a bad argument, option or value           -> exit 2
  MalformedFile,     // a file that breaks its format's rules      -> exit 2
  NumericalFailure,  // no convergence, singular system, overflow  -> exit 3
};

class Error : public std::runtime_error {
 public:
  // `where` is a file path or an argument name; `field` the part of it that is
  // wrong ("header.data_offsets", "line 3, column 2"); `expected` what would
  // have been accepted; `code` a stable short identifier for tests and JSON
  // ("HeaderTooSmall").
  Error(ErrorKind kind, std::string where, std::string field, std::string expected,
        std::string code = {});

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& where() const noexcept { return where_; }
  const std::string& field() const noexcept { return field_; }
  const std::string& expected() const noexcept { return expected_; }
  const std::string& code() const noexcept { return code_; }

 private:
  ErrorKind kind_;
  std::string where_, field_, expected_, code_;
};

struct InvalidInput : Error {
  InvalidInput(std::string where, std::string field, std::string expected, std::string code = {})
      : Error(ErrorKind::InvalidInput, std::move(where), std::move(field), std::move(expected),
              std::move(code)) {}
};

struct MalformedFile : Error {
  MalformedFile(std::string file, std::string field, std::string expected, std::string code = {})
      : Error(ErrorKind::MalformedFile, std::move(file), std::move(field), std::move(expected),
              std::move(code)) {}
};

struct NumericalFailure : Error {
  NumericalFailure(std::string where, std::string field, std::string expected,
                   std::string code = {})
      : Error(ErrorKind::NumericalFailure, std::move(where), std::move(field),
              std::move(expected), std::move(code)) {}
};

// Exit codes of the factorkit program.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitNumerical = 3;

// 2 for InvalidInput and MalformedFile, 3 for NumericalFailure, 1 otherwise.
int exit_code(const std::exception& e) noexcept;

// One character of user text, safe to quote in a message: itself when it is
// printable ASCII, "\xNN" otherwise (so messages stay valid UTF-8 and JSON).
std::string printable(char c);

}  // namespace factorkit

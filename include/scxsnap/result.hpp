// SPDX-License-Identifier: Apache-2.0
// Result<T>: the project's result type for I/O, parsing and capture.
//
// g++ 12 ships std::expected without the monadic members and does not warn on
// a discarded std::expected, so Result is a thin [[nodiscard]] class derived
// from it. Propagate with SCXSNAP_TRY / SCXSNAP_TRY_VOID.
#pragma once

#include "scxsnap/export.hpp"

#include <expected>
#include <string>
#include <utility>

namespace scxsnap {

/// What went wrong, coarsely; the message says the rest.
enum class ErrorCode {
  InvalidArgument,   ///< bad usage (a flag, an expression)
  BadInput,          ///< malformed input file or document (JSON, BTF, /proc text)
  NotFound,          ///< the thing asked for is absent
  PermissionDenied,  ///< missing capability or file permission
  Unsupported,       ///< the kernel lacks the feature
  Io,                ///< a read or write failed
  Internal,          ///< a bug in scxsnap
};

/// An error value: a code and a message that names what and where
/// (lower-case, no trailing period, so messages compose).
class SCXSNAP_API Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  /// Prefix the message with context ("reading foo.json: ...").
  Error with_context(std::string_view ctx) const {
    return Error(code_, std::string(ctx) + ": " + message_);
  }

 private:
  ErrorCode code_;
  std::string message_;
};

template <class T>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
  Result(Error e) : std::expected<T, Error>(std::unexpect, std::move(e)) {}  // NOLINT
};

/// A failed Result for any T.
inline Error make_error(ErrorCode code, std::string message) {
  return Error(code, std::move(message));
}

}  // namespace scxsnap

#define SCXSNAP_CONCAT_INNER(a, b) a##b
#define SCXSNAP_CONCAT(a, b) SCXSNAP_CONCAT_INNER(a, b)

/// SCXSNAP_TRY(auto x, expr): evaluate expr (a Result); on error return it,
/// else bind its value to the declaration.
#define SCXSNAP_TRY(decl, expr)                                       \
  auto SCXSNAP_CONCAT(scxsnap_try_, __LINE__) = (expr);               \
  if (!SCXSNAP_CONCAT(scxsnap_try_, __LINE__).has_value())            \
    return std::move(SCXSNAP_CONCAT(scxsnap_try_, __LINE__).error()); \
  decl = std::move(*SCXSNAP_CONCAT(scxsnap_try_, __LINE__)) /* NOLINT: a declaration */

#define SCXSNAP_TRY_VOID(expr)                                           \
  do {                                                                   \
    auto SCXSNAP_CONCAT(scxsnap_tryv_, __LINE__) = (expr);               \
    if (!SCXSNAP_CONCAT(scxsnap_tryv_, __LINE__).has_value())            \
      return std::move(SCXSNAP_CONCAT(scxsnap_tryv_, __LINE__).error()); \
  } while (0)

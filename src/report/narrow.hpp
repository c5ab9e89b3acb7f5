// SPDX-License-Identifier: Apache-2.0
// Narrowing integer conversions, checked. Every narrowing of a value that
// came from outside (a file, the kernel, a command line) goes through one of
// these, so that an out-of-range value is an error that says what and
// where, never a silently wrapped number.
#pragma once

#include "scxsnap/result.hpp"

#include <concepts>
#include <cstdint>
#include <fmt/format.h>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace scxsnap::detail {

/// `v` as T when T holds it, else none.
template <std::integral T, std::integral U>
constexpr std::optional<T> narrow(U v) {
  if (!std::in_range<T>(v)) return std::nullopt;
  return static_cast<T>(v);
}

/// The name of T as serde says it ("u32", "i64").
template <std::integral T>
constexpr std::string_view int_name() {
  constexpr bool s = std::is_signed_v<T>;
  switch (sizeof(T)) {
    case 1:
      return s ? "i8" : "u8";
    case 2:
      return s ? "i16" : "u16";
    case 4:
      return s ? "i32" : "u32";
    default:
      return s ? "i64" : "u64";
  }
}

/// `v` as T, or a BadInput error: "WHAT: invalid value: integer `V`, expected u32".
template <std::integral T, std::integral U>
Result<T> narrow_or_error(U v, std::string_view what) {
  if (auto n = narrow<T>(v)) return *n;
  return Error(ErrorCode::BadInput,
               fmt::format("{}: invalid value: integer `{}`, expected {}", what, v, int_name<T>()));
}

/// `v` as T where a value that does not fit is a broken invariant (a size
/// bounded elsewhere): throws std::length_error, which the public entry
/// points turn into an Internal error.
template <std::integral T, std::integral U>
T narrow_or_throw(U v, const char* what) {
  if (auto n = narrow<T>(v)) return *n;
  throw std::length_error(fmt::format("{} ({}) does not fit in {}", what, v, int_name<T>()));
}

}  // namespace scxsnap::detail

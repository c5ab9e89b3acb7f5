// SPDX-License-Identifier: Apache-2.0
// Nothing throws across the public API: entry points run their body through
// guarded(), which turns out-of-memory and any other exception from below
// (the standard library, simdjson, fmt) into an Internal error value.
#pragma once

#include "scxsnap/result.hpp"

#include <exception>
#include <fmt/format.h>
#include <new>
#include <string_view>

namespace scxsnap::detail {

template <class F>
auto guarded(std::string_view during, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::Internal, fmt::format("out of memory during {}", during));
  } catch (const std::exception& e) {
    return Error(ErrorCode::Internal,
                 fmt::format("internal error during {}: {}", during, e.what()));
  } catch (...) {
    return Error(ErrorCode::Internal, fmt::format("internal error during {}", during));
  }
}

}  // namespace scxsnap::detail

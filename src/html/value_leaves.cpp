// SPDX-License-Identifier: Apache-2.0
// Numeric leaves of a rendered value (value_leaves.hpp).
#include "value_leaves.hpp"

#include <fmt/format.h>

namespace scxsnap::html {
namespace {

void add(std::vector<Leaf>& out, std::size_t limit, std::size_t& more, const std::string& path,
         double v, std::string text, std::optional<std::uint64_t> exact) {
  if (out.size() >= limit) {
    ++more;
    return;
  }
  out.push_back(Leaf{path, v, std::move(text), exact});
}

std::string join(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

}  // namespace

void numeric_leaves(const RenderedValue& v, const std::string& path, std::vector<Leaf>& out,
                    std::size_t limit, std::size_t& more, std::size_t max_array) {
  switch (v.kind()) {
    case ValueKind::Uint:
      add(out, limit, more, path, static_cast<double>(v.uint_value()),
          std::to_string(v.uint_value()), v.uint_value());
      break;
    case ValueKind::Int:
    case ValueKind::Enum: {
      const std::int64_t x = v.int_value();
      add(out, limit, more, path, static_cast<double>(x), std::to_string(x),
          x >= 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(x)) : std::nullopt);
      break;
    }
    case ValueKind::Bool:
      add(out, limit, more, path, v.bool_value() ? 1 : 0, v.bool_value() ? "true" : "false",
          std::nullopt);
      break;
    case ValueKind::Char:
      add(out, limit, more, path, v.char_value(), std::to_string(v.char_value()), v.char_value());
      break;
    case ValueKind::Float:
      add(out, limit, more, path, v.float_value(), fmt::format("{}", v.float_value()),
          std::nullopt);
      break;
    case ValueKind::Struct:
      for (const auto& m : v.members())
        numeric_leaves(m.value, join(path, m.name.view()), out, limit, more, max_array);
      break;
    case ValueKind::Array: {
      const auto& el = v.elements();
      if (!el.empty() && el.front().kind() == ValueKind::Char) break;  // text
      for (std::size_t i = 0; i < el.size() && i < max_array; ++i)
        numeric_leaves(el[i], fmt::format("{}[{}]", path, i), out, limit, more, max_array);
      if (el.size() > max_array) more += el.size() - max_array;
      break;
    }
    case ValueKind::Truncated:
      if (v.partial()) numeric_leaves(*v.partial(), path, out, limit, more, max_array);
      break;
    default:  // pointers, CPU lists, bytes, unsupported: not numbers
      break;
  }
}

}  // namespace scxsnap::html

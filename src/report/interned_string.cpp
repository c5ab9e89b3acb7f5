// SPDX-License-Identifier: Apache-2.0
// Process-wide string pool behind InternedString. Lookups go through a
// thread-local cache first so that parsing a large report takes the global
// lock once per distinct name, not once per member.
#include "scxsnap/rendered_value.hpp"

#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace scxsnap {
namespace {

struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct Pool {
  std::mutex mu;
  std::unordered_set<std::string, SvHash, std::equal_to<>> strings;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: interned strings outlive statics
  return *p;
}

const std::string* intern_global(std::string_view s) {
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  auto it = p.strings.find(s);
  if (it == p.strings.end()) it = p.strings.emplace(s).first;
  return &*it;
}

}  // namespace

InternedString::InternedString(std::string_view s) {
  if (s.empty()) return;  // the empty name is the null pointer
  // Keys of the cache point into the pool, which never frees.
  thread_local std::unordered_map<std::string_view, const std::string*> cache;
  auto it = cache.find(s);
  if (it != cache.end()) {
    p_ = it->second;
    return;
  }
  p_ = intern_global(s);
  cache.emplace(std::string_view(*p_), p_);
}

std::optional<InternedString> InternedString::find(std::string_view s) {
  InternedString out;
  if (s.empty()) return out;
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  auto it = p.strings.find(s);
  if (it == p.strings.end()) return std::nullopt;
  out.p_ = &*it;
  return out;
}

const std::string& InternedString::str() const {
  static const std::string kEmpty;
  return p_ ? *p_ : kEmpty;
}

}  // namespace scxsnap

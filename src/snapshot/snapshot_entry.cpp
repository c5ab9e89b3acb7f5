// SPDX-License-Identifier: Apache-2.0
// SnapshotEntry: key/value sides and per-CPU aggregation (spec §2.2, §3.3).
#include "field_walk.hpp"
#include "scxsnap/snapshot.hpp"

#include <cmath>
#include <limits>

namespace scxsnap {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

SnapshotError no_rendered(std::string_view side) {
  return errors::NoRendered{"<entry>", std::string(side)};
}

SnapshotField walk_opt(const std::optional<RenderedValue>& v, std::string_view side,
                       std::string_view path) {
  if (!v) return SnapshotField::missing(no_rendered(side));
  return detail::walk_dotted_path(*v, path);
}

SnapshotField int_key(std::uint32_t key, std::string_view path) {
  if (path.empty()) return SnapshotField::percpu_key(key);
  return SnapshotField::missing(
      errors::TypeMismatch{"Struct", "Uint(percpu key)", std::string(path)});
}

// The CPU slots of an un-narrowed per-CPU entry, or the error for any other entry.
struct Slots {
  const std::vector<std::optional<RenderedValue>>* slots = nullptr;
  const char* placeholder = nullptr;  // "<Percpu>" / "<PercpuHash>" for NoMatch
};

SnapshotResult<Slots> slots_of(const SnapshotEntry::Variant& v, std::string_view path) {
  auto mismatch = [&](const char* actual) -> SnapshotResult<Slots> {
    return SnapshotError(errors::TypeMismatch{"Percpu / PercpuHash", actual, std::string(path)});
  };
  return std::visit(
      Overloaded{
          [&](const SnapshotEntry::Percpu& p) -> SnapshotResult<Slots> {
            return Slots{&p.entry->per_cpu, "<Percpu>"};
          },
          [&](const SnapshotEntry::PercpuHash& p) -> SnapshotResult<Slots> {
            return Slots{&p.entry->per_cpu, "<PercpuHash>"};
          },
          [&](const SnapshotEntry::Hash&) { return mismatch("Hash"); },
          [&](const SnapshotEntry::Value&) { return mismatch("Value"); },
          [&](const SnapshotEntry::Array&) { return mismatch("Array"); },
          [&](const SnapshotEntry::Missing& m) -> SnapshotResult<Slots> { return m.error; },
      },
      v);
}

// Fold every non-null slot's decoded value; NoMatch when no slot contributed.
template <class T, class Decode, class Combine>
SnapshotResult<T> fold(const SnapshotEntry::Variant& v, std::string_view path, const char* op,
                       Decode&& decode, Combine&& combine) {
  auto s = slots_of(v, path);
  if (!s) return s.error();
  std::optional<T> acc;
  for (const auto& slot : *s->slots) {
    if (!slot) continue;
    SnapshotField f = detail::walk_dotted_path(*slot, path);
    if (const SnapshotError* e = f.error()) return *e;
    auto x = decode(f);
    if (!x) return x.error();
    acc = acc ? combine(*acc, *x) : *x;
  }
  if (!acc) return SnapshotError(errors::NoMatch{s->placeholder, op, 0, {}});
  return *acc;
}

std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<std::uint64_t>::max() : r;
}
std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

const auto kU64 = [](const SnapshotField& f) { return f.as_u64(); };
const auto kI64 = [](const SnapshotField& f) { return f.as_i64(); };
const auto kF64 = [](const SnapshotField& f) { return f.as_f64(); };

}  // namespace

SnapshotField SnapshotEntry::get(std::string_view path) const {
  return std::visit(
      Overloaded{
          [&](const Hash& h) { return walk_opt(h.entry->value, "value", path); },
          [&](const Percpu&) {
            return SnapshotField::missing(errors::PerCpuNotNarrowed{"<percpu-array>"});
          },
          [&](const PercpuHash&) {
            return SnapshotField::missing(errors::PerCpuNotNarrowed{"<percpu-hash>"});
          },
          [&](const Value& v) { return detail::walk_dotted_path(*v.value, path); },
          [&](const Array& a) { return walk_opt(a.entry->value, "value", path); },
          [&](const Missing& m) { return SnapshotField::missing(m.error); },
      },
      v_);
}

SnapshotField SnapshotEntry::key(std::string_view path) const {
  return std::visit(Overloaded{
                        [&](const Hash& h) { return walk_opt(h.entry->key, "key", path); },
                        [&](const PercpuHash& h) { return walk_opt(h.entry->key, "key", path); },
                        [&](const Percpu& p) { return int_key(p.entry->key, path); },
                        [&](const Array& a) { return int_key(a.entry->key, path); },
                        [&](const Value&) {
                          return SnapshotField::missing(errors::TypeMismatch{
                              "key", "single Value (no key)", std::string(path)});
                        },
                        [&](const Missing& m) { return SnapshotField::missing(m.error); },
                    },
                    v_);
}

SnapshotResult<std::uint64_t> SnapshotEntry::cpu_sum_u64(std::string_view path) const {
  return fold<std::uint64_t>(v_, path, "cpu_sum_u64", kU64,
                             [](std::uint64_t a, std::uint64_t b) { return sat_add(a, b); });
}
SnapshotResult<std::int64_t> SnapshotEntry::cpu_sum_i64(std::string_view path) const {
  return fold<std::int64_t>(v_, path, "cpu_sum_i64", kI64,
                            [](std::int64_t a, std::int64_t b) { return sat_add(a, b); });
}
SnapshotResult<double> SnapshotEntry::cpu_sum_f64(std::string_view path) const {
  return fold<double>(v_, path, "cpu_sum_f64", kF64, [](double a, double b) { return a + b; });
}
SnapshotResult<std::uint64_t> SnapshotEntry::cpu_max_u64(std::string_view path) const {
  return fold<std::uint64_t>(v_, path, "cpu_max_u64", kU64,
                             [](std::uint64_t a, std::uint64_t b) { return a > b ? a : b; });
}
SnapshotResult<std::int64_t> SnapshotEntry::cpu_max_i64(std::string_view path) const {
  return fold<std::int64_t>(v_, path, "cpu_max_i64", kI64,
                            [](std::int64_t a, std::int64_t b) { return a > b ? a : b; });
}
SnapshotResult<double> SnapshotEntry::cpu_max_f64(std::string_view path) const {
  // IEEE maxNum: a NaN loses to a number.
  return fold<double>(v_, path, "cpu_max_f64", kF64,
                      [](double a, double b) { return std::fmax(a, b); });
}
SnapshotResult<std::uint64_t> SnapshotEntry::cpu_min_u64(std::string_view path) const {
  return fold<std::uint64_t>(v_, path, "cpu_min_u64", kU64,
                             [](std::uint64_t a, std::uint64_t b) { return a < b ? a : b; });
}
SnapshotResult<std::int64_t> SnapshotEntry::cpu_min_i64(std::string_view path) const {
  return fold<std::int64_t>(v_, path, "cpu_min_i64", kI64,
                            [](std::int64_t a, std::int64_t b) { return a < b ? a : b; });
}
SnapshotResult<double> SnapshotEntry::cpu_min_f64(std::string_view path) const {
  return fold<double>(v_, path, "cpu_min_f64", kF64,
                      [](double a, double b) { return std::fmin(a, b); });
}

SnapshotResult<std::monostate> SnapshotEntry::cpu_each(
    std::string_view path,
    const std::function<SnapshotResult<std::monostate>(std::size_t, const RenderedValue&)>& fn)
    const {
  auto s = slots_of(v_, path);
  if (!s) return s.error();
  for (std::size_t cpu = 0; cpu < s->slots->size(); ++cpu) {
    const auto& slot = (*s->slots)[cpu];
    if (!slot) continue;
    SnapshotField f = detail::walk_dotted_path(*slot, path);
    if (const SnapshotError* e = f.error()) return *e;
    if (!f.raw())
      return SnapshotError(errors::TypeMismatch{"rendered value", "PercpuKey", std::string(path)});
    auto r = fn(cpu, *f.raw());
    if (!r) return r.error();
  }
  return std::monostate{};
}

}  // namespace scxsnap

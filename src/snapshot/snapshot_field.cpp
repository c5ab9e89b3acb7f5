// SPDX-License-Identifier: Apache-2.0
// SnapshotField: dotted-path walks and the terminal conversions (spec §2.1, §2.3).
#include "field_walk.hpp"
#include "scxsnap/snapshot.hpp"

#include <charconv>
#include <fmt/format.h>
#include <limits>

namespace scxsnap {
namespace {

constexpr std::string_view kPercpuKeyActual =
    "Uint(percpu key) — call as_u64/as_i64/as_f64/as_bool for the key value";

SnapshotError mismatch(std::string_view expected, std::string_view actual,
                       std::string_view requested = {}) {
  return errors::TypeMismatch{std::string(expected), std::string(actual), std::string(requested)};
}

// Strip Ptr-deref and Truncated-partial layers down to what they wrap.
const RenderedValue* peel_all(const RenderedValue* v) {
  for (int i = 0; v && i < 1024; ++i) {
    if (v->kind() == ValueKind::Ptr && v->deref())
      v = v->deref();
    else if (v->kind() == ValueKind::Truncated)
      v = v->partial();
    else
      break;
  }
  return v;
}

// The element slice for the typed-array terminals, or the error to return.
SnapshotResult<const std::vector<RenderedValue>*> array_elements(const RenderedValue& top,
                                                                 std::string_view expected) {
  const RenderedValue* leaf = peel_all(&top);
  if (leaf && leaf->kind() == ValueKind::Array) return &leaf->elements();
  std::string leaf_kind(kind_name(leaf ? leaf->kind() : top.kind()));
  if (top.kind() == ValueKind::Truncated)
    return mismatch(expected, fmt::format("Truncated(partial={})", leaf_kind));
  return mismatch(expected, leaf_kind);
}

template <class T, class Conv>
SnapshotResult<std::vector<T>> typed_array(const SnapshotField& f, std::string_view expected,
                                           Conv&& conv) {
  if (const SnapshotError* e = f.error()) return *e;
  if (!f.raw()) return mismatch(expected, kPercpuKeyActual);
  auto elems = array_elements(*f.raw(), expected);
  if (!elems) return elems.error();
  std::vector<T> out;
  out.reserve((*elems)->size());
  for (std::size_t i = 0; i < (*elems)->size(); ++i) {
    const RenderedValue& el = (**elems)[i];
    std::optional<T> x = conv(el);
    if (!x) return mismatch(expected, fmt::format("Array[{}]={}", i, kind_name(el.kind())));
    out.push_back(*x);
  }
  return out;
}

}  // namespace

namespace detail {

namespace {

// A member by name; scxsnap extension: through anonymous struct/union
// members, as C reaches them (ktstr's walk sees named members only).
const RenderedValue* named_member(const RenderedValue& s, std::string_view name, int depth = 0) {
  for (const auto& m : s.members())
    if (m.name.view() == name) return &m.value;
  if (depth > 16) return nullptr;
  for (const auto& m : s.members()) {
    if (!m.name.view().empty()) continue;
    const RenderedValue* inner = peel_all(&m.value);
    if (inner->kind() != ValueKind::Struct) continue;
    if (const RenderedValue* v = named_member(*inner, name, depth + 1)) return v;
  }
  return nullptr;
}

// "[3][1]" after a component's name: element indices (scxsnap extension).
SnapshotField index_into(const RenderedValue* cur, std::string_view path, std::string_view at,
                         std::string_view indices) {
  while (!indices.empty()) {
    const std::size_t close = indices.find(']');
    std::size_t i = 0;
    auto [p, ec] = std::from_chars(indices.data() + 1, indices.data() + close, i);
    if (indices[0] != '[' || close == std::string_view::npos || ec != std::errc() ||
        p != indices.data() + close || close == 1)
      return SnapshotField::missing(errors::ProjectionFailed{
          fmt::format("path '{}': '{}' is not an index ([N])", path, indices)});
    cur = peel_all(cur);
    if (cur->kind() != ValueKind::Array)
      return SnapshotField::missing(
          mismatch("Array", kind_name(cur->kind()), fmt::format("{} in '{}'", at, path)));
    const auto& el = cur->elements();
    if (i >= el.size()) {
      if (i < cur->array_len())
        return SnapshotField::missing(errors::ProjectionFailed{fmt::format(
            "path '{}': element {} of {} was not captured (the array was cut to {} elements)", path,
            i, cur->array_len(), el.size())});
      return SnapshotField::missing(errors::ProjectionFailed{
          fmt::format("path '{}': index {} out of range (length {})", path, i, cur->array_len())});
    }
    cur = &el[i];
    indices.remove_prefix(close + 1);
  }
  return SnapshotField::of(*cur);
}

}  // namespace

SnapshotField walk_dotted_path(const RenderedValue& root, std::string_view path) {
  if (path.empty()) return SnapshotField::of(root);
  // Any empty component rejects the whole path before walking.
  for (std::size_t s = 0;;) {
    std::size_t dot = path.find('.', s);
    std::size_t end = dot == std::string_view::npos ? path.size() : dot;
    if (end == s) return SnapshotField::missing(errors::EmptyPathComponent{std::string(path)});
    if (dot == std::string_view::npos) break;
    s = dot + 1;
  }
  const RenderedValue* cur = &root;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string_view comp =
        path.substr(start, dot == std::string_view::npos ? path.npos : dot - start);
    std::string_view walked = start == 0 ? std::string_view() : path.substr(0, start - 1);
    // "name[3]": the member, then its elements.
    const std::size_t bracket = comp.find('[');
    std::string_view indices;
    if (bracket != std::string_view::npos) {
      indices = comp.substr(bracket);
      comp = comp.substr(0, bracket);
    }
    cur = peel_all(cur);  // through pointers and values cut to the render budget
    if (!comp.empty()) {
      if (cur->kind() != ValueKind::Struct)
        return SnapshotField::missing(errors::NotAStruct{std::string(path), std::string(walked),
                                                         std::string(comp),
                                                         std::string(kind_name(cur->kind()))});
      const RenderedValue* next = named_member(*cur, comp);
      if (!next) {
        std::vector<std::string> avail;
        avail.reserve(cur->members().size());
        for (const auto& m : cur->members()) avail.emplace_back(m.name.view());
        return SnapshotField::missing(errors::FieldNotFound{std::string(path), std::string(walked),
                                                            std::string(comp), std::move(avail)});
      }
      cur = next;
    }
    if (!indices.empty()) {
      SnapshotField f = index_into(
          cur, path, path.substr(0, dot == std::string_view::npos ? path.size() : dot), indices);
      if (!f.is_present() || dot == std::string_view::npos) return f;
      cur = f.raw();
    }
    if (dot == std::string_view::npos) return SnapshotField::of(*cur);
    start = dot + 1;
  }
}

const RenderedValue* peel_pointers(const RenderedValue* v) {
  // ktstr's peel: the step counter is checked after each hop and the loop
  // stops once it exceeds 16, so at most 17 derefs.
  int steps = 0;
  while (v->kind() == ValueKind::Ptr && v->deref()) {
    v = v->deref();
    if (++steps > 16) break;
  }
  return v;
}

// Like ktstr's RenderedValue::member: through pointers and `truncated`
// wrappers (a section cut to the render budget keeps its globals).
const RenderedValue* lookup_member(const RenderedValue& v, std::string_view name) {
  const RenderedValue* cur = peel_all(&v);
  if (cur->kind() != ValueKind::Struct) return nullptr;
  for (const auto& m : cur->members())
    if (m.name == name) return &m.value;
  return nullptr;
}

}  // namespace detail

SnapshotField SnapshotField::percpu_key(std::uint32_t key) {
  SnapshotField f;
  f.key_ = key;
  return f;
}

SnapshotField SnapshotField::missing(SnapshotError e) {
  SnapshotField f;
  f.error_ = std::move(e);
  return f;
}

SnapshotField SnapshotField::get(std::string_view path) const {
  if (error_) return *this;
  if (!value_) return missing(mismatch("Struct", kPercpuKeyActual, path));
  return detail::walk_dotted_path(*value_, path);
}

std::vector<SnapshotField> SnapshotField::iter_members() const {
  std::vector<SnapshotField> out;
  if (!value_) return out;
  const RenderedValue* leaf = peel_all(value_);
  if (!leaf || leaf->kind() != ValueKind::Array) return out;
  out.reserve(leaf->elements().size());
  for (const auto& e : leaf->elements()) out.push_back(of(e));
  return out;
}

SnapshotResult<std::uint64_t> SnapshotField::as_u64() const {
  if (error_) return *error_;
  if (!value_) return std::uint64_t{key_};
  const RenderedValue& v = *value_;
  switch (v.kind()) {
    case ValueKind::Int:
      if (v.int_value() < 0) return mismatch("u64", "Int(negative)");
      return static_cast<std::uint64_t>(v.int_value());
    case ValueKind::Enum:
      if (v.is_signed() && v.int_value() < 0) return mismatch("u64", "Enum(signed-negative)");
      return static_cast<std::uint64_t>(v.int_value());
    default:
      if (auto x = v.as_u64()) return *x;
      return mismatch("u64", kind_name(v.kind()));
  }
}

SnapshotResult<std::int64_t> SnapshotField::as_i64() const {
  if (error_) return *error_;
  if (!value_) return std::int64_t{key_};
  const RenderedValue& v = *value_;
  if (v.kind() == ValueKind::Uint && v.uint_value() > static_cast<std::uint64_t>(INT64_MAX))
    return mismatch("i64", "Uint(>i64::MAX)");
  if (auto x = v.as_i64()) return *x;
  return mismatch("i64", kind_name(v.kind()));
}

SnapshotResult<double> SnapshotField::as_f64() const {
  if (error_) return *error_;
  if (!value_) return static_cast<double>(key_);
  if (auto x = value_->as_f64()) return *x;
  return mismatch("f64", kind_name(value_->kind()));
}

SnapshotResult<bool> SnapshotField::as_bool() const {
  if (error_) return *error_;
  if (!value_) return key_ != 0;
  if (auto x = value_->as_bool()) return *x;
  return mismatch("bool", kind_name(value_->kind()));
}

SnapshotResult<std::string_view> SnapshotField::as_str() const {
  if (error_) return *error_;
  if (!value_) return mismatch("str", kPercpuKeyActual);
  if (value_->kind() == ValueKind::Enum)
    if (std::optional<std::string_view> v = value_->variant()) return *v;
  return mismatch("str (enum variant name)", kind_name(value_->kind()));
}

SnapshotResult<std::vector<std::uint64_t>> SnapshotField::as_u64_array() const {
  return typed_array<std::uint64_t>(*this, "[u64]",
                                    [](const RenderedValue& e) { return e.as_u64(); });
}

SnapshotResult<std::vector<std::uint32_t>> SnapshotField::as_u32_array() const {
  return typed_array<std::uint32_t>(*this, "[u32]",
                                    [](const RenderedValue& e) -> std::optional<std::uint32_t> {
                                      auto x = e.as_u64();
                                      if (!x || *x > std::numeric_limits<std::uint32_t>::max())
                                        return std::nullopt;
                                      return static_cast<std::uint32_t>(*x);
                                    });
}

SnapshotResult<std::vector<std::int64_t>> SnapshotField::as_i64_array() const {
  return typed_array<std::int64_t>(*this, "[i64]",
                                   [](const RenderedValue& e) { return e.as_i64(); });
}

SnapshotResult<std::vector<double>> SnapshotField::as_f64_array() const {
  return typed_array<double>(*this, "[f64]", [](const RenderedValue& e) { return e.as_f64(); });
}

SnapshotResult<std::vector<bool>> SnapshotField::as_bool_array() const {
  return typed_array<bool>(*this, "[bool]", [](const RenderedValue& e) { return e.as_bool(); });
}

}  // namespace scxsnap

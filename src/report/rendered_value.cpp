// SPDX-License-Identifier: Apache-2.0
// RenderedValue storage (inline scalars + one kind-specific heap body) and
// the raw navigation/coercion helpers.
#include "scxsnap/rendered_value.hpp"

#include "rendered_fields.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <variant>

namespace scxsnap {
// The bodies are members of RenderedValue::Body, a type with linkage: they
// live in a named namespace of their own (not an anonymous one).
namespace rendered_body {

struct StructBody {
  SharedName type_name;
  bool has_type_name = false;
  std::vector<RenderedMember> members;
};
struct ArrayBody {
  std::uint64_t len = 0;
  std::vector<RenderedValue> elements;
};
struct PtrBody {
  std::optional<RenderedValue> deref;
  std::optional<std::string> skipped_reason;
  std::optional<std::string> cast;
};
struct TruncBody {
  std::uint64_t needed = 0;
  std::uint64_t had = 0;
  RenderedValue partial;
};
struct EnumBody {
  SharedName variant;
};

}  // namespace rendered_body

using namespace rendered_body;

namespace {

const std::vector<RenderedMember> kNoMembers;
const std::vector<RenderedValue> kNoElements;
const std::string kNoText;

bool is_text_kind(ValueKind k) {
  return k == ValueKind::CpuList || k == ValueKind::Bytes || k == ValueKind::Unsupported;
}

}  // namespace

// The per-kind bodies as one sum type: the variant's index says which body
// a value holds, so copying, destroying and reading are the variant's own.
// Text kinds (cpu_list, bytes, unsupported) hold a std::string.
struct RenderedValue::Body {
  std::variant<EnumBody, StructBody, ArrayBody, PtrBody, TruncBody, std::string> v;
};

void RenderedValue::BodyDeleter::operator()(Body* b) const noexcept {
  delete b;
}

template <class B>
const B* RenderedValue::body() const {
  return body_ ? std::get_if<B>(&body_->v) : nullptr;
}

template <class B>
std::unique_ptr<RenderedValue::Body, RenderedValue::BodyDeleter> RenderedValue::make_body(B b) {
  return std::unique_ptr<Body, BodyDeleter>(new Body{std::move(b)});
}

std::string_view kind_tag(ValueKind k) {
  return detail::rv_shape(k).tag;
}
std::string_view kind_name(ValueKind k) {
  return detail::rv_shape(k).name;
}

std::optional<ValueKind> kind_from_tag(std::string_view tag) {
  for (const detail::RvShape& shape : detail::kRvShapes)
    if (shape.tag == tag) return shape.kind;
  return std::nullopt;
}

// ---- construction ---------------------------------------------------------

RenderedValue RenderedValue::make_int(std::uint32_t bits, std::int64_t v) {
  RenderedValue r(ValueKind::Int);
  r.bits_ = bits;
  r.s_.i = v;
  return r;
}
RenderedValue RenderedValue::make_uint(std::uint32_t bits, std::uint64_t v) {
  RenderedValue r(ValueKind::Uint);
  r.bits_ = bits;
  r.s_.u = v;
  return r;
}
RenderedValue RenderedValue::make_bool(bool v) {
  RenderedValue r(ValueKind::Bool);
  r.s_.u = 0;
  r.s_.b = v;
  return r;
}
RenderedValue RenderedValue::make_char(std::uint8_t v) {
  RenderedValue r(ValueKind::Char);
  r.s_.u = 0;
  r.s_.c = v;
  return r;
}
RenderedValue RenderedValue::make_float(std::uint32_t bits, double v) {
  RenderedValue r(ValueKind::Float);
  r.bits_ = bits;
  r.s_.f = v;
  return r;
}
RenderedValue RenderedValue::make_enum(std::uint32_t bits, std::int64_t v,
                                       std::optional<std::string_view> variant, bool is_signed) {
  RenderedValue r(ValueKind::Enum);
  r.bits_ = bits;
  r.s_.i = v;
  r.flag_ = is_signed;
  if (variant) r.body_ = make_body(EnumBody{SharedName(*variant)});
  return r;
}
RenderedValue RenderedValue::make_struct(std::optional<std::string_view> type_name,
                                         std::vector<RenderedMember> members) {
  RenderedValue r(ValueKind::Struct);
  StructBody b;
  if (type_name) {
    b.type_name = SharedName(*type_name);
    b.has_type_name = true;
  }
  b.members = std::move(members);
  r.body_ = make_body(std::move(b));
  return r;
}
RenderedValue RenderedValue::make_enum(std::uint32_t bits, std::int64_t v, SharedName variant,
                                       bool is_signed) {
  RenderedValue r(ValueKind::Enum);
  r.bits_ = bits;
  r.s_.i = v;
  r.flag_ = is_signed;
  r.body_ = make_body(EnumBody{std::move(variant)});
  return r;
}
RenderedValue RenderedValue::make_struct(SharedName type_name,
                                         std::vector<RenderedMember> members) {
  RenderedValue r(ValueKind::Struct);
  r.body_ = make_body(StructBody{std::move(type_name), true, std::move(members)});
  return r;
}
RenderedValue RenderedValue::make_array(std::uint64_t len, std::vector<RenderedValue> elements) {
  RenderedValue r(ValueKind::Array);
  r.body_ = make_body(ArrayBody{len, std::move(elements)});
  return r;
}
RenderedValue RenderedValue::make_cpu_list(std::string cpus) {
  RenderedValue r(ValueKind::CpuList);
  r.body_ = make_body(std::move(cpus));
  return r;
}
RenderedValue RenderedValue::make_ptr(std::uint64_t address, std::optional<RenderedValue> deref,
                                      std::optional<std::string> deref_skipped_reason,
                                      std::optional<std::string> cast_annotation) {
  RenderedValue r(ValueKind::Ptr);
  r.s_.u = address;
  if (deref || deref_skipped_reason || cast_annotation)
    r.body_ = make_body(
        PtrBody{std::move(deref), std::move(deref_skipped_reason), std::move(cast_annotation)});
  return r;
}
RenderedValue RenderedValue::make_bytes(std::string hex) {
  RenderedValue r(ValueKind::Bytes);
  if (!hex.empty()) r.body_ = make_body(std::move(hex));
  return r;
}
RenderedValue RenderedValue::make_truncated(std::uint64_t needed, std::uint64_t had,
                                            RenderedValue partial) {
  RenderedValue r(ValueKind::Truncated);
  r.body_ = make_body(TruncBody{needed, had, std::move(partial)});
  return r;
}
RenderedValue RenderedValue::make_unsupported(std::string reason) {
  RenderedValue r(ValueKind::Unsupported);
  r.body_ = make_body(std::move(reason));
  return r;
}

// ---- value semantics -------------------------------------------------------

RenderedValue::RenderedValue(const RenderedValue& o)
    : kind_(o.kind_),
      flag_(o.flag_),
      bits_(o.bits_),
      s_(o.s_),
      body_(o.body_ ? new Body(*o.body_) : nullptr) {}
// A moved-from value is a valid empty `bytes` value (its body went with the
// move): every accessor stays safe on it.
RenderedValue::RenderedValue(RenderedValue&& o) noexcept
    : kind_(o.kind_), flag_(o.flag_), bits_(o.bits_), s_(o.s_), body_(std::move(o.body_)) {
  o.reset_to_empty();
}
void RenderedValue::reset_to_empty() noexcept {
  kind_ = ValueKind::Bytes;
  flag_ = false;
  bits_ = 0;
  s_.u = 0;
  body_.reset();
}
RenderedValue& RenderedValue::operator=(const RenderedValue& o) {
  if (this != &o) {
    RenderedValue tmp(o);
    *this = std::move(tmp);
  }
  return *this;
}
RenderedValue& RenderedValue::operator=(RenderedValue&& o) noexcept {
  if (this != &o) {
    kind_ = o.kind_;
    flag_ = o.flag_;
    bits_ = o.bits_;
    s_ = o.s_;
    body_ = std::move(o.body_);
    o.reset_to_empty();
  }
  return *this;
}
RenderedValue::~RenderedValue() = default;

// ---- inspection -------------------------------------------------------------

std::optional<std::string_view> RenderedValue::variant() const {
  const auto* b = body<EnumBody>();
  if (!b) return std::nullopt;
  return b->variant.view();
}
std::optional<std::string_view> RenderedValue::type_name() const {
  const auto* b = body<StructBody>();
  if (!b || !b->has_type_name) return std::nullopt;
  return b->type_name.view();
}
const std::vector<RenderedMember>& RenderedValue::members() const {
  const auto* b = body<StructBody>();
  return b ? b->members : kNoMembers;
}
std::uint64_t RenderedValue::array_len() const {
  const auto* b = body<ArrayBody>();
  return b ? b->len : 0;
}
const std::vector<RenderedValue>& RenderedValue::elements() const {
  const auto* b = body<ArrayBody>();
  return b ? b->elements : kNoElements;
}
const std::string& RenderedValue::text() const {
  const auto* b = is_text_kind(kind_) ? body<std::string>() : nullptr;
  return b ? *b : kNoText;
}
const RenderedValue* RenderedValue::deref() const {
  const auto* b = body<PtrBody>();
  return b && b->deref ? &*b->deref : nullptr;
}
const std::string* RenderedValue::deref_skipped_reason() const {
  const auto* b = body<PtrBody>();
  return b && b->skipped_reason ? &*b->skipped_reason : nullptr;
}
const std::string* RenderedValue::cast_annotation() const {
  const auto* b = body<PtrBody>();
  return b && b->cast ? &*b->cast : nullptr;
}
std::uint64_t RenderedValue::needed() const {
  const auto* b = body<TruncBody>();
  return b ? b->needed : 0;
}
std::uint64_t RenderedValue::had() const {
  const auto* b = body<TruncBody>();
  return b ? b->had : 0;
}
const RenderedValue* RenderedValue::partial() const {
  const auto* b = body<TruncBody>();
  return b ? &b->partial : nullptr;
}

bool operator==(const RenderedValue& a, const RenderedValue& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case ValueKind::Int:
      return a.bits_ == b.bits_ && a.s_.i == b.s_.i;
    case ValueKind::Uint:
      return a.bits_ == b.bits_ && a.s_.u == b.s_.u;
    case ValueKind::Bool:
      return a.s_.b == b.s_.b;
    case ValueKind::Char:
      return a.s_.c == b.s_.c;
    case ValueKind::Float:
      // NaN == NaN here: equality is about the stored value, used by round-trip checks.
      return a.bits_ == b.bits_ && (a.s_.f == b.s_.f || (std::isnan(a.s_.f) && std::isnan(b.s_.f)));
    case ValueKind::Enum:
      return a.bits_ == b.bits_ && a.s_.i == b.s_.i && a.flag_ == b.flag_ &&
             a.variant() == b.variant();
    case ValueKind::Struct:
      return a.type_name() == b.type_name() && a.members() == b.members();
    case ValueKind::Array:
      return a.array_len() == b.array_len() && a.elements() == b.elements();
    case ValueKind::Ptr: {
      if (a.s_.u != b.s_.u) return false;
      const RenderedValue* da = a.deref();
      const RenderedValue* db = b.deref();
      if ((da == nullptr) != (db == nullptr) || (da && !(*da == *db))) return false;
      auto eq = [](const std::string* x, const std::string* y) {
        return (x == nullptr) == (y == nullptr) && (!x || *x == *y);
      };
      return eq(a.deref_skipped_reason(), b.deref_skipped_reason()) &&
             eq(a.cast_annotation(), b.cast_annotation());
    }
    case ValueKind::Truncated:
      return a.needed() == b.needed() && a.had() == b.had() && *a.partial() == *b.partial();
    case ValueKind::CpuList:
    case ValueKind::Bytes:
    case ValueKind::Unsupported:
      return a.text() == b.text();
  }
  return false;
}

// ---- navigation ---------------------------------------------------------------

namespace {
// Peel Ptr-deref and Truncated-partial layers (bounded: the tree is finite,
// but a hand-built chain could be long).
const RenderedValue* peel(const RenderedValue* v) {
  for (int i = 0; v && i < 1024; ++i) {
    if (v->kind() == ValueKind::Ptr && v->deref()) {
      v = v->deref();
    } else if (v->kind() == ValueKind::Truncated) {
      v = v->partial();
    } else {
      return v;
    }
  }
  return v;
}
}  // namespace

const RenderedValue* RenderedValue::member(std::string_view name) const {
  const RenderedValue* v = peel(this);
  if (!v || v->kind() != ValueKind::Struct) return nullptr;
  for (const auto& m : v->members())
    if (m.name.view() == name) return &m.value;
  return nullptr;
}

const RenderedValue* RenderedValue::index(std::size_t i) const {
  const RenderedValue* v = peel(this);
  if (!v || v->kind() != ValueKind::Array || i >= v->elements().size()) return nullptr;
  return &v->elements()[i];
}

const RenderedValue* RenderedValue::get(std::string_view path) const {
  if (path.empty()) return this;
  const RenderedValue* cur = this;
  std::size_t start = 0;
  while (cur) {
    std::size_t dot = path.find('.', start);
    std::string_view comp =
        path.substr(start, dot == std::string_view::npos ? path.npos : dot - start);
    if (comp.empty()) return nullptr;
    cur = cur->member(comp);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return cur;
}

std::optional<std::uint64_t> RenderedValue::as_u64() const {
  switch (kind_) {
    case ValueKind::Uint:
      return s_.u;
    case ValueKind::Int:
      if (s_.i >= 0) return static_cast<std::uint64_t>(s_.i);
      return std::nullopt;
    case ValueKind::Bool:
      return s_.b ? 1 : 0;
    case ValueKind::Char:
      return s_.c;
    case ValueKind::Enum:
      if (flag_ && s_.i < 0) return std::nullopt;
      return static_cast<std::uint64_t>(s_.i);
    case ValueKind::Ptr:
      return s_.u;
    default:
      return std::nullopt;
  }
}

std::optional<std::int64_t> RenderedValue::as_i64() const {
  switch (kind_) {
    case ValueKind::Int:
      return s_.i;
    case ValueKind::Uint:
      if (s_.u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(s_.u);
      return std::nullopt;
    case ValueKind::Bool:
      return s_.b ? 1 : 0;
    case ValueKind::Char:
      return s_.c;
    case ValueKind::Enum:
      return s_.i;
    default:
      return std::nullopt;
  }
}

std::optional<double> RenderedValue::as_f64() const {
  switch (kind_) {
    case ValueKind::Float:
      return s_.f;
    case ValueKind::Int:
      return static_cast<double>(s_.i);
    case ValueKind::Uint:
      return static_cast<double>(s_.u);
    case ValueKind::Enum:
      return static_cast<double>(s_.i);
    default:
      return std::nullopt;
  }
}

std::optional<bool> RenderedValue::as_bool() const {
  switch (kind_) {
    case ValueKind::Bool:
      return s_.b;
    case ValueKind::Uint:
    case ValueKind::Ptr:
      return s_.u != 0;
    case ValueKind::Int:
    case ValueKind::Enum:
      return s_.i != 0;
    case ValueKind::Char:
      return s_.c != 0;
    default:
      return std::nullopt;
  }
}

// ---- display --------------------------------------------------------------------

namespace {
// Text for a terminal: control and non-ASCII bytes as C escapes.
// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF), 0 when there is none.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size() || at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

void put_escaped(std::string& out, std::string_view s, const DisplayOptions& o) {
  if (!o.escape) {
    out += s;
    return;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Text output is always valid UTF-8: a byte that starts no well-formed
      // sequence is escaped, as the control bytes are.
      if (std::size_t n = utf8_sequence(s, i)) {
        out += s.substr(i, n);
        i += n - 1;
      } else {
        out += fmt::format("\\x{:02x}", c);
      }
      continue;
    }
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\x{:02x}", c);
        else
          out += static_cast<char>(c);
    }
  }
}

// A char array as a C string: up to its first NUL.
bool put_c_string(const RenderedValue& v, std::string& out, const DisplayOptions& o) {
  if (v.elements().empty()) return false;
  for (const auto& e : v.elements())
    if (e.kind() != ValueKind::Char) return false;
  std::string s;
  for (const auto& e : v.elements()) {
    if (e.char_value() == 0) break;
    s += static_cast<char>(e.char_value());
  }
  out += '"';
  put_escaped(out, s, DisplayOptions{o.c_strings, true});
  out += '"';
  if (s.size() == v.elements().size() && v.elements().size() < v.array_len()) out += "…";
  return true;
}

void display_into(const RenderedValue& v, std::string& out, int depth, const DisplayOptions& o) {
  if (depth > 64) {
    out += "…";
    return;
  }
  switch (v.kind()) {
    case ValueKind::Int:
      out += fmt::to_string(v.int_value());
      break;
    case ValueKind::Uint:
      out += fmt::to_string(v.uint_value());
      break;
    case ValueKind::Bool:
      out += v.bool_value() ? "true" : "false";
      break;
    case ValueKind::Char: {
      std::uint8_t c = v.char_value();
      if (c >= 0x20 && c < 0x7f)
        out += fmt::format("'{}'", static_cast<char>(c));
      else
        out += fmt::format("0x{:02x}", c);
      break;
    }
    case ValueKind::Float: {
      double f = v.float_value();
      if (std::isnan(f))
        out += "NaN";
      else if (std::isinf(f))
        out += f > 0 ? "inf" : "-inf";
      else
        out += fmt::format("{}", f);
      break;
    }
    case ValueKind::Enum: {
      std::string num = v.is_signed() ? fmt::to_string(v.int_value())
                                      : fmt::to_string(static_cast<std::uint64_t>(v.int_value()));
      if (auto name = v.variant()) {
        put_escaped(out, *name, o);
        out += fmt::format(" ({})", num);
      } else
        out += num;
      break;
    }
    case ValueKind::Struct: {
      if (auto tn = v.type_name()) put_escaped(out, *tn, o);
      out += '{';
      bool first = true;
      for (const auto& m : v.members()) {
        if (!first) out += ", ";
        first = false;
        put_escaped(out, m.name.view(), o);
        out += '=';
        display_into(m.value, out, depth + 1, o);
      }
      out += '}';
      break;
    }
    case ValueKind::Array: {
      if (o.c_strings && put_c_string(v, out, o)) break;
      out += '[';
      bool first = true;
      for (const auto& e : v.elements()) {
        if (!first) out += ", ";
        first = false;
        display_into(e, out, depth + 1, o);
      }
      if (v.elements().size() < v.array_len()) out += ", …";
      out += ']';
      break;
    }
    case ValueKind::CpuList:
      out += fmt::format("cpus={{{}}}", v.text());
      break;
    case ValueKind::Ptr:
      out += fmt::format("0x{:x}", v.uint_value());
      if (const std::string* c = v.cast_annotation()) {
        out += " (";
        put_escaped(out, *c, o);
        out += ')';
      }
      if (const RenderedValue* d = v.deref()) {
        out += " → ";
        display_into(*d, out, depth + 1, o);
      } else if (const std::string* r = v.deref_skipped_reason()) {
        {
          out += " [chase: ";
          put_escaped(out, *r, o);
          out += ']';
        }
      }
      break;
    case ValueKind::Bytes:
      out += v.text();
      break;
    case ValueKind::Truncated:
      if (v.had() == 0) break;
      out += fmt::format("<truncated needed={} had={}> ", v.needed(), v.had());
      display_into(*v.partial(), out, depth + 1, o);
      break;
    case ValueKind::Unsupported:
      out += "<unsupported: ";
      put_escaped(out, v.text(), o);
      out += '>';
      break;
  }
}
}  // namespace

std::string RenderedValue::display() const {
  return display(DisplayOptions{});
}

std::string RenderedValue::display(const DisplayOptions& options) const {
  std::string out;
  display_into(*this, out, 0, options);
  return out;
}

}  // namespace scxsnap

// SPDX-License-Identifier: Apache-2.0
// RenderedValue: one BPF value rendered through BTF into a typed tree (the 13
// kinds of ktstr's btf_render). Scalars live inline (24 bytes a node, no heap
// allocation); member names, type names and enum variant names are
// SharedNames, so a million struct values share one copy of each name.
#pragma once

#include "scxsnap/export.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap {

/// An immutable, reference-counted string: copies share one allocation and
/// the last copy frees it. Member, type and variant names use it, so the
/// values rendered from one layout plan (or read from one report) share one
/// copy of each name, and no name outlives the values that carry it (there
/// is no process-wide pool to grow on untrusted input).
class SCXSNAP_API SharedName {
 public:
  SharedName() = default;
  explicit SharedName(std::string_view s);
  SharedName(const SharedName& o) noexcept : p_(o.p_) {
    if (p_) p_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  SharedName(SharedName&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  SharedName& operator=(const SharedName& o) noexcept {
    if (this == &o) return *this;
    if (o.p_) o.p_->refs.fetch_add(1, std::memory_order_relaxed);
    Rep* old = p_;
    p_ = o.p_;
    if (old) release(old);
    return *this;
  }
  SharedName& operator=(SharedName&& o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~SharedName() {
    if (p_) release(p_);
  }

  std::string_view view() const {
    return p_ ? std::string_view(reinterpret_cast<const char*>(p_ + 1), p_->len)
              : std::string_view();
  }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  /// Whether two names share one allocation (equal text either way).
  bool same_storage(const SharedName& o) const { return p_ == o.p_; }

  friend bool operator==(const SharedName& a, const SharedName& b) {
    return a.p_ == b.p_ || a.view() == b.view();
  }
  friend bool operator==(const SharedName& a, std::string_view b) { return a.view() == b; }

 private:
  struct Rep {
    std::atomic<std::uint32_t> refs;
    std::uint32_t len;
    // the characters follow
  };
  static void release(Rep* p) noexcept;
  Rep* p_ = nullptr;
};

enum class ValueKind : std::uint8_t {
  Int,
  Uint,
  Bool,
  Char,
  Float,
  Enum,
  Struct,
  Array,
  CpuList,
  Ptr,
  Bytes,
  Truncated,
  Unsupported,
};

/// snake_case tag used in JSON ("cpu_list").
SCXSNAP_API std::string_view kind_tag(ValueKind k);
/// CamelCase variant name used in error messages ("CpuList").
SCXSNAP_API std::string_view kind_name(ValueKind k);
SCXSNAP_API std::optional<ValueKind> kind_from_tag(std::string_view tag);

struct RenderedMember;

/// How display() writes text beyond ktstr's Display.
struct SCXSNAP_API DisplayOptions {
  bool c_strings = false;  ///< char arrays as "C strings" (up to the first NUL), escaped
  bool escape = false;     ///< control bytes in names and strings as C escapes
};

class SCXSNAP_API RenderedValue {
 public:
  // ---- construction -------------------------------------------------------
  static RenderedValue make_int(std::uint32_t bits, std::int64_t v);
  static RenderedValue make_uint(std::uint32_t bits, std::uint64_t v);
  static RenderedValue make_bool(bool v);
  static RenderedValue make_char(std::uint8_t v);
  static RenderedValue make_float(std::uint32_t bits, double v);
  static RenderedValue make_enum(std::uint32_t bits, std::int64_t v,
                                 std::optional<std::string_view> variant, bool is_signed);
  static RenderedValue make_struct(std::optional<std::string_view> type_name,
                                   std::vector<RenderedMember> members);
  /// The same two sharing a name the caller already holds (a layout plan's,
  /// a reader's): no copy of the text.
  static RenderedValue make_enum(std::uint32_t bits, std::int64_t v, SharedName variant,
                                 bool is_signed);
  static RenderedValue make_struct(SharedName type_name, std::vector<RenderedMember> members);
  static RenderedValue make_array(std::uint64_t len, std::vector<RenderedValue> elements);
  static RenderedValue make_cpu_list(std::string cpus);
  static RenderedValue make_ptr(std::uint64_t address,
                                std::optional<RenderedValue> deref = std::nullopt,
                                std::optional<std::string> deref_skipped_reason = std::nullopt,
                                std::optional<std::string> cast_annotation = std::nullopt);
  static RenderedValue make_bytes(std::string hex);
  static RenderedValue make_truncated(std::uint64_t needed, std::uint64_t had,
                                      RenderedValue partial);
  static RenderedValue make_unsupported(std::string reason);

  /// An empty Bytes value.
  RenderedValue() = default;
  RenderedValue(const RenderedValue& o);
  RenderedValue(RenderedValue&& o) noexcept;
  RenderedValue& operator=(const RenderedValue& o);
  RenderedValue& operator=(RenderedValue&& o) noexcept;
  ~RenderedValue();

  // ---- inspection ---------------------------------------------------------
  ValueKind kind() const { return kind_; }
  /// Int/Uint/Float/Enum width in bits.
  std::uint32_t bits() const { return bits_; }
  std::int64_t int_value() const { return s_.i; }    ///< Int, Enum (raw)
  std::uint64_t uint_value() const { return s_.u; }  ///< Uint, Ptr address
  bool bool_value() const { return s_.b; }           ///< Bool
  std::uint8_t char_value() const { return s_.c; }   ///< Char
  double float_value() const { return s_.f; }        ///< Float
  bool is_signed() const { return flag_; }           ///< Enum
  /// Enum variant name; nullopt when no enumerator matched.
  std::optional<std::string_view> variant() const;
  /// Struct type name; nullopt when anonymous.
  std::optional<std::string_view> type_name() const;
  const std::vector<RenderedMember>& members() const;  ///< Struct (empty otherwise)
  std::uint64_t array_len() const;                     ///< Array declared length
  const std::vector<RenderedValue>& elements() const;  ///< Array (empty otherwise)
  /// CpuList cpus, Bytes hex, Unsupported reason.
  const std::string& text() const;
  const RenderedValue* deref() const;               ///< Ptr target, if chased
  const std::string* deref_skipped_reason() const;  ///< Ptr
  const std::string* cast_annotation() const;       ///< Ptr
  std::uint64_t needed() const;                     ///< Truncated
  std::uint64_t had() const;                        ///< Truncated
  const RenderedValue* partial() const;             ///< Truncated

  // ---- the raw navigation layer (ktstr's inherent helpers) ----------------
  /// Member of a Struct, peeling Ptr deref and Truncated partial.
  const RenderedValue* member(std::string_view name) const;
  /// Element of an Array, peeling Ptr deref and Truncated partial.
  const RenderedValue* index(std::size_t i) const;
  /// "" → this; otherwise a chain of member(); any empty component → nullptr.
  const RenderedValue* get(std::string_view path) const;
  std::optional<std::uint64_t> as_u64() const;
  std::optional<std::int64_t> as_i64() const;
  std::optional<double> as_f64() const;
  std::optional<bool> as_bool() const;

  /// Human text (ktstr's Display): scalars exact, aggregates approximate.
  std::string display() const;
  /// The same with scxsnap's terminal options (see DisplayOptions).
  std::string display(const DisplayOptions& options) const;

  friend SCXSNAP_API bool operator==(const RenderedValue& a, const RenderedValue& b);

 private:
  RenderedValue(ValueKind k) : kind_(k) {}  // NOLINT
  void reset_to_empty() noexcept;
  // The kind's heap body: a std::variant of the per-kind bodies (defined in
  // rendered_value.cpp), owned here; null when the kind needs none.
  struct Body;
  struct BodyDeleter {
    void operator()(Body* b) const noexcept;
  };
  template <class B>
  const B* body() const;
  template <class B>
  static std::unique_ptr<Body, BodyDeleter> make_body(B b);

  ValueKind kind_ = ValueKind::Bytes;
  bool flag_ = false;  // Enum is_signed
  std::uint32_t bits_ = 0;
  union Scalar {
    std::int64_t i;
    std::uint64_t u;
    double f;
    bool b;
    std::uint8_t c;
  } s_{0};
  std::unique_ptr<Body, BodyDeleter> body_;
};

struct SCXSNAP_API RenderedMember {
  SharedName name;
  RenderedValue value;
  RenderedMember(std::string_view n, RenderedValue v) : name(n), value(std::move(v)) {}
  RenderedMember(SharedName n, RenderedValue v) : name(std::move(n)), value(std::move(v)) {}
  friend bool operator==(const RenderedMember& a, const RenderedMember& b) {
    return a.name == b.name && a.value == b.value;
  }
};

}  // namespace scxsnap

// SPDX-License-Identifier: Apache-2.0
// One description of RenderedValue's JSON, ktstr's serde enum internally
// tagged on "kind": per kind, its tag, its CamelCase name, and its fields in
// the order serde writes them, with how an absent field is treated. The
// reader (rendered_reader.cpp), the writer (report_writer.cpp), the layout
// plan's precomputed fragments (layout_plan.cpp) and the JSON executor's
// constants (plan_exec.cpp) all come from this table, so a field is spelled
// once. report_fields.hpp is the same idea for the report structs.
#pragma once

#include "scxsnap/rendered_value.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace scxsnap::detail {

/// What a field holds (the same JSON name can hold different things: "value"
/// is an i64 for `int`, a u64 for `uint`, a bool for `bool`).
enum class RvSlot : std::uint8_t {
  Bits,        ///< u32
  IntValue,    ///< i64
  UintValue,   ///< u64
  BoolValue,   ///< bool
  CharValue,   ///< u8 (a byte, 0-255)
  FloatValue,  ///< f64 (null for NaN and infinities, as serde_json writes them)
  Variant,     ///< Option<String>
  IsSigned,    ///< bool
  TypeName,    ///< Option<String>
  Members,     ///< [{"name", "value"}]
  Len,         ///< u64
  Elements,    ///< [RenderedValue]
  Cpus,        ///< String
  Deref,       ///< Option<Box<RenderedValue>>
  SkipReason,  ///< Option<String>
  Cast,        ///< Option<String>
  Hex,         ///< String
  Needed,      ///< u64
  Had,         ///< u64
  Partial,     ///< Box<RenderedValue>
  Reason,      ///< String
};

/// How serde treats a field that has no value.
enum class RvAbsent : std::uint8_t {
  Never,      ///< required on input; always written
  Defaulted,  ///< #[serde(default)]: absent on input = false / None; always
              ///< written (None as null)
  Skipped,    ///< an Option absent on input = None; skipped on output while None
};

struct RvField {
  std::string_view name;
  RvSlot slot;
  RvAbsent absent = RvAbsent::Never;
};

struct RvShape {
  ValueKind kind;
  std::string_view tag;   ///< snake_case, the JSON "kind"
  std::string_view name;  ///< CamelCase, in messages ("CpuList")
  std::span<const RvField> fields;
};

namespace rv_fields {
using enum RvSlot;
inline constexpr RvField kInt[] = {{"bits", Bits}, {"value", IntValue}};
inline constexpr RvField kUint[] = {{"bits", Bits}, {"value", UintValue}};
inline constexpr RvField kBool[] = {{"value", BoolValue}};
inline constexpr RvField kChar[] = {{"value", CharValue}};
inline constexpr RvField kFloat[] = {{"bits", Bits}, {"value", FloatValue}};
inline constexpr RvField kEnum[] = {{"bits", Bits},
                                    {"value", IntValue},
                                    {"variant", Variant, RvAbsent::Defaulted},
                                    {"is_signed", IsSigned, RvAbsent::Defaulted}};
inline constexpr RvField kStruct[] = {{"type_name", TypeName, RvAbsent::Defaulted},
                                      {"members", Members}};
inline constexpr RvField kArray[] = {{"len", Len}, {"elements", Elements}};
inline constexpr RvField kCpuList[] = {{"cpus", Cpus}};
inline constexpr RvField kPtr[] = {{"value", UintValue},
                                   {"deref", Deref, RvAbsent::Skipped},
                                   {"deref_skipped_reason", SkipReason, RvAbsent::Skipped},
                                   {"cast_annotation", Cast, RvAbsent::Skipped}};
inline constexpr RvField kBytes[] = {{"hex", Hex}};
inline constexpr RvField kTruncated[] = {{"needed", Needed}, {"had", Had}, {"partial", Partial}};
inline constexpr RvField kUnsupported[] = {{"reason", Reason}};
}  // namespace rv_fields

/// A struct member, `{"name": ..., "value": RenderedValue}`.
inline constexpr std::array<std::string_view, 2> kRvMemberKeys = {"name", "value"};

/// Indexed by ValueKind.
inline constexpr std::array<RvShape, 13> kRvShapes = {{
    {ValueKind::Int, "int", "Int", rv_fields::kInt},
    {ValueKind::Uint, "uint", "Uint", rv_fields::kUint},
    {ValueKind::Bool, "bool", "Bool", rv_fields::kBool},
    {ValueKind::Char, "char", "Char", rv_fields::kChar},
    {ValueKind::Float, "float", "Float", rv_fields::kFloat},
    {ValueKind::Enum, "enum", "Enum", rv_fields::kEnum},
    {ValueKind::Struct, "struct", "Struct", rv_fields::kStruct},
    {ValueKind::Array, "array", "Array", rv_fields::kArray},
    {ValueKind::CpuList, "cpu_list", "CpuList", rv_fields::kCpuList},
    {ValueKind::Ptr, "ptr", "Ptr", rv_fields::kPtr},
    {ValueKind::Bytes, "bytes", "Bytes", rv_fields::kBytes},
    {ValueKind::Truncated, "truncated", "Truncated", rv_fields::kTruncated},
    {ValueKind::Unsupported, "unsupported", "Unsupported", rv_fields::kUnsupported},
}};

constexpr bool rv_shapes_in_kind_order() {
  for (std::size_t i = 0; i < kRvShapes.size(); ++i)
    if (static_cast<std::size_t>(kRvShapes[i].kind) != i) return false;
  return true;
}
static_assert(rv_shapes_in_kind_order(), "kRvShapes is indexed by ValueKind");

constexpr const RvShape& rv_shape(ValueKind k) {
  return kRvShapes[static_cast<std::size_t>(k)];
}

/// The JSON name of a kind's field.
constexpr std::string_view rv_name(ValueKind k, RvSlot s) {
  for (const RvField& f : rv_shape(k).fields)
    if (f.slot == s) return f.name;
  return {};
}

// ---- fragments of compact JSON, for writers that splice values in ----------

/// `{"kind":"<tag>"`, then `,"<name>":<text>` for each of `leading` (the
/// kind's first fields, in table order), then `,"<name>":` of the next field.
std::string rv_json_head(ValueKind k, std::initializer_list<std::string_view> leading);
/// `,"<name>":` of a kind's field.
std::string rv_json_key(ValueKind k, RvSlot s);
/// `{"name":"<name>","value":` of a struct member.
std::string rv_json_member_head(std::string_view name);
/// A whole text-only value (`{"kind":"unsupported","reason":"..."}`).
std::string rv_json_text(ValueKind k, std::string_view text);

}  // namespace scxsnap::detail

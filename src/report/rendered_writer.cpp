// SPDX-License-Identifier: Apache-2.0
// RenderedValue → JSON, driven by its table (rendered_fields.hpp): the "kind"
// tag, then each field of the kind in table order, one helper per field kind;
// and the compact fragments the layout plan splices values into.
#include "rendered_fields.hpp"
#include "report/json/json_writer.hpp"
#include "report_writer.hpp"

namespace scxsnap::detail {
namespace {

void write_opt_string(JsonWriter& w, std::optional<std::string_view> s) {
  if (s)
    w.value_string(*s);
  else
    w.value_null();
}

/// Whether a Skipped field has a value to write.
bool present(const RenderedValue& v, RvSlot s) {
  switch (s) {
    case RvSlot::Deref:
      return v.deref() != nullptr;
    case RvSlot::SkipReason:
      return v.deref_skipped_reason() != nullptr;
    case RvSlot::Cast:
      return v.cast_annotation() != nullptr;
    default:
      return true;
  }
}

void write_members(JsonWriter& w, const RenderedValue& v, const ChildWriter* children) {
  w.begin_array();
  if (children) (*children)(w);
  for (const auto& m : v.members()) {
    w.begin_object();
    w.field_string(kRvMemberKeys[0], m.name.view());
    w.key(kRvMemberKeys[1]);
    write_rendered(w, m.value);
    w.end_object();
  }
  w.end_array();
}

void write_elements(JsonWriter& w, const RenderedValue& v, const ChildWriter* children) {
  w.begin_array();
  if (children) (*children)(w);
  for (const auto& e : v.elements()) write_rendered(w, e);
  w.end_array();
}

/// A child value, or what `children` writes in its place.
void write_child(JsonWriter& w, const RenderedValue& child, const ChildWriter* children) {
  if (children)
    (*children)(w);
  else
    write_rendered(w, child);
}

void write_slot(JsonWriter& w, const RenderedValue& v, RvSlot s, const ChildWriter* children) {
  switch (s) {
    case RvSlot::Bits:
      return w.value_u64(v.bits());
    case RvSlot::IntValue:
      return w.value_i64(v.int_value());
    case RvSlot::UintValue:
      return w.value_u64(v.uint_value());
    case RvSlot::BoolValue:
      return w.value_bool(v.bool_value());
    case RvSlot::CharValue:
      return w.value_u64(v.char_value());
    case RvSlot::FloatValue:
      return w.value_f64(v.float_value());
    case RvSlot::Variant:
      return write_opt_string(w, v.variant());
    case RvSlot::IsSigned:
      return w.value_bool(v.is_signed());
    case RvSlot::TypeName:
      return write_opt_string(w, v.type_name());
    case RvSlot::Members:
      return write_members(w, v, children);
    case RvSlot::Len:
      return w.value_u64(v.array_len());
    case RvSlot::Elements:
      return write_elements(w, v, children);
    case RvSlot::Cpus:
    case RvSlot::Hex:
    case RvSlot::Reason:
      return w.value_string(v.text());
    case RvSlot::Deref:
      return write_child(w, *v.deref(), children);
    case RvSlot::SkipReason:
      return w.value_string(*v.deref_skipped_reason());
    case RvSlot::Cast:
      return w.value_string(*v.cast_annotation());
    case RvSlot::Needed:
      return w.value_u64(v.needed());
    case RvSlot::Had:
      return w.value_u64(v.had());
    case RvSlot::Partial:
      return write_child(w, *v.partial(), children);
  }
}

void append_key(std::string& out, std::string_view name) {
  out += ",\"";
  out += name;
  out += "\":";
}

}  // namespace

void write_rendered(JsonWriter& w, const RenderedValue& v) {
  write_rendered_with(w, v, nullptr);
}

void write_rendered_with(JsonWriter& w, const RenderedValue& v, const ChildWriter* children) {
  const RvShape& shape = rv_shape(v.kind());
  w.begin_object();
  w.field_string("kind", shape.tag);
  for (const RvField& f : shape.fields) {
    if (f.absent == RvAbsent::Skipped && !present(v, f.slot)) continue;
    w.key(f.name);
    write_slot(w, v, f.slot, children);
  }
  w.end_object();
}

std::string rv_json_head(ValueKind k, std::initializer_list<std::string_view> leading) {
  const RvShape& shape = rv_shape(k);
  std::string out = "{\"kind\":\"";
  out += shape.tag;
  out += '"';
  std::size_t i = 0;
  for (std::string_view text : leading) {
    append_key(out, shape.fields[i++].name);
    out += text;
  }
  if (i < shape.fields.size()) append_key(out, shape.fields[i].name);
  return out;
}

std::string rv_json_key(ValueKind k, RvSlot s) {
  std::string out;
  append_key(out, rv_name(k, s));
  return out;
}

std::string rv_json_member_head(std::string_view name) {
  std::string out = "{\"";
  out += kRvMemberKeys[0];
  out += "\":\"";
  append_escaped(out, name);
  out += '"';
  append_key(out, kRvMemberKeys[1]);
  return out;
}

std::string rv_json_text(ValueKind k, std::string_view text) {
  std::string out = rv_json_head(k, {}) + '"';
  append_escaped(out, text);
  out += "\"}";
  return out;
}

}  // namespace scxsnap::detail

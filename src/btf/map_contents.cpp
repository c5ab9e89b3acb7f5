// SPDX-License-Identifier: Apache-2.0
#include "map_contents.hpp"

#include "raw_bytes.hpp"
#include "report/json/json_writer.hpp"
#include "report/rendered_fields.hpp"
#include "report/report_writer.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace scxsnap::map_contents {
namespace {

constexpr std::uint64_t kMinSlotBudget = std::uint64_t{64} * 1024;

// `"per_cpu":[...]` of one per-CPU value: each CPU's slot typed, else its bytes.
void per_cpu_json(std::string& js, Bytes value, const EntryFormat& f, CutLog& cut) {
  js += "\"per_cpu\":[";
  auto slots = split_percpu(value, f.value_size, f.ncpus);
  for (std::size_t c = 0; c < slots.size(); ++c) {
    if (c) js += ',';
    if (!f.rs->value.json(js, slots[c], f.slot_lim, cut)) append_bytes_value(js, slots[c]);
  }
  js += ']';
}

std::vector<std::optional<RenderedValue>> per_cpu_tree(Bytes value, const EntryFormat& f,
                                                       CutLog& cut) {
  std::vector<std::optional<RenderedValue>> out;
  for (auto slot : split_percpu(value, f.value_size, f.ncpus)) {
    auto v = f.rs->value.tree(slot, f.slot_lim, cut);
    out.push_back(v ? std::move(v) : RenderedValue::make_bytes(hex_bytes(slot)));
  }
  return out;
}

// `"NAME":...,"NAME_hex":"..."` of one side of a hash-shaped entry (the
// rendered value only when the side is typed).
void side_and_hex(std::string& js, std::string_view name, const Side& side, Bytes bytes,
                  const RenderLimits& lim, CutLog& cut) {
  if (side.typed()) {
    js += '"';
    js += name;
    js += "\":";
    side.json(js, bytes, lim, cut);
    js += ',';
  }
  js += '"';
  js += name;
  js += "_hex\":\"";
  append_hex_bytes(js, bytes);
  js += '"';
}

// `"value":...,"value_hex":"..."}`: the end of a hash-shaped entry.
void value_and_hex(std::string& js, Bytes value, const EntryFormat& f, CutLog& cut) {
  side_and_hex(js, "value", f.rs->value, value, f.lim, cut);
  js += '}';
}

}  // namespace

void CutLog::note(const RenderStatus& s) {
  stopped |= s.stopped;
  if (!s.over_budget) return;
  ++values;
  if (s.needed >= needed) {
    needed = s.needed;
    had = s.had;
  }
}

void CutLog::merge(const CutLog& later) {
  stopped |= later.stopped;
  values += later.values;
  if (later.values && later.needed >= needed) {
    needed = later.needed;
    had = later.had;
  }
}

std::optional<RenderedValue> Side::tree(Bytes b, const RenderLimits& lim, CutLog& cut) const {
  if (!typed()) return std::nullopt;
  RenderStatus st;
  auto v = r->render(type, b, lim, &st);
  if (!v) return RenderedValue::make_unsupported(v.error().message());
  cut.note(st);
  return std::move(*v);
}

bool Side::json(std::string& out, Bytes b, const RenderLimits& lim, CutLog& cut) const {
  if (!typed()) return false;
  RenderStatus st;
  auto ok = r->render_json(type, b, out, lim, &st);
  if (!ok) {
    detail::JsonWriter w(out);
    detail::write_rendered(w, RenderedValue::make_unsupported(ok.error().message()));
    return true;
  }
  cut.note(st);
  return true;
}

RenderLimits slot_limits(const RenderLimits& lim, std::uint32_t ncpus) {
  RenderLimits l = lim;
  if (l.max_value_bytes)
    l.max_value_bytes = std::max(l.max_value_bytes / std::max<std::uint32_t>(ncpus, 1),
                                 std::min(l.max_value_bytes, kMinSlotBudget));
  return l;
}

void append_bytes_value(std::string& out, Bytes b) {
  static const std::string head = detail::rv_json_head(ValueKind::Bytes, {}) + '"';
  out += head;
  append_hex_bytes(out, b);
  out += "\"}";
}

void hash_entry_json(std::string& js, Bytes key, Bytes value, const EntryFormat& f, CutLog& cut) {
  js += '{';
  side_and_hex(js, "key", f.rs->key, key, f.lim, cut);
  js += ',';
  if (f.percpu) {
    per_cpu_json(js, value, f, cut);
    js += '}';
    return;
  }
  value_and_hex(js, value, f, cut);
}

void array_entry_json(std::string& js, std::uint32_t key, Bytes value, const EntryFormat& f,
                      CutLog& cut) {
  js += "{\"key\":";
  fmt::format_to(std::back_inserter(js), "{}", key);
  js += ',';
  if (f.percpu) {
    per_cpu_json(js, value, f, cut);
  } else {
    js += "\"value\":";
    if (!f.rs->value.json(js, value, f.lim, cut)) append_bytes_value(js, value);
  }
  js += '}';
}

std::string owner_key_json(const RenderedValue& key) {
  std::string out;
  detail::JsonWriter w(out);
  detail::write_rendered(w, key);
  return out;
}

void owner_entry_json(std::string& js, std::string_view key_json, Bytes key_bytes, Bytes value,
                      const EntryFormat& f, CutLog& cut) {
  js += "{\"key\":";
  js += key_json;
  js += ",\"key_hex\":\"";
  append_hex_bytes(js, key_bytes);
  js += "\",";
  value_and_hex(js, value, f, cut);
}

void value_json(std::string& js, Bytes bytes, const Side& side, const RenderLimits& lim,
                CutLog& cut) {
  js += ",\"value\":";
  if (!side.json(js, bytes, lim, cut)) append_bytes_value(js, bytes);
}

void add_hash_entry(FailureDumpMap& m, Bytes key, Bytes value, const EntryFormat& f, CutLog& cut) {
  if (f.percpu) {
    FailureDumpPercpuHashEntry e;
    e.key = f.rs->key.tree(key, f.lim, cut);
    e.key_hex = hex_bytes(key);
    e.per_cpu = per_cpu_tree(value, f, cut);
    m.percpu_hash_entries.push_back(std::move(e));
    return;
  }
  FailureDumpEntry e;
  e.key = f.rs->key.tree(key, f.lim, cut);
  e.key_hex = hex_bytes(key);
  e.value = f.rs->value.tree(value, f.lim, cut);
  e.value_hex = hex_bytes(value);
  m.entries.push_back(std::move(e));
}

void add_array_entry(FailureDumpMap& m, std::uint32_t key, Bytes value, const EntryFormat& f,
                     CutLog& cut) {
  if (f.percpu) {
    FailureDumpPercpuEntry e;
    e.key = key;
    e.per_cpu = per_cpu_tree(value, f, cut);
    m.percpu_entries.push_back(std::move(e));
    return;
  }
  auto v = f.rs->value.tree(value, f.lim, cut);
  m.array_entries.push_back(
      FailureDumpArrayEntry{key, v ? std::move(v) : RenderedValue::make_bytes(hex_bytes(value))});
}

void add_owner_entry(FailureDumpMap& m, RenderedValue key, Bytes key_bytes, Bytes value,
                     const EntryFormat& f, CutLog& cut) {
  FailureDumpEntry e;
  e.key = std::move(key);
  e.key_hex = hex_bytes(key_bytes);
  e.value = f.rs->value.tree(value, f.lim, cut);
  e.value_hex = hex_bytes(value);
  m.entries.push_back(std::move(e));
}

RenderedValue value_tree(Bytes bytes, const Side& side, const RenderLimits& lim, CutLog& cut) {
  auto v = side.tree(bytes, lim, cut);
  return v ? std::move(*v) : RenderedValue::make_bytes(hex_bytes(bytes));
}

std::string_view list_name(bool array, bool percpu) {
  if (array) return percpu ? "percpu_entries" : "array_entries";
  return percpu ? "percpu_hash_entries" : "entries";
}

StreamedList::StreamedList(std::string* js, std::string_view name)
    : js_(js), mark_(js ? js->size() : 0) {
  if (!js_) return;
  *js_ += ",\"";
  *js_ += name;
  *js_ += "\":[";
}

void StreamedList::close() {
  if (!js_) return;
  if (first_)
    js_->resize(mark_);
  else
    *js_ += ']';
}

std::string cut_error(const CutLog& cut, std::uint64_t max_value_bytes) {
  if (!cut.values) return {};
  return fmt::format(
      "{} value{} cut to the render budget of {} bytes (--max-value-bytes): the largest is {} "
      "bytes, {} of them shown in full",
      cut.values, cut.values == 1 ? "" : "s", max_value_bytes, cut.needed, cut.had);
}

}  // namespace scxsnap::map_contents

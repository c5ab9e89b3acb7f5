// SPDX-License-Identifier: Apache-2.0
#include "tape_json.hpp"

#include "tape_file.hpp"

#include <cstring>

namespace scxsnap::capture_detail::tape {
namespace {

// One field of bpf_map_info as the tape spells it: one row per field, read
// and written by the same table.
struct MapInfoField {
  std::string_view name;
  std::uint32_t bpf_map_info::*u32 = nullptr;
  __u64 bpf_map_info::*u64 = nullptr;
};

const MapInfoField kMapInfoFields[] = {
    {"type", &bpf_map_info::type, nullptr},
    {"id", &bpf_map_info::id, nullptr},
    {"key_size", &bpf_map_info::key_size, nullptr},
    {"value_size", &bpf_map_info::value_size, nullptr},
    {"max_entries", &bpf_map_info::max_entries, nullptr},
    {"map_flags", &bpf_map_info::map_flags, nullptr},
    {"btf_id", &bpf_map_info::btf_id, nullptr},
    {"btf_key_type_id", &bpf_map_info::btf_key_type_id, nullptr},
    {"btf_value_type_id", &bpf_map_info::btf_value_type_id, nullptr},
    {"btf_vmlinux_value_type_id", &bpf_map_info::btf_vmlinux_value_type_id, nullptr},
    {"map_extra", nullptr, &bpf_map_info::map_extra},
};

}  // namespace

Args& Args::bytes(std::span<const std::uint8_t> b) {
  w_.value_string(hex(b));
  return *this;
}

std::string Args::text() {
  w_.end_array();
  // Canonical: as the tape reader prints what it parsed.
  auto v = parse_json(s_);
  return v ? to_json_text(*v) : s_;
}

Answer& Answer::bytes(std::string_view k, std::span<const std::uint8_t> b) {
  w_.field_string(k, hex(b));
  return *this;
}

Answer& Answer::u32s(std::string_view k, const std::vector<std::uint32_t>& v) {
  w_.key(k);
  w_.begin_array();
  for (std::uint32_t x : v) w_.value_u64(x);
  w_.end_array();
  return *this;
}

Answer& Answer::u64s(std::string_view k, const std::vector<std::uint64_t>& v) {
  w_.key(k);
  w_.begin_array();
  for (std::uint64_t x : v) w_.value_u64(x);
  w_.end_array();
  return *this;
}

std::string keyed_args(std::uint32_t map_id, const void* key, std::size_t key_size) {
  Args args;
  args.u64(map_id);
  if (key)
    args.bytes({static_cast<const std::uint8_t*>(key), key_size});
  else
    args.null();
  return args.text();
}

std::string batch_args(std::uint32_t map_id, const void* cursor, std::size_t cursor_size,
                       std::uint32_t room) {
  Args args;
  args.u64(map_id);
  if (cursor)
    args.bytes({static_cast<const std::uint8_t*>(cursor), cursor_size});
  else
    args.null();
  args.u64(room);
  return args.text();
}

void put_map_info(Answer& a, const bpf_map_info& info) {
  for (const auto& f : kMapInfoFields) a.u64(f.name, f.u32 ? info.*f.u32 : info.*f.u64);
  a.str("name", std::string_view(info.name, strnlen(info.name, sizeof info.name)));
}

void put_prog(Answer& a, const ProgRecord& p) {
  a.u64("type", p.type).u64("btf_id", p.btf_id).str("name", p.name);
  a.u64("run_cnt", p.run_cnt).u64("run_time_ns", p.run_time_ns);
  a.u64("recursion_misses", p.recursion_misses);
  a.u32s("map_ids", p.map_ids);
  a.u64s("imm64s", p.imm64s);
}

void put_entries(Answer& a, const std::vector<DirEntry>& entries) {
  auto& w = a.writer();
  w.key("entries");
  w.begin_array();
  for (const DirEntry& e : entries) {
    // [name, "d" | "l" | "f"]
    w.begin_array();
    w.value_string(e.name);
    w.value_string(e.dir ? "d" : e.symlink ? "l" : "f");
    w.end_array();
  }
  w.end_array();
}

std::optional<std::int64_t> get_i64(const JsonValue& ans, std::string_view k) {
  const JsonValue* v = ans.find(k);
  return v ? v->as_i64() : std::nullopt;
}

std::optional<std::uint64_t> get_u64(const JsonValue& ans, std::string_view k) {
  const JsonValue* v = ans.find(k);
  return v ? v->as_u64() : std::nullopt;
}

std::optional<std::string> get_str(const JsonValue& ans, std::string_view k) {
  const JsonValue* v = ans.find(k);
  if (!v || !v->is_string()) return std::nullopt;
  return v->text();
}

std::optional<std::string> get_bytes(const JsonValue& ans, std::string_view k) {
  auto s = get_str(ans, k);
  return s ? unhex(*s) : std::nullopt;
}

std::vector<std::uint64_t> get_u64s(const JsonValue& ans, std::string_view k) {
  std::vector<std::uint64_t> out;
  if (const JsonValue* v = ans.find(k); v && v->is_array())
    for (const JsonValue& x : v->items())
      if (auto n = x.as_u64()) out.push_back(*n);
  return out;
}

std::optional<bpf_map_info> get_map_info(const JsonValue& ans) {
  bpf_map_info info{};
  for (const auto& f : kMapInfoFields) {
    auto v = get_u64(ans, f.name);
    if (!v) return std::nullopt;
    if (f.u32)
      info.*f.u32 = static_cast<std::uint32_t>(*v);
    else
      info.*f.u64 = *v;
  }
  auto name = get_str(ans, "name");
  if (!name) return std::nullopt;
  std::memcpy(info.name, name->data(), std::min(name->size(), sizeof info.name - 1));
  return info;
}

std::optional<ProgRecord> get_prog(const JsonValue& ans) {
  ProgRecord p;
  auto type = get_u64(ans, "type"), btf_id = get_u64(ans, "btf_id");
  auto name = get_str(ans, "name");
  if (!type || !btf_id || !name) return std::nullopt;
  p.type = static_cast<std::uint32_t>(*type);
  p.btf_id = static_cast<std::uint32_t>(*btf_id);
  p.name = *name;
  p.run_cnt = get_u64(ans, "run_cnt").value_or(0);
  p.run_time_ns = get_u64(ans, "run_time_ns").value_or(0);
  p.recursion_misses = get_u64(ans, "recursion_misses").value_or(0);
  for (std::uint64_t id : get_u64s(ans, "map_ids"))
    p.map_ids.push_back(static_cast<std::uint32_t>(id));
  p.imm64s = get_u64s(ans, "imm64s");
  return p;
}

std::optional<std::vector<DirEntry>> get_entries(const JsonValue& ans) {
  const JsonValue* v = ans.find("entries");
  if (!v || !v->is_array()) return std::nullopt;
  std::vector<DirEntry> out;
  for (const JsonValue& e : v->items()) {
    if (!e.is_array() || e.items().size() != 2 || !e.items()[0].is_string() ||
        !e.items()[1].is_string())
      return std::nullopt;
    const std::string& kind = e.items()[1].text();
    out.push_back(DirEntry{e.items()[0].text(), kind == "d", kind == "l"});
  }
  return out;
}

}  // namespace scxsnap::capture_detail::tape

// Oracle: values read from a loaded object and rendered by scxsnap equal
// what `bpftool -j map dump` renders, for every kind bpftool renders
// correctly (ints, bools, chars, enums, structs, unions, arrays, char
// strings, bitfields as hex, DATASEC).
#include "bpf_fixture.hpp"
#include "scxsnap/scxsnap.hpp"

#include <cstdio>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string fmt_hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Compares one of our values with bpftool's rendering; appends differences.
void compare(const RenderedValue& v, const JsonValue& j, const std::string& path,
             std::vector<std::string>& diffs) {
  auto diff = [&](const std::string& what) {
    diffs.push_back(path + ": " + what + " (bpftool " + to_json_text(j) + ", ours " + to_json(v) +
                    ")");
  };
  switch (v.kind()) {
    case ValueKind::Int:
    case ValueKind::Uint: {
      if (j.is_string()) {  // bitfields: bpftool prints the raw bits in hex
        std::uint64_t raw =
            v.kind() == ValueKind::Int ? static_cast<std::uint64_t>(v.int_value()) : v.uint_value();
        if (v.bits() < 64) raw &= (std::uint64_t{1} << v.bits()) - 1;
        if (j.text() != fmt_hex(raw)) diff("bitfield");
        return;
      }
      bool ok =
          v.kind() == ValueKind::Int ? j.as_i64() == v.int_value() : j.as_u64() == v.uint_value();
      if (!ok) diff("integer");
      return;
    }
    case ValueKind::Bool:
      if (!j.is_bool() || j.bool_value() != v.bool_value()) diff("bool");
      return;
    case ValueKind::Char:
      // bpftool prints a signed `char` as a signed number: compare the byte.
      if (j.is_number() ? static_cast<std::uint8_t>(j.as_i64().value_or(-1000)) != v.char_value()
                        : !(j.is_string() && j.text().size() == 1 &&
                            static_cast<std::uint8_t>(j.text()[0]) == v.char_value()))
        diff("char");
      return;
    case ValueKind::Enum: {
      // bpftool prints unmatched 32-bit enums with %d even when BTF says
      // unsigned: compare the value modulo the enum's width.
      std::uint64_t mask = v.bits() >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << v.bits()) - 1;
      bool ok = v.variant()
                    ? (j.is_string() && j.text() == *v.variant())
                    : (j.as_i64() && (static_cast<std::uint64_t>(*j.as_i64()) & mask) ==
                                         (static_cast<std::uint64_t>(v.int_value()) & mask));
      if (!ok) diff("enum");
      return;
    }
    case ValueKind::Ptr:
      if (j.as_u64() != v.uint_value()) diff("pointer");
      return;
    case ValueKind::Struct: {
      if (!j.is_object()) return diff("struct");
      if (v.type_name() &&
          v.type_name()->starts_with(".")) {  // DATASEC: {".data":[{"var":value},...]}
        const JsonValue* vars = j.find(*v.type_name());
        if (!vars || !vars->is_array() || vars->items().size() != v.members().size())
          return diff("datasec");
        for (std::size_t i = 0; i < v.members().size(); ++i) {
          const auto& m = v.members()[i];
          const JsonValue* x = vars->items()[i].find(m.name.view());
          if (!x)
            diffs.push_back(path + "." + std::string(m.name.view()) + ": missing in bpftool");
          else
            compare(m.value, *x, path + "." + std::string(m.name.view()), diffs);
        }
        return;
      }
      for (const auto& m : v.members()) {
        const JsonValue* x = j.find(m.name.view());
        if (!x)
          diffs.push_back(path + "." + std::string(m.name.view()) + ": missing in bpftool");
        else
          compare(m.value, *x, path + "." + std::string(m.name.view()), diffs);
      }
      return;
    }
    case ValueKind::Array: {
      if (j.is_string()) {  // a NUL-terminated printable char array
        std::string s;
        for (const auto& e : v.elements()) {
          if (e.char_value() == 0) break;
          s += static_cast<char>(e.char_value());
        }
        if (s != j.text()) diff("char string");
        return;
      }
      if (!j.is_array() || j.items().size() != v.elements().size()) return diff("array");
      for (std::size_t i = 0; i < v.elements().size(); ++i)
        compare(v.elements()[i], j.items()[i], path + "[" + std::to_string(i) + "]", diffs);
      return;
    }
    default:
      return;  // kinds bpftool does not render correctly (floats, ...)
  }
}

std::vector<std::uint8_t> lookup(int fd, std::uint32_t key, std::size_t value_size) {
  std::vector<std::uint8_t> buf(value_size);
  if (bpf_map_lookup_elem(fd, &key, buf.data()) != 0) buf.clear();
  return buf;
}

TEST(BtfOracle, GlobalSectionsAndMapsMatchBpftool) {
  LoadedObject lo("types.bpf.o");
  ASSERT_NE(lo.obj, nullptr);
  // Entries for the hash and array maps, written from user space.
  bpf_map* task_map = lo.map_ending("task_map");
  bpf_map* inner_arr = lo.map_ending("inner_arr");
  ASSERT_TRUE(task_map && inner_arr);
  std::vector<std::uint8_t> tval(bpf_map__value_size(task_map));
  for (std::size_t i = 0; i < tval.size(); ++i) tval[i] = static_cast<std::uint8_t>(i * 7 + 1);
  for (std::uint32_t k : {3u, 77u})
    ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(task_map), &k, tval.data(), BPF_ANY), 0);
  std::uint32_t k1 = 1, iv = 0xfffe0005;
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(inner_arr), &k1, &iv, BPF_ANY), 0);

  const struct btf* btf = bpf_object__btf(lo.obj);
  BtfRenderer renderer(btf);
  std::size_t compared = 0;
  for (const char* name : {".data", ".rodata", ".bss", "inner_arr"}) {
    bpf_map* m = lo.map_ending(name);
    ASSERT_NE(m, nullptr);
    std::string dump = run("bpftool -j map dump id " + std::to_string(LoadedObject::id_of(m)));
    auto j = parse_json(dump);
    ASSERT_TRUE(j.has_value()) << dump;
    for (const auto& entry : j->items()) {
      const JsonValue* f = entry.find("formatted");
      ASSERT_NE(f, nullptr) << "bpftool printed no BTF view";
      std::uint32_t key =
          static_cast<std::uint32_t>(f->find("key") ? f->find("key")->as_u64().value_or(0) : 0);
      auto bytes = lookup(bpf_map__fd(m), key, bpf_map__value_size(m));
      ASSERT_FALSE(bytes.empty());
      auto v = renderer.render(bpf_map__btf_value_type_id(m), bytes);
      ASSERT_TRUE(v.has_value()) << v.error().message();
      std::vector<std::string> diffs;
      compare(*v, *f->find("value"), std::string(name) + "[" + std::to_string(key) + "]", diffs);
      EXPECT_TRUE(diffs.empty()) << ::testing::PrintToString(diffs);
      ++compared;
    }
  }
  // Hash map: bpftool's formatted key is the u32.
  std::string dump = run("bpftool -j map dump id " + std::to_string(LoadedObject::id_of(task_map)));
  auto j = parse_json(dump);
  ASSERT_TRUE(j.has_value());
  ASSERT_EQ(j->items().size(), 2u);
  for (const auto& entry : j->items()) {
    const JsonValue* f = entry.find("formatted");
    ASSERT_NE(f, nullptr);
    auto key = static_cast<std::uint32_t>(f->find("key")->as_u64().value());
    std::vector<std::uint8_t> bytes(bpf_map__value_size(task_map));
    ASSERT_EQ(bpf_map_lookup_elem(bpf_map__fd(task_map), &key, bytes.data()), 0);
    auto v = renderer.render(bpf_map__btf_value_type_id(task_map), bytes);
    ASSERT_TRUE(v.has_value());
    std::vector<std::string> diffs;
    compare(*v, *f->find("value"), "task_map[" + std::to_string(key) + "]", diffs);
    EXPECT_TRUE(diffs.empty()) << ::testing::PrintToString(diffs);
    ++compared;
  }
  EXPECT_GE(compared, 9u);  // 3 sections + 4 array slots + 2 hash entries
}

}  // namespace

// An object as a unit, on real objects loaded into the kernel: one BPF
// object (tests/bpf/units.bpf.c) loaded twice under names libbpf cuts alike
// ("scx_twin_alpha", "scx_twin_beta" -> "scx_twin.bss"). --obj takes every map
// of the object (global sections, maps sharing their BTF, maps only its
// programs use); show/var/map tell the two apart by BTF id; var finds
// .data.NAME, .rodata.NAME and .kconfig globals; scx's CPU-mask types become
// CPU lists from their bitmap words only; a per-CPU hash without BTF keeps
// its bytes in capture, map and diff.
#include "bpf_fixture.hpp"
#include "cli_util.hpp"
#include "expect_error.hpp"
#include "scxsnap/scxsnap.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>
#include <sys/utsname.h>

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

struct TwinObjects : ::testing::Test {
  // The previous test's twins first leave the kernel (they would be counted).
  bool clean = wait_for_no_maps("scx_twin");
  LoadedObject alpha{"units.bpf.o", "scx_twin_alpha"};
  LoadedObject beta{"units.bpf.o", "scx_twin_beta"};

  static std::set<std::uint32_t> ids_of(const LoadedObject& lo) {
    std::set<std::uint32_t> out;
    bpf_map* m = nullptr;
    bpf_object__for_each_map(m, lo.obj) {
      out.insert(LoadedObject::id_of(m));
    }
    return out;
  }
  static std::uint32_t btf_id_of(const LoadedObject& lo) {
    bpf_map_info info{};
    std::uint32_t len = sizeof info;
    bpf_obj_get_info_by_fd(bpf_map__fd(lo.map_ending(".bss")), &info, &len);
    return info.btf_id;
  }
  // The report narrowed to the maps object_maps() selects.
  static FailureDumpReport only_object(const FailureDumpReport& r, const std::string& obj) {
    FailureDumpReport out = r;
    out.maps.clear();
    auto idx = object_maps(r, obj);
    EXPECT_TRUE(idx.has_value()) << idx.error().message();
    if (idx)
      for (std::size_t i : *idx) out.maps.push_back(r.maps[i]);
    return out;
  }
};

TEST_F(TwinObjects, ObjTakesEveryMapOfTheObjectAndShowTellsTwinsApart) {
  ASSERT_TRUE(clean) << "maps of an earlier scx_twin object stayed in the kernel";
  ASSERT_NE(alpha.obj, nullptr);
  ASSERT_NE(beta.obj, nullptr);
  // Both objects: the kernel keeps "scx_twin" of either name.
  std::set<std::uint32_t> want = ids_of(alpha), b = ids_of(beta);
  want.insert(b.begin(), b.end());
  for (const char* name : {"scx_twin_alpha", "scx_twin"}) {
    CaptureOptions o;
    o.obj_prefixes = {name};
    auto r = capture(o);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    std::set<std::uint32_t> got;
    for (const auto& m : r->maps) got.insert(m.map_id);
    EXPECT_EQ(got, want) << name;
    // The maps without BTF came through the programs that use them.
    EXPECT_EQ(std::count_if(r->maps.begin(), r->maps.end(),
                            [](const FailureDumpMap& m) { return m.name == "events"; }),
              2);
  }
  CaptureOptions o;
  o.obj_prefixes = {"scx_twin"};
  auto r = capture(o);
  ASSERT_TRUE(r.has_value());
  auto objects = report_objects(*r);
  ASSERT_EQ(objects.size(), 3u);  // two objects and the maps with no BTF
  std::set<std::uint32_t> btfs;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(objects[i].name, "scx_twin");
    EXPECT_EQ(objects[i].maps.size(), 4u);  // .bss, .data.exit_dump, .rodata.knobs, .kconfig
    btfs.insert(objects[i].btf_id);
  }
  EXPECT_EQ(btfs, (std::set<std::uint32_t>{btf_id_of(alpha), btf_id_of(beta)}));
  EXPECT_TRUE(objects[2].key.empty());

  TempDir d;
  std::string file = d.path() + "/twins.json";
  ASSERT_TRUE(write_file_atomic(file, to_json(*r)).has_value());
  CliResult show = run_cli({"show", file});
  EXPECT_EQ(show.exit_code, 0);
  for (std::uint32_t id : btfs)
    EXPECT_THAT(show.out, HasSubstr(fmt::format("object scx_twin (btf {}) (4 maps", id)));
  CliResult js = run_cli({"show", "--json", file});
  EXPECT_EQ(js.exit_code, 0);
  auto doc = parse_json(js.out);
  ASSERT_TRUE(doc.has_value()) << js.out;
  EXPECT_EQ(doc->find("objects")->items().size(), 3u);
  EXPECT_EQ(doc->find("maps")->as_u64(), r->maps.size());

  // object_maps: a name both twins share is an error naming their keys
  // (never a silent pick or a merge), btf:ID one of them, a miss names the objects.
  auto twins = object_maps(*r, "scx_twin_beta");
  ASSERT_FALSE(twins.has_value());
  EXPECT_EQ(twins.error().code(), ErrorCode::InvalidArgument);
  for (std::uint32_t id : btfs)
    EXPECT_THAT(twins.error().message(), HasSubstr(fmt::format("scx_twin (btf:{})", id)));
  EXPECT_EQ(object_maps(*r, fmt::format("btf:{}", btf_id_of(beta)))->size(), 4u);
  auto miss = object_maps(*r, "scx_rusty");
  ASSERT_FALSE(miss.has_value());
  EXPECT_THAT(miss.error().message(), HasSubstr("no object 'scx_rusty' in the report (objects: "));
  EXPECT_THAT(miss.error().message(), HasSubstr("scx_twin (btf:"));
}

TEST_F(TwinObjects, VarFindsCustomSectionsAndKconfigAndTellsCopiesApart) {
  ASSERT_NE(alpha.obj, nullptr);
  CaptureOptions o;
  o.obj_prefixes = {"scx_twin"};
  auto r = capture(o);
  ASSERT_TRUE(r.has_value());
  std::uint32_t a_btf = btf_id_of(alpha);
  const std::string a = fmt::format("btf:{}", a_btf);

  // Two copies of every global: ambiguous until one object is picked.
  Snapshot both(*r);
  EXPECT_TRUE(error_in(both.var("exit_dump")).is<errors::AmbiguousVar>());
  EXPECT_TRUE(error_in(both.var("unit_counter")).is<errors::AmbiguousVar>());

  FailureDumpReport one = only_object(*r, a);
  Snapshot snap(one);
  SnapshotField dump = snap.var("exit_dump");
  ASSERT_TRUE(dump.is_present()) << error_in(dump).message();
  EXPECT_EQ(dump.raw()->array_len(), 64u);
  EXPECT_EQ(dump.raw()->display(DisplayOptions{true, true}), R"("stalled\tcpu 3\n\x01")");
  EXPECT_EQ(snap.var("tuning_knob").as_u64(), 7u);
  utsname u{};
  ::uname(&u);
  unsigned maj = 0, min = 0, patch = 0;
  std::sscanf(u.release, "%u.%u.%u", &maj, &min, &patch);
  EXPECT_EQ(snap.var("LINUX_KERNEL_VERSION").as_u64(),
            (maj << 16) + (min << 8) + std::min(patch, 255u));
  // The spec's sections keep their rules and errors: a missing name is
  // VarNotFound over the .bss/.data/.rodata globals only.
  SnapshotField missing = snap.var("no_such_global");
  auto* nf = error_in(missing).get_if<errors::VarNotFound>();
  ASSERT_NE(nf, nullptr);
  EXPECT_EQ(nf->available,
            (std::vector<std::string>{"byte_mask", "idle_bitmap", "kernel_mask", "unit_counter"}));
  // An active view of the object also sees its custom sections (same BTF).
  one.active_obj_name = "scx_twin";
  auto act = Snapshot(one).active();
  ASSERT_TRUE(act.has_value()) << act.error().message();
  EXPECT_EQ(act->var("tuning_knob").as_u64(), 7u);

  // The CLI: the ambiguity names the flags that resolve it, --obj resolves it.
  TempDir d;
  std::string file = d.path() + "/twins.json";
  ASSERT_TRUE(write_file_atomic(file, to_json(*r)).has_value());
  CliResult amb = run_cli({"var", file, "exit_dump"});
  EXPECT_EQ(amb.exit_code, 1);
  EXPECT_THAT(amb.err, HasSubstr("hint: pick one with a flag:"));
  EXPECT_THAT(amb.err, HasSubstr("--obj " + a));
  CliResult got = run_cli({"var", file, "exit_dump", "--obj", a});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.out, "\"stalled\\tcpu 3\\n\\x01\"\n");
  got = run_cli({"var", file, "exit_dump", "--obj", a, "--raw"});
  EXPECT_THAT(got.out, ::testing::StartsWith("['s', 't', 'a', 'l', 'l', 'e', 'd', 0x09,"));
  std::uint32_t bss_id = LoadedObject::id_of(alpha.map_ending(".bss"));
  got = run_cli({"var", file, "unit_counter", "--map-id", std::to_string(bss_id)});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.out, "0\n");
  got = run_cli({"var", file, "unit_counter", "--obj", "btf:4000000000"});
  EXPECT_EQ(got.exit_code, 1);
  EXPECT_THAT(got.err, HasSubstr("no object 'btf:4000000000'"));
}

TEST_F(TwinObjects, ScxCpuMaskTypesAreCpuListsOfTheirBitmapWordsOnly) {
  ASSERT_NE(alpha.obj, nullptr);
  // scx_bitmap { sdt_id tid; u64 bits[4]; }: an all-ones id must not show.
  std::uint64_t bitmap[5] = {~0ull, 0b1010, 1, 0, 1ull << 63};
  alpha.set_global(".bss", "idle_bitmap", bitmap, sizeof bitmap);
  // scx_cpumask { sdt_id tid; u8 mask[8]; } (byte-array variant).
  std::uint8_t bytes[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x05, 0x80};
  alpha.set_global(".bss", "byte_mask", bytes, sizeof bytes);
  // bpf_cpumask { cpumask { unsigned long bits[2] }; int usage; }.
  std::uint64_t kmask[3] = {1, 2, 0xffffffff};
  alpha.set_global(".bss", "kernel_mask", kmask, 20);
  CaptureOptions o;
  o.map_ids = {LoadedObject::id_of(alpha.map_ending(".bss"))};
  auto r = capture(o);
  ASSERT_TRUE(r.has_value());
  Snapshot snap(*r);
  EXPECT_EQ(*snap.var("idle_bitmap").raw(), RenderedValue::make_cpu_list("1,3,64,255"));
  EXPECT_EQ(*snap.var("byte_mask").raw(), RenderedValue::make_cpu_list("0,2,15"));
  EXPECT_EQ(*snap.var("kernel_mask").raw(), RenderedValue::make_cpu_list("0,65"));
}

TEST_F(TwinObjects, PerCpuHashWithoutBtfKeepsItsBytesInCaptureMapAndDiff) {
  ASSERT_NE(alpha.obj, nullptr);
  bpf_map* raw = nullptr;
  bpf_object__for_each_map(raw, alpha.obj) {
    if (std::string_view(bpf_map__name(raw)) == "raw_counts") break;
  }
  ASSERT_NE(raw, nullptr);
  int ncpus = libbpf_num_possible_cpus();
  ASSERT_GT(ncpus, 0);
  std::uint32_t key = 1;
  std::vector<std::uint64_t> vals(static_cast<std::size_t>(ncpus));
  for (int c = 0; c < ncpus; ++c) vals[static_cast<std::size_t>(c)] = 0x100 + c;
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(raw), &key, vals.data(), BPF_ANY), 0);
  std::uint32_t id = LoadedObject::id_of(raw);
  CaptureOptions o;
  o.map_ids = {id};
  auto r = capture(o);
  ASSERT_TRUE(r.has_value());
  const FailureDumpMap& m = r->maps.at(0);
  EXPECT_EQ(m.btf_id, 0u);
  ASSERT_EQ(m.percpu_hash_entries.size(), 1u);
  const auto& e = m.percpu_hash_entries[0];
  EXPECT_FALSE(e.key.has_value());
  EXPECT_EQ(e.key_hex, "01 00 00 00");
  ASSERT_EQ(e.per_cpu.size(), static_cast<std::size_t>(ncpus));
  for (int c = 0; c < ncpus; ++c)
    EXPECT_EQ(e.per_cpu[static_cast<std::size_t>(c)],
              RenderedValue::make_bytes(fmt::format("{:02x} 01 00 00 00 00 00 00", c)));

  TempDir d;
  std::string a = d.path() + "/a.json", b = d.path() + "/b.json";
  ASSERT_TRUE(write_file_atomic(a, to_json(*r)).has_value());
  CliResult map = run_cli({"map", a, "raw_counts"});
  EXPECT_EQ(map.exit_code, 0) << map.err;
  EXPECT_THAT(map.out, HasSubstr("hex:01 00 00 00: cpu0=00 01 00 00 00 00 00 00"));
  vals[0] = 0x200;
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(raw), &key, vals.data(), BPF_ANY), 0);
  auto r2 = capture(o);
  ASSERT_TRUE(r2.has_value());
  ASSERT_TRUE(write_file_atomic(b, to_json(*r2)).has_value());
  CliResult diff = run_cli({"diff", a, b});
  EXPECT_THAT(diff.out,
              HasSubstr("~ raw_counts[key hex:01 00 00 00] cpu 0: 00 01 00 00 00 00 00 00 "
                        "→ 00 02 00 00 00 00 00 00"));

  // The ring buffer the program writes to is printable too.
  std::uint32_t rb = LoadedObject::id_of(alpha.map_ending("events"));
  o.map_ids = {rb};
  auto r3 = capture(o);
  ASSERT_TRUE(r3.has_value());
  ASSERT_TRUE(write_file_atomic(a, to_json(*r3)).has_value());
  map = run_cli({"map", a, "--map-id", std::to_string(rb)});
  EXPECT_EQ(map.exit_code, 0) << map.err;
  EXPECT_THAT(map.out, HasSubstr("ringbuf: capacity 4096 consumer_pos 0 producer_pos 0"));
}

}  // namespace

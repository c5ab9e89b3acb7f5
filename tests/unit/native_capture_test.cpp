// Native snapshots of real objects loaded into the kernel: the JSON a native
// snapshot converts to is byte for byte the JSON a direct capture writes, on
// every map kind the suite loads and however the writer cuts frames; the
// model it loads is the JSON's; `var` reads only its variable; bpftool reads
// the file's BTF.
#include "bpf_fixture.hpp"
#include "capture/capture_internal.hpp"
#include "cli_util.hpp"
#include "expect_error.hpp"
#include "scxsnap/scxsnap.hpp"

#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

// The text of the report's "maps" array (strings may hold brackets).
std::string maps_text(const std::string& json) {
  std::size_t i = json.find("\"maps\":[");
  if (i == std::string::npos) return {};
  i += 7;
  int depth = 0;
  bool in_str = false, esc = false;
  for (std::size_t j = i; j < json.size(); ++j) {
    char c = json[j];
    if (in_str) {
      if (esc)
        esc = false;
      else if (c == '\\')
        esc = true;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    if (c == '[' || c == '{') ++depth;
    if ((c == ']' || c == '}') && --depth == 0) return json.substr(i, j - i + 1);
  }
  return {};
}

std::string native_json(const std::string& path, JsonStyle style) {
  auto snap = NativeSnapshot::open(path);
  EXPECT_TRUE(snap) << (snap ? "" : snap.error().message());
  if (!snap) return {};
  std::string out;
  auto r = snap->write_json(
      [&](std::string_view chunk) -> Result<void> {
        out += chunk;
        return {};
      },
      style);
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  return out;
}

struct Loaded {
  LoadedObject maps{"maps.bpf.o"}, storage{"storage.bpf.o"}, types{"types.bpf.o"},
      units{"units.bpf.o"}, cc{"cc.bpf.o"};
  CaptureOptions options;
  Loaded() {
    for (const LoadedObject* lo : {&maps, &storage, &types, &units, &cc}) {
      if (!lo->obj) return;
      bpf_map* m = nullptr;
      bpf_object__for_each_map(m, lo->obj) options.map_ids.push_back(LoadedObject::id_of(m));
    }
  }
  bool ok() const { return maps.obj && storage.obj && types.obj && units.obj && cc.obj; }
};

// Contents in every kind of map: entries, per-CPU slots, queue/stack heads,
// task and cgroup storage, globals.
void fill(Loaded& l) {
  auto fd = [](const LoadedObject& o, const char* n) { return bpf_map__fd(o.map_ending(n)); };
  for (std::uint32_t k = 0; k < 3000; ++k) {
    struct {
      std::uint64_t a, b;
      std::uint32_t c;
      std::int32_t d;
    } v{k * 0x9e3779b97f4a7c15ull, ~std::uint64_t{k}, k * 7, -static_cast<std::int32_t>(k)};
    ASSERT_EQ(bpf_map_update_elem(fd(l.maps, "big_hash"), &k, &v, BPF_ANY), 0);
  }
  int ncpu = libbpf_num_possible_cpus();
  std::vector<std::uint64_t> slots(static_cast<std::size_t>(ncpu) * 2);
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i] = i * 1000 + 1;
  std::uint32_t k2 = 2;
  ASSERT_EQ(bpf_map_update_elem(fd(l.maps, "pcpu_arr"), &k2, slots.data(), BPF_ANY), 0);
  std::vector<std::uint64_t> hslots(static_cast<std::size_t>(ncpu));
  for (std::uint32_t k = 0; k < 40; ++k) {
    for (std::size_t i = 0; i < hslots.size(); ++i) hslots[i] = k * 100 + i;
    ASSERT_EQ(bpf_map_update_elem(fd(l.maps, "pcpu_hash"), &k, hslots.data(), BPF_ANY), 0);
  }
  std::uint32_t q = 42;
  ASSERT_EQ(bpf_map_update_elem(fd(l.maps, "work_queue"), nullptr, &q, BPF_ANY), 0);
  std::uint64_t fifo[2] = {7, 8};
  bpf_map_update_elem(fd(l.storage, "work_fifo"), nullptr, fifo, BPF_ANY);
  bpf_map_update_elem(fd(l.storage, "work_lifo"), nullptr, fifo, BPF_ANY);
  int pfd = static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0));
  std::uint64_t task_ctx[2] = {99, 5};
  ASSERT_EQ(bpf_map_update_elem(fd(l.storage, "task_ctxs"), &pfd, task_ctx, BPF_ANY), 0);
  ::close(pfd);
  int cg = ::open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
  std::uint64_t cg_ctx = 1234;
  if (cg >= 0) {
    bpf_map_update_elem(fd(l.storage, "cgrp_ctxs"), &cg, &cg_ctx, BPF_ANY);
    ::close(cg);
  }
  std::uint64_t big = 0xfedcba9876543210ull;
  l.storage.set_global(".bss", "nr_enqueued", &big, sizeof big);
  std::vector<std::uint8_t> task(bpf_map__value_size(l.types.map_ending("task_map")), 0x41);
  std::uint32_t tk = 5;
  ASSERT_EQ(bpf_map_update_elem(fd(l.types, "task_map"), &tk, task.data(), BPF_ANY), 0);
}

TEST(NativeCapture, ConvertsToTheJsonOfADirectCaptureOnEveryMapKind) {
  Loaded l;
  ASSERT_TRUE(l.ok());
  fill(l);
  if (HasFailure()) return;
  auto direct = capture_json(l.options, JsonStyle::Compact);
  auto direct_pretty = capture_json(l.options, JsonStyle::Pretty);
  ASSERT_TRUE(direct && direct_pretty);
  auto model = parse_report(*direct);
  ASSERT_TRUE(model);
  ASSERT_EQ(model->maps.size(), l.options.map_ids.size());
  TempDir dir;
  // Default frames; frames of a few records (entries split across frames,
  // values cut at odd offsets); one compression thread.
  native::WriterOptions tiny;
  tiny.frame_bytes = 200;
  tiny.value_frame_bytes = 777;
  native::WriterOptions one;
  one.threads = 1;
  int n = 0;
  for (const auto& wo : {native::WriterOptions{}, tiny, one}) {
    SCOPED_TRACE(n);
    std::string path = dir.path() + "/s" + std::to_string(n++) + ".scxsnap";
    auto s = capture_detail::capture_native_to(l.options, capture_detail::system_kernel_source(),
                                               path, wo);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->maps, l.options.map_ids.size());
    EXPECT_TRUE(is_native_snapshot(path));
    EXPECT_EQ(maps_text(native_json(path, JsonStyle::Compact)), maps_text(*direct));
    std::string pretty = native_json(path, JsonStyle::Pretty);
    auto p = parse_report(pretty);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->maps == model->maps);
    // The pretty text is the direct capture's, up to the host fields.
    EXPECT_EQ(pretty.substr(0, pretty.find("\"capture\"")).size() > 100, true);
    auto snap = NativeSnapshot::open(path);
    ASSERT_TRUE(snap);
    auto loaded = snap->load();
    ASSERT_TRUE(loaded) << loaded.error().message();
    EXPECT_TRUE(loaded->maps == model->maps);
    for (std::size_t i = 0; i < model->maps.size(); ++i) {
      auto m = snap->load_map(i);
      ASSERT_TRUE(m);
      EXPECT_TRUE(*m == model->maps[i]) << model->maps[i].name;
    }
    // Far smaller than the JSON: raw bytes, compressed (default frames).
    if (n == 1) {
      EXPECT_LT(snap->file_bytes() * 20, direct->size());
    }
  }
  // Every kind really had contents.
  std::set<std::string> with;
  for (const auto& m : model->maps)
    if (m.value || !m.entries.empty() || !m.percpu_entries.empty() ||
        !m.percpu_hash_entries.empty() || !m.array_entries.empty())
      with.insert(m.name);
  for (const char* name : {"big_hash", "pcpu_arr", "pcpu_hash", "work_queue", "task_ctxs",
                           "storage.bss", "task_map", "inner_arr"})
    EXPECT_TRUE(with.count(name)) << name;
}

TEST(NativeCapture, VarRendersOnlyThatVariable) {
  LoadedObject storage("storage.bpf.o");
  ASSERT_TRUE(storage.obj);
  std::uint64_t big = 0x0123456789abcdefull;
  storage.set_global(".bss", "nr_enqueued", &big, sizeof big);
  CaptureOptions o;
  o.obj_prefixes = {"storage"};
  TempDir dir;
  std::string path = dir.path() + "/s.scxsnap";
  ASSERT_TRUE(capture_native(o, path));
  auto snap = NativeSnapshot::open(path);
  ASSERT_TRUE(snap);
  auto full = snap->load();
  NativeSelection sel;
  sel.vars = std::vector<std::string>{"nr_enqueued"};
  auto lazy = snap->load(sel);
  ASSERT_TRUE(full && lazy);
  Snapshot a(*full), b(*lazy);
  ASSERT_TRUE(a.var("nr_enqueued").as_u64());
  EXPECT_EQ(*b.var("nr_enqueued").as_u64(), 0x0123456789abcdefull);
  EXPECT_EQ(to_json(*a.var("nr_enqueued").raw()), to_json(*b.var("nr_enqueued").raw()));
  // The section's other variables are listed, not rendered; other maps not at all.
  const FailureDumpMap* bss = nullptr;
  for (const auto& m : lazy->maps)
    if (m.name == "storage.bss") bss = &m;
  ASSERT_TRUE(bss && bss->value);
  EXPECT_EQ(bss->value->members().size(), full->maps.size() ? 3u : 0u);
  int unrendered = 0;
  for (const auto& mem : bss->value->members())
    if (mem.value.kind() == ValueKind::Unsupported) ++unrendered;
  EXPECT_EQ(unrendered, 2);
  // A name that is not there: the same error, listing the same names.
  EXPECT_EQ(error_in(a.var("no_such_var")).message(), error_in(b.var("no_such_var")).message());
  // The CLI reads it the same way.
  auto r = run_cli({"var", path, "nr_enqueued"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(std::to_string(0x0123456789abcdefull)));
}

TEST(NativeCapture, BpftoolReadsTheBtf) {
  LoadedObject types("types.bpf.o");
  ASSERT_TRUE(types.obj);
  CaptureOptions o;
  o.obj_prefixes = {"types"};
  TempDir dir;
  std::string path = dir.path() + "/t.scxsnap";
  ASSERT_TRUE(capture_native(o, path));
  std::string out = dir.path() + "/btf.txt";
  ASSERT_EQ(std::system(("bpftool btf dump file " + path + " > " + out + " 2>&1").c_str()), 0)
      << slurp(out);
  std::string text = slurp(out);
  EXPECT_THAT(text, HasSubstr("DATASEC '.bss'"));
  EXPECT_THAT(text, HasSubstr("DATASEC '.data'"));
  EXPECT_THAT(text, HasSubstr("__scxsnap_anchor_"));
  ASSERT_EQ(std::system(("bpftool btf dump file " + path + " format c > " + out + " 2>&1").c_str()),
            0)
      << slurp(out);
  EXPECT_THAT(slurp(out), HasSubstr("struct "));
}

}  // namespace

namespace {

// big_hash's value (maps.bpf.c's struct big_val).
struct Val {
  std::uint64_t a, b;
  std::uint32_t c;
  std::int32_t d;
};

// Capture options naming every map of the objects.
CaptureOptions every_map_of(std::initializer_list<const LoadedObject*> objects) {
  CaptureOptions o;
  for (const LoadedObject* lo : objects) {
    bpf_map* m = nullptr;
    bpf_object__for_each_map(m, lo->obj) o.map_ids.push_back(LoadedObject::id_of(m));
  }
  return o;
}

// A native series stores a map again only as far as it changed, and every
// sample reads back as the direct capture taken at the same moment.
TEST(NativeSeries, SamplesReadBackAsDirectCapturesAndChangesAreStoredOnce) {
  LoadedObject maps("maps.bpf.o"), storage("storage.bpf.o");
  ASSERT_TRUE(maps.obj && storage.obj);
  const CaptureOptions o = every_map_of({&maps, &storage});
  int hash = bpf_map__fd(maps.map_ending("big_hash"));
  for (std::uint32_t k = 0; k < 8000; ++k) {
    Val v{k, k * 3ull, k, 1};
    ASSERT_EQ(bpf_map_update_elem(hash, &k, &v, BPF_ANY), 0);
  }
  TempDir dir;
  const std::string path = dir.path() + "/series.scxsnap";
  auto w = NativeSeriesWriter::create(path);
  ASSERT_TRUE(w) << w.error().message();
  std::vector<FailureDumpReport> direct;
  constexpr int kSamples = 6;
  for (int s = 0; s < kSamples; ++s) {
    if (s > 0)  // 1% of the entries change, and one global
      for (std::uint32_t k = static_cast<std::uint32_t>(s); k < 8000; k += 100) {
        Val v{k, static_cast<std::uint64_t>(s) << 40, k, -s};
        ASSERT_EQ(bpf_map_update_elem(hash, &k, &v, BPF_ANY), 0);
      }
    std::uint64_t runs = 1000u + static_cast<std::uint64_t>(s);
    storage.set_global(".bss", "nr_enqueued", &runs, sizeof runs);
    auto c = w->capture(o, fmt::format("periodic_{:03}", s), 100u * static_cast<unsigned>(s));
    ASSERT_TRUE(c) << c.error().message();
    auto d = capture(o);
    ASSERT_TRUE(d);
    direct.push_back(std::move(*d));
  }
  ASSERT_TRUE(w->commit());
  auto snap = NativeSnapshot::open(path);
  ASSERT_TRUE(snap) << snap.error().message();
  ASSERT_TRUE(snap->is_series());
  ASSERT_EQ(snap->sample_count(), static_cast<std::size_t>(kSamples));
  for (std::size_t k = 0; k < kSamples; ++k) {
    EXPECT_EQ(snap->sample_tag(k), fmt::format("periodic_{:03}", k));
    EXPECT_EQ(snap->sample_elapsed_ms(k), 100u * k);
    auto r = snap->load_sample(k);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->maps.size(), direct[k].maps.size());
    for (std::size_t i = 0; i < r->maps.size(); ++i)
      EXPECT_TRUE(r->maps[i] == direct[k].maps[i]) << "sample " << k << " " << r->maps[i].name;
  }
  // Random access (not in order) gives the same.
  auto r3 = snap->load_sample(3);
  ASSERT_TRUE(r3);
  EXPECT_TRUE(r3->maps == direct[3].maps);
  // The whole series is far less than the samples stored whole.
  std::string single = dir.path() + "/one.scxsnap";
  ASSERT_TRUE(capture_native(o, single));
  const auto one = std::filesystem::file_size(single), all = std::filesystem::file_size(path);
  EXPECT_LT(all, 2 * one) << all << " vs one sample " << one;
  // The CLI: check reads it, convert writes JSON Lines, show says what it is.
  auto r = run_cli({"check", path, "--expect", "nondecreasing(map:storage.bss.nr_enqueued)"});
  EXPECT_THAT(r.out + r.err, HasSubstr("6 sample(s)"));
  r = run_cli({"convert", path, dir.path() + "/series.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto jsonl = SampleSeries::load_jsonl(dir.path() + "/series.jsonl");
  ASSERT_TRUE(jsonl) << jsonl.error().message();
  ASSERT_EQ(jsonl->len(), static_cast<std::size_t>(kSamples));
  EXPECT_TRUE(jsonl->rows()[5].report.maps == direct[5].maps);
  r = run_cli({"show", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("a native series of 6 samples"));
  r = run_cli({"diff", path, "--from", "periodic_000", "--to", "periodic_005"});
  EXPECT_THAT(r.out, HasSubstr("nr_enqueued"));
}

}  // namespace

namespace {

// `check` on a native series renders only what its assertions name
// (expectation_needs -> NativeSelection), and its verdicts are the ones the
// whole series gives: the same JSON document as for the series converted to
// JSON Lines, which is read whole.
TEST(NativeSeries, CheckReadsOnlyWhatItsAssertionsName) {
  LoadedObject maps("maps.bpf.o"), storage("storage.bpf.o");
  ASSERT_TRUE(maps.obj && storage.obj);
  const CaptureOptions o = every_map_of({&maps, &storage});
  int hash = bpf_map__fd(maps.map_ending("big_hash"));
  TempDir dir;
  const std::string path = dir.path() + "/lazy.scxsnap";
  auto w = NativeSeriesWriter::create(path);
  ASSERT_TRUE(w) << w.error().message();
  const std::uint64_t enqueued[] = {5, 9, 7, 12};
  for (std::uint32_t s = 0; s < 4; ++s) {
    for (std::uint32_t k = 0; k < 500; ++k) {
      Val v{k + s, s, k, -static_cast<std::int32_t>(s)};
      ASSERT_EQ(bpf_map_update_elem(hash, &k, &v, BPF_ANY), 0);
    }
    storage.set_global(".bss", "nr_enqueued", &enqueued[s], sizeof enqueued[s]);
    ASSERT_TRUE(w->capture(o, fmt::format("periodic_{:03}", s), 10u * s));
  }
  ASSERT_TRUE(w->commit());

  // The library: only nr_enqueued of the globals, no entry of big_hash.
  const std::vector<std::string> texts = {"nondecreasing(var:nr_enqueued)"};
  auto exprs = parse_expectations(texts);
  ASSERT_TRUE(exprs);
  const ExpectationNeeds needs = expectation_needs(*exprs);
  EXPECT_EQ(needs.vars, std::vector<std::string>{"nr_enqueued"});
  EXPECT_TRUE(needs.maps.empty());
  NativeSelection sel;
  sel.vars = needs.vars;
  auto file = NativeSnapshot::open(path);
  ASSERT_TRUE(file) << file.error().message();
  ASSERT_EQ(file->sample_count(), 4u);
  for (std::size_t k = 0; k < 4; ++k) {
    auto report = file->load_sample(k, sel);
    ASSERT_TRUE(report) << report.error().message();
    Snapshot snap(*report);
    auto bh = snap.map("big_hash");
    ASSERT_TRUE(bh);
    EXPECT_EQ(bh->len(), 0u) << "sample " << k << ": big_hash was rendered";
    auto v = snap.var("nr_enqueued").as_u64();
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(*v, enqueued[k]);
  }

  // The CLI: the same verdicts (text, JSON) from the native file as from the
  // whole series; one that fails, one on a map, one on an unknown name.
  const std::string jsonl = dir.path() + "/lazy.jsonl";
  ASSERT_EQ(run_cli({"convert", path, jsonl}).exit_code, 0);
  for (const char* e :
       {"nondecreasing(var:nr_enqueued)", "nondecreasing(map:big_hash[3].a)",
        "each(map:big_hash[7].d).at_least(-2)", "nondecreasing(var:storage/nr_enqueued)",
        "nondecreasing(var:nr_enqeued)"}) {
    auto a = run_cli({"check", path, "--expect", e, "--format", "json"});
    auto b = run_cli({"check", jsonl, "--expect", e, "--format", "json"});
    EXPECT_EQ(a.exit_code, b.exit_code) << e << "\n" << a.err << "\n" << b.err;
    // The documents name their source file; the rest is the same.
    std::string ta = a.out, tb = b.out;
    for (auto* t : {&ta, &tb})
      if (auto at = t->find(path); at != std::string::npos) t->replace(at, path.size(), "F");
    if (auto at = tb.find(jsonl); at != std::string::npos) tb.replace(at, jsonl.size(), "F");
    EXPECT_EQ(ta, tb) << e;
    EXPECT_EQ(a.err, b.err) << e;
  }
  EXPECT_EQ(run_cli({"check", path, "--expect", "nondecreasing(var:nr_enqueued)"}).exit_code, 1);
}

}  // namespace

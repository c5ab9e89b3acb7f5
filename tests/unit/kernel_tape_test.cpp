// Capture from the committed kernel tape (tests/data/tapes/objects.tape,
// recorded from the scene of tape_scene.hpp): no kernel, no BPF, no root. The
// whole capture path runs (enumeration, filters, every reader, BTF, the
// struct_ops that names the active object, /proc), and the replayer injects
// the faults a live kernel cannot be made to give.
#include "capture/kernel_tape.hpp"

#include "capture/capture_internal.hpp"
#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"
#include "tape_scene.hpp"

#include <cerrno>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace scxsnap;
using scxsnap::capture_detail::TapeFault;
using scxsnap::capture_detail::TapeReplayer;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

using tape_scene::open_tape;

Result<FailureDumpReport> replay(TapeReplayer& tape) {
  return capture_detail::capture_model(tape_scene::options(), tape);
}

const FailureDumpMap* map_named(const FailureDumpReport& r, std::string_view name) {
  for (const auto& m : r.maps)
    if (m.name == name) return &m;
  return nullptr;
}

// What a replay without faults says of map `name` (its id, its BTF).
FailureDumpMap recorded_map(std::string_view name) {
  auto tape = open_tape();
  auto r = tape ? replay(*tape) : Result<FailureDumpReport>(Error(ErrorCode::NotFound, "no tape"));
  const FailureDumpMap* m = r ? map_named(*r, name) : nullptr;
  EXPECT_NE(m, nullptr) << name;
  return m ? *m : FailureDumpMap{};
}

TEST(KernelTapeReplay, TheWholeCaptureRunsFromTheTapeAndGivesTheRecordedState) {
  auto tape = open_tape();
  ASSERT_NE(tape, nullptr);
  auto r = replay(*tape);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_THAT(tape->misses(), IsEmpty());
  // The active object, found through the attached struct_ops and its programs.
  EXPECT_EQ(r->active_obj_name, "cc");
  Snapshot s(*r);
  EXPECT_EQ(s.live_var("nr_cong_avoid").as_u64().value(), tape_scene::kNrCongAvoid);
  EXPECT_EQ(s.var("nr_dispatched").as_u64().value(), 907u);  // types.data
  EXPECT_EQ(s.var("neg_counter").as_i64().value(), -42);
  const FailureDumpMap* ops = map_named(*r, "scxsnap_cc");
  ASSERT_NE(ops, nullptr);
  ASSERT_TRUE(ops->value.has_value()) << ops->error.value_or("");
  EXPECT_EQ(ops->value->type_name(), "bpf_struct_ops_tcp_congestion_ops");  // vmlinux BTF
  // A hash map walked in batches, a per-CPU hash, a queue's head.
  const FailureDumpMap* big = map_named(*r, "big_hash");
  ASSERT_NE(big, nullptr);
  ASSERT_EQ(big->entries.size(), tape_scene::kBigHashEntries);
  for (const auto& e : big->entries) {
    ASSERT_TRUE(e.key && e.value);
    const std::uint64_t i = e.key->uint_value();
    EXPECT_EQ(e.value->get("b")->uint_value(), 2 * i);
    EXPECT_EQ(e.value->get("d")->int_value(), -static_cast<std::int64_t>(i));
  }
  const FailureDumpMap* pcpu = map_named(*r, "pcpu_hash");
  ASSERT_NE(pcpu, nullptr);
  ASSERT_EQ(pcpu->percpu_hash_entries.size(), tape_scene::kPcpuHashEntries);
  for (const auto& e : pcpu->percpu_hash_entries)
    for (const auto& slot : e.per_cpu) EXPECT_EQ(slot->uint_value(), 100 + e.key->uint_value());
  const FailureDumpMap* queue = map_named(*r, "work_queue");
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->value.has_value());
  // Its value has no BTF type: the head's bytes.
  EXPECT_EQ(queue->value->kind(), ValueKind::Bytes);
  EXPECT_EQ(queue->value->text(), "07 00 00 00");
  const FailureDumpMap* events = map_named(*r, "events");
  ASSERT_NE(events, nullptr);
  EXPECT_TRUE(events->ringbuf.has_value()) << events->error.value_or("");
  // The host it was recorded on, from the tape.
  ASSERT_TRUE(r->capture.has_value());
  EXPECT_FALSE(r->capture->kernel_release.empty());
  EXPECT_FALSE(r->per_cpu_time.empty());
}

// The three outputs agree on the tape as they do on the live kernel.
TEST(KernelTapeReplay, ModelJsonAndNativeAgree) {
  CaptureOptions o = tape_scene::options();
  o.replay_kernel = tape_scene::tape_path();
  auto model = capture(o);
  ASSERT_TRUE(model.has_value()) << model.error().message();
  auto text = capture_json(o);
  ASSERT_TRUE(text.has_value()) << text.error().message();
  TempDir dir;
  auto native = capture_native(o, dir.path() + "/t.scxsnap");
  ASSERT_TRUE(native.has_value()) << native.error().message();
  auto back = load_any_dump(dir.path() + "/t.scxsnap");
  ASSERT_TRUE(back.has_value()) << back.error().message();
  auto strip = [](FailureDumpReport r) {
    r.capture->captured_at.clear();
    r.capture->duration_us = 0;
    return to_json(r);
  };
  auto parsed = parse_report(*text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(strip(*parsed), strip(*model));
  EXPECT_EQ(strip(std::get<FailureDumpReport>(*back)), strip(*model));
}

// Runs the CLI as user and group 65534 (nobody), dropping root when the
// test has it: what a capture from a tape needs is a readable file.
CliResult run_cli_unprivileged(const std::vector<std::string>& args, const std::string& dir) {
  const std::string out = dir + "/stdout", err = dir + "/stderr";
  pid_t pid = ::fork();
  if (pid == 0) {
    int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    int fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    if (::geteuid() == 0 &&
        (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0))
      ::_exit(126);
    std::vector<std::string> all{SCXSNAP_CLI};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

TEST(KernelTapeReplay, ACaptureFromATapeNeedsNoPrivilegeWhereALiveOneIsRefused) {
  TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);
  const std::string report = dir.path() + "/r.json";
  // Live, without privilege: refused, and said why.
  CliResult live = run_cli_unprivileged({"capture", "-q", "-o", report}, dir.path());
  EXPECT_NE(live.exit_code, 0) << live.err;
  EXPECT_THAT(live.err, HasSubstr("CAP_SYS_ADMIN"));
  // From the tape, same user: the recorded state.
  CliResult cap = run_cli_unprivileged(
      {"capture", "-q", "--replay-kernel", tape_scene::tape_path(), "--obj", "cc", "--obj", "maps",
       "--obj", "types", "--map", "work_queue", "-o", report},
      dir.path());
  ASSERT_EQ(cap.exit_code, 0) << cap.err;
  CliResult var = run_cli_unprivileged({"var", report, "nr_cong_avoid", "--live"}, dir.path());
  EXPECT_EQ(var.exit_code, 0) << var.err;
  EXPECT_THAT(var.out, HasSubstr(std::to_string(tape_scene::kNrCongAvoid)));
}

// --- faults injected at calls the live kernel answers normally -----------

TEST(KernelTapeFaults, ProgramsThatVanishLeaveNoActiveObjectAndSayWhyStatsAreMissing) {
  auto tape = open_tape();
  ASSERT_NE(tape, nullptr);
  tape->inject(TapeFault{"prog_info", "", 0, -ENOENT});
  auto r = replay(*tape);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_FALSE(r->active_obj_name.has_value());
  EXPECT_TRUE(r->prog_runtime_stats.empty());
  EXPECT_TRUE(r->prog_runtime_stats_unavailable.has_value());
  // The maps themselves are all there.
  EXPECT_NE(map_named(*r, "big_hash"), nullptr);
}

TEST(KernelTapeFaults, ABtfThatFailsToLoadLeavesItsMapsAsBytesAndTheRestTyped) {
  const std::uint32_t btf = recorded_map("big_hash").btf_id;
  ASSERT_NE(btf, 0u);
  auto faulty = open_tape();
  faulty->inject(TapeFault{"btf_by_id", std::to_string(btf), 0, -ENOMEM});
  auto r = replay(*faulty);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const FailureDumpMap* big = map_named(*r, "big_hash");
  ASSERT_NE(big, nullptr);
  ASSERT_EQ(big->entries.size(), tape_scene::kBigHashEntries);  // every entry, as bytes
  EXPECT_FALSE(big->entries[0].value.has_value());
  EXPECT_FALSE(big->entries[0].value_hex.empty());
  // Another object's BTF still types its values.
  EXPECT_EQ(Snapshot(*r).var("nr_dispatched").as_u64().value(), 907u);
}

TEST(KernelTapeFaults, ABatchLookupThatFailsIsTheMapsErrorAndTheOtherMapsAreRead) {
  const std::uint32_t id = recorded_map("big_hash").map_id;
  auto faulty = open_tape();
  faulty->inject(TapeFault{"lookup_batch", std::to_string(id), 1, -EIO});
  auto r = replay(*faulty);
  ASSERT_TRUE(r.has_value());
  const FailureDumpMap* big = map_named(*r, "big_hash");
  ASSERT_NE(big, nullptr);
  ASSERT_TRUE(big->error.has_value());
  EXPECT_THAT(*big->error, HasSubstr("batch lookup failed after 0 entries"));
  EXPECT_EQ(map_named(*r, "pcpu_hash")->percpu_hash_entries.size(), tape_scene::kPcpuHashEntries);
}

TEST(KernelTapeFaults, AMapThatCannotBeOpenedIsListedWithItsIdAndWhy) {
  const std::uint32_t id = recorded_map("pcpu_hash").map_id;
  auto faulty = open_tape();
  // The filters' first look succeeds; the read refuses.
  faulty->inject(TapeFault{"open_map", std::to_string(id), 0, -EPERM});
  CaptureOptions o;
  o.map_ids = {id};
  auto r = capture_detail::capture_model(o, *faulty);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->maps.size(), 1u);
  EXPECT_EQ(r->maps[0].name, "<map id " + std::to_string(id) + ">");
  EXPECT_THAT(r->maps[0].error.value_or(""), HasSubstr("cannot open the map read-only"));
}

TEST(KernelTapeFaults, NoVmlinuxBtfIsTheStructOpsMapsErrorAndNoObjectIsActive) {
  auto tape = open_tape();
  ASSERT_NE(tape, nullptr);
  tape->inject(TapeFault{"vmlinux_btf", "", 0, -ENOENT});
  auto r = replay(*tape);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const FailureDumpMap* ops = map_named(*r, "scxsnap_cc");
  ASSERT_NE(ops, nullptr);
  EXPECT_THAT(ops->error.value_or(""), HasSubstr("cannot load vmlinux BTF"));
  EXPECT_FALSE(r->active_obj_name.has_value());
}

TEST(KernelTapeFaults, UnreadableProcAndRingBufferAreSaidNotDropped) {
  auto tape = open_tape();
  ASSERT_NE(tape, nullptr);
  tape->inject(TapeFault{"read_file", "/proc/stat", 0, -EACCES});
  tape->inject(TapeFault{"ringbuf_positions", "", 0, -EPERM});
  auto r = replay(*tape);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r->per_cpu_time.empty());
  const FailureDumpMap* events = map_named(*r, "events");
  ASSERT_NE(events, nullptr);
  EXPECT_FALSE(events->ringbuf.has_value());
  EXPECT_THAT(events->error.value_or(""), HasSubstr("Operation not permitted"));
}

TEST(KernelTapeFaults, ListingRefusedFailsTheCaptureWithTheCapabilityItNeeds) {
  auto tape = open_tape();
  ASSERT_NE(tape, nullptr);
  tape->inject(TapeFault{"next_map_id", "0", 1, -EPERM});
  auto r = replay(*tape);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::PermissionDenied);
  EXPECT_THAT(r.error().message(), HasSubstr("BPF_MAP_GET_NEXT_ID"));
}

// --- tapes that are not what they say -------------------------------------

TEST(KernelTapeFile, BadTapesAreClearErrorsNamingTheFileAndLine) {
  TempDir dir;
  const std::string tape = slurp(tape_scene::tape_path());
  auto fails = [&](const std::string& name, const std::string& bytes, const std::string& want) {
    const std::string path = dir.path() + "/" + name;
    spit(path, bytes);
    auto t = TapeReplayer::open(path);
    ASSERT_FALSE(t.has_value()) << name;
    EXPECT_THAT(t.error().message(), HasSubstr(path)) << name;
    EXPECT_THAT(t.error().message(), HasSubstr(want)) << name;
  };
  fails("cut.tape", tape.substr(0, tape.size() / 2), "truncated");
  fails("text.tape", "hello, world\n", "not a kernel tape");
  fails("noversion.tape", "{\"tape\":\"scxsnap kernel tape\"}\n", "version ? is not supported");
  fails("plain.tape", "{\"tape\":\"scxsnap kernel tape\",\"version\":1}\n{\"call\":\"x\"}\n",
        "line 2");
  // Valid zstd whose lines are not a tape's.
  const std::string path = dir.path() + "/plain";
  spit(path, "{\"tape\":\"something else\",\"version\":1}\n{\"call\":1}\n");
  ASSERT_EQ(std::system(("zstd -q -f " + path + " -o " + path + ".tape").c_str()), 0);
  auto t = TapeReplayer::open(path + ".tape");
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message(), HasSubstr("line 1"));
  spit(path, "{\"tape\":\"scxsnap kernel tape\",\"version\":1}\n{\"call\":1}\n");
  ASSERT_EQ(std::system(("zstd -q -f " + path + " -o " + path + ".tape").c_str()), 0);
  t = TapeReplayer::open(path + ".tape");
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message(), HasSubstr("line 2"));
  EXPECT_FALSE(TapeReplayer::open(dir.path() + "/absent.tape").has_value());
}

}  // namespace

// Every failure path of a capture, through the KernelSource seam: a real object
// loaded into the kernel, with one map's open/info/lookup/batch/next-key
// calls failed, restarted or starved on purpose. Only ENOENT means "gone";
// anything else is recorded in that map's `error`, the same in the tree and
// the streamed JSON; no key is yielded twice.
#include "bpf_fixture.hpp"
#include "capture/capture_internal.hpp"
#include "scxsnap/scxsnap.hpp"

#include <cerrno>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <new>
#include <set>

using namespace scxsnap;
using namespace scxsnap::capture_detail;
using ::testing::HasSubstr;

namespace {

// Fails or bends the calls made on one map; everything else goes to the kernel.
struct Faults : KernelSource {
  std::uint32_t target = 0;
  int target_fd = -1;
  int open_err = 0, info_err = 0, lookup_err = 0, batch_err = 0, next_key_err = 0;
  int batch_err_after = 0;  // batch calls that succeed before batch_err
  bool batch_unsupported = false;
  std::set<int> restart_at;        // get-next-key calls that restart from the first key
  std::uint32_t enospc_below = 0;  // batch: ENOSPC (count 0) when room < this
  int enospc_after = 0;            // ... from this batch call on (counted in enospc_calls)
  int enospc_calls = 0;
  std::set<std::uint32_t> lookup_gone;  // keys whose lookup says ENOENT
  bool throw_in_lookup = false;
  int batch_calls = 0, next_key_calls = 0;

  int open_map(std::uint32_t id) override {
    int fd = KernelSource::open_map(id);
    if (id != target) return fd;
    if (open_err) {
      if (fd >= 0) ::close(fd);
      return -open_err;
    }
    target_fd = fd;
    return fd;
  }
  int map_info(int fd, bpf_map_info* info) override {
    if (fd == target_fd && info_err) return -info_err;
    return KernelSource::map_info(fd, info);
  }
  int lookup(int fd, const void* key, void* value) override {
    if (fd == target_fd) {
      if (throw_in_lookup) throw std::bad_alloc();
      if (lookup_err) return -lookup_err;
      std::uint32_t k = 0;
      std::memcpy(&k, key, 4);
      if (lookup_gone.count(k)) return -ENOENT;
    }
    return KernelSource::lookup(fd, key, value);
  }
  int lookup_batch(int fd, void* in, void* out, void* keys, void* values,
                   std::uint32_t* count) override {
    if (fd == target_fd) {
      if (batch_unsupported) return -524;  // ENOTSUPP
      if (batch_err && batch_calls++ >= batch_err_after) return -batch_err;
      if (*count < enospc_below && enospc_calls++ >= enospc_after) {
        *count = 0;
        return -ENOSPC;
      }
    }
    return KernelSource::lookup_batch(fd, in, out, keys, values, count);
  }
  int get_next_key(int fd, const void* key, void* next) override {
    if (fd == target_fd) {
      if (next_key_err) return -next_key_err;
      if (restart_at.count(++next_key_calls))
        return KernelSource::get_next_key(fd, nullptr, next);  // as if `key` was deleted
    }
    return KernelSource::get_next_key(fd, key, next);
  }
};

struct FaultTest : ::testing::Test {
  LoadedObject lo{"maps.bpf.o"};
  LoadedObject cc{"cc.bpf.o"};
  static constexpr std::uint32_t kEntries = 1000;
  Faults f;
  CaptureOptions o;

  void SetUp() override {
    ASSERT_TRUE(lo.obj && cc.obj);
    bpf_map* m = lo.map_ending("big_hash");
    struct {
      std::uint64_t a, b;
      std::uint32_t c;
      std::int32_t d;
    } v{};
    for (std::uint32_t k = 0; k < kEntries; ++k) {
      v.a = k;
      ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(m), &k, &v, BPF_ANY), 0);
    }
    aim(m);
  }
  void aim(bpf_map* m) {
    f.target = LoadedObject::id_of(m);
    o.map_ids = {f.target};
  }
  static FailureDumpMap only_map(const Result<FailureDumpReport>& r) {
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
    if (!r || r->maps.size() != 1) {
      ADD_FAILURE() << "expected exactly one map";
      return {};
    }
    return r->maps[0];
  }
  // Every key once, and all of them.
  static void expect_all_keys_once(const FailureDumpMap& m) {
    std::set<std::string> keys;
    for (const auto& e : m.entries) EXPECT_TRUE(keys.insert(e.key_hex).second) << e.key_hex;
    EXPECT_EQ(keys.size(), kEntries);
  }
  // The same error text when the capture streams JSON.
  std::string streamed_error() {
    std::string json;
    auto s = capture_stream(
        o, f,
        [&](std::string_view c) -> Result<void> {
          json += c;
          return {};
        },
        JsonStyle::Compact);
    EXPECT_TRUE(s.has_value());
    auto r = parse_report(json);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
    if (!r || r->maps.size() != 1) return "<no map>";
    return r->maps[0].error.value_or("<none>");
  }
};

TEST_F(FaultTest, OpenRefusedIsRecordedWithTheMapId) {
  f.open_err = EPERM;
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_EQ(m.map_id, f.target);
  EXPECT_EQ(m.error, "cannot open the map read-only: Operation not permitted");
  EXPECT_EQ(streamed_error(), *m.error);
}

TEST_F(FaultTest, OpenEnoentMeansTheMapVanished) {
  f.open_err = ENOENT;
  auto r = capture_model(o, f);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->maps.empty());
}

TEST_F(FaultTest, InfoFailureIsRecorded) {
  f.info_err = EIO;
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_EQ(m.error, "cannot read the map's info: Input/output error");
}

TEST_F(FaultTest, BatchFailureMidWalkKeepsWhatWasReadAndSaysWhy) {
  f.batch_err = EIO;
  f.batch_err_after = 2;
  o.lookup_buffer_bytes = 100 * (4 + 24);  // ~100 entries a batch: several batches
  const FailureDumpMap m = only_map(capture_model(o, f));
  ASSERT_TRUE(m.error.has_value());
  EXPECT_THAT(*m.error, HasSubstr("batch lookup failed after"));
  EXPECT_THAT(*m.error, HasSubstr("Input/output error"));
  EXPECT_GT(m.entries.size(), 0u);
  EXPECT_LT(m.entries.size(), kEntries);
  f.batch_calls = 0;
  EXPECT_EQ(streamed_error(), *m.error);
}

TEST_F(FaultTest, NoBatchFallsBackToNextKey) {
  f.batch_unsupported = true;
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_FALSE(m.error.has_value()) << *m.error;
  expect_all_keys_once(m);
}

TEST_F(FaultTest, NextKeyRestartsNeverYieldAKeyTwice) {
  f.batch_unsupported = true;
  f.restart_at = {97, 350, 351, 700};  // as if the current key was deleted
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_FALSE(m.error.has_value()) << *m.error;
  expect_all_keys_once(m);
}

TEST_F(FaultTest, NextKeyFailureIsRecorded) {
  f.batch_unsupported = true;
  f.next_key_err = EIO;
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_EQ(m.error, "get-next-key failed after 0 entries: Input/output error");
  EXPECT_EQ(streamed_error(), *m.error);
}

TEST_F(FaultTest, KeysThatVanishAreSkippedOtherLookupErrorsAreNot) {
  f.batch_unsupported = true;
  f.lookup_gone = {1, 2, 3};
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_FALSE(m.error.has_value());
  EXPECT_EQ(m.entries.size(), kEntries - 3);
  f.lookup_gone.clear();
  f.lookup_err = EFAULT;
  const FailureDumpMap m2 = only_map(capture_model(o, f));
  EXPECT_THAT(m2.error.value_or(""), HasSubstr("lookup failed after 0 entries: Bad address"));
}

TEST_F(FaultTest, BucketLargerThanTheBufferBudgetGoesOnByNextKey) {
  f.enospc_below = 64;                   // every bucket "needs" 64 entries
  o.lookup_buffer_bytes = 8 * (4 + 24);  // room for 8: growth would pass the budget
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_FALSE(m.error.has_value()) << *m.error;
  expect_all_keys_once(m);
}

// Batches read part of the map, then a bucket outgrows the budget and the
// walk goes on by next key from the last key read; that key is deleted
// (GET_NEXT_KEY restarts from the first key): the keys the batches yielded
// must not come again.
TEST_F(FaultTest, NextKeyRestartAfterBatchesNeverRepeatsTheirKeys) {
  o.lookup_buffer_bytes = 100 * (4 + 24);  // ~100 entries a batch
  f.enospc_below = 1u << 30;               // from the third call on, no room is enough
  f.enospc_after = 2;
  f.restart_at = {1, 2, 500};
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_FALSE(m.error.has_value()) << *m.error;
  EXPECT_EQ(f.enospc_calls, 3) << "two batches, then the walk went on by next key";
  expect_all_keys_once(m);
}

TEST_F(FaultTest, SingleValueLookupFailureIsRecorded) {
  aim(cc.map_ending(".bss"));
  f.lookup_err = EIO;
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_FALSE(m.value.has_value());
  EXPECT_EQ(m.error, "lookup of key 0 failed: Input/output error");
  EXPECT_EQ(streamed_error(), *m.error);
}

TEST_F(FaultTest, FdArraySlotsThatFailAreCountedAndSaid) {
  aim(lo.map_ending("jump_table"));
  f.lookup_err = EIO;
  const FailureDumpMap m = only_map(capture_model(o, f));
  ASSERT_TRUE(m.fd_array.has_value());
  EXPECT_EQ(m.fd_array->unreadable, m.fd_array->scanned);
  EXPECT_EQ(m.fd_array->populated, 0u);
  EXPECT_THAT(m.error.value_or(""), HasSubstr("cannot be read from user space"));
}

TEST_F(FaultTest, StackTraceWalkFailureIsRecorded) {
  aim(lo.map_ending("stacks"));
  f.batch_unsupported = true;
  f.next_key_err = EPERM;
  const FailureDumpMap m = only_map(capture_model(o, f));
  ASSERT_TRUE(m.stack_trace.has_value());
  EXPECT_EQ(m.error, "get-next-key failed after 0 entries: Operation not permitted");
}

TEST_F(FaultTest, StructOpsLookupFailureIsRecorded) {
  aim(bpf_object__find_map_by_name(cc.obj, "scxsnap_cc"));
  f.lookup_err = EACCES;
  const FailureDumpMap m = only_map(capture_model(o, f));
  EXPECT_FALSE(m.value.has_value());
  EXPECT_EQ(m.error, "lookup of the struct_ops value failed: Permission denied");
}

TEST_F(FaultTest, OutOfMemoryBecomesAnInternalError) {
  aim(cc.map_ending(".bss"));
  f.throw_in_lookup = true;
  auto r = capture_model(o, f);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Internal);
  EXPECT_EQ(r.error().message(), "out of memory during capture");
}

}  // namespace

// SPDX-License-Identifier: Apache-2.0
// Recording and replaying the kernel (tape_file.hpp, docs/TAPE.md).
//
// TapeRecorder passes every call to another KernelSource and writes what it
// answered. TapeReplayer answers the same calls from a tape, so a capture
// runs without root, without BPF and on any kernel, and gives what it gave
// where the tape was recorded. Calls are matched by name and arguments (maps
// by id, not by fd); a call asked more often than recorded gets its last
// answer again; a call never recorded is counted (misses()) and refused
// with -ENODATA. Faults are injected at any call: the n-th call of a name,
// optionally with a given first argument, answers an errno instead.
#pragma once

#include "kernel_source.hpp"
#include "tape_file.hpp"

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scxsnap::capture_detail {

class TapeRecorder final : public KernelSource {
 public:
  static Result<std::unique_ptr<TapeRecorder>> create(const std::filesystem::path& path,
                                                      KernelSource& inner);
  ~TapeRecorder() override;
  /// Writes the tape's end and commits the file.
  Result<void> finish();

  int next_map_id(std::uint32_t start, std::uint32_t* next) override;
  int open_map(std::uint32_t id) override;
  int map_info(int fd, bpf_map_info* info) override;
  int lookup(int fd, const void* key, void* value) override;
  int lookup_batch(int fd, void* in_batch, void* out_batch, void* keys, void* values,
                   std::uint32_t* count) override;
  int get_next_key(int fd, const void* key, void* next_key) override;
  int map_value(std::uint32_t id, std::size_t size, std::unique_ptr<ValueBytes>* out) override;
  int lookup_task(int fd, std::int32_t tid, std::int32_t tgid, void* value) override;
  int lookup_cgroup(int fd, const std::string& dir, void* value) override;
  Result<RingbufPositions> ringbuf_positions(std::uint32_t id) override;
  Result<std::unique_ptr<KernelMemory>> kernel_memory(int fd) override;
  std::map<std::string, std::uint64_t> kernel_symbols(
      std::span<const std::string_view> names) override;
  Result<KernelAnchors> kernel_anchors(const AnchorRequest& req) override;
  int next_prog_id(std::uint32_t start, std::uint32_t* next) override;
  int prog_info(std::uint32_t id, bool with_imm64s, ProgRecord* out) override;
  std::vector<std::uint32_t> struct_ops_link_map_ids() override;
  struct btf* vmlinux_btf(int* err) override;
  Result<struct btf*> btf_by_id(std::uint32_t id, const VmlinuxBtf& vmlinux) override;
  int read_file(const std::string& path, std::string* out) override;
  int list_dir(const std::string& path, std::vector<DirEntry>* out) override;
  int inode_of(const std::string& path, std::uint64_t* ino) override;
  int possible_cpus() override;
  int enable_stats() override;
  HostIdentity host() override;

  /// One call, for the recorder's helpers (kernel memory reads).
  void record(std::string_view call, std::string_view args, std::string_view ans);

 private:
  struct OpenMap {
    std::uint32_t id = 0, type = 0, key_size = 0, value_size = 0;
  };
  TapeRecorder(std::unique_ptr<tape::Writer> w, KernelSource& inner);
  OpenMap map_of(int fd) const;
  std::size_t value_bytes(const OpenMap& m) const;
  std::unique_ptr<tape::Writer> w_;
  KernelSource& inner_;
  std::map<int, OpenMap> fds_;
  std::uint32_t ncpus_ = 0;
};

/// A fault: the `nth` call (1-based; 0 = every one) of `call` whose first
/// argument is `arg` (its JSON text: "12", "\"/proc/stat\""; empty: any)
/// answers `rc` (a -errno). Call names are those of the tape (docs/TAPE.md).
struct TapeFault {
  std::string call;
  std::string arg;
  std::uint64_t nth = 1;
  int rc = -EIO;
};

class TapeReplayer final : public KernelSource {
 public:
  static Result<std::unique_ptr<TapeReplayer>> open(const std::filesystem::path& path);
  ~TapeReplayer() override;

  void inject(TapeFault f) { faults_.push_back(FaultState{std::move(f), 0}); }
  /// Calls the tape had no answer for ("call args"), in order.
  const std::vector<std::string>& misses() const { return misses_; }
  /// What the tape's header says (host, kernel, page size).
  const JsonValue& header() const { return header_; }

  int next_map_id(std::uint32_t start, std::uint32_t* next) override;
  int open_map(std::uint32_t id) override;
  int map_info(int fd, bpf_map_info* info) override;
  int lookup(int fd, const void* key, void* value) override;
  int lookup_batch(int fd, void* in_batch, void* out_batch, void* keys, void* values,
                   std::uint32_t* count) override;
  int get_next_key(int fd, const void* key, void* next_key) override;
  /// Always -EOPNOTSUPP: the capture then looks the value up, which
  /// replays what the recorder wrote for the mapping (the same "lookup").
  int map_value(std::uint32_t id, std::size_t size, std::unique_ptr<ValueBytes>* out) override;
  int lookup_task(int fd, std::int32_t tid, std::int32_t tgid, void* value) override;
  int lookup_cgroup(int fd, const std::string& dir, void* value) override;
  Result<RingbufPositions> ringbuf_positions(std::uint32_t id) override;
  Result<std::unique_ptr<KernelMemory>> kernel_memory(int fd) override;
  std::map<std::string, std::uint64_t> kernel_symbols(
      std::span<const std::string_view> names) override;
  Result<KernelAnchors> kernel_anchors(const AnchorRequest& req) override;
  int next_prog_id(std::uint32_t start, std::uint32_t* next) override;
  int prog_info(std::uint32_t id, bool with_imm64s, ProgRecord* out) override;
  std::vector<std::uint32_t> struct_ops_link_map_ids() override;
  struct btf* vmlinux_btf(int* err) override;
  Result<struct btf*> btf_by_id(std::uint32_t id, const VmlinuxBtf& vmlinux) override;
  int read_file(const std::string& path, std::string* out) override;
  int list_dir(const std::string& path, std::vector<DirEntry>* out) override;
  int inode_of(const std::string& path, std::uint64_t* ino) override;
  int possible_cpus() override;
  int enable_stats() override;
  HostIdentity host() override;

  /// The answer to `call` with `args` (a JSON array's text), or nullptr
  /// (a miss, or an injected fault: then *fault is its rc).
  const JsonValue* answer(std::string_view call, const std::string& args, int* fault);

 private:
  struct FaultState {
    TapeFault f;
    std::uint64_t seen = 0;
  };
  struct OpenMap {
    std::uint32_t id = 0, type = 0, key_size = 0, value_size = 0;
  };
  TapeReplayer() = default;
  /// Bytes one lookup of `m` may write (what the capture's buffer holds).
  std::size_t value_bytes(const OpenMap& m) const;
  OpenMap map_of(int fd) const;
  std::uint32_t id_of(int fd) const { return map_of(fd).id; }
  JsonValue header_;
  std::map<std::string, std::deque<JsonValue>> answers_;  // "call args" -> answers in order
  std::deque<JsonValue> held_;  // answers handed out and taken off their queue
  std::map<int, OpenMap> fds_;
  std::vector<FaultState> faults_;
  std::vector<std::string> misses_;
  std::uint32_t ncpus_ = 1;
};

}  // namespace scxsnap::capture_detail

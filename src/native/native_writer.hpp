// SPDX-License-Identifier: Apache-2.0
// Writes a native snapshot as a stream: each map's raw records are gathered
// into frames of a few MiB, compressed and written as they fill; the report
// skeleton, the merged BTF, the index and the ELF tables come last. Memory:
// one frame of raw bytes and its compressed copy (a value is cut into frames
// straight from the caller's buffer).
#pragma once

#include "btf_merge.hpp"
#include "elf_container.hpp"
#include "index_spill.hpp"
#include "native_index.hpp"
#include "report/big_buffer.hpp"
#include "zstd_frames.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace scxsnap::native {

struct WriterOptions {
  int level = 1;  // zstd level
  /// Compression threads (0 = up to 4, by the CPUs): frames are compressed
  /// while the kernel is read, and written in order.
  unsigned threads = 0;
  std::size_t frame_bytes = std::size_t{1} << 20;        // raw bytes of records per frame
  std::size_t value_frame_bytes = std::size_t{1} << 20;  // of a single value (random access)
};

class NativeWriter {
 public:
  using Bytes = std::span<const std::uint8_t>;
  static Result<std::unique_ptr<NativeWriter>> create(const std::filesystem::path& path,
                                                      WriterOptions o = {});
  NativeWriter(NativeWriter&&) = delete;
  ~NativeWriter();

  Index& index() { return index_; }
  BtfMerge& btf() { return *btf_; }

  /// Series: every map of the samples that follow is held whole until it
  /// ends, and stored again only as far as it changed since the last sample
  /// (identical frames are shared, a few changed records become a delta).
  void begin_series() { index_.series = true; }
  /// Series: the next sample (its maps follow; end_sample closes it).
  void begin_sample(std::string tag, std::optional<std::uint64_t> elapsed_ms);
  Result<void> end_sample(std::string_view report_json);
  /// Samples begun so far (those spilled to disk included).
  std::size_t sample_count() const { return spill_.count() + index_.samples.size(); }
  /// The sample being written; only while one is.
  const Sample& current_sample() const { return index_.samples.back(); }
  /// Drops the sample begun last (its maps must not have reached the file).
  void abandon_sample();

  /// The next map of the report (maps are written in the report's order).
  void begin_map(Shape shape, std::uint32_t key_size, std::uint32_t record_size,
                 std::uint32_t map_id = 0);
  void entry(Bytes key, Bytes value);
  void owner_entry(std::string_view key_json, Bytes key_bytes, Bytes value);
  void value(Bytes bytes);
  /// The kernel's description of the current map (flags, BTF ids, ...).
  void set_kernel_info(const KernelMapInfo& k) { cur_.kernel = k; }
  /// The BtfMerge handles of the current map's key and value types.
  void set_types(std::optional<std::uint32_t> key, std::optional<std::uint32_t> value);
  /// Closes the current map; a map that was never begun is recorded with no contents.
  void end_map();
  /// The first write error (the capture stops on it).
  const std::optional<Error>& error() const { return error_; }
  /// The report skeleton (a single snapshot's; a series passes none), the
  /// BTF, the index; then the file is put in place.
  Result<void> finish(std::string_view report_json = {});
  std::uint64_t bytes_written() const { return elf_.offset(); }

 private:
  NativeWriter(ElfWriter elf, WriterOptions o);
  // One frame on its way: compressed by a worker, written by the caller's
  // thread in submission order.
  struct Job {
    detail::BigBytes owned;  // the raw bytes, unless borrowed
    Bytes raw;
    std::uint64_t raw_offset = 0, records = 0;
    std::string out;
    std::optional<Error> error;
    bool taken = false, done = false;
  };
  void append(Bytes b);
  void flush_frame();
  Sample& sample();
  void store_series_map();
  void write_frames(Bytes raw, std::size_t frame_bytes, bool fixed_records);
  void submit(std::unique_ptr<Job> job);
  std::unique_ptr<Job> new_job();
  detail::BigBytes take_spare();
  void recycle(std::unique_ptr<Job> job);
  void drain(std::size_t keep);  // write finished frames until at most `keep` are in flight
  void work();
  static std::optional<Error> compress_job(FrameCompressor& zstd, Job& job);
  Result<Frame> write_frame(Bytes raw, std::uint64_t raw_offset, std::uint64_t records);

  ElfWriter elf_;
  WriterOptions opt_;
  FrameCompressor zstd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Job>> jobs_;    // in submission order
  std::vector<detail::BigBytes> spare_raw_;  // buffers of written frames
  std::vector<std::string> spare_out_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
  std::unique_ptr<BtfMerge> btf_;
  Index index_;
  std::uint64_t data_start_ = 0;
  bool open_ = false;
  MapIndex cur_;
  std::optional<std::uint32_t> key_handle_, value_handle_;
  // The BtfMerge handles of each sample's maps' types, resolved by finish().
  std::vector<std::vector<TypeHandles>> handles_;
  // Series: the samples before the last few, on disk until finish().
  IndexSpill spill_;
  Result<void> write_index_section(std::uint64_t& idx_hash);
  // Series: the last stored contents of each map (by id).
  struct Previous {
    std::uint32_t sample, index;
    MapIndex map;
    detail::BigBytes bytes;
  };
  std::map<std::uint32_t, Previous> previous_;
  detail::BigBytes whole_;  // series: the current map's bytes
  detail::BigBytes pending_;
  std::uint64_t pending_records_ = 0;
  std::string compressed_;
  std::optional<Error> error_;
};

}  // namespace scxsnap::native

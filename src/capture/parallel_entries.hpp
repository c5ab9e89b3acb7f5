// SPDX-License-Identifier: Apache-2.0
// A large map's entries rendered as JSON on several threads, written in the
// kernel's order. Entries are independent: the reader's raw records are cut
// into chunks, workers render chunks into text of their own, and the sink's
// thread writes each finished chunk in turn (and renders one itself while it
// would wait). The first entry of a map is rendered on the sink's thread, so
// that its types' layout plans are compiled before any worker reads them;
// maps whose pointers are followed into arenas (plans compiled on the way)
// are rendered by the sink's thread alone. Workers start on the first map
// large enough to use them.
#pragma once

#include "btf/map_contents.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace scxsnap::capture_detail {

class ParallelEntries {
 public:
  using Bytes = map_contents::Bytes;
  /// Where finished text goes: the list's separator, then `emit(text)` (the
  /// sink writes it out; what it leaves in `text` is dropped).
  struct Out {
    map_contents::StreamedList* list = nullptr;
    map_contents::CutLog* cut = nullptr;
    std::function<void(std::string& text)> emit;
  };

  ParallelEntries() = default;
  ~ParallelEntries();
  ParallelEntries(const ParallelEntries&) = delete;
  ParallelEntries& operator=(const ParallelEntries&) = delete;

  /// Whether a map of `max_entries` entries of `record_bytes` each is worth
  /// rendering in parallel (and may be: no pointers followed).
  static bool worth_it(std::uint32_t max_entries, std::size_t record_bytes,
                       const RenderLimits& lim);
  /// A map's entries follow; false when no worker could be started.
  bool begin(const map_contents::EntryFormat& f, bool array, std::uint32_t key_size,
             std::uint32_t value_bytes, Out out);
  /// One entry (copied); writes whatever chunks are finished.
  void add(Bytes key, Bytes value);
  /// Waits for every chunk and writes it; the map's entries are done.
  void end();
  /// Tells the workers to cut what they render (the capture was stopped).
  void stop() { stop_.store(true, std::memory_order_relaxed); }

 private:
  struct Chunk {
    std::vector<std::uint8_t> raw;
    std::uint32_t count = 0;
    std::string text;
    map_contents::CutLog cut;
    std::exception_ptr failed;  // what rendering threw (out of memory), rethrown by the writer
    bool taken = false, done = false;
  };
  void start_workers();
  void work();
  void render(Chunk& c) const;
  void dispatch();
  std::unique_ptr<Chunk> new_chunk();
  enum class Wait { None, Oldest, All };
  void write_done(Wait wait);
  bool help_one();

  map_contents::EntryFormat f_;
  bool array_ = false;
  std::uint32_t key_size_ = 0, value_bytes_ = 0;
  Out out_;
  std::unique_ptr<Chunk> filling_;
  std::atomic<bool> stop_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Chunk>> chunks_;  // in order
  std::vector<std::unique_ptr<Chunk>> spare_;  // written chunks, their buffers kept
  bool quit_ = false;
  bool started_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace scxsnap::capture_detail

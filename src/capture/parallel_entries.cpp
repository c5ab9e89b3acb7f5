// SPDX-License-Identifier: Apache-2.0
#include "parallel_entries.hpp"

#include "report/threads.hpp"

#include <algorithm>
#include <cstring>

namespace scxsnap::capture_detail {
namespace {

constexpr std::uint32_t kChunkEntries = 256;
constexpr std::size_t kChunkBytes = std::size_t{64} << 10;  // raw bytes of records
constexpr std::uint32_t kMinEntries = 4096;                 // a smaller map: one thread
constexpr std::size_t kMaxRecordBytes = std::size_t{64} << 10;
constexpr unsigned kMaxWorkers = 4;

}  // namespace

ParallelEntries::~ParallelEntries() {
  {
    std::lock_guard lk(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

bool ParallelEntries::worth_it(std::uint32_t max_entries, std::size_t record_bytes,
                               const RenderLimits& lim) {
  return max_entries >= kMinEntries && record_bytes <= kMaxRecordBytes && !lim.follow_pointer;
}

void ParallelEntries::start_workers() {
  started_ = true;
  const unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxWorkers);
  for (unsigned i = 0; i < n; ++i) {
    auto t = detail::try_start_thread([this] { work(); });
    if (!t) break;
    workers_.push_back(std::move(*t));
  }
}

bool ParallelEntries::begin(const map_contents::EntryFormat& f, bool array, std::uint32_t key_size,
                            std::uint32_t value_bytes, Out out) {
  if (!started_) start_workers();
  if (workers_.empty()) return false;
  f_ = f;
  // Workers neither poll the capture's stop signal (not theirs to call) nor
  // flush its output: they watch stop_, and their text is written here.
  for (RenderLimits* l : {&f_.lim, &f_.slot_lim}) {
    l->should_stop = [this] { return stop_.load(std::memory_order_relaxed); };
    l->flush = nullptr;
  }
  array_ = array;
  key_size_ = key_size;
  value_bytes_ = value_bytes;
  out_ = std::move(out);
  stop_.store(false, std::memory_order_relaxed);
  filling_.reset();
  return true;
}

void ParallelEntries::add(Bytes key, Bytes value) {
  if (!filling_) filling_ = new_chunk();
  Chunk& c = *filling_;
  c.raw.insert(c.raw.end(), key.begin(), key.begin() + key_size_);
  c.raw.insert(c.raw.end(), value.begin(), value.begin() + value_bytes_);
  ++c.count;
  if (c.count >= kChunkEntries || c.raw.size() >= kChunkBytes) dispatch();
  write_done(Wait::None);
}

// A chunk to fill: one already written (its buffers' pages in place), else new.
std::unique_ptr<ParallelEntries::Chunk> ParallelEntries::new_chunk() {
  std::unique_ptr<Chunk> c;
  if (!spare_.empty()) {
    c = std::move(spare_.back());
    spare_.pop_back();
    c->raw.clear();
    c->text.clear();
    c->count = 0;
    c->cut = {};
    c->failed = nullptr;
    c->taken = c->done = false;
  } else {
    c = std::make_unique<Chunk>();
  }
  return c;
}

void ParallelEntries::dispatch() {
  if (!filling_) return;
  // At most two chunks per worker in flight: the oldest is waited for (and
  // the sink's thread renders one meanwhile).
  while (true) {
    {
      std::lock_guard lk(mu_);
      if (chunks_.size() < 2 * workers_.size() + 1) {
        chunks_.push_back(std::move(filling_));
        break;
      }
    }
    if (!help_one()) write_done(Wait::Oldest);
  }
  cv_.notify_one();
}

// Renders the oldest chunk no worker has taken; false when there is none.
bool ParallelEntries::help_one() {
  Chunk* c = nullptr;
  {
    std::lock_guard lk(mu_);
    for (auto& x : chunks_)
      if (!x->taken) {
        x->taken = true;
        c = x.get();
        break;
      }
  }
  if (!c) return false;
  render(*c);
  {
    std::lock_guard lk(mu_);
    c->done = true;
  }
  cv_.notify_all();
  return true;
}

void ParallelEntries::write_done(Wait wait) {
  bool waited = false;
  while (true) {
    std::unique_ptr<Chunk> c;
    {
      std::unique_lock lk(mu_);
      if (chunks_.empty()) return;
      if (!chunks_.front()->done) {
        if (wait == Wait::None || (wait == Wait::Oldest && waited)) return;
        cv_.wait(lk, [&] { return chunks_.front()->done; });
      }
      waited = true;
      c = std::move(chunks_.front());
      chunks_.pop_front();
    }
    if (c->failed) std::rethrow_exception(c->failed);
    if (c->count != 0) {
      out_.list->next();
      out_.emit(c->text);
      out_.cut->merge(c->cut);
    }
    spare_.push_back(std::move(c));
  }
}

void ParallelEntries::end() {
  dispatch();
  while (help_one()) {
  }
  write_done(Wait::All);
}

void ParallelEntries::render(Chunk& c) const {
  const std::size_t stride = std::size_t{key_size_} + value_bytes_;
  for (std::uint32_t i = 0; i < c.count; ++i) {
    const std::uint8_t* rec = c.raw.data() + std::size_t{i} * stride;
    const Bytes key{rec, key_size_};
    const Bytes value{rec + key_size_, value_bytes_};
    if (i) c.text += ',';
    if (array_) {
      std::uint32_t k = 0;
      std::memcpy(&k, key.data(), std::min<std::size_t>(4, key.size()));
      map_contents::array_entry_json(c.text, k, value, f_, c.cut);
    } else {
      map_contents::hash_entry_json(c.text, key, value, f_, c.cut);
    }
  }
}

void ParallelEntries::work() {
  while (true) {
    Chunk* c = nullptr;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] {
        if (quit_) return true;
        return std::any_of(chunks_.begin(), chunks_.end(), [](const auto& x) { return !x->taken; });
      });
      if (quit_) return;
      for (auto& x : chunks_)
        if (!x->taken) {
          x->taken = true;
          c = x.get();
          break;
        }
    }
    try {
      render(*c);
    } catch (...) {  // out of memory: thrown again on the sink's thread
      c->failed = std::current_exception();
    }
    {
      std::lock_guard lk(mu_);
      c->done = true;
    }
    cv_.notify_all();
  }
}

}  // namespace scxsnap::capture_detail

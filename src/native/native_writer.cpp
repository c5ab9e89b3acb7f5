// SPDX-License-Identifier: Apache-2.0
#include "native_writer.hpp"

#include "report/narrow.hpp"
#include "report/threads.hpp"
#include "section_sums.hpp"

#include <algorithm>
#include <cstring>
#include <elf.h>
#include <exception>
#include <new>
#include <string_view>
#include <unordered_map>
#include <xxhash.h>

namespace scxsnap::native {
namespace {

std::string_view as_text(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// A delta record with no source in the last sample (a new key).
constexpr std::uint32_t kNoSource = 0xffffffffu;

// A record's source as 1 + the zigzag of its step from where the last one
// ended (0 = no source): records that keep their order store 1s, which
// compress to nearly nothing.
// None when the step does not fit (more than 2^31 records away): the map is
// then stored whole.
std::optional<std::uint32_t> source_code(std::uint32_t src, std::int64_t expected) {
  const std::int64_t d = std::int64_t{src} - expected;
  return detail::narrow<std::uint32_t>((d >= 0 ? 2 * d : -2 * d - 1) + 1);
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  std::uint8_t b[4];
  std::memcpy(b, &v, 4);
  out.insert(out.end(), b, b + 4);
}

void put_u32(detail::BigBytes& out, std::uint32_t v) {
  std::uint8_t b[4];
  std::memcpy(b, &v, 4);
  detail::append_bytes(out, b);
}

}  // namespace

NativeWriter::NativeWriter(ElfWriter elf, WriterOptions o)
    : elf_(std::move(elf)), opt_(o), zstd_(o.level), btf_(std::make_unique<BtfMerge>()) {
  data_start_ = elf_.offset();
  unsigned n =
      opt_.threads ? opt_.threads : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  // As many workers as start (the constructor never throws with joinable
  // threads in hand); with none, frames are compressed on the caller's thread.
  workers_.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    auto t = detail::try_start_thread([this] { work(); });
    if (!t) break;
    workers_.push_back(std::move(*t));
  }
}

NativeWriter::~NativeWriter() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

Result<std::unique_ptr<NativeWriter>> NativeWriter::create(const std::filesystem::path& path,
                                                           WriterOptions o) {
  SCXSNAP_TRY(ElfWriter elf, ElfWriter::create(path));
  return std::unique_ptr<NativeWriter>(new NativeWriter(std::move(elf), o));
}

void NativeWriter::work() {
  FrameCompressor zstd(opt_.level);
  std::unique_lock lk(mu_);
  while (true) {
    cv_.wait(lk, [&] {
      return stop_ ||
             std::any_of(jobs_.begin(), jobs_.end(), [](const auto& j) { return !j->taken; });
    });
    if (stop_) return;
    auto it = std::find_if(jobs_.begin(), jobs_.end(), [](const auto& j) { return !j->taken; });
    Job* job = it->get();
    job->taken = true;
    lk.unlock();
    job->error = compress_job(zstd, *job);
    lk.lock();
    job->done = true;
    cv_.notify_all();
  }
}

// Whatever compressing throws (out of memory) becomes the frame's error:
// nothing leaves a worker thread.
std::optional<Error> NativeWriter::compress_job(FrameCompressor& zstd, Job& job) {
  try {
    detail::fault_point("compress frame");
    if (auto r = zstd.compress(job.raw, job.out); !r) return r.error();
    return std::nullopt;
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::Internal, "out of memory compressing a native snapshot frame");
  } catch (const std::exception& e) {
    return Error(ErrorCode::Internal,
                 std::string("internal error compressing a native snapshot frame: ") + e.what());
  }
}

// Below this, a frame costs less to compress here than to hand to a worker
// and wait for (a scheduler's globals, the few changed records of a sample).
constexpr std::size_t kInlineFrameBytes = std::size_t{64} << 10;

void NativeWriter::submit(std::unique_ptr<Job> job) {
  if (workers_.empty() || job->raw.size() <= kInlineFrameBytes) {
    job->error = compress_job(zstd_, *job);
    job->taken = job->done = true;
    {
      std::lock_guard lk(mu_);
      jobs_.push_back(std::move(job));
    }
    drain(workers_.empty() ? 0 : 2 * workers_.size());
    return;
  }
  drain(2 * workers_.size());
  {
    std::lock_guard lk(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_all();
}

void NativeWriter::drain(std::size_t keep) {
  while (true) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock lk(mu_);
      if (jobs_.size() <= keep) return;
      cv_.wait(lk, [&] { return jobs_.front()->done; });
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    if (error_) continue;
    if (job->error) {
      error_ = job->error;
      continue;
    }
    Frame f{elf_.offset() - data_start_, job->out.size(), job->raw_offset, job->raw.size(),
            job->records};
    auto r = elf_.write(job->out);
    recycle(std::move(job));
    if (!r) {
      error_ = r.error();
      continue;
    }
    cur_.frames.push_back(f);
  }
}

// Buffers of written frames, kept for the next ones (the caller's thread
// only): a capture of a large map reuses a few instead of faulting in fresh
// pages for every frame.
constexpr std::size_t kSpareBuffers = 8;

std::unique_ptr<NativeWriter::Job> NativeWriter::new_job() {
  auto job = std::make_unique<Job>();
  if (!spare_out_.empty()) {
    job->out = std::move(spare_out_.back());
    spare_out_.pop_back();
    job->out.clear();
  }
  return job;
}

detail::BigBytes NativeWriter::take_spare() {
  if (spare_raw_.empty()) return {};
  detail::BigBytes v = std::move(spare_raw_.back());
  spare_raw_.pop_back();
  v.clear();
  return v;
}

void NativeWriter::recycle(std::unique_ptr<Job> job) {
  if (job->owned.capacity() != 0 && spare_raw_.size() < kSpareBuffers)
    spare_raw_.push_back(std::move(job->owned));
  if (job->out.capacity() != 0 && spare_out_.size() < kSpareBuffers)
    spare_out_.push_back(std::move(job->out));
}

Result<Frame> NativeWriter::write_frame(Bytes raw, std::uint64_t raw_offset,
                                        std::uint64_t records) {
  compressed_.clear();
  SCXSNAP_TRY_VOID(zstd_.compress(raw, compressed_));
  Frame f{elf_.offset() - data_start_, compressed_.size(), raw_offset, raw.size(), records};
  SCXSNAP_TRY_VOID(elf_.write(compressed_));
  return f;
}

Sample& NativeWriter::sample() {
  if (index_.samples.empty()) {
    index_.samples.emplace_back();
    handles_.emplace_back();
  }
  return index_.samples.back();
}

// Finished samples kept in memory before they go to the spill.
constexpr std::size_t kSamplesInMemory = 64;

void NativeWriter::begin_sample(std::string tag, std::optional<std::uint64_t> elapsed_ms) {
  if (index_.series && index_.samples.size() >= kSamplesInMemory && !error_) {
    // Nothing refers back to them: each map's last contents are in previous_.
    for (std::size_t k = 0; k < index_.samples.size() && !error_; ++k)
      if (auto r = spill_.put(index_.samples[k], handles_[k]); !r) error_ = r.error();
    index_.samples.clear();
    handles_.clear();
  }
  index_.samples.emplace_back();
  handles_.emplace_back();
  index_.samples.back().tag = std::move(tag);
  index_.samples.back().elapsed_ms = elapsed_ms;
}

void NativeWriter::abandon_sample() {
  index_.samples.pop_back();
  handles_.pop_back();
}

Result<void> NativeWriter::end_sample(std::string_view report_json) {
  if (open_) end_map();
  if (error_) return *error_;
  SCXSNAP_TRY(
      sample().report,
      write_frame({reinterpret_cast<const std::uint8_t*>(report_json.data()), report_json.size()},
                  0, 1));
  return {};
}

void NativeWriter::begin_map(Shape shape, std::uint32_t key_size, std::uint32_t record_size,
                             std::uint32_t map_id) {
  if (open_) end_map();
  open_ = true;
  cur_ = MapIndex{};
  cur_.map_id = map_id;
  cur_.shape = shape;
  cur_.key_size = key_size;
  cur_.record_size = record_size;
  key_handle_.reset();
  value_handle_.reset();
  pending_.clear();
  // One frame's room, reused from map to map (pages never written cost nothing).
  pending_.reserve(opt_.frame_bytes + opt_.frame_bytes / 8);
  pending_records_ = 0;
}

void NativeWriter::flush_frame() {
  if (index_.series) {  // held whole until the map ends
    detail::append_bytes(whole_, pending_);
    pending_.clear();
    return;
  }
  if (pending_.empty() || error_) return;
  auto job = new_job();
  job->owned = std::move(pending_);
  job->raw = job->owned;
  job->raw_offset = cur_.raw_size;
  job->records = pending_records_;
  cur_.raw_size += job->raw.size();
  submit(std::move(job));
  // The next frame's buffer: one a written frame gave back (its pages are
  // already there), else a new one.
  pending_ = take_spare();
  pending_.reserve(opt_.frame_bytes + opt_.frame_bytes / 8);
  pending_records_ = 0;
}

void NativeWriter::append(Bytes b) {
  detail::append_bytes(pending_, b);
}

void NativeWriter::entry(Bytes key, Bytes value) {
  append(key);
  append(value);
  ++pending_records_;
  ++cur_.records;
  if (pending_.size() >= opt_.frame_bytes) flush_frame();
}

void NativeWriter::owner_entry(std::string_view key_json, Bytes key_bytes, Bytes value) {
  put_u32(pending_, detail::narrow_or_throw<std::uint32_t>(key_json.size(), "an owner key's JSON"));
  append({reinterpret_cast<const std::uint8_t*>(key_json.data()), key_json.size()});
  put_u32(pending_, detail::narrow_or_throw<std::uint32_t>(key_bytes.size(), "an owner key"));
  append(key_bytes);
  append(value);
  ++pending_records_;
  ++cur_.records;
  if (pending_.size() >= opt_.frame_bytes) flush_frame();
}

void NativeWriter::value(Bytes bytes) {
  cur_.records = 1;
  if (index_.series) {
    whole_.assign(bytes.begin(), bytes.end());
    return;
  }
  // Cut straight from the caller's buffer: a 158 MiB value is never copied.
  for (std::size_t at = 0; at < bytes.size() && !error_; at += opt_.value_frame_bytes) {
    auto job = new_job();
    job->raw = bytes.subspan(at, std::min(opt_.value_frame_bytes, bytes.size() - at));
    job->raw_offset = at;
    job->records = at == 0 ? 1 : 0;
    submit(std::move(job));
  }
  drain(0);  // the bytes are borrowed: done with them before returning
  cur_.raw_size = bytes.size();
}

void NativeWriter::set_types(std::optional<std::uint32_t> key, std::optional<std::uint32_t> value) {
  key_handle_ = key;
  value_handle_ = value;
}

// Frames of `raw` (the whole of a series map) written afresh: at record
// boundaries for fixed records, anywhere for a value, one frame otherwise.
void NativeWriter::write_frames(Bytes raw, std::size_t frame_bytes, bool fixed_records) {
  const std::size_t rs = cur_.record_size;
  std::size_t step = frame_bytes;
  if (fixed_records && rs) step = std::max<std::size_t>(rs, frame_bytes / rs * rs);
  if (cur_.shape == Shape::OwnerEntries) step = std::max<std::size_t>(raw.size(), 1);
  for (std::size_t at = 0; at < raw.size(); at += step) {
    auto job = new_job();
    job->raw = raw.subspan(at, std::min(step, raw.size() - at));
    job->raw_offset = at;
    job->records = cur_.shape == Shape::Value ? (at == 0 ? 1 : 0)
                   : fixed_records && rs      ? job->raw.size() / rs
                                              : cur_.records;
    submit(std::move(job));
  }
  drain(0);
}

void NativeWriter::store_series_map() {
  detail::append_bytes(whole_, pending_);
  pending_.clear();
  const Bytes raw = whole_;
  const auto sample_no =
      detail::narrow_or_throw<std::uint32_t>(sample_count() - 1, "a sample number");
  const auto index_no =
      detail::narrow_or_throw<std::uint32_t>(sample().maps.size(), "a map number");
  const bool fixed =
      cur_.shape != Shape::Value && cur_.shape != Shape::None && cur_.shape != Shape::OwnerEntries;
  cur_.raw_size = raw.size();
  auto prev = cur_.map_id ? previous_.find(cur_.map_id) : previous_.end();
  const bool same_layout = prev != previous_.end() && prev->second.map.shape == cur_.shape &&
                           prev->second.map.record_size == cur_.record_size &&
                           prev->second.map.records == cur_.records &&
                           prev->second.bytes.size() == raw.size();
  if (same_layout && std::equal(raw.begin(), raw.end(), prev->second.bytes.begin())) {
    // Unchanged: the earlier frames (or changes) stand for it.
    cur_.frames = prev->second.map.frames;
    cur_.delta_of = prev->second.map.delta_of;
  } else if (fixed && prev != previous_.end() && prev->second.map.shape == cur_.shape &&
             prev->second.map.record_size == cur_.record_size && cur_.records > 0) {
    // Records matched by key to the last sample's (a hash map reorders a
    // bucket when an element is updated): where each record comes from, then
    // the records that differ from their source, XOR it.
    const std::size_t rs = cur_.record_size, ks = cur_.key_size;
    const detail::BigBytes& before = prev->second.bytes;
    const std::size_t before_n = prev->second.map.records;
    // The record after the last one's source usually is the source: the
    // index of every key is built only when that guess first fails.
    std::unordered_map<std::string_view, std::uint32_t> where;
    auto find_source = [&](const std::uint8_t* key, std::int64_t guess) -> std::uint32_t {
      if (guess < static_cast<std::int64_t>(before_n) &&
          std::memcmp(before.data() + static_cast<std::size_t>(guess) * rs, key, ks) == 0)
        return static_cast<std::uint32_t>(guess);
      if (where.empty()) {
        where.reserve(before_n);
        for (std::size_t r = 0; r < before_n; ++r)
          where.emplace(std::string_view(reinterpret_cast<const char*>(before.data() + r * rs), ks),
                        detail::narrow_or_throw<std::uint32_t>(r, "a record number"));
      }
      auto it = where.find(std::string_view(reinterpret_cast<const char*>(key), ks));
      return it == where.end() ? kNoSource : it->second;
    };
    std::vector<std::uint8_t> delta;
    delta.reserve(cur_.records * 4);
    std::vector<std::uint8_t> patches;
    std::uint64_t npatch = 0;
    const std::size_t limit = raw.size() / 2;  // past this, store it whole
    std::int64_t expected = 0;  // sources are stored as their step from the last one + 1
    for (std::size_t r = 0; r < cur_.records && patches.size() + delta.size() <= limit; ++r) {
      const std::uint8_t* now = raw.data() + r * rs;
      const std::uint32_t src = find_source(now, expected);
      const std::optional<std::uint32_t> code =
          src == kNoSource ? std::optional<std::uint32_t>(0) : source_code(src, expected);
      if (!code) break;  // too far to say in a u32: stored whole below
      put_u32(delta, *code);
      if (src != kNoSource) expected = std::int64_t{src} + 1;
      const std::uint8_t* was = src == kNoSource ? nullptr : before.data() + std::size_t{src} * rs;
      if (was && std::memcmp(now, was, rs) == 0) continue;
      put_u32(patches, detail::narrow_or_throw<std::uint32_t>(r, "a record number"));
      for (std::size_t b = 0; b < rs; ++b) patches.push_back(was ? now[b] ^ was[b] : now[b]);
      ++npatch;
    }
    if (patches.size() + delta.size() <= limit && delta.size() == cur_.records * 4) {
      cur_.delta_of = std::pair{prev->second.sample, prev->second.index};
      delta.insert(delta.end(), patches.begin(), patches.end());
      for (std::size_t at = 0; at < delta.size(); at += opt_.frame_bytes) {
        auto job = new_job();
        job->raw = Bytes(delta).subspan(at, std::min(opt_.frame_bytes, delta.size() - at));
        job->raw_offset = at;
        job->records = at == 0 ? npatch : 0;
        submit(std::move(job));
      }
      drain(0);
    } else {
      write_frames(raw, opt_.frame_bytes, true);
    }
  } else if (same_layout && cur_.shape == Shape::Value) {
    // A value in 1 MiB pieces: a piece that did not change keeps its frame.
    const auto& old = prev->second.map.frames;
    std::size_t k = 0;
    for (std::size_t at = 0; at < raw.size(); at += opt_.value_frame_bytes, ++k) {
      const std::size_t n = std::min(opt_.value_frame_bytes, raw.size() - at);
      if (!prev->second.map.delta_of && k < old.size() && old[k].raw_offset == at &&
          old[k].raw_size == n &&
          std::memcmp(raw.data() + at, prev->second.bytes.data() + at, n) == 0) {
        drain(0);
        cur_.frames.push_back(old[k]);
        continue;
      }
      auto job = new_job();
      job->raw = raw.subspan(at, n);
      job->raw_offset = at;
      job->records = at == 0 ? 1 : 0;
      submit(std::move(job));
    }
    drain(0);
  } else {
    write_frames(raw, cur_.shape == Shape::Value ? opt_.value_frame_bytes : opt_.frame_bytes,
                 fixed);
  }
  if (cur_.map_id) previous_[cur_.map_id] = Previous{sample_no, index_no, cur_, std::move(whole_)};
  whole_.clear();
}

void NativeWriter::end_map() {
  if (!open_) cur_ = MapIndex{};
  if (index_.series && open_)
    store_series_map();
  else
    flush_frame();
  drain(0);
  sample().maps.push_back(std::move(cur_));
  handles_.back().emplace_back(key_handle_, value_handle_);
  cur_ = MapIndex{};
  key_handle_.reset();
  value_handle_.reset();
  open_ = false;
}

// The index, streamed into the file with its hash: the spilled samples
// first, then those in memory, each map's types resolved in the merged BTF.
Result<void> NativeWriter::write_index_section(std::uint64_t& idx_hash) {
  XXH3_state_t* h = XXH3_createState();
  if (!h) throw std::bad_alloc();
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> owned(h, &XXH3_freeState);
  XXH3_64bits_reset(h);
  const std::uint64_t idx_at = elf_.offset();
  std::string text;
  detail::JsonWriter w(text);
  auto emit = [&](bool force) -> Result<void> {
    if (!force && text.size() < (std::size_t{1} << 20)) return {};
    XXH3_64bits_update(h, text.data(), text.size());
    SCXSNAP_TRY_VOID(elf_.write(text));
    text.clear();
    return {};
  };
  auto resolve = [&](Sample& smp, const std::vector<TypeHandles>& handles) {
    for (std::size_t i = 0; i < smp.maps.size() && i < handles.size(); ++i) {
      const auto& [key, value] = handles[i];
      if (key) smp.maps[i].key_type = btf_->type_of(*key);
      if (value) smp.maps[i].value_type = btf_->type_of(*value);
    }
  };
  if (!index_.series) {
    for (std::size_t s = 0; s < index_.samples.size(); ++s) resolve(index_.samples[s], handles_[s]);
    text = write_index(index_);
  } else {
    write_index_head(w, index_);
    SCXSNAP_TRY_VOID(spill_.for_each([&](Sample& smp, std::vector<TypeHandles>& handles) {
      resolve(smp, handles);
      write_sample_index(w, smp);
      return emit(false);
    }));
    for (std::size_t s = 0; s < index_.samples.size(); ++s) {
      resolve(index_.samples[s], handles_[s]);
      write_sample_index(w, index_.samples[s]);
      SCXSNAP_TRY_VOID(emit(false));
    }
    write_index_tail(w, index_);
  }
  SCXSNAP_TRY_VOID(emit(true));
  elf_.add_section(kIndexSection, SHT_PROGBITS, idx_at, elf_.offset() - idx_at, 1);
  idx_hash = XXH3_64bits_digest(h);
  return {};
}

Result<void> NativeWriter::finish(std::string_view report_json) {
  if (open_) end_map();
  if (error_) return *error_;
  if (!index_.series) {
    SCXSNAP_TRY(
        sample().report,
        write_frame({reinterpret_cast<const std::uint8_t*>(report_json.data()), report_json.size()},
                    0, 1));
  }
  const std::uint64_t data_size = elf_.offset() - data_start_;
  elf_.add_section(kDataSection, SHT_PROGBITS, data_start_, data_size, 1);

  SCXSNAP_TRY_VOID(btf_->finish());
  SCXSNAP_TRY_VOID(elf_.pad_to(8));
  const std::uint64_t btf_at = elf_.offset();
  SCXSNAP_TRY_VOID(elf_.write(as_text(btf_->raw())));
  elf_.add_section(kBtfSection, SHT_PROGBITS, btf_at, btf_->raw().size(), 8);

  SCXSNAP_TRY_VOID(elf_.pad_to(8));
  std::uint64_t idx_hash = 0;
  SCXSNAP_TRY_VOID(write_index_section(idx_hash));

  SCXSNAP_TRY_VOID(elf_.pad_to(8));
  const std::string sums = section_sums(btf_->raw(), idx_hash);
  const std::uint64_t sums_at = elf_.offset();
  SCXSNAP_TRY_VOID(elf_.write(sums));
  elf_.add_section(kSumsSection, SHT_PROGBITS, sums_at, sums.size(), 8);
  return elf_.finish();
}

}  // namespace scxsnap::native

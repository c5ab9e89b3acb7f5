// SPDX-License-Identifier: Apache-2.0
#include "native_writer.hpp"

#include <algorithm>
#include <cstring>
#include <elf.h>

namespace scxsnap::native {
namespace {

std::string_view as_text(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  std::uint8_t b[4];
  std::memcpy(b, &v, 4);
  out.insert(out.end(), b, b + 4);
}

}  // namespace

NativeWriter::NativeWriter(ElfWriter elf, WriterOptions o)
    : elf_(std::move(elf)), opt_(o), zstd_(o.level), btf_(std::make_unique<BtfMerge>()) {
  data_start_ = elf_.offset();
  unsigned n =
      opt_.threads ? opt_.threads : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  for (unsigned i = 0; i < n; ++i) workers_.emplace_back([this] { work(); });
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
    if (auto r = zstd.compress(job->raw, job->out); !r) job->error = r.error();
    lk.lock();
    job->done = true;
    cv_.notify_all();
  }
}

void NativeWriter::submit(std::unique_ptr<Job> job) {
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
    if (auto r = elf_.write(job->out); !r) {
      error_ = r.error();
      continue;
    }
    cur_.frames.push_back(f);
  }
}

Result<Frame> NativeWriter::write_frame(Bytes raw, std::uint64_t raw_offset,
                                        std::uint64_t records) {
  compressed_.clear();
  SCXSNAP_TRY_VOID(zstd_.compress(raw, compressed_));
  Frame f{elf_.offset() - data_start_, compressed_.size(), raw_offset, raw.size(), records};
  SCXSNAP_TRY_VOID(elf_.write(compressed_));
  return f;
}

void NativeWriter::begin_map(Shape shape, std::uint32_t key_size, std::uint32_t record_size) {
  if (open_) end_map();
  open_ = true;
  cur_ = MapIndex{};
  cur_.shape = shape;
  cur_.key_size = key_size;
  cur_.record_size = record_size;
  key_handle_.reset();
  value_handle_.reset();
  pending_.clear();
  pending_records_ = 0;
}

void NativeWriter::flush_frame() {
  if (pending_.empty() || error_) return;
  auto job = std::make_unique<Job>();
  job->owned = std::move(pending_);
  job->raw = job->owned;
  job->raw_offset = cur_.raw_size;
  job->records = pending_records_;
  cur_.raw_size += job->raw.size();
  submit(std::move(job));
  pending_ = std::vector<std::uint8_t>();
  pending_.reserve(opt_.frame_bytes + opt_.frame_bytes / 8);
  pending_records_ = 0;
}

void NativeWriter::append(Bytes b) {
  pending_.insert(pending_.end(), b.begin(), b.end());
}

void NativeWriter::entry(Bytes key, Bytes value) {
  append(key);
  append(value);
  ++pending_records_;
  ++cur_.records;
  if (pending_.size() >= opt_.frame_bytes) flush_frame();
}

void NativeWriter::owner_entry(std::string_view key_json, Bytes key_bytes, Bytes value) {
  put_u32(pending_, static_cast<std::uint32_t>(key_json.size()));
  append({reinterpret_cast<const std::uint8_t*>(key_json.data()), key_json.size()});
  put_u32(pending_, static_cast<std::uint32_t>(key_bytes.size()));
  append(key_bytes);
  append(value);
  ++pending_records_;
  ++cur_.records;
  if (pending_.size() >= opt_.frame_bytes) flush_frame();
}

void NativeWriter::value(Bytes bytes) {
  // Cut straight from the caller's buffer: a 158 MiB value is never copied.
  cur_.records = 1;
  for (std::size_t at = 0; at < bytes.size() && !error_; at += opt_.value_frame_bytes) {
    auto job = std::make_unique<Job>();
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

void NativeWriter::end_map() {
  if (!open_) cur_ = MapIndex{};
  flush_frame();
  drain(0);
  index_.maps.push_back(std::move(cur_));
  handles_.emplace_back(key_handle_, value_handle_);
  cur_ = MapIndex{};
  key_handle_.reset();
  value_handle_.reset();
  open_ = false;
}

Result<void> NativeWriter::finish(std::string_view report_json) {
  if (open_) end_map();
  if (error_) return *error_;
  SCXSNAP_TRY(index_.report, write_frame({reinterpret_cast<const std::uint8_t*>(report_json.data()),
                                          report_json.size()},
                                         0, 1));
  const std::uint64_t data_size = elf_.offset() - data_start_;
  elf_.add_section(kDataSection, SHT_PROGBITS, data_start_, data_size, 1);

  SCXSNAP_TRY_VOID(btf_->finish());
  for (std::size_t i = 0; i < index_.maps.size(); ++i) {
    if (handles_[i].first) index_.maps[i].key_type = btf_->type_of(*handles_[i].first);
    if (handles_[i].second) index_.maps[i].value_type = btf_->type_of(*handles_[i].second);
  }
  SCXSNAP_TRY_VOID(elf_.pad_to(8));
  const std::uint64_t btf_at = elf_.offset();
  SCXSNAP_TRY_VOID(elf_.write(as_text(btf_->raw())));
  elf_.add_section(kBtfSection, SHT_PROGBITS, btf_at, btf_->raw().size(), 8);

  SCXSNAP_TRY_VOID(elf_.pad_to(8));
  const std::string idx = write_index(index_);
  const std::uint64_t idx_at = elf_.offset();
  SCXSNAP_TRY_VOID(elf_.write(idx));
  elf_.add_section(kIndexSection, SHT_PROGBITS, idx_at, idx.size(), 1);
  return elf_.finish();
}

}  // namespace scxsnap::native

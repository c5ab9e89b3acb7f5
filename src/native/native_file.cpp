// SPDX-License-Identifier: Apache-2.0
#include "native_file.hpp"

#include "report/report_reader.hpp"
#include "section_sums.hpp"
#include "zstd_frames.hpp"

#include <bpf/btf.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <map>

namespace scxsnap::native {

// What every view of one file shares: the mapping, the index, and the
// caches filled on first use.
struct NativeFile::Core {
  ElfReader elf;
  Index index;
  Bytes data, btf_bytes;
  struct btf* btf = nullptr;
  bool btf_tried = false;
  std::string btf_error;
  std::unique_ptr<BtfRenderer> renderer;
  std::uint32_t renderer_max = 0;
  // The last materialized contents of each series map (by map id): samples
  // read in order apply one sample's changes each.
  struct Cached {
    std::size_t sample, index;
    std::vector<std::uint8_t> bytes;
  };
  std::map<std::uint32_t, Cached> contents;
  Core(ElfReader e, Index x, Bytes d, Bytes b)
      : elf(std::move(e)), index(std::move(x)), data(d), btf_bytes(b) {}
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;
  ~Core() { btf__free(btf); }
};

NativeFile::NativeFile(std::shared_ptr<Core> core, std::size_t sample)
    : core_(std::move(core)), sample_(sample) {}
NativeFile::NativeFile(NativeFile&&) noexcept = default;
NativeFile::NativeFile(const NativeFile&) = default;
NativeFile::~NativeFile() = default;

const Index& NativeFile::index() const {
  return core_->index;
}
NativeFile NativeFile::at(std::size_t sample) const {
  return NativeFile(core_, sample);
}
const std::vector<MapIndex>& NativeFile::maps() const {
  return core_->index.samples[sample_].maps;
}
const std::filesystem::path& NativeFile::path() const {
  return core_->elf.path();
}

Result<NativeFile> NativeFile::open(const std::filesystem::path& path) {
  SCXSNAP_TRY(ElfReader elf, ElfReader::open(path));
  auto idx = elf.section(kIndexSection);
  if (!idx)
    return Error(ErrorCode::BadInput,
                 fmt::format("{}: an ELF file, but not a scxsnap native snapshot (it has no {} "
                             "section)",
                             path.string(), kIndexSection));
  auto data = elf.section(kDataSection);
  auto btf = elf.section(kBtfSection);
  if (!data || !btf)
    return Error(ErrorCode::BadInput, fmt::format("{}: the {} section is missing", path.string(),
                                                  !data ? kDataSection : kBtfSection));
  // Checked before either is read (version 2 on; the index says which).
  const auto sums = elf.section(kSumsSection);
  if (sums) SCXSNAP_TRY_VOID(verify_section_sums(elf, *sums, *btf, *idx));
  std::string where =
      fmt::format("{}: section {} at offset {}", path.string(), kIndexSection, elf.offset_of(*idx));
  SCXSNAP_TRY(Index index,
              read_index({reinterpret_cast<const char*>(idx->data()), idx->size()}, where));
  if (!sums && index.version >= 2)
    return Error(ErrorCode::BadInput,
                 fmt::format("{}: the {} section is missing (format version {} checksums its BTF "
                             "and index): the file is corrupt",
                             path.string(), kSumsSection, index.version));
  // Every frame inside the data section, and records that fit their frames.
  auto check = [&](const Frame& f, const std::string& what) -> Result<void> {
    if (f.offset > data->size() || f.size > data->size() - f.offset)
      return Error(ErrorCode::BadInput,
                   fmt::format("{}: {} at data offset {} ({} bytes) runs past the end of section "
                               "{} ({} bytes): the file is truncated or corrupt",
                               path.string(), what, f.offset, f.size, kDataSection, data->size()));
    return check_frame(data->subspan(f.offset, f.size), f.raw_size,
                       fmt::format("{}: {} at data offset {}", path.string(), what, f.offset));
  };
  if (index.samples.empty())
    return Error(ErrorCode::BadInput, fmt::format("{}: the index lists no sample", path.string()));
  for (std::size_t si = 0; si < index.samples.size(); ++si) {
    const Sample& smp = index.samples[si];
    const std::string in = index.series ? fmt::format("sample {} ", si) : std::string();
    SCXSNAP_TRY_VOID(check(smp.report, in + "the report frame"));
    for (std::size_t i = 0; i < smp.maps.size(); ++i) {
      const MapIndex& m = smp.maps[i];
      const bool fixed =
          m.shape != Shape::Value && m.shape != Shape::None && m.shape != Shape::OwnerEntries;
      auto bad = [&](const std::string& what) {
        return Error(ErrorCode::BadInput,
                     fmt::format("{}: {}map {}: {}", path.string(), in, i, what));
      };
      if (fixed && (m.record_size == 0 || m.key_size > m.record_size))
        return bad(
            fmt::format("key size {} does not fit its record size {}", m.key_size, m.record_size));
      std::uint64_t raw = 0, records = 0;
      for (std::size_t k = 0; k < m.frames.size(); ++k) {
        const Frame& f = m.frames[k];
        SCXSNAP_TRY_VOID(check(f, fmt::format("{}map {} frame {}", in, i, k)));
        raw += f.raw_size;
        records += f.records;
      }
      if (m.delta_of) {
        // Changes since a map of an earlier sample with the same layout.
        const auto [bs, bi] = *m.delta_of;
        if (!fixed || bs >= si || bi >= index.samples[bs].maps.size())
          return bad(fmt::format("delta_of [{}, {}] names no earlier map", bs, bi));
        const MapIndex& b = index.samples[bs].maps[bi];
        if (b.shape != m.shape || b.record_size != m.record_size ||
            m.raw_size != m.records * m.record_size ||
            raw != m.records * 4 + records * (std::uint64_t{m.record_size} + 4))
          return bad("its changes do not fit the map they change");
        continue;
      }
      std::uint64_t at = 0;
      for (std::size_t k = 0; k < m.frames.size(); ++k) {
        const Frame& f = m.frames[k];
        if (f.raw_offset != at || (fixed && f.raw_size != f.records * m.record_size))
          return bad(
              fmt::format("frame {}: its raw offset {} / size {} / {} records do not "
                          "follow from the frames before it (record size {})",
                          k, f.raw_offset, f.raw_size, f.records, m.record_size));
        at += f.raw_size;
      }
      const bool value = m.shape == Shape::Value;
      if ((value && (m.records > 1 || (m.records == 0) != m.frames.empty())) ||
          (!value && records != m.records) || (m.shape == Shape::None && !m.frames.empty()))
        return bad(fmt::format("{} records in {} frames, the index says {} ({})", records,
                               m.frames.size(), m.records, shape_name(m.shape)));
      if (raw != m.raw_size)
        return bad(fmt::format("its frames hold {} bytes, the index says {}", raw, m.raw_size));
    }
  }
  return NativeFile(std::make_shared<Core>(std::move(elf), std::move(index), *data, *btf), 0);
}

std::string NativeFile::where(std::size_t i) const {
  return fmt::format("{}: map {}", path().string(), i);
}

Result<FailureDumpReport> NativeFile::read_skeleton() const {
  const Frame& f = core_->index.samples[sample_].report;
  simdjson::padded_string text(f.raw_size);
  SCXSNAP_TRY_VOID(decompress_frame(
      core_->data.subspan(f.offset, f.size), f.raw_size,
      reinterpret_cast<std::uint8_t*>(text.data()),
      fmt::format("{}: the report frame at data offset {}", path().string(), f.offset)));
  auto r = detail::parse_report_padded(text);
  if (!r)
    return Error(r.error().code(),
                 fmt::format("{}: the report: {}", path().string(), r.error().message()));
  if (r->maps.size() != maps().size())
    return Error(ErrorCode::BadInput, fmt::format("{}: the report lists {} maps, the index {}",
                                                  path().string(), r->maps.size(), maps().size()));
  return r;
}

Result<void> NativeFile::for_each_frame(
    std::size_t i, const std::function<Result<void>(Bytes, const Frame&)>& fn) const {
  const MapIndex& m = maps().at(i);
  if (m.delta_of) {  // a series map stored as changes: rebuilt whole
    SCXSNAP_TRY(std::vector<std::uint8_t> all, materialize(sample_, i));
    return fn(all, Frame{0, 0, 0, m.raw_size, m.records});
  }
  std::vector<std::uint8_t> raw;
  for (std::size_t k = 0; k < m.frames.size(); ++k) {
    const Frame& f = m.frames[k];
    raw.resize(f.raw_size);
    SCXSNAP_TRY_VOID(
        decompress_frame(core_->data.subspan(f.offset, f.size), f.raw_size, raw.data(),
                         fmt::format("{} frame {} at data offset {}", where(i), k, f.offset)));
    SCXSNAP_TRY_VOID(fn(raw, f));
  }
  return {};
}

Result<std::vector<std::uint8_t>> NativeFile::value_range(std::size_t i, std::uint64_t offset,
                                                          std::uint64_t len) const {
  const MapIndex& m = maps().at(i);
  if (m.delta_of) {
    SCXSNAP_TRY(std::vector<std::uint8_t> all, materialize(sample_, i));
    if (offset > all.size() || len > all.size() - offset)
      return Error(ErrorCode::BadInput,
                   fmt::format("{}: bytes {}+{} are past its value", where(i), offset, len));
    return std::vector<std::uint8_t>(all.begin() + static_cast<std::ptrdiff_t>(offset),
                                     all.begin() + static_cast<std::ptrdiff_t>(offset + len));
  }
  if (offset > m.raw_size || len > m.raw_size - offset)
    return Error(ErrorCode::BadInput, fmt::format("{}: bytes {}+{} are past its value ({} bytes)",
                                                  where(i), offset, len, m.raw_size));
  std::vector<std::uint8_t> out(len);
  std::vector<std::uint8_t> raw;
  for (std::size_t k = 0; k < m.frames.size(); ++k) {
    const Frame& f = m.frames[k];
    if (f.raw_offset + f.raw_size <= offset || f.raw_offset >= offset + len) continue;
    raw.resize(f.raw_size);
    SCXSNAP_TRY_VOID(
        decompress_frame(core_->data.subspan(f.offset, f.size), f.raw_size, raw.data(),
                         fmt::format("{} frame {} at data offset {}", where(i), k, f.offset)));
    std::uint64_t from = std::max(offset, f.raw_offset);
    std::uint64_t to = std::min(offset + len, f.raw_offset + f.raw_size);
    std::copy(raw.begin() + static_cast<std::ptrdiff_t>(from - f.raw_offset),
              raw.begin() + static_cast<std::ptrdiff_t>(to - f.raw_offset),
              out.begin() + static_cast<std::ptrdiff_t>(from - offset));
  }
  return out;
}

namespace {

// BTF names are C identifiers and type names (the kernel takes nothing else):
// a byte past ASCII in the string section is corruption, and would reach the
// JSON as invalid UTF-8.
std::string check_btf_strings(std::span<const std::uint8_t> raw) {
  btf_header h{};
  if (raw.size() < sizeof h) return "shorter than a BTF header";
  std::memcpy(&h, raw.data(), sizeof h);
  const std::uint64_t from = std::uint64_t{h.hdr_len} + h.str_off;
  if (from > raw.size() || h.str_len > raw.size() - from) return "strings past the section";
  for (std::uint64_t i = from; i < from + h.str_len; ++i)
    if (raw[i] >= 0x80) return fmt::format("a non-ASCII byte in its strings at offset {}", i);
  return {};
}

}  // namespace

Result<std::vector<std::uint8_t>> NativeFile::frames_of(std::size_t sample, std::size_t i) const {
  const MapIndex& m = core_->index.samples[sample].maps[i];
  std::uint64_t total = 0;
  for (const Frame& f : m.frames) total += f.raw_size;
  std::vector<std::uint8_t> out(total);
  std::uint64_t at = 0;
  for (std::size_t k = 0; k < m.frames.size(); ++k) {
    const Frame& f = m.frames[k];
    SCXSNAP_TRY_VOID(decompress_frame(core_->data.subspan(f.offset, f.size), f.raw_size,
                                      out.data() + at,
                                      fmt::format("{}: sample {} map {} frame {} at data offset {}",
                                                  path().string(), sample, i, k, f.offset)));
    at += f.raw_size;
  }
  return out;
}

Result<std::vector<std::uint8_t>> NativeFile::materialize(std::size_t sample, std::size_t i) const {
  const MapIndex& m = core_->index.samples[sample].maps[i];
  auto& cache = core_->contents;
  if (auto it = cache.find(m.map_id);
      m.map_id && it != cache.end() && it->second.sample == sample && it->second.index == i)
    return it->second.bytes;
  std::vector<std::uint8_t> bytes;
  if (!m.delta_of) {
    SCXSNAP_TRY(bytes, frames_of(sample, i));
  } else {
    // Where each record comes from in the base (or nowhere: zeros), then
    // patches XORed over the records that changed.
    SCXSNAP_TRY(std::vector<std::uint8_t> base, materialize(m.delta_of->first, m.delta_of->second));
    SCXSNAP_TRY(std::vector<std::uint8_t> delta, frames_of(sample, i));
    const std::size_t rs = m.record_size;
    const std::size_t base_n = base.size() / rs;
    auto bad = [&](const std::string& what) {
      return Error(ErrorCode::BadInput,
                   fmt::format("{}: sample {} map {}: {}", path().string(), sample, i, what));
    };
    if (delta.size() < m.records * 4) return bad("its record sources are cut short");
    bytes.assign(m.records * rs, 0);
    std::int64_t expected = 0;
    for (std::size_t r = 0; r < m.records; ++r) {
      std::uint32_t code = 0;
      std::memcpy(&code, delta.data() + r * 4, 4);
      if (code == 0) continue;           // a new record: its patch is all of it
      const std::uint32_t z = code - 1;  // zigzag of the step from `expected`
      const std::int64_t src =
          expected + ((z & 1) ? -(std::int64_t{z} + 1) / 2 : std::int64_t{z} / 2);
      if (src < 0 || static_cast<std::uint64_t>(src) >= base_n)
        return bad(fmt::format("record {} comes from record {} of {}", r, src, base_n));
      expected = src + 1;
      std::memcpy(bytes.data() + r * rs, base.data() + static_cast<std::size_t>(src) * rs, rs);
    }
    for (std::size_t at = m.records * 4; at + 4 + rs <= delta.size(); at += 4 + rs) {
      std::uint32_t n = 0;
      std::memcpy(&n, delta.data() + at, 4);
      if (std::uint64_t{n} >= m.records)
        return bad(fmt::format("a change to record {} of {}", n, m.records));
      std::uint8_t* rec = bytes.data() + std::size_t{n} * rs;
      const std::uint8_t* x = delta.data() + at + 4;
      for (std::size_t b2 = 0; b2 < rs; ++b2) rec[b2] ^= x[b2];
    }
  }
  if (m.map_id) cache[m.map_id] = Core::Cached{sample, i, bytes};
  return bytes;
}

const struct btf* NativeFile::btf() const {
  if (!core_->btf_tried) {
    core_->btf_tried = true;
    core_->btf =
        btf__new(core_->btf_bytes.data(), static_cast<std::uint32_t>(core_->btf_bytes.size()));
    if (!core_->btf) {
      core_->btf_error = std::strerror(errno);
    } else if (std::string bad = check_btf_strings(core_->btf_bytes); !bad.empty()) {
      core_->btf_error = bad;
      btf__free(core_->btf);
      core_->btf = nullptr;
    }
  }
  return core_->btf;
}

Result<BtfRenderer*> NativeFile::renderer(std::uint32_t max_array_elements) const {
  if (!btf())
    return Error(
        ErrorCode::BadInput,
        fmt::format("{}: section {} at offset {} is not valid BTF ({})", path().string(),
                    kBtfSection, core_->elf.offset_of(core_->btf_bytes), core_->btf_error));
  if (!core_->renderer || core_->renderer_max != max_array_elements) {
    core_->renderer = std::make_unique<BtfRenderer>(core_->btf, max_array_elements);
    core_->renderer_max = max_array_elements;
  }
  return core_->renderer.get();
}

}  // namespace scxsnap::native

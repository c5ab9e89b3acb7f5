// SPDX-License-Identifier: Apache-2.0
// The index of a native snapshot (its `.scxsnap.index` section, JSON text):
// the format version, how the capture rendered, where the report skeleton
// and each map's frames are in `.scxsnap.data`, and the BTF ids of each map's
// key and value types in the file's `.BTF`. docs/FORMAT.md describes it.
#pragma once

#include "report/json/json_writer.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scxsnap::native {

inline constexpr std::string_view kFormatName = "scxsnap-native";
/// Written by this scxsnap (2: `.scxsnap.sums` checksums the BTF and the
/// index); read: kOldestFormatVersion up to it.
inline constexpr std::uint32_t kFormatVersion = 2;
inline constexpr std::uint32_t kOldestFormatVersion = 1;
inline constexpr const char* kIndexSection = ".scxsnap.index";
inline constexpr const char* kDataSection = ".scxsnap.data";
inline constexpr const char* kBtfSection = ".BTF";

/// How a map's raw records are laid out and which ktstr shape they render to.
enum class Shape : std::uint8_t {
  None,               ///< no raw contents (what the map has is in the skeleton)
  Value,              ///< one value (`value`), split into frames at any byte
  Entries,            ///< key ++ value records (`entries`)
  ArrayEntries,       ///< u32 index ++ value (`array_entries`)
  PercpuEntries,      ///< u32 index ++ every CPU's slot (`percpu_entries`)
  PercpuHashEntries,  ///< key ++ every CPU's slot (`percpu_hash_entries`)
  OwnerEntries,       ///< u32 n ++ key JSON ++ u32 n ++ key bytes ++ value (`entries`)
  ArenaPages,         ///< u64 user address ++ the page's bytes (`arena.pages`)
};
std::string_view shape_name(Shape s);
std::optional<Shape> shape_from_name(std::string_view s);

/// One zstd frame in `.scxsnap.data`: [offset, offset + size) of the section
/// holds raw bytes [raw_offset, raw_offset + raw_size) of the piece.
struct Frame {
  std::uint64_t offset = 0, size = 0, raw_offset = 0, raw_size = 0, records = 0;
};

/// What the kernel said of a map beyond the report's fields (bpf_map_info).
struct KernelMapInfo {
  std::uint32_t map_flags = 0, key_size = 0;
  std::uint32_t btf_key_type_id = 0, btf_value_type_id = 0, btf_vmlinux_value_type_id = 0;
  std::uint64_t map_extra = 0;
  friend bool operator==(const KernelMapInfo&, const KernelMapInfo&) = default;
};

struct MapIndex {
  Shape shape = Shape::None;
  std::optional<KernelMapInfo> kernel;
  std::uint32_t map_id = 0;  // series: matches a map across samples
  std::uint32_t key_size = 0;
  std::uint32_t record_size = 0;  // 0 = records carry their lengths
  std::uint32_t key_type = 0;     // in the file's BTF; 0 = none
  std::uint32_t value_type = 0;
  std::uint64_t records = 0;
  std::uint64_t raw_size = 0;
  /// Series: stored as changes since map `second` of sample `first`: the
  /// frames hold, for each record, where it comes from there (u32: 0 = a new
  /// record, else 1 + the zigzag of its record number minus the number after
  /// the last record's source), then for each record that differs from its
  /// source, u32 record number ++ the record XOR its source (frame `records`:
  /// how many of those).
  std::optional<std::pair<std::uint32_t, std::uint32_t>> delta_of;
  std::vector<Frame> frames;
};

/// One capture: the report skeleton and its maps (a single snapshot has one;
/// a series one per sample, with its tag and time).
struct Sample {
  std::string tag;
  std::optional<std::uint64_t> elapsed_ms;
  Frame report;
  std::vector<MapIndex> maps;
};

struct Index {
  std::uint32_t version = kFormatVersion;
  std::string tool_version;
  std::uint32_t ncpus = 1;
  std::uint64_t max_value_bytes = 0;  // the capture's render options
  std::uint32_t max_array_elements = 4096;
  bool series = false;
  std::vector<Sample> samples;  // a single snapshot: one
};

std::string write_index(const Index& index);
/// A series' index in pieces, for a writer that streams it: the head (up to
/// and with `"samples":[`), each sample, the tail (with the final newline).
void write_index_head(detail::JsonWriter& w, const Index& x);
void write_sample_index(detail::JsonWriter& w, const Sample& smp);
void write_index_tail(detail::JsonWriter& w, const Index& x);
/// `where` names the file and section in errors.
Result<Index> read_index(std::string_view json, const std::string& where);

}  // namespace scxsnap::native

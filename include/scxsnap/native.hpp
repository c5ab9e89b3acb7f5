// SPDX-License-Identifier: Apache-2.0
// Native snapshots (docs/FORMAT.md): raw keys and values, the BTF to render
// them and the report's other fields, in an ELF container with zstd frames
// and an index. Written by capture_native (scxsnap/capture.hpp); read here,
// lazily: a map's frames are decompressed and rendered only when that map is
// asked for, and a global variable renders alone.
#pragma once

#include "scxsnap/dump_file.hpp"
#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scxsnap {

/// Whether `path` holds a native snapshot, by its first bytes (an ELF
/// header), never by its name. False for anything unreadable.
SCXSNAP_API bool is_native_snapshot(const std::filesystem::path& path);

/// What NativeSnapshot::load renders; every map is listed either way.
struct SCXSNAP_API NativeSelection {
  /// Render only maps with these names (exact, or their 15-character cut)
  /// or ids; both empty = every map.
  std::vector<std::string> maps;
  std::vector<std::uint32_t> map_ids;
  /// Set: global sections (values typed by a DATASEC) render only these
  /// variables, reading only the bytes that hold them; the others are listed
  /// with an `unsupported` value saying they were not rendered.
  std::optional<std::vector<std::string>> vars;
  /// False: no contents at all (the skeleton: names, types, sizes, errors).
  bool contents = true;
};

class SCXSNAP_API NativeSnapshot {
 public:
  /// Errors: NotFound (no file), BadInput naming the section and offset of
  /// what is corrupt or truncated, Unsupported for another format version.
  static Result<NativeSnapshot> open(const std::filesystem::path& path);
  NativeSnapshot(NativeSnapshot&&) noexcept;
  NativeSnapshot& operator=(NativeSnapshot&&) noexcept;
  ~NativeSnapshot();

  /// The report with every map listed but no map's contents rendered.
  const FailureDumpReport& skeleton() const;
  /// The report, rendering what `sel` asks for (default: everything, the
  /// same model load_report gives for the JSON a direct capture writes).
  Result<FailureDumpReport> load(const NativeSelection& sel = {}) const;
  /// One map (an index into skeleton().maps), rendered whole.
  Result<FailureDumpMap> load_map(std::size_t i) const;
  /// The ktstr JSON a direct capture would have written, streamed to `sink`
  /// (no final newline); memory: one map's raw frames and a few MB of text.
  Result<void> write_json(const JsonSink& sink, JsonStyle style = JsonStyle::Compact) const;
  /// A series (`watch --format native`) holds several samples; a single
  /// snapshot one. skeleton(), load(), load_map() and write_json() look at
  /// sample 0.
  bool is_series() const;
  std::size_t sample_count() const;
  const std::string& sample_tag(std::size_t k) const;
  std::optional<std::uint64_t> sample_elapsed_ms(std::size_t k) const;
  /// Sample k's report, rendered as `sel` asks (samples read in order cost
  /// one sample's changes each).
  Result<FailureDumpReport> load_sample(std::size_t k, const NativeSelection& sel = {}) const;

  /// A series as `scxsnap watch`'s JSON Lines: one line per sample.
  Result<void> write_jsonl(const JsonSink& sink) const;

  std::uint32_t format_version() const;
  /// The scxsnap version that wrote it.
  const std::string& writer_version() const;
  /// Bytes of raw keys and values stored, and the file's size.
  std::uint64_t raw_bytes() const;
  std::uint64_t file_bytes() const;

 private:
  struct Impl;
  explicit NativeSnapshot(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// convert of a native snapshot: its JSON into `out` (a series: JSON Lines,
/// as `watch` writes them), atomically: nothing is left there on error.
SCXSNAP_API Result<void> convert_native(const std::filesystem::path& in,
                                        const std::filesystem::path& out,
                                        JsonStyle style = JsonStyle::Compact);

/// Any dump: a native snapshot (decided by content; rendered as `sel` asks)
/// or ktstr JSON (load_dump_file). A native series is an error that says so.
SCXSNAP_API Result<FailureDumpFile> load_any_dump(const std::filesystem::path& path,
                                                  const NativeSelection& sel = {});

}  // namespace scxsnap

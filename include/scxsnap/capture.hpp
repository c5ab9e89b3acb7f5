// SPDX-License-Identifier: Apache-2.0
// Live capture: the running kernel's BPF maps and scheduler context into a
// FailureDumpReport, through bpf(2) (libbpf), /proc and /sys. Maps are opened
// read-only; nothing is written to the kernel (stats are switched on through a
// BPF_ENABLE_STATS fd only when asked, and off again when it closes).
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/result.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scxsnap {

/// The default render budget of one value (--max-value-bytes): a 158 MiB
/// `.bss` renders in well under a second to at most this much JSON.
inline constexpr std::uint64_t kDefaultMaxValueBytes = std::uint64_t{16} << 20;
/// The default byte budget of one batch-lookup buffer: small enough that
/// what the kernel writes is still in cache when it is copied on (a 256 KiB
/// buffer captures a 200,000-entry hash in less time than 1 MiB or 8 MiB).
inline constexpr std::size_t kDefaultLookupBufferBytes = std::size_t{256} << 10;

struct SCXSNAP_API CaptureOptions {
  std::vector<std::string> map_names;  ///< --map NAME (exact, or its 15-character cut)
  /// --obj NAME: every map of the object: its global sections (full object
  /// name or libbpf's cut prefix, see is_object_section_name), the maps
  /// sharing their BTF, and the maps the object's programs use.
  std::vector<std::string> obj_prefixes;
  std::vector<std::uint32_t> map_ids;     ///< --map-id ID
  std::uint32_t max_entries = 0;          ///< per-map entry cap; 0 = none
  std::uint64_t deadline_ms = 0;          ///< soft deadline; 0 = none
  bool enable_stats = false;              ///< hold a BPF_ENABLE_STATS fd while capturing
  bool all_progs = false;                 ///< prog_runtime_stats for every program
  std::vector<std::int32_t> pids;         ///< task_enrichments for these tasks
  std::optional<std::string> cgroup;      ///< cgroup_psi for this cgroup path
  std::optional<std::string> active_obj;  ///< override the active object's name
  /// Render budget of one value in bytes of JSON (see RenderLimits); a value
  /// past it is written as ktstr's `truncated` variant and its map's `error`
  /// says so. A per-CPU value's slots share it. 0 = no budget.
  std::uint64_t max_value_bytes = kDefaultMaxValueBytes;
  /// Elements shown of one array (ktstr: 4096); `len` keeps the declared length.
  std::uint32_t max_array_elements = 4096;
  /// Byte budget of one batch-lookup buffer (keys + values; at least one entry).
  std::size_t lookup_buffer_bytes = kDefaultLookupBufferBytes;
  /// When set (e.g. by a SIGINT handler), the capture stops within a few
  /// dozen elements of rendering, completes the report as truncated
  /// (`capture.stopped_by` = "signal") and returns it.
  const std::atomic<bool>* cancel = nullptr;
  /// Called with a one-line status now and then (for a progress display).
  std::function<void(const std::string&)> progress;
  /// --record-kernel: every answer the kernel gives this capture is written
  /// to this tape (docs/TAPE.md), committed when the capture succeeds.
  std::optional<std::filesystem::path> record_kernel;
  /// --replay-kernel: the kernel's answers come from this tape instead (no
  /// root, no BPF needed); exclusive with record_kernel.
  std::optional<std::filesystem::path> replay_kernel;
};

/// What a streamed capture did.
struct SCXSNAP_API CaptureSummary {
  std::size_t maps = 0;       ///< maps written
  std::uint64_t entries = 0;  ///< entries and values read
  std::uint64_t bytes = 0;    ///< JSON bytes written
  std::uint64_t duration_us = 0;
  std::uint32_t maps_truncated = 0;       ///< maps skipped after a stop
  std::uint64_t values_truncated = 0;     ///< values cut to the render budget
  std::size_t maps_with_errors = 0;       ///< maps whose `error` is set
  std::optional<std::string> stopped_by;  ///< "deadline" or "signal"
};

/// Capture into a report model.
/// Errors: PermissionDenied when the bpf syscall is refused (needs CAP_BPF +
/// CAP_SYS_ADMIN, or root); a map that fails is recorded in its `error`.
/// Memory: the model holds every rendered value (about 0.9x its compact JSON:
/// at most max_value_bytes per value, so bounded by the budget times the
/// number of values), plus the lookup buffers and the largest raw value.
/// For a whole host, prefer capture_json / capture_to_file, which stream.
SCXSNAP_API Result<FailureDumpReport> capture(const CaptureOptions& options);

/// Capture straight into JSON text, streamed into `sink`: no map's contents
/// are ever built as a tree, and memory stays bounded by the lookup buffers
/// and the largest raw value, whatever the size of the output. Same content
/// as to_json(capture(...)). No final newline.
SCXSNAP_API Result<CaptureSummary> capture_json(const CaptureOptions& options, const JsonSink& sink,
                                                JsonStyle style = JsonStyle::Compact);

/// capture_json into a file (with a final newline) through OutputFile: the
/// path is checked before the capture starts, and a failed capture leaves
/// nothing behind. "-" = stdout.
SCXSNAP_API Result<CaptureSummary> capture_to_file(const CaptureOptions& options,
                                                   const std::filesystem::path& path,
                                                   JsonStyle style = JsonStyle::Compact);

/// The whole JSON text as one string (convenient for small captures; the
/// memory it takes is the size of the text).
SCXSNAP_API Result<std::string> capture_json(const CaptureOptions& options,
                                             JsonStyle style = JsonStyle::Compact);

/// Capture into a native snapshot (docs/FORMAT.md): every selected map's raw
/// keys and values, the BTF that renders them, the report's other fields;
/// nothing is rendered, so it runs at the speed of the kernel's reads. The
/// file is an ELF container (`bpftool btf dump file PATH` lists its types),
/// written as a stream and put in place atomically; a regular file only.
/// Read it with NativeSnapshot or any reading command; convert_native (or
/// `scxsnap convert`) writes the JSON a direct capture would have written.
/// `bytes` in the summary is the file's size.
SCXSNAP_API Result<CaptureSummary> capture_native(const CaptureOptions& options,
                                                  const std::filesystem::path& path);

/// Captures that share what does not change between them: vmlinux and
/// program BTF with their layout plans, each map's and program's fixed
/// description, the CPU count (watch, serve, a program sampling a scheduler
/// at 100 Hz). Each capture still lists the kernel's maps and programs and
/// reads every selected map; what is gone is dropped from the session at the
/// end of the capture that no longer sees it, so memory stays that of one
/// capture's objects. options() may be changed between captures (filters,
/// limits, `cancel`), except `max_array_elements` and the kernel
/// (`replay_kernel`), fixed when the session opens. Not for use by several
/// threads at once; one session per thread.
class SCXSNAP_API CaptureSession {
 public:
  /// The live kernel, or the tape of `options.replay_kernel` (no root).
  /// `record_kernel` is refused: record a single capture instead.
  static Result<CaptureSession> open(CaptureOptions options);
  CaptureSession(CaptureSession&&) noexcept;
  CaptureSession& operator=(CaptureSession&&) noexcept;
  ~CaptureSession();

  Result<FailureDumpReport> capture();
  Result<CaptureSummary> capture_json(const JsonSink& sink, JsonStyle style = JsonStyle::Compact);
  Result<std::string> capture_json(JsonStyle style = JsonStyle::Compact);

  CaptureOptions& options();
  const CaptureOptions& options() const;
  /// What the session holds between captures (for tests and --verbose).
  struct Held {
    std::size_t btf_objects = 0;  ///< program/module BTF, plus vmlinux once loaded
    std::size_t maps = 0;         ///< map descriptions
    std::size_t programs = 0;     ///< program descriptions
  };
  Held held() const;

 private:
  friend class NativeSeriesWriter;
  struct Impl;
  explicit CaptureSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A native series (`watch --format native`): samples captured one after the
/// other into one file. A map is stored again only as far as it changed: an
/// unchanged map or 1 MiB piece of a value shares the earlier frames, and a
/// map whose records mostly stayed the same stores only the changed records.
/// Memory: each map's raw contents of the last sample. The file is put in
/// place by commit(); destroyed uncommitted, it leaves nothing.
class SCXSNAP_API NativeSeriesWriter {
 public:
  static Result<NativeSeriesWriter> create(const std::filesystem::path& path);
  NativeSeriesWriter(NativeSeriesWriter&&) noexcept;
  NativeSeriesWriter& operator=(NativeSeriesWriter&&) noexcept;
  ~NativeSeriesWriter();
  /// Capture one sample. An error leaves the series as it was (the caller
  /// may record a placeholder with add_report).
  Result<CaptureSummary> capture(const CaptureOptions& options, std::string tag,
                                 std::uint64_t elapsed_ms);
  /// The same through a session: what stays the same is not read again.
  Result<CaptureSummary> capture(CaptureSession& session, std::string tag,
                                 std::uint64_t elapsed_ms);
  /// A sample that is a report without raw contents (a placeholder).
  Result<void> add_report(std::string tag, std::uint64_t elapsed_ms,
                          const FailureDumpReport& report);
  std::size_t samples() const;
  Result<void> commit();

 private:
  struct Impl;
  explicit NativeSeriesWriter(std::unique_ptr<Impl> impl);
  void settle(const Result<CaptureSummary>& s, std::size_t before);
  std::unique_ptr<Impl> impl_;
};

}  // namespace scxsnap

// SPDX-License-Identifier: Apache-2.0
// The public face of native snapshots: NativeSnapshot, convert_native,
// load_any_dump.
#include "elf_container.hpp"
#include "native_file.hpp"
#include "native_render.hpp"
#include "report/guard.hpp"
#include "report/json/json_reindent.hpp"
#include "report/report_reader.hpp"
#include "report/report_writer.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/objects.hpp"
#include "scxsnap/output_file.hpp"

#include <algorithm>
#include <fcntl.h>
#include <fmt/format.h>
#include <mutex>
#include <unistd.h>

namespace scxsnap {

// The file's caches (BTF, renderers, a series' last contents) fill as maps
// are read: every call that reads them holds `mu`, so a snapshot is safe to
// read from several threads (one at a time).
struct NativeSnapshot::Impl {
  native::NativeFile file;     // sample 0; file.at(k) looks at sample k
  FailureDumpReport skeleton;  // sample 0's
  std::mutex mu;
  Impl(native::NativeFile f, FailureDumpReport s) : file(std::move(f)), skeleton(std::move(s)) {}
};

NativeSnapshot::NativeSnapshot(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NativeSnapshot::NativeSnapshot(NativeSnapshot&&) noexcept = default;
NativeSnapshot& NativeSnapshot::operator=(NativeSnapshot&&) noexcept = default;
NativeSnapshot::~NativeSnapshot() = default;

bool is_native_snapshot(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;  // never open a FIFO
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char head[4] = {};
  ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  return n == sizeof head && native::ElfReader::looks_like_elf({head, sizeof head});
}

Result<NativeSnapshot> NativeSnapshot::open(const std::filesystem::path& path) {
  return detail::guarded("native snapshot", [&]() -> Result<NativeSnapshot> {
    SCXSNAP_TRY(native::NativeFile f, native::NativeFile::open(path));
    SCXSNAP_TRY(FailureDumpReport skel, f.read_skeleton());
    return NativeSnapshot(std::make_unique<Impl>(std::move(f), std::move(skel)));
  });
}

const FailureDumpReport& NativeSnapshot::skeleton() const {
  return impl_->skeleton;
}
std::uint32_t NativeSnapshot::format_version() const {
  return impl_->file.index().version;
}
const std::string& NativeSnapshot::writer_version() const {
  return impl_->file.index().tool_version;
}
std::uint64_t NativeSnapshot::raw_bytes() const {
  std::uint64_t n = 0;
  for (const auto& m : impl_->file.maps()) n += m.raw_size;
  return n;
}
std::uint64_t NativeSnapshot::file_bytes() const {
  std::error_code ec;
  auto n = std::filesystem::file_size(impl_->file.path(), ec);
  return ec ? 0 : n;
}

Result<FailureDumpMap> NativeSnapshot::load_map(std::size_t i) const {
  return detail::guarded("native snapshot", [&]() -> Result<FailureDumpMap> {
    if (i >= impl_->skeleton.maps.size())
      return Error(ErrorCode::NotFound,
                   fmt::format("{}: no map {} (it has {})", impl_->file.path().string(), i,
                               impl_->skeleton.maps.size()));
    std::lock_guard lock(impl_->mu);
    FailureDumpMap m = impl_->skeleton.maps[i];
    map_contents::CutLog cut;
    SCXSNAP_TRY(native::RenderSettings settings, native::settings_of(impl_->file, impl_->skeleton));
    SCXSNAP_TRY_VOID(native::render_map(impl_->file, i, m, settings, cut));
    return m;
  });
}

namespace {

Result<FailureDumpReport> render(const native::NativeFile& file, FailureDumpReport r,
                                 const NativeSelection& sel) {
  if (!sel.contents) return r;
  SCXSNAP_TRY(const native::RenderSettings settings, native::settings_of(file, r));
  map_contents::CutLog cut;
  // With vars and no map asked for, only the global sections' variables render.
  const bool all = sel.maps.empty() && sel.map_ids.empty() && !sel.vars;
  for (std::size_t i = 0; i < r.maps.size(); ++i) {
    FailureDumpMap& m = r.maps[i];
    bool want = all ||
                std::find(sel.map_ids.begin(), sel.map_ids.end(), m.map_id) != sel.map_ids.end() ||
                std::any_of(sel.maps.begin(), sel.maps.end(),
                            [&](const std::string& n) { return map_name_matches(n, m.name); });
    // A map asked for by name renders whole, a global section among them.
    if (want) {
      SCXSNAP_TRY_VOID(native::render_map(file, i, m, settings, cut));
    } else if (sel.vars) {
      SCXSNAP_TRY_VOID(native::render_vars(file, i, m, *sel.vars, settings, cut));
    }
  }
  if (r.capture && cut.values) r.capture->values_truncated = cut.values;
  return r;
}

}  // namespace

Result<FailureDumpReport> NativeSnapshot::load(const NativeSelection& sel) const {
  return detail::guarded("native snapshot", [&]() -> Result<FailureDumpReport> {
    std::lock_guard lock(impl_->mu);
    return render(impl_->file, impl_->skeleton, sel);
  });
}

bool NativeSnapshot::is_series() const {
  return impl_->file.index().series;
}
std::size_t NativeSnapshot::sample_count() const {
  return impl_->file.index().samples.size();
}
const std::string& NativeSnapshot::sample_tag(std::size_t k) const {
  return impl_->file.index().samples.at(k).tag;
}
std::optional<std::uint64_t> NativeSnapshot::sample_elapsed_ms(std::size_t k) const {
  return impl_->file.index().samples.at(k).elapsed_ms;
}

Result<FailureDumpReport> NativeSnapshot::load_sample(std::size_t k,
                                                      const NativeSelection& sel) const {
  return detail::guarded("native snapshot", [&]() -> Result<FailureDumpReport> {
    if (k >= sample_count())
      return Error(ErrorCode::NotFound,
                   fmt::format("{}: no sample {} (it has {})", impl_->file.path().string(), k,
                               sample_count()));
    const native::NativeFile file = impl_->file.at(k);
    std::lock_guard lock(impl_->mu);
    SCXSNAP_TRY(FailureDumpReport skel, file.read_skeleton());
    return render(file, std::move(skel), sel);
  });
}

namespace {

// The JSON of the selected sample (its skeleton `skel`) into `sink`.
Result<void> write_sample_json(const native::NativeFile& file, const FailureDumpReport& skel,
                               const JsonSink& sink, JsonStyle style) {
  {
    std::string buf, pretty_buf;
    detail::JsonReindenter pretty;
    detail::JsonWriter w(buf, false, skel.float_style);
    auto flush = [&]() -> Result<void> {
      if (buf.empty()) return {};
      Result<void> r;
      if (style == JsonStyle::Pretty) {
        pretty_buf.clear();
        pretty.feed(buf, pretty_buf);
        r = sink(pretty_buf);
      } else {
        r = sink(buf);
      }
      buf.clear();
      return r;
    };
    SCXSNAP_TRY(const native::RenderSettings settings, native::settings_of(file, skel));
    map_contents::CutLog cut;
    detail::write_report_head(w, skel);
    for (std::size_t i = 0; i < skel.maps.size(); ++i) {
      SCXSNAP_TRY_VOID(native::write_map_json(file, i, skel.maps[i], settings, w, buf, flush, cut));
      if (buf.size() >= (std::size_t{1} << 20)) SCXSNAP_TRY_VOID(flush());
    }
    if (skel.capture && cut.values) {
      FailureDumpReport tail;  // only the fields after `maps` are written from it
      tail = skel;
      tail.maps.clear();
      tail.capture->values_truncated = cut.values;
      detail::write_report_tail(w, tail);
    } else {
      detail::write_report_tail(w, skel);
    }
    return flush();
  }
}

}  // namespace

Result<void> NativeSnapshot::write_json(const JsonSink& sink, JsonStyle style) const {
  return detail::guarded("native snapshot", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mu);
    return write_sample_json(impl_->file, impl_->skeleton, sink, style);
  });
}

Result<void> NativeSnapshot::write_jsonl(const JsonSink& sink) const {
  return detail::guarded("native snapshot", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mu);
    for (std::size_t k = 0; k < sample_count(); ++k) {
      const native::NativeFile file = impl_->file.at(k);
      SCXSNAP_TRY(FailureDumpReport skel, file.read_skeleton());
      // `scxsnap watch`'s line: {"tag":..,"elapsed_ms":..,"report":{...}}
      std::string head;
      detail::JsonWriter w(head);
      w.begin_object();
      w.field_string("tag", sample_tag(k));
      if (auto ms = sample_elapsed_ms(k)) w.field_u64("elapsed_ms", *ms);
      w.key("report");
      SCXSNAP_TRY_VOID(sink(head));
      SCXSNAP_TRY_VOID(write_sample_json(file, skel, sink, JsonStyle::Compact));
      SCXSNAP_TRY_VOID(sink("}\n"));
    }
    return {};
  });
}

Result<void> convert_native(const std::filesystem::path& in, const std::filesystem::path& out,
                            JsonStyle style) {
  SCXSNAP_TRY(NativeSnapshot snap, NativeSnapshot::open(in));
  if (snap.is_series()) {
    if (style == JsonStyle::Pretty)
      return Error(ErrorCode::InvalidArgument,
                   fmt::format("{}: a native series converts to JSON Lines (one compact line per "
                               "sample): --pretty does not apply",
                               in.string()));
    SCXSNAP_TRY(OutputFile f, OutputFile::create(out));
    SCXSNAP_TRY_VOID(snap.write_jsonl([&](std::string_view chunk) { return f.write(chunk); }));
    return f.commit();
  }
  SCXSNAP_TRY(OutputFile f, OutputFile::create(out));
  SCXSNAP_TRY_VOID(snap.write_json([&](std::string_view chunk) { return f.write(chunk); }, style));
  SCXSNAP_TRY_VOID(f.write("\n"));
  return f.commit();
}

Result<FailureDumpFile> load_any_dump(const std::filesystem::path& path,
                                      const NativeSelection& sel) {
  if (!is_native_snapshot(path)) {
    // A JSON report: only the maps asked for get their contents modelled
    // (the others keep what a native skeleton has), so `var` and `map` on a
    // large report cost what they read.
    const bool all = sel.contents && sel.maps.empty() && sel.map_ids.empty() && !sel.vars;
    if (!all) {
      detail::ReportSelection rs{sel.maps, sel.map_ids, sel.vars.has_value()};
      if (auto r = detail::load_report_selected(path, rs)) return FailureDumpFile(std::move(*r));
    }
    return load_dump_file(path);
  }
  SCXSNAP_TRY(NativeSnapshot snap, NativeSnapshot::open(path));
  if (snap.is_series())
    return Error(ErrorCode::BadInput,
                 fmt::format("{}: a native series of {} samples, not one report", path.string(),
                             snap.sample_count()));
  SCXSNAP_TRY(FailureDumpReport r, snap.load(sel));
  return FailureDumpFile(std::move(r));
}

}  // namespace scxsnap

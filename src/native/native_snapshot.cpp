// SPDX-License-Identifier: Apache-2.0
// The public face of native snapshots: NativeSnapshot, convert_native,
// load_any_dump.
#include "elf_container.hpp"
#include "native_file.hpp"
#include "native_render.hpp"
#include "report/guard.hpp"
#include "report/json_reindent.hpp"
#include "report/report_writer.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/objects.hpp"
#include "scxsnap/output_file.hpp"

#include <algorithm>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace scxsnap {

struct NativeSnapshot::Impl {
  native::NativeFile file;
  FailureDumpReport skeleton;
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
    return NativeSnapshot(std::make_unique<Impl>(Impl{std::move(f), std::move(skel)}));
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
  for (const auto& m : impl_->file.index().maps) n += m.raw_size;
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
    FailureDumpMap m = impl_->skeleton.maps[i];
    map_contents::CutLog cut;
    SCXSNAP_TRY_VOID(
        native::render_map(impl_->file, i, m, native::settings_of(impl_->file.index()), cut));
    return m;
  });
}

Result<FailureDumpReport> NativeSnapshot::load(const NativeSelection& sel) const {
  return detail::guarded("native snapshot", [&]() -> Result<FailureDumpReport> {
    FailureDumpReport r = impl_->skeleton;
    if (!sel.contents) return r;
    const auto settings = native::settings_of(impl_->file.index());
    map_contents::CutLog cut;
    // With vars and no map asked for, only the global sections' variables render.
    const bool all = sel.maps.empty() && sel.map_ids.empty() && !sel.vars;
    for (std::size_t i = 0; i < r.maps.size(); ++i) {
      FailureDumpMap& m = r.maps[i];
      bool want =
          all || std::find(sel.map_ids.begin(), sel.map_ids.end(), m.map_id) != sel.map_ids.end() ||
          std::any_of(sel.maps.begin(), sel.maps.end(),
                      [&](const std::string& n) { return map_name_matches(n, m.name); });
      if (sel.vars) {
        SCXSNAP_TRY(bool done, native::render_vars(impl_->file, i, m, *sel.vars, settings, cut));
        if (done || !want) continue;
      }
      if (want) SCXSNAP_TRY_VOID(native::render_map(impl_->file, i, m, settings, cut));
    }
    if (r.capture && cut.values) r.capture->values_truncated = cut.values;
    return r;
  });
}

Result<void> NativeSnapshot::write_json(const JsonSink& sink, JsonStyle style) const {
  return detail::guarded("native snapshot", [&]() -> Result<void> {
    const FailureDumpReport& skel = impl_->skeleton;
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
    const auto settings = native::settings_of(impl_->file.index());
    map_contents::CutLog cut;
    detail::write_report_head(w, skel);
    for (std::size_t i = 0; i < skel.maps.size(); ++i) {
      SCXSNAP_TRY_VOID(
          native::write_map_json(impl_->file, i, skel.maps[i], settings, w, buf, flush, cut));
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
  });
}

Result<void> convert_native(const std::filesystem::path& in, const std::filesystem::path& out,
                            JsonStyle style) {
  SCXSNAP_TRY(NativeSnapshot snap, NativeSnapshot::open(in));
  SCXSNAP_TRY(OutputFile f, OutputFile::create(out));
  SCXSNAP_TRY_VOID(snap.write_json([&](std::string_view chunk) { return f.write(chunk); }, style));
  SCXSNAP_TRY_VOID(f.write("\n"));
  return f.commit();
}

Result<FailureDumpFile> load_any_dump(const std::filesystem::path& path,
                                      const NativeSelection& sel) {
  if (!is_native_snapshot(path)) return load_dump_file(path);
  SCXSNAP_TRY(NativeSnapshot snap, NativeSnapshot::open(path));
  SCXSNAP_TRY(FailureDumpReport r, snap.load(sel));
  return FailureDumpFile(std::move(r));
}

}  // namespace scxsnap

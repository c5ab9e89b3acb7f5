// SPDX-License-Identifier: Apache-2.0
// NativeSeriesWriter: samples captured one after the other into one native
// series file, each through a one-shot capture or a session.
#include "capture_internal.hpp"
#include "capture_session.hpp"
#include "report/guard.hpp"
#include "scxsnap/capture.hpp"
#include "with_kernel.hpp"

namespace scxsnap {

struct NativeSeriesWriter::Impl {
  std::filesystem::path path;
  std::unique_ptr<native::NativeWriter> w;
  bool failed = false;  // a sample's maps went half-written: nothing more is written
};

NativeSeriesWriter::NativeSeriesWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NativeSeriesWriter::NativeSeriesWriter(NativeSeriesWriter&&) noexcept = default;
NativeSeriesWriter& NativeSeriesWriter::operator=(NativeSeriesWriter&&) noexcept = default;
NativeSeriesWriter::~NativeSeriesWriter() = default;

Result<NativeSeriesWriter> NativeSeriesWriter::create(const std::filesystem::path& path) {
  return detail::guarded("native series", [&]() -> Result<NativeSeriesWriter> {
    SCXSNAP_TRY(std::unique_ptr<native::NativeWriter> w, native::NativeWriter::create(path));
    w->begin_series();
    return NativeSeriesWriter(std::make_unique<Impl>(Impl{path, std::move(w), false}));
  });
}

Result<CaptureSummary> NativeSeriesWriter::capture(const CaptureOptions& options, std::string tag,
                                                   std::uint64_t elapsed_ms) {
  if (impl_->failed) return Error(ErrorCode::Io, "the series could not be written further");
  const std::size_t before = impl_->w->sample_count();
  auto s = capture_detail::with_kernel(options, [&](capture_detail::KernelSource& src) {
    return capture_detail::capture_native_sample(options, src, *impl_->w, std::move(tag),
                                                 elapsed_ms);
  });
  settle(s, before);
  return s;
}

Result<CaptureSummary> NativeSeriesWriter::capture(CaptureSession& session, std::string tag,
                                                   std::uint64_t elapsed_ms) {
  if (impl_->failed) return Error(ErrorCode::Io, "the series could not be written further");
  SCXSNAP_TRY_VOID(session.impl_->check());
  const std::size_t before = impl_->w->sample_count();
  auto s = capture_detail::capture_native_sample(session.impl_->options, *session.impl_->cache,
                                                 *impl_->w, std::move(tag), elapsed_ms);
  settle(s, before);
  return s;
}

// A failed sample that was begun is dropped, unless its maps already went to
// the file: then the series can only be closed as it was.
void NativeSeriesWriter::settle(const Result<CaptureSummary>& s, std::size_t before) {
  if (!s && impl_->w->sample_count() != before) {
    if (impl_->w->current_sample().maps.empty())
      impl_->w->abandon_sample();
    else
      impl_->failed = true;
  }
}

Result<void> NativeSeriesWriter::add_report(std::string tag, std::uint64_t elapsed_ms,
                                            const FailureDumpReport& report) {
  if (impl_->failed) return Error(ErrorCode::Io, "the series could not be written further");
  const std::size_t before = impl_->w->sample_count();
  auto r = detail::guarded("native series", [&]() -> Result<void> {
    std::string json = to_json(report);  // before the sample begins: nothing half-added
    impl_->w->begin_sample(std::move(tag), elapsed_ms);
    for (std::size_t i = 0; i < report.maps.size(); ++i)
      impl_->w->end_map();  // no raw contents: the skeleton holds what there is
    return impl_->w->end_sample(json);
  });
  // A sample left half-added: the series can only be closed as it was.
  if (!r && impl_->w->sample_count() != before) impl_->failed = true;
  return r;
}

std::size_t NativeSeriesWriter::samples() const {
  return impl_->w->sample_count();
}

Result<void> NativeSeriesWriter::commit() {
  if (impl_->failed) return Error(ErrorCode::Io, "the series could not be written further");
  auto r = detail::guarded("native series", [&]() -> Result<void> { return impl_->w->finish(); });
  if (!r) impl_->failed = true;
  return r;
}

}  // namespace scxsnap

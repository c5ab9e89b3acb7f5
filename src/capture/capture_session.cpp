// SPDX-License-Identifier: Apache-2.0
// Captures that share a cache (capture_cache.hpp): the public CaptureSession.
#include "capture_session.hpp"

#include "capture_internal.hpp"
#include "report/guard.hpp"

namespace scxsnap {

CaptureSession::CaptureSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CaptureSession::CaptureSession(CaptureSession&&) noexcept = default;
CaptureSession& CaptureSession::operator=(CaptureSession&&) noexcept = default;
CaptureSession::~CaptureSession() = default;

Result<CaptureSession> CaptureSession::open(CaptureOptions options) {
  return detail::guarded("capture session", [&]() -> Result<CaptureSession> {
    if (options.record_kernel)
      return Error(ErrorCode::InvalidArgument,
                   "a capture session does not record a tape (--record-kernel): record one "
                   "capture instead");
    auto impl = std::make_unique<Impl>();
    capture_detail::KernelSource* src = &capture_detail::system_kernel_source();
    if (options.replay_kernel) {
      SCXSNAP_TRY(impl->tape, capture_detail::TapeReplayer::open(*options.replay_kernel));
      src = impl->tape.get();
    }
    impl->cache = std::make_unique<capture_detail::CaptureCache>(*src, options.max_array_elements);
    impl->max_array_elements = options.max_array_elements;
    impl->options = std::move(options);
    return CaptureSession(std::move(impl));
  });
}

Result<FailureDumpReport> CaptureSession::capture() {
  SCXSNAP_TRY_VOID(impl_->check());
  return capture_detail::capture_model(impl_->options, *impl_->cache);
}

Result<CaptureSummary> CaptureSession::capture_json(const JsonSink& sink, JsonStyle style) {
  SCXSNAP_TRY_VOID(impl_->check());
  return capture_detail::capture_stream(impl_->options, *impl_->cache, sink, style);
}

Result<std::string> CaptureSession::capture_json(JsonStyle style) {
  SCXSNAP_TRY_VOID(impl_->check());
  return capture_detail::capture_text(impl_->options, *impl_->cache, style);
}

CaptureOptions& CaptureSession::options() {
  return impl_->options;
}
const CaptureOptions& CaptureSession::options() const {
  return impl_->options;
}

CaptureSession::Held CaptureSession::held() const {
  const capture_detail::CaptureCache& c = *impl_->cache;
  return Held{c.btf_objects(), c.maps_known(), c.progs_known()};
}

}  // namespace scxsnap

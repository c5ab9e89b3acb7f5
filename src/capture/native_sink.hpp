// SPDX-License-Identifier: Apache-2.0
// Native capture: a map's contents go raw into a NativeWriter, with the shape
// and the BTF types that render them later; the maps' skeletons (name, id,
// small shapes, error) are kept for the file's index.
#pragma once

#include "content_sink.hpp"
#include "map_reader.hpp"
#include "native/native_writer.hpp"

#include <vector>

namespace scxsnap::capture_detail {

class NativeSink final : public ContentSink {
 public:
  NativeSink(native::NativeWriter& w, ReadContext& ctx) : w_(w), ctx_(ctx) {}
  /// The map's shape; its types are copied into the file's BTF.
  void begin_map(const MapInfo& info, FailureDumpMap& m) override;
  bool entry(Bytes key, Bytes value) override {
    w_.entry(key, value);
    return true;
  }
  bool owner_entry(const RenderedValue& owner, Bytes key_bytes, Bytes value) override;
  bool value(Bytes bytes) override {
    w_.value(bytes);
    return true;
  }
  /// A page as a record keyed by its user address.
  void arena_page(const ArenaPage& page) override;
  void end_map(CapturedMap&& cm) override;
  /// Recorded without contents.
  void failed_map(CapturedMap&& cm) override { end_map(std::move(cm)); }
  std::optional<Error> error() const override { return w_.error(); }
  std::vector<CapturedMap>& maps() { return maps_; }

 private:
  native::NativeWriter& w_;
  ReadContext& ctx_;
  std::vector<CapturedMap> maps_;
};

}  // namespace scxsnap::capture_detail

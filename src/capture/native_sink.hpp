// SPDX-License-Identifier: Apache-2.0
// Native capture: what read_map reads goes raw into a NativeWriter, with the
// shape and the BTF types that render it later.
#pragma once

#include "btf_cache.hpp"
#include "map_reader.hpp"
#include "native/native_writer.hpp"

namespace scxsnap::capture_detail {

class NativeSink final : public RawSink {
 public:
  explicit NativeSink(native::NativeWriter& w) : w_(w) {}
  void entry(Bytes key, Bytes value) override { w_.entry(key, value); }
  void owner_entry(std::string_view key_json, Bytes key_bytes, Bytes value) override {
    w_.owner_entry(key_json, key_bytes, value);
  }
  void value(Bytes bytes) override { w_.value(bytes); }

  /// Before read_map: the map's shape; its types are copied into the file's BTF.
  void begin(const MapInfo& info, ReadContext& ctx);
  /// After the map is complete (or failed before it was read).
  void end() { w_.end_map(); }

 private:
  native::NativeWriter& w_;
};

}  // namespace scxsnap::capture_detail

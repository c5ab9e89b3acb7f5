// SPDX-License-Identifier: Apache-2.0
// Where a map's contents go. Map readers (map_reader.cpp) emit what the
// kernel returned as events — a map begins, entries, owner-keyed entries, a
// single value, arena pages, the map ends — and know nothing of the output.
// Three sinks: the model (capture()), streamed JSON (capture_json) and a
// native snapshot (raw bytes, rendered later); a fourth discards (a struct_ops
// map read only to find the active object). Adding a map kind touches its
// reader only; adding an output touches one sink.
#pragma once

#include "btf/map_contents.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

namespace scxsnap::capture_detail {

struct MapInfo;
struct CapturedMap;

class ContentSink {
 public:
  using Bytes = std::span<const std::uint8_t>;
  virtual ~ContentSink() = default;

  /// Before a map's contents: `m` is its skeleton (name, id, sizes: init_map),
  /// which the reader goes on filling (small shapes, `error`) until end_map.
  virtual void begin_map(const MapInfo& info, FailureDumpMap& m) = 0;
  /// One entry of a hash or array map (array: the key is the u32 index);
  /// per-CPU values hold one 8-byte-aligned slot per possible CPU. Each
  /// event returns false when the reader should stop (a render was stopped).
  virtual bool entry(Bytes key, Bytes value) = 0;
  /// An entry keyed by its owner (task or cgroup storage): the owner as the
  /// host knows it, and the key bytes the lookup used.
  virtual bool owner_entry(const RenderedValue& owner, Bytes key_bytes, Bytes value) = 0;
  /// The map's single value (a global section, a queue's head, struct_ops).
  virtual bool value(Bytes bytes) = 0;
  /// The reader has no more entries for this map (a sink that renders them
  /// on other threads finishes here, before the map's error is decided).
  virtual void end_entries() {}
  /// One allocated page of an arena (read ahead of every other map: the
  /// capture keeps the pages until its end, see finish()).
  virtual void arena_page(const ArenaPage& page) = 0;
  /// The map is complete: its skeleton with everything the reader filled in.
  virtual void end_map(CapturedMap&& cm) = 0;
  /// A map that could not be opened or described: `cm` has its id and error.
  virtual void failed_map(CapturedMap&& cm) = 0;
  /// Every map is read: a sink that keeps maps may take the arenas' pages
  /// now (map id -> the arena read ahead; pointers into it are no longer followed).
  virtual void finish(std::map<std::uint32_t, CapturedMap>& arenas) { (void)arenas; }
  /// The output failed (a write error): the capture stops.
  virtual std::optional<Error> error() const { return std::nullopt; }
};

}  // namespace scxsnap::capture_detail

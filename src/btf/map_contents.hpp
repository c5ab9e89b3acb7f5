// SPDX-License-Identifier: Apache-2.0
// One map's contents rendered from its raw bytes into ktstr's shapes, as JSON
// text or as the model: live capture renders what the kernel returns, and a
// native snapshot renders what it stored, through the same functions, so the
// two give the same bytes.
#pragma once

#include "scxsnap/btf_render.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::map_contents {

using Bytes = std::span<const std::uint8_t>;

/// What the render budget cut in one map, for its `error`.
struct CutLog {
  std::uint64_t values = 0, needed = 0, had = 0;
  bool stopped = false;
  void note(const RenderStatus& s);
  /// What a later part of the same map cut (as if noted here in order).
  void merge(const CutLog& later);
};

/// Renders one side (key or value) of a map's entries; without a type the
/// caller decides the fallback.
struct Side {
  BtfRenderer* r = nullptr;
  std::uint32_t type = 0;
  bool typed() const { return r && type; }
  std::optional<RenderedValue> tree(Bytes b, const RenderLimits& lim, CutLog& cut) const;
  /// Appends the value's JSON; false (nothing appended) when untyped.
  bool json(std::string& out, Bytes b, const RenderLimits& lim, CutLog& cut) const;
};

struct Renderers {
  Side key, value;
  std::string note;  // why rendering is unavailable, if it is
};

/// One CPU's slot of a per-CPU value gets budget / CPUs (at least 64 KiB).
RenderLimits slot_limits(const RenderLimits& l, std::uint32_t ncpus);

/// `{"kind":"bytes","hex":"..."}`.
void append_bytes_value(std::string& out, Bytes b);

/// How one map's entries render.
struct EntryFormat {
  const Renderers* rs = nullptr;
  std::uint32_t value_size = 0;
  std::uint32_t ncpus = 1;
  bool percpu = false;
  RenderLimits lim;       // keys and plain values
  RenderLimits slot_lim;  // one CPU's slot
};

// One list element's JSON (no separator).
void hash_entry_json(std::string& js, Bytes key, Bytes value, const EntryFormat& f, CutLog& cut);
void array_entry_json(std::string& js, std::uint32_t key, Bytes value, const EntryFormat& f,
                      CutLog& cut);
/// An entry keyed by its owner (task or cgroup storage): ktstr's hash shape;
/// `key_json` is the owner's rendered JSON (see owner_key_json).
void owner_entry_json(std::string& js, std::string_view key_json, Bytes key_bytes, Bytes value,
                      const EntryFormat& f, CutLog& cut);
std::string owner_key_json(const RenderedValue& key);
/// `,"value":...` of a map's single value (its bytes without a type).
void value_json(std::string& js, Bytes bytes, const Side& side, const RenderLimits& lim,
                CutLog& cut);

// The same into the model.
void add_hash_entry(FailureDumpMap& m, Bytes key, Bytes value, const EntryFormat& f, CutLog& cut);
void add_array_entry(FailureDumpMap& m, std::uint32_t key, Bytes value, const EntryFormat& f,
                     CutLog& cut);
void add_owner_entry(FailureDumpMap& m, RenderedValue key, Bytes key_bytes, Bytes value,
                     const EntryFormat& f, CutLog& cut);
RenderedValue value_tree(Bytes bytes, const Side& side, const RenderLimits& lim, CutLog& cut);

/// The list member a map's entries go in: "entries", "array_entries", ...
std::string_view list_name(bool array, bool percpu);

/// A JSON array member streamed into a map object (`,"name":[...]`); an
/// array that got no element is taken back out, as ktstr skips empty vectors.
class StreamedList {
 public:
  StreamedList(std::string* js, std::string_view name);
  /// Before each element: its separator.
  void next() {
    if (!first_) *js_ += ',';
    first_ = false;
  }
  void close();

 private:
  std::string* js_;
  std::size_t mark_;
  bool first_ = true;
};

/// The map `error` for values cut to the budget (empty when none were).
std::string cut_error(const CutLog& cut, std::uint64_t max_value_bytes);

}  // namespace scxsnap::map_contents

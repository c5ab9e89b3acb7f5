// SPDX-License-Identifier: Apache-2.0
// The sinks that render a map's contents through BTF as they arrive: into the
// model (ModelSink, capture()) or as JSON text handed to an output every
// megabyte (JsonStreamSink, capture_json). Both render with the same per-map
// setup (RenderedContents) and the same functions (btf/map_contents.hpp), so
// the model and the text agree; DiscardSink renders nothing.
#pragma once

#include "content_sink.hpp"
#include "map_reader.hpp"
#include "parallel_entries.hpp"
#include "report/json/json_writer.hpp"
#include "scxsnap/capture.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace scxsnap::capture_detail {

/// The BTF that renders a map's keys and values (struct_ops: vmlinux), or
/// the note saying why there is none.
map_contents::Renderers renderers_for(const MapInfo& info, ReadContext& ctx);

/// Renders each piece into the map's model, or as JSON into the text that
/// json_text() gives for the map (nullptr: the model).
class RenderedContents : public ContentSink {
 public:
  explicit RenderedContents(ReadContext& ctx) : ctx_(ctx) {}
  void begin_map(const MapInfo& info, FailureDumpMap& m) override;
  bool entry(Bytes key, Bytes value) override;
  bool owner_entry(const RenderedValue& owner, Bytes key_bytes, Bytes value) override;
  bool value(Bytes bytes) override;
  void end_entries() override;

 protected:
  /// Where map `info`'s contents go as text, or nullptr (the model). Called
  /// by begin_map after the skeleton is set.
  virtual std::string* json_text(const MapInfo& info, FailureDumpMap& m) = 0;
  /// After each piece of text.
  virtual void after_piece() {}
  /// Limits for a rendering into text (a sink may add its flush).
  virtual RenderLimits text_limits(const RenderLimits& l) { return l; }
  /// A finished piece of this map's text rendered elsewhere (after its
  /// separator): appended, or written out directly by a sink that streams.
  virtual void emit_text(std::string& text) {
    *js_ += text;
    after_piece();
  }
  /// Closes the map's entry list (text), taken back out when it got no element.
  void close_list() {
    end_entries();
    if (list_) list_->close();
    list_.reset();
  }

  ReadContext& ctx_;
  FailureDumpMap* m_ = nullptr;
  std::string* js_ = nullptr;  // this map's text, or nullptr (the model)

 private:
  native::Shape shape_{};
  map_contents::Renderers rs_;
  map_contents::EntryFormat format_;
  std::optional<map_contents::StreamedList> list_;
  // A large map's entries as text, rendered on other threads after the first.
  ParallelEntries par_;
  bool par_next_ = false;  // the next entry begins the parallel rendering
  bool par_on_ = false;
};

/// capture(): every map's contents into the model, in map-id order.
class ModelSink final : public RenderedContents {
 public:
  using RenderedContents::RenderedContents;
  void arena_page(const ArenaPage&) override {}  // moved in by finish(), never copied
  void end_map(CapturedMap&& cm) override;
  void failed_map(CapturedMap&& cm) override { maps_.push_back(std::move(cm)); }
  void finish(std::map<std::uint32_t, CapturedMap>& arenas) override;
  std::vector<CapturedMap>& maps() { return maps_; }

 protected:
  std::string* json_text(const MapInfo&, FailureDumpMap&) override { return nullptr; }

 private:
  std::vector<CapturedMap> maps_;
  std::vector<std::pair<std::size_t, std::uint32_t>> arenas_;  // maps_ index, map id
};

/// capture_json(): the report as JSON text, handed to `out` whenever it holds
/// a megabyte (without `out` it keeps the whole text: capture_text). Hash and
/// array contents are rendered straight into the text; the small shapes, a
/// struct_ops value and an arena's globals go through the model of their map
/// and are written when it ends, an arena's pages one at a time.
class JsonStreamSink final : public RenderedContents {
 public:
  JsonStreamSink(ReadContext& ctx, const JsonSink* out) : RenderedContents(ctx), out_(out) {}
  void arena_page(const ArenaPage& page) override;
  void end_map(CapturedMap&& cm) override;
  void failed_map(CapturedMap&& cm) override;
  std::optional<Error> error() const override { return error_; }

  detail::JsonWriter& writer() { return w_; }
  std::string& text() { return buf_; }
  /// Hands what is buffered to the output.
  void flush();
  std::uint64_t bytes() const { return bytes_; }

 protected:
  std::string* json_text(const MapInfo& info, FailureDumpMap& m) override;
  void after_piece() override { flush_if_full(); }
  void emit_text(std::string& text) override;
  RenderLimits text_limits(const RenderLimits& l) override;

 private:
  void flush_if_full();
  const JsonSink* out_;
  std::string buf_;
  detail::JsonWriter w_{buf_};
  std::optional<Error> error_;
  std::uint64_t bytes_ = 0;
  bool streamed_ = false;     // this map's object is open in the text
  bool pages_begun_ = false;  // this arena's `pages` array is open
};

/// The contents of a map read for bookkeeping only (a struct_ops map the
/// filters did not ask for: it still tells which object is active).
class DiscardSink final : public ContentSink {
 public:
  void begin_map(const MapInfo&, FailureDumpMap&) override {}
  bool entry(Bytes, Bytes) override { return true; }
  bool owner_entry(const RenderedValue&, Bytes, Bytes) override { return true; }
  bool value(Bytes) override { return true; }
  void arena_page(const ArenaPage&) override {}
  void end_map(CapturedMap&&) override {}
  void failed_map(CapturedMap&&) override {}
};

}  // namespace scxsnap::capture_detail

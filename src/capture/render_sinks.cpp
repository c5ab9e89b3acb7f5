// SPDX-License-Identifier: Apache-2.0
#include "render_sinks.hpp"

#include "map_iter.hpp"
#include "report/report_writer.hpp"

#include <bpf/bpf.h>

#include <cstring>

namespace scxsnap::capture_detail {
namespace {

constexpr std::size_t kFlushAt = std::size_t{1} << 20;

using map_contents::Renderers;
using map_contents::Side;
using native::Shape;

bool is_percpu(Shape s) {
  return s == Shape::PercpuEntries || s == Shape::PercpuHashEntries;
}

bool is_array(Shape s) {
  return s == Shape::ArrayEntries || s == Shape::PercpuEntries;
}

}  // namespace

Renderers renderers_for(const MapInfo& info, ReadContext& ctx) {
  Renderers rs;
  if (info.type == BPF_MAP_TYPE_STRUCT_OPS) {
    auto vm = ctx.btfs.vmlinux();
    if (!vm) {
      rs.note = vm.error().message();
      return rs;
    }
    rs.value = Side{*vm, info.btf_vmlinux_value_type_id};
    return rs;
  }
  if (info.btf_id == 0) {
    rs.note = "map has no BTF";
    return rs;
  }
  auto r = ctx.btfs.by_id(info.btf_id);
  if (!r) {
    rs.note = r.error().message();
    return rs;
  }
  rs.key = Side{*r, info.btf_key_type_id};
  rs.value = Side{*r, info.btf_value_type_id};
  if (info.btf_value_type_id == 0)  // queues, stacks: the kernel keeps no value type
    rs.value.type = ctx.btfs.declared_value_type(info.btf_id, info.name);
  return rs;
}

void RenderedContents::begin_map(const MapInfo& info, FailureDumpMap& m) {
  m_ = &m;
  shape_ = content_shape(info);
  list_.reset();
  rs_ = shape_ == Shape::None || shape_ == Shape::ArenaPages ? Renderers{}
                                                             : renderers_for(info, ctx_);
  const bool percpu = is_percpu(shape_);
  format_ = map_contents::EntryFormat{
      &rs_,        info.value_size,
      ctx_.ncpus,  percpu,
      ctx_.limits, percpu ? map_contents::slot_limits(ctx_.limits, ctx_.ncpus) : ctx_.limits};
  js_ = json_text(info, m);
  par_on_ = false;
  // Hash and array entries of a large map: the first here, the rest on
  // other threads (parallel_entries.hpp).
  par_next_ =
      js_ && shape_ != Shape::Value && shape_ != Shape::OwnerEntries &&
      ParallelEntries::worth_it(
          info.max_entries,
          std::size_t{info.key_size} + lookup_value_size(info.type, info.value_size, ctx_.ncpus),
          ctx_.limits);
  if (js_) {
    format_.lim = text_limits(format_.lim);
    format_.slot_lim = text_limits(format_.slot_lim);
    if (shape_ != Shape::Value)
      list_.emplace(js_, map_contents::list_name(is_array(shape_), percpu));  // owner: "entries"
  }
}

bool RenderedContents::entry(Bytes key, Bytes value) {
  auto& cut = ctx_.cut;
  if (par_on_) {
    par_.add(key, value);
    return !cut.stopped;
  }
  if (is_array(shape_)) {
    std::uint32_t k = 0;
    std::memcpy(&k, key.data(), std::min<std::size_t>(4, key.size()));
    if (js_) {
      list_->next();
      map_contents::array_entry_json(*js_, k, value, format_, cut);
      after_piece();
    } else {
      map_contents::add_array_entry(*m_, k, value, format_, cut);
    }
  } else if (js_) {
    list_->next();
    map_contents::hash_entry_json(*js_, key, value, format_, cut);
    after_piece();
  } else {
    map_contents::add_hash_entry(*m_, key, value, format_, cut);
  }
  if (par_next_) {  // the types' plans are compiled now: workers only read them
    par_next_ = false;
    par_on_ = par_.begin(
        format_, is_array(shape_), static_cast<std::uint32_t>(key.size()),
        static_cast<std::uint32_t>(value.size()),
        ParallelEntries::Out{&*list_, &ctx_.cut, [this](std::string& text) { emit_text(text); }});
  }
  return !cut.stopped;
}

void RenderedContents::end_entries() {
  if (!par_on_) return;
  par_on_ = false;
  if (ctx_.stopped()) par_.stop();
  par_.end();
}

bool RenderedContents::owner_entry(const RenderedValue& owner, Bytes key_bytes, Bytes value) {
  auto& cut = ctx_.cut;
  if (js_) {
    list_->next();
    map_contents::owner_entry_json(*js_, map_contents::owner_key_json(owner), key_bytes, value,
                                   format_, cut);
    after_piece();
  } else {
    map_contents::add_owner_entry(*m_, owner, key_bytes, value, format_, cut);
  }
  return !cut.stopped;
}

bool RenderedContents::value(Bytes bytes) {
  auto& cut = ctx_.cut;
  if (js_) {
    map_contents::value_json(*js_, bytes, rs_.value, format_.lim, cut);
    after_piece();
  } else {
    m_->value = map_contents::value_tree(bytes, rs_.value, format_.lim, cut);
  }
  return !cut.stopped;
}

void ModelSink::end_map(CapturedMap&& cm) {
  const bool arena = cm.map.arena.has_value();
  maps_.push_back(std::move(cm));
  if (arena) arenas_.emplace_back(maps_.size() - 1, maps_.back().map.map_id);
}

void ModelSink::finish(std::map<std::uint32_t, CapturedMap>& arenas) {
  for (auto [at, id] : arenas_)
    if (auto it = arenas.find(id); it != arenas.end())
      if (auto& a = it->second.map.arena; a && maps_[at].map.arena)
        maps_[at].map.arena->pages = std::move(a->pages);
}

std::string* JsonStreamSink::json_text(const MapInfo& info, FailureDumpMap& m) {
  streamed_ = streams_contents(info);
  pages_begun_ = false;
  if (!streamed_) return nullptr;
  w_.begin_object();
  detail::write_map_head(w_, m);
  return &buf_;
}

RenderLimits JsonStreamSink::text_limits(const RenderLimits& l) {
  RenderLimits out = l;
  out.flush_at = kFlushAt;
  out.flush = [this](std::string&) { flush(); };
  return out;
}

void JsonStreamSink::arena_page(const ArenaPage& page) {
  if (!pages_begun_) detail::write_map_until_pages(w_, *m_);
  pages_begun_ = true;
  detail::write_page(w_, page);
  flush_if_full();
}

void JsonStreamSink::end_map(CapturedMap&& cm) {
  if (streamed_) {
    close_list();
    detail::write_map_rest(w_, cm.map);
    w_.end_object();
  } else if (pages_begun_) {
    detail::write_map_after_pages(w_, cm.map);
  } else {
    detail::write_map_to(w_, cm.map);
  }
  streamed_ = pages_begun_ = false;
  js_ = nullptr;
  flush_if_full();
}

void JsonStreamSink::failed_map(CapturedMap&& cm) {
  detail::write_map_to(w_, cm.map);
  flush_if_full();
}

// Without a copy into the buffer: what is buffered goes first, then the text.
void JsonStreamSink::emit_text(std::string& text) {
  if (!out_) {
    buf_ += text;
    return;
  }
  flush();
  bytes_ += text.size();
  if (!error_)
    if (auto r = (*out_)(text); !r) error_ = r.error();
}

void JsonStreamSink::flush_if_full() {
  if (buf_.size() >= kFlushAt) flush();
}

void JsonStreamSink::flush() {
  if (buf_.empty() || !out_) return;
  bytes_ += buf_.size();
  if (!error_)
    if (auto r = (*out_)(buf_); !r) error_ = r.error();
  buf_.clear();
}

}  // namespace scxsnap::capture_detail

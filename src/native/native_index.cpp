// SPDX-License-Identifier: Apache-2.0
#include "native_index.hpp"

#include "report/json/json_reader.hpp"
#include "report/json/json_writer.hpp"
#include "report/report_reader.hpp"

#include <array>
#include <fmt/format.h>

namespace scxsnap::native {
namespace od = simdjson::ondemand;
using detail::PathNode;

namespace {

constexpr std::array<std::string_view, 8> kShapeNames = {"none",           "value",
                                                         "entries",        "array_entries",
                                                         "percpu_entries", "percpu_hash_entries",
                                                         "owner_entries",  "arena_pages"};

void write_frame(detail::JsonWriter& w, const Frame& f) {
  w.begin_array();
  for (std::uint64_t v : {f.offset, f.size, f.raw_offset, f.raw_size, f.records}) w.value_u64(v);
  w.end_array();
}

Result<Frame> read_frame(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::array a, detail::read_array(v, p));
  std::vector<std::uint64_t> xs;
  SCXSNAP_TRY_VOID(
      detail::for_each_element(a, p, [&](od::value e, const PathNode& cp) -> Result<void> {
        SCXSNAP_TRY(std::uint64_t x, detail::read_u64(e, cp));
        xs.push_back(x);
        return {};
      }));
  if (xs.size() != 5)
    return detail::json_error(p, fmt::format("a frame is [offset, size, raw_offset, raw_size, "
                                             "records]: found {} numbers",
                                             xs.size()));
  return Frame{xs[0], xs[1], xs[2], xs[3], xs[4]};
}

Result<std::vector<Frame>> read_frames(od::value v, const PathNode& p) {
  std::vector<Frame> out;
  SCXSNAP_TRY(od::array a, detail::read_array(v, p));
  SCXSNAP_TRY_VOID(
      detail::for_each_element(a, p, [&](od::value e, const PathNode& cp) -> Result<void> {
        SCXSNAP_TRY(Frame f, read_frame(e, cp));
        out.push_back(f);
        return {};
      }));
  return out;
}

Result<MapIndex> read_map_index(od::value v, const PathNode& p) {
  MapIndex m;
  SCXSNAP_TRY(od::object o, detail::read_object(v, p));
  bool shape = false;
  SCXSNAP_TRY_VOID(detail::for_each_field(
      o, p, [&](std::string_view k, od::value f, const PathNode& cp) -> Result<void> {
        if (k == "shape") {
          SCXSNAP_TRY(std::string s, detail::read_string(f, cp));
          auto sh = shape_from_name(s);
          if (!sh) return detail::json_error(cp, fmt::format("unknown shape '{}'", s));
          m.shape = *sh;
          shape = true;
        } else if (k == "map_id") {
          SCXSNAP_TRY(m.map_id, detail::read_u32(f, cp));
        } else if (k == "kernel") {
          KernelMapInfo ki;
          SCXSNAP_TRY(od::object ko, detail::read_object(f, cp));
          SCXSNAP_TRY_VOID(detail::for_each_field(
              ko, cp, [&](std::string_view kk, od::value kv, const PathNode& kp) -> Result<void> {
                if (kk == "map_flags") {
                  SCXSNAP_TRY(ki.map_flags, detail::read_u32(kv, kp));
                } else if (kk == "key_size") {
                  SCXSNAP_TRY(ki.key_size, detail::read_u32(kv, kp));
                } else if (kk == "btf_key_type_id") {
                  SCXSNAP_TRY(ki.btf_key_type_id, detail::read_u32(kv, kp));
                } else if (kk == "btf_value_type_id") {
                  SCXSNAP_TRY(ki.btf_value_type_id, detail::read_u32(kv, kp));
                } else if (kk == "btf_vmlinux_value_type_id") {
                  SCXSNAP_TRY(ki.btf_vmlinux_value_type_id, detail::read_u32(kv, kp));
                } else if (kk == "map_extra") {
                  SCXSNAP_TRY(ki.map_extra, detail::read_u64(kv, kp));
                }
                return {};
              }));
          m.kernel = ki;
        } else if (k == "delta_of") {
          SCXSNAP_TRY(od::array a, detail::read_array(f, cp));
          std::vector<std::uint32_t> xs;
          SCXSNAP_TRY_VOID(
              detail::for_each_element(a, cp, [&](od::value e, const PathNode& ep) -> Result<void> {
                SCXSNAP_TRY(std::uint32_t x, detail::read_u32(e, ep));
                xs.push_back(x);
                return {};
              }));
          if (xs.size() != 2) return detail::json_error(cp, "delta_of is [sample, map]");
          m.delta_of = std::pair{xs[0], xs[1]};
        } else if (k == "key_size") {
          SCXSNAP_TRY(m.key_size, detail::read_u32(f, cp));
        } else if (k == "record_size") {
          SCXSNAP_TRY(m.record_size, detail::read_u32(f, cp));
        } else if (k == "key_type") {
          SCXSNAP_TRY(m.key_type, detail::read_u32(f, cp));
        } else if (k == "value_type") {
          SCXSNAP_TRY(m.value_type, detail::read_u32(f, cp));
        } else if (k == "records") {
          SCXSNAP_TRY(m.records, detail::read_u64(f, cp));
        } else if (k == "raw_size") {
          SCXSNAP_TRY(m.raw_size, detail::read_u64(f, cp));
        } else if (k == "frames") {
          SCXSNAP_TRY(m.frames, read_frames(f, cp));
        }
        return {};  // fields of later minor versions are skipped
      }));
  if (!shape) return detail::json_error(p, "missing field `shape`");
  return m;
}

Result<std::vector<MapIndex>> read_maps(od::value v, const PathNode& p) {
  std::vector<MapIndex> out;
  SCXSNAP_TRY(od::array a, detail::read_array(v, p));
  SCXSNAP_TRY_VOID(
      detail::for_each_element(a, p, [&](od::value e, const PathNode& ep) -> Result<void> {
        SCXSNAP_TRY(MapIndex m, read_map_index(e, ep));
        out.push_back(std::move(m));
        return {};
      }));
  return out;
}

Result<Sample> read_sample(od::value v, const PathNode& p) {
  Sample smp;
  bool report = false;
  SCXSNAP_TRY(od::object o, detail::read_object(v, p));
  SCXSNAP_TRY_VOID(detail::for_each_field(
      o, p, [&](std::string_view k, od::value f, const PathNode& cp) -> Result<void> {
        if (k == "tag") {
          SCXSNAP_TRY(smp.tag, detail::read_string(f, cp));
        } else if (k == "elapsed_ms") {
          SCXSNAP_TRY(std::uint64_t ms, detail::read_u64(f, cp));
          smp.elapsed_ms = ms;
        } else if (k == "report") {
          SCXSNAP_TRY(smp.report, read_frame(f, cp));
          report = true;
        } else if (k == "maps") {
          SCXSNAP_TRY(smp.maps, read_maps(f, cp));
        }
        return {};
      }));
  if (!report) return detail::json_error(p, "missing field `report`");
  return smp;
}

}  // namespace

std::string_view shape_name(Shape s) {
  return kShapeNames.at(static_cast<std::size_t>(s));
}

std::optional<Shape> shape_from_name(std::string_view s) {
  for (std::size_t i = 0; i < kShapeNames.size(); ++i)
    if (kShapeNames[i] == s) return static_cast<Shape>(i);
  return std::nullopt;
}

namespace {

void write_maps(detail::JsonWriter& w, const std::vector<MapIndex>& maps) {
  w.key("maps");
  w.begin_array();
  for (const auto& m : maps) {
    w.begin_object();
    w.key("shape");
    w.value_string(shape_name(m.shape));
    if (m.map_id) w.field_u64("map_id", m.map_id);
    if (m.kernel) {
      w.key("kernel");
      w.begin_object();
      w.field_u64("map_flags", m.kernel->map_flags);
      w.field_u64("key_size", m.kernel->key_size);
      w.field_u64("btf_key_type_id", m.kernel->btf_key_type_id);
      w.field_u64("btf_value_type_id", m.kernel->btf_value_type_id);
      w.field_u64("btf_vmlinux_value_type_id", m.kernel->btf_vmlinux_value_type_id);
      w.field_u64("map_extra", m.kernel->map_extra);
      w.end_object();
    }
    if (m.shape != Shape::None) {
      w.field_u64("key_size", m.key_size);
      w.field_u64("record_size", m.record_size);
      w.field_u64("key_type", m.key_type);
      w.field_u64("value_type", m.value_type);
      w.field_u64("records", m.records);
      w.field_u64("raw_size", m.raw_size);
      if (m.delta_of) {
        w.key("delta_of");
        w.begin_array();
        w.value_u64(m.delta_of->first);
        w.value_u64(m.delta_of->second);
        w.end_array();
      }
      w.key("frames");
      w.begin_array();
      for (const auto& f : m.frames) write_frame(w, f);
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
}

// A series, or several samples without the flag, lists "samples"; one
// sample of a single snapshot is written inline.
bool lists_samples(const Index& x) {
  return x.series || x.samples.size() != 1;
}

}  // namespace

void write_index_head(detail::JsonWriter& w, const Index& x) {
  w.begin_object();
  w.key("format");
  w.value_string(kFormatName);
  w.field_u64("version", x.version);
  w.key("tool_version");
  w.value_string(x.tool_version);
  w.field_u64("ncpus", x.ncpus);
  w.field_u64("max_value_bytes", x.max_value_bytes);
  w.field_u64("max_array_elements", x.max_array_elements);
  if (lists_samples(x)) {
    w.key("samples");
    w.begin_array();
  }
}

void write_sample_index(detail::JsonWriter& w, const Sample& smp) {
  w.begin_object();
  w.key("tag");
  w.value_string(smp.tag);
  if (smp.elapsed_ms) w.field_u64("elapsed_ms", *smp.elapsed_ms);
  w.key("report");
  write_frame(w, smp.report);
  write_maps(w, smp.maps);
  w.end_object();
}

void write_index_tail(detail::JsonWriter& w, const Index& x) {
  if (lists_samples(x)) w.end_array();
  w.end_object();
  w.buffer() += '\n';
}

std::string write_index(const Index& x) {
  std::string out;
  detail::JsonWriter w(out);
  write_index_head(w, x);
  if (lists_samples(x)) {
    for (const auto& smp : x.samples) write_sample_index(w, smp);
  } else {
    w.key("report");
    write_frame(w, x.samples[0].report);
    write_maps(w, x.samples[0].maps);
  }
  write_index_tail(w, x);
  return out;
}

Result<Index> read_index(std::string_view json, const std::string& where) {
  simdjson::padded_string padded(json);
  auto r =
      detail::with_document<Index>(padded, [&](od::value root, const PathNode& p) -> Result<Index> {
        Index x;
        x.version = 0;
        Sample single;
        bool format = false, report = false;
        SCXSNAP_TRY(od::object o, detail::read_object(root, p));
        SCXSNAP_TRY_VOID(detail::for_each_field(
            o, p, [&](std::string_view k, od::value f, const PathNode& cp) -> Result<void> {
              if (k == "format") {
                SCXSNAP_TRY(std::string s, detail::read_string(f, cp));
                if (s != kFormatName)
                  return detail::json_error(cp,
                                            fmt::format("format '{}' is not {}", s, kFormatName));
                format = true;
              } else if (k == "version") {
                SCXSNAP_TRY(x.version, detail::read_u32(f, cp));
                if (x.version < kOldestFormatVersion || x.version > kFormatVersion)
                  return Error(ErrorCode::Unsupported,
                               fmt::format("format version {} (this scxsnap reads versions {} to "
                                           "{}{})",
                                           x.version, kOldestFormatVersion, kFormatVersion,
                                           x.version > kFormatVersion
                                               ? "; it was written by a newer scxsnap: upgrade"
                                               : ""));
              } else if (k == "tool_version") {
                SCXSNAP_TRY(x.tool_version, detail::read_string(f, cp));
              } else if (k == "ncpus") {
                SCXSNAP_TRY(x.ncpus, detail::read_u32(f, cp));
                if (x.ncpus == 0) return detail::json_error(cp, "ncpus is 0");
              } else if (k == "max_value_bytes") {
                SCXSNAP_TRY(x.max_value_bytes, detail::read_u64(f, cp));
              } else if (k == "max_array_elements") {
                SCXSNAP_TRY(x.max_array_elements, detail::read_u32(f, cp));
              } else if (k == "report") {
                SCXSNAP_TRY(single.report, read_frame(f, cp));
                report = true;
              } else if (k == "maps") {
                SCXSNAP_TRY(single.maps, read_maps(f, cp));
              } else if (k == "samples") {
                x.series = true;
                SCXSNAP_TRY(od::array a, detail::read_array(f, cp));
                return detail::for_each_element(
                    a, cp, [&](od::value e, const PathNode& ep) -> Result<void> {
                      SCXSNAP_TRY(Sample smp, read_sample(e, ep));
                      x.samples.push_back(std::move(smp));
                      return {};
                    });
              }
              return {};
            }));
        if (!format) return detail::json_error(p, "missing field `format`");
        if (x.version == 0) return detail::json_error(p, "missing field `version`");
        if (!x.series) {
          if (!report) return detail::json_error(p, "missing field `report`");
          x.samples.push_back(std::move(single));
        }
        return x;
      });
  if (!r) return Error(r.error().code(), fmt::format("{}: {}", where, r.error().message()));
  return r;
}

}  // namespace scxsnap::native

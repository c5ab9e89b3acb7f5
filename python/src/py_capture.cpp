// SPDX-License-Identifier: Apache-2.0
// Capture from Python: the CLI's capture options as keyword arguments
// (root, or a recorded kernel through replay_kernel=). The GIL is released
// while the kernel is read.
#include "py_common.hpp"
#include "scxsnap/capture.hpp"

#include <optional>
#include <pybind11/stl.h>

namespace scxsnap::python {
namespace {

std::vector<std::string> names(const py::object& o) {
  if (o.is_none()) return {};
  if (py::isinstance<py::str>(o)) return {o.cast<std::string>()};
  return o.cast<std::vector<std::string>>();
}

// The keyword arguments, as `scxsnap capture` names its flags.
CaptureOptions options_of(const py::kwargs& kw) {
  CaptureOptions o;
  for (auto [k, v] : kw) {
    const auto key = k.cast<std::string>();
    const py::object val = py::reinterpret_borrow<py::object>(v);
    if (key == "obj")
      o.obj_prefixes = names(val);
    else if (key == "map")
      o.map_names = names(val);
    else if (key == "map_id")
      o.map_ids = py::isinstance<py::int_>(val)
                      ? std::vector<std::uint32_t>{val.cast<std::uint32_t>()}
                      : val.cast<std::vector<std::uint32_t>>();
    else if (key == "max_entries")
      o.max_entries = val.cast<std::uint32_t>();
    else if (key == "deadline_ms")
      o.deadline_ms = val.cast<std::uint64_t>();
    else if (key == "enable_stats")
      o.enable_stats = val.cast<bool>();
    else if (key == "all_progs")
      o.all_progs = val.cast<bool>();
    else if (key == "pid")
      o.pids = py::isinstance<py::int_>(val) ? std::vector<std::int32_t>{val.cast<std::int32_t>()}
                                             : val.cast<std::vector<std::int32_t>>();
    else if (key == "cgroup")
      o.cgroup = val.is_none() ? std::nullopt : std::optional(val.cast<std::string>());
    else if (key == "active_obj")
      o.active_obj = val.is_none() ? std::nullopt : std::optional(val.cast<std::string>());
    else if (key == "max_value_bytes")
      o.max_value_bytes = val.cast<std::uint64_t>();
    else if (key == "max_array_elements")
      o.max_array_elements = val.cast<std::uint32_t>();
    else if (key == "replay_kernel")
      o.replay_kernel = val.cast<std::string>();
    else if (key == "record_kernel")
      o.record_kernel = val.cast<std::string>();
    else
      throw LibraryFailure(Error(ErrorCode::InvalidArgument,
                                 "capture: unknown keyword argument '" + key +
                                     "' (obj, map, map_id, max_entries, deadline_ms, enable_stats, "
                                     "all_progs, pid, cgroup, active_obj, max_value_bytes, "
                                     "max_array_elements, replay_kernel, record_kernel)"));
  }
  return o;
}

py::dict summary_of(const CaptureSummary& s) {
  py::dict d;
  d["maps"] = s.maps;
  d["entries"] = s.entries;
  d["bytes"] = s.bytes;
  d["duration_us"] = s.duration_us;
  d["maps_truncated"] = s.maps_truncated;
  d["values_truncated"] = s.values_truncated;
  d["maps_with_errors"] = s.maps_with_errors;
  d["stopped_by"] = s.stopped_by ? py::object(py::str(*s.stopped_by)) : py::none();
  return d;
}

}  // namespace

void bind_capture(py::module_& m) {
  m.def(
      "capture",
      [](const py::kwargs& kw) {
        const CaptureOptions o = options_of(kw);
        Result<FailureDumpReport> r = Error(ErrorCode::Internal, "not captured");
        {
          py::gil_scoped_release unlocked;
          r = capture(o);
        }
        auto file = std::make_shared<const FailureDumpFile>(take(std::move(r)));
        return PyReport{std::move(file), "(live capture)"};
      },
      "Capture this machine's BPF state (needs root) into a Report; keyword arguments as "
      "`scxsnap capture` names its flags: obj, map, map_id, max_entries, deadline_ms, "
      "enable_stats, all_progs, pid, cgroup, active_obj, max_value_bytes, "
      "max_array_elements, replay_kernel, record_kernel");
  m.def(
      "capture_to",
      [](const std::string& path, const std::string& format, bool pretty, const py::kwargs& kw) {
        const CaptureOptions o = options_of(kw);
        if (format != "json" && format != "native")
          throw LibraryFailure(
              Error(ErrorCode::InvalidArgument,
                    "capture_to: format is 'json' or 'native', not '" + format + "'"));
        Result<CaptureSummary> r = Error(ErrorCode::Internal, "not captured");
        {
          py::gil_scoped_release unlocked;
          r = format == "native"
                  ? capture_native(o, path)
                  : capture_to_file(o, path, pretty ? JsonStyle::Pretty : JsonStyle::Compact);
        }
        return summary_of(take(std::move(r)));
      },
      py::arg("path"), py::arg("format") = "json", py::arg("pretty") = false,
      "Capture into a file (JSON streamed, or a native snapshot), as `scxsnap capture -o`; "
      "returns the summary");
}

}  // namespace scxsnap::python

// SPDX-License-Identifier: Apache-2.0
// Reports and the Snapshot API in Python: Report (a loaded file), Snapshot,
// Map, Entry and Field, each borrowing from the report it came from and
// keeping it alive. A missing field, map or variable raises its
// SnapshotError subclass at once, with the structured fields of ktstr's
// error (the names that *are* available).
#include "py_common.hpp"
#include "py_values.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/html.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/output_file.hpp"
#include "scxsnap/snapshot.hpp"

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <variant>

namespace scxsnap::python {
namespace {

PyField present(Owner owner, SnapshotField f) {
  if (const SnapshotError* e = f.error()) throw SnapshotFailure(*e);
  return PyField{std::move(owner), std::move(f)};
}

PySnapshot snapshot_of(const PyReport& r, bool early) {
  const FailureDumpReport* rep = take(report_of(*r.file, early ? DumpHalf::Early : DumpHalf::Late));
  return PySnapshot{r.file, Snapshot(*rep)};
}

std::string_view schema_of(const FailureDumpFile& f) {
  if (std::holds_alternative<DualFailureDumpReport>(f)) return "dual";
  if (std::holds_alternative<DegradedFailureDumpReport>(f)) return "degraded";
  return "single";
}

// A per-CPU aggregate: u64 if every slot is unsigned, else i64, else f64.
template <class U, class I, class F>
py::object aggregate(U u, I i, F f) {
  auto ru = u();
  if (ru) return py_u64(*ru);
  if (!ru.error().template is<errors::TypeMismatch>()) throw SnapshotFailure(ru.error());
  auto ri = i();
  if (ri) return py_i64(*ri);
  if (!ri.error().template is<errors::TypeMismatch>()) throw SnapshotFailure(ri.error());
  return py::float_(take(f()));
}

py::object field_int(const SnapshotField& f) {
  const RenderedValue* v = f.raw();
  if (v && v->kind() == ValueKind::Uint) return py_u64(take(f.as_u64()));
  auto i = f.as_i64();
  if (i) return py_i64(*i);
  return py_u64(take(f.as_u64()));
}

py::object entry_python(const SnapshotEntry& e) {
  py::dict d;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        auto opt = [](const std::optional<RenderedValue>& v) {
          return v ? to_python(*v) : py::none();
        };
        auto slots = [&](const std::vector<std::optional<RenderedValue>>& s) {
          py::list l;
          for (const auto& v : s) l.append(opt(v));
          return l;
        };
        if constexpr (std::is_same_v<T, SnapshotEntry::Hash>) {
          d["key"] = opt(x.entry->key);
          d["value"] = opt(x.entry->value);
        } else if constexpr (std::is_same_v<T, SnapshotEntry::Array>) {
          d["key"] = py::int_(x.entry->key);
          d["value"] = opt(x.entry->value);
        } else if constexpr (std::is_same_v<T, SnapshotEntry::Percpu>) {
          d["key"] = py::int_(x.entry->key);
          d["per_cpu"] = slots(x.entry->per_cpu);
        } else if constexpr (std::is_same_v<T, SnapshotEntry::PercpuHash>) {
          d["key"] = opt(x.entry->key);
          d["per_cpu"] = slots(x.entry->per_cpu);
        } else if constexpr (std::is_same_v<T, SnapshotEntry::Value>) {
          d["value"] = x.value ? to_python(*x.value) : py::none();
        } else {
          throw SnapshotFailure(x.error);
        }
      },
      e.variant());
  return d;
}

std::string_view entry_kind(const SnapshotEntry& e) {
  return std::visit(
      [](const auto& x) -> std::string_view {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, SnapshotEntry::Hash>) return "hash";
        if constexpr (std::is_same_v<T, SnapshotEntry::Array>) return "array";
        if constexpr (std::is_same_v<T, SnapshotEntry::Percpu>) return "percpu";
        if constexpr (std::is_same_v<T, SnapshotEntry::PercpuHash>) return "percpu_hash";
        if constexpr (std::is_same_v<T, SnapshotEntry::Value>) return "value";
        return "missing";
      },
      e.variant());
}

PyEntry entry_or_raise(Owner owner, SnapshotEntry e) {
  if (auto* m = std::get_if<SnapshotEntry::Missing>(&e.variant())) throw SnapshotFailure(m->error);
  return PyEntry{std::move(owner), std::move(e)};
}

}  // namespace

void write_page(const std::string& path, const std::string& page) {
  OutputFile f = take(OutputFile::create(path, FileMode::Shared));
  take(f.write(page));
  take(f.commit());
}

namespace {

void bind_report(py::module_& m) {
  py::class_<PyReport>(m, "Report",
                       "A loaded dump: ktstr JSON (single, dual or degraded) or a native snapshot")
      .def_property_readonly("schema",
                             [](const PyReport& r) { return std::string(schema_of(*r.file)); })
      .def_property_readonly("source", [](const PyReport& r) { return r.source; })
      .def("snapshot", &snapshot_of, py::arg("early") = false,
           "The Snapshot of the report (of a dual dump: the late half, or the early one)")
      .def(
          "var",
          [](const PyReport& r, const std::string& n) {
            auto s = snapshot_of(r, false);
            return present(s.owner, s.snap.var(n));
          },
          py::arg("name"))
      .def(
          "live_var",
          [](const PyReport& r, const std::string& n) {
            auto s = snapshot_of(r, false);
            return present(s.owner, s.snap.live_var(n));
          },
          py::arg("name"))
      .def(
          "map",
          [](const PyReport& r, const std::string& n) {
            auto s = snapshot_of(r, false);
            return PyMap{s.owner, take(s.snap.map(n))};
          },
          py::arg("name"))
      .def("active",
           [](const PyReport& r) {
             auto s = snapshot_of(r, false);
             return PySnapshot{s.owner, take(s.snap.active())};
           })
      .def(
          "to_json",
          [](const PyReport& r, bool pretty) {
            std::string out;
            {
              py::gil_scoped_release unlocked;
              out = to_json(*r.file, pretty ? JsonStyle::Pretty : JsonStyle::Compact);
            }
            return out;
          },
          py::arg("pretty") = false,
          "ktstr JSON, byte for byte what `scxsnap convert` writes (without its final newline)")
      .def(
          "html",
          [](const PyReport& r, const std::string& path, std::size_t max_entries, bool early,
             const std::vector<std::string>& expect) {
            if (!expect.empty())
              throw LibraryFailure(
                  Error(ErrorCode::BadInput, "expect needs a series (scxsnap.load_series); " +
                                                 r.source + " is a single dump"));
            const FailureDumpReport* rep =
                take(report_of(*r.file, early ? DumpHalf::Early : DumpHalf::Late));
            std::string page;
            {
              py::gil_scoped_release unlocked;
              page = html::report_page(*rep, r.source, max_entries);
            }
            write_page(path, page);
          },
          py::arg("path"), py::arg("max_entries") = 100, py::arg("early") = false,
          py::arg("expect") = std::vector<std::string>{}, "Write the page `scxsnap report` writes")
      .def("__repr__", [](const PyReport& r) {
        return "<scxsnap.Report " + std::string(schema_of(*r.file)) + " " + r.source + ">";
      });

  m.def(
      "load",
      [](const std::string& path, std::optional<std::vector<std::string>> maps,
         std::optional<std::vector<std::string>> vars) {
        NativeSelection sel;
        if (maps) sel.maps = *maps;
        sel.vars = vars;
        Result<FailureDumpFile> r = Error(ErrorCode::Internal, "not loaded");
        {
          py::gil_scoped_release unlocked;
          r = load_any_dump(path, sel);
        }
        return PyReport{std::make_shared<const FailureDumpFile>(take(std::move(r))), path};
      },
      py::arg("path"), py::arg("maps") = py::none(), py::arg("vars") = py::none(),
      "Load a dump: ktstr JSON (single, dual, degraded) or a native snapshot, told apart by "
      "content. `maps`/`vars` render only those (a native snapshot or a large JSON report "
      "then costs what it reads).");
}

void bind_snapshot_classes(py::module_& m) {
  py::class_<PySnapshot>(m, "Snapshot", "The typed walk of one report (ktstr's Snapshot)")
      .def(
          "var",
          [](const PySnapshot& s, const std::string& n) { return present(s.owner, s.snap.var(n)); },
          py::arg("name"), "A global variable of any object (ambiguous names raise)")
      .def(
          "live_var",
          [](const PySnapshot& s, const std::string& n) {
            return present(s.owner, s.snap.live_var(n));
          },
          py::arg("name"), "A global of the active scheduler's objects")
      .def(
          "map",
          [](const PySnapshot& s, const std::string& n) {
            return PyMap{s.owner, take(s.snap.map(n))};
          },
          py::arg("name"))
      .def(
          "active",
          [](const PySnapshot& s) {
            return PySnapshot{s.owner, take(s.snap.active())};
          },
          "The view of the active scheduler's maps only")
      .def(
          "vars",
          [](const PySnapshot& s, const std::string& n) {
            py::list l;
            for (auto& [obj, f] : s.snap.vars(n))
              l.append(py::make_tuple(std::string(obj), PyField{s.owner, f}));
            return l;
          },
          py::arg("name"), "Every object's variable of that name: [(section, Field)]")
      .def_property_readonly("maps",
                             [](const PySnapshot& s) {
                               py::list l;
                               for (const auto& mp : s.snap.report().maps)
                                 if (s.snap.map(mp.name)) l.append(mp.name);
                               return l;
                             })
      .def_property_readonly("active_obj",
                             [](const PySnapshot& s) -> py::object {
                               auto a = s.snap.active_obj();
                               return a ? py::object(py::str(std::string(*a))) : py::none();
                             })
      .def_property_readonly("is_placeholder",
                             [](const PySnapshot& s) { return s.snap.is_placeholder(); })
      .def("__len__", [](const PySnapshot& s) { return s.snap.map_count(); });

  py::class_<PyMap>(m, "Map", "One map of a report, optionally narrowed to a CPU")
      .def_property_readonly("name", [](const PyMap& p) { return std::string(p.map.name()); })
      .def_property_readonly("map_type", [](const PyMap& p) { return p.map.raw().map_type; })
      .def_property_readonly("max_entries", [](const PyMap& p) { return p.map.raw().max_entries; })
      .def_property_readonly("error",
                             [](const PyMap& p) -> py::object {
                               auto e = p.map.map_error();
                               return e ? py::object(py::str(std::string(*e))) : py::none();
                             })
      .def_property_readonly(
          "value",
          [](const PyMap& p) -> py::object {
            const auto& v = p.map.raw().value;
            return v ? py::cast(PyField{p.owner, SnapshotField::of(*v)}) : py::none();
          },
          "A single-value map's value (a global section), or None")
      .def(
          "cpu",
          [](const PyMap& p, std::size_t n) {
            return PyMap{p.owner, p.map.cpu(n)};
          },
          py::arg("n"), "The map narrowed to CPU n: per-CPU entries give that CPU's slot")
      .def(
          "at", [](const PyMap& p, std::size_t n) { return entry_or_raise(p.owner, p.map.at(n)); },
          py::arg("n"))
      .def("__len__", [](const PyMap& p) { return p.map.len(); })
      .def("__getitem__",
           [](const PyMap& p, std::int64_t i) {
             const auto n = static_cast<std::int64_t>(p.map.len());
             if (i < 0) i += n;
             if (i < 0 || i >= n) throw py::index_error("entry index out of range");
             return entry_or_raise(p.owner, p.map.at(static_cast<std::size_t>(i)));
           })
      .def(
          "entries",
          [](const PyMap& p) {
            py::list l;
            for (std::size_t i = 0, n = p.map.len(); i < n; ++i)
              l.append(entry_or_raise(p.owner, p.map.at(i)));
            return l;
          },
          "Every entry, in the kernel's order")
      .def("__iter__",
           [](const PyMap& p) {
             py::list l;
             for (std::size_t i = 0, n = p.map.len(); i < n; ++i)
               l.append(entry_or_raise(p.owner, p.map.at(i)));
             return py::iter(l);
           })
      .def(
          "find",
          [](const PyMap& p, const py::function& pred) -> py::object {
            for (std::size_t i = 0, n = p.map.len(); i < n; ++i) {
              PyEntry pe = entry_or_raise(p.owner, p.map.at(i));
              if (pred(pe).cast<bool>()) return py::cast(std::move(pe));
            }
            return py::none();
          },
          py::arg("pred"), "The first entry pred(entry) is true of, or None")
      .def(
          "filter",
          [](const PyMap& p, const py::function& pred) {
            py::list l;
            for (std::size_t i = 0, n = p.map.len(); i < n; ++i) {
              PyEntry pe = entry_or_raise(p.owner, p.map.at(i));
              if (pred(pe).cast<bool>()) l.append(std::move(pe));
            }
            return l;
          },
          py::arg("pred"))
      .def("to_python",
           [](const PyMap& p) {
             py::list l;
             for (std::size_t i = 0, n = p.map.len(); i < n; ++i)
               l.append(entry_python(p.map.at(i)));
             return l;
           })
      .def("__repr__", [](const PyMap& p) {
        return "<scxsnap.Map " + std::string(p.map.name()) + ": " + std::to_string(p.map.len()) +
               " entries>";
      });

  py::class_<PyEntry>(m, "Entry", "One entry of a map")
      .def_property_readonly("kind",
                             [](const PyEntry& e) { return std::string(entry_kind(e.entry)); })
      .def(
          "get",
          [](const PyEntry& e, const std::string& path) {
            return present(e.owner, e.entry.get(path));
          },
          py::arg("path") = "", "The value (or the field at a dotted path in it)")
      .def(
          "key",
          [](const PyEntry& e, const std::string& path) {
            return present(e.owner, e.entry.key(path));
          },
          py::arg("path") = "")
      .def(
          "cpu_sum",
          [](const PyEntry& e, const std::string& path) {
            return aggregate([&] { return e.entry.cpu_sum_u64(path); },
                             [&] { return e.entry.cpu_sum_i64(path); },
                             [&] { return e.entry.cpu_sum_f64(path); });
          },
          py::arg("path") = "", "The sum over CPUs of a per-CPU entry's field (exact ints)")
      .def(
          "cpu_max",
          [](const PyEntry& e, const std::string& path) {
            return aggregate([&] { return e.entry.cpu_max_u64(path); },
                             [&] { return e.entry.cpu_max_i64(path); },
                             [&] { return e.entry.cpu_max_f64(path); });
          },
          py::arg("path") = "")
      .def(
          "cpu_min",
          [](const PyEntry& e, const std::string& path) {
            return aggregate([&] { return e.entry.cpu_min_u64(path); },
                             [&] { return e.entry.cpu_min_i64(path); },
                             [&] { return e.entry.cpu_min_f64(path); });
          },
          py::arg("path") = "")
      .def("to_python", [](const PyEntry& e) { return entry_python(e.entry); })
      .def("__repr__", [](const PyEntry& e) {
        return "<scxsnap.Entry " + std::string(entry_kind(e.entry)) + ">";
      });

  py::class_<PyField>(m, "Field", "A value in a report, reached by var, get or an entry")
      .def(
          "get",
          [](const PyField& f, const std::string& path) {
            return present(f.owner, f.field.get(path));
          },
          py::arg("path"), "The field at a dotted path ('a.b.c')")
      .def("__getitem__",
           [](const PyField& f, const py::object& k) {
             if (py::isinstance<py::str>(k))
               return present(f.owner, f.field.get(k.cast<std::string>()));
             const RenderedValue* v = f.field.raw();
             auto i = k.cast<std::int64_t>();
             const auto n = v ? static_cast<std::int64_t>(v->elements().size()) : 0;
             if (i < 0) i += n;
             if (!v || i < 0 || i >= n) throw py::index_error("element index out of range");
             return PyField{f.owner, SnapshotField::of(v->elements()[static_cast<std::size_t>(i)])};
           })
      .def("members",
           [](const PyField& f) {
             py::dict d;
             const RenderedValue* v = f.field.raw();
             if (!v) return d;
             for (const auto& mem : v->members())
               d[py::str(std::string(mem.name.view()))] =
                   PyField{f.owner, SnapshotField::of(mem.value)};
             return d;
           })
      .def_property_readonly(
          "value",
          [](const PyField& f) -> py::object {
            return f.field.raw() ? to_python(*f.field.raw()) : py::none();
          },
          "to_python() of the value")
      .def("to_python",
           [](const PyField& f) -> py::object {
             return f.field.raw() ? to_python(*f.field.raw()) : py::none();
           })
      .def_property_readonly(
          "raw",
          [](const PyField& f) -> py::object {
            return f.field.raw() ? py::cast(PyValue{f.owner, f.field.raw()}) : py::none();
          })
      .def_property_readonly(
          "kind",
          [](const PyField& f) -> py::object {
            return f.field.raw() ? py::object(py::str(std::string(kind_tag(f.field.raw()->kind()))))
                                 : py::none();
          })
      .def("as_u64", [](const PyField& f) { return py_u64(take(f.field.as_u64())); })
      .def("as_i64", [](const PyField& f) { return py_i64(take(f.field.as_i64())); })
      .def("as_f64", [](const PyField& f) { return take(f.field.as_f64()); })
      .def("as_bool", [](const PyField& f) { return take(f.field.as_bool()); })
      .def("as_str", [](const PyField& f) { return std::string(take(f.field.as_str())); })
      .def("__int__", [](const PyField& f) { return field_int(f.field); })
      .def("__index__", [](const PyField& f) { return field_int(f.field); })
      .def("__float__", [](const PyField& f) { return take(f.field.as_f64()); })
      .def(
          "__str__",
          [](const PyField& f) { return f.field.raw() ? f.field.raw()->display() : std::string(); })
      .def("__repr__", [](const PyField& f) {
        return "<scxsnap.Field " +
               (f.field.raw() ? f.field.raw()->display() : std::string("(per-CPU key)")) + ">";
      });
}

}  // namespace

void bind_snapshot(py::module_& m) {
  bind_report(m);
  bind_snapshot_classes(m);
}

}  // namespace scxsnap::python

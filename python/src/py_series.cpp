// SPDX-License-Identifier: Apache-2.0
// Series in Python: samples over time (`watch` JSON Lines or a native
// series), their snapshots, projections in check's grammar as columns (the
// package builds pandas data frames from them), and assertions as `check`
// evaluates them.
#include "py_common.hpp"
#include "py_values.hpp"
#include "scxsnap/expect.hpp"
#include "scxsnap/html.hpp"
#include "scxsnap/output_file.hpp"
#include "scxsnap/series_file.hpp"
#include "scxsnap/snapshot.hpp"

#include <pybind11/stl.h>

namespace scxsnap::python {
namespace {

struct PyVerdict {
  ExpectationOutcome o;
  std::string summary;
};

py::object projected(const ProjectedValue& v) {
  switch (v.cls) {
    case ValueClass::Unsigned:
      return py_u64(v.u);
    case ValueClass::Signed:
      return py_i64(v.i);
    case ValueClass::Float:
      return py::float_(v.f);
    case ValueClass::Bool:
      return py::bool_(v.b);
  }
  return py::none();
}

std::vector<Expectation> parsed(const std::vector<std::string>& texts) {
  return take(parse_expectations(texts));
}

std::vector<std::string> texts_of(const py::object& exprs) {
  if (py::isinstance<py::str>(exprs)) return {exprs.cast<std::string>()};
  return exprs.cast<std::vector<std::string>>();
}

}  // namespace

void bind_series(py::module_& m) {
  py::class_<PyVerdict>(m, "Verdict", "One assertion's outcome, as `scxsnap check` prints it")
      .def_property_readonly("expr", [](const PyVerdict& v) { return v.o.text; })
      .def_property_readonly("verdict",
                             [](const PyVerdict& v) { return std::string(verdict_word(v.o.kind)); })
      .def_property_readonly("passed",
                             [](const PyVerdict& v) { return v.o.kind == VerdictKind::Pass; })
      .def_property_readonly("failed",
                             [](const PyVerdict& v) { return v.o.kind == VerdictKind::Fail; })
      .def_property_readonly(
          "inconclusive", [](const PyVerdict& v) { return v.o.kind == VerdictKind::Inconclusive; })
      .def_property_readonly(
          "compared_as",
          [](const PyVerdict& v) { return std::string(value_class_name(v.o.value_class)); })
      .def_property_readonly("samples", [](const PyVerdict& v) { return v.o.samples; })
      .def_property_readonly("evaluated", [](const PyVerdict& v) { return v.o.evaluated; })
      .def_property_readonly("failures", [](const PyVerdict& v) { return v.o.failures; })
      .def_property_readonly("inconclusives", [](const PyVerdict& v) { return v.o.inconclusives; })
      .def_property_readonly("notes", [](const PyVerdict& v) { return v.o.notes; })
      .def_property_readonly("hints", [](const PyVerdict& v) { return v.o.hints; })
      .def_property_readonly(
          "summary", [](const PyVerdict& v) { return v.summary; },
          "Where it failed ('' if it passed)")
      .def("__bool__", [](const PyVerdict& v) { return v.o.kind == VerdictKind::Pass; })
      .def("__repr__", [](const PyVerdict& v) {
        return "<scxsnap.Verdict " + std::string(verdict_word(v.o.kind)) + " " + v.o.text + ">";
      });

  py::class_<PySeries>(m, "Series", "Samples over time, from `scxsnap watch`")
      .def_property_readonly("source", [](const PySeries& s) { return s.source; })
      .def("__len__", [](const PySeries& s) { return s.series->len(); })
      .def_property_readonly("tags",
                             [](const PySeries& s) {
                               py::list l;
                               for (const auto& r : s.series->rows()) l.append(r.tag);
                               return l;
                             })
      .def_property_readonly("elapsed_ms",
                             [](const PySeries& s) {
                               py::list l;
                               for (const auto& r : s.series->rows())
                                 l.append(r.elapsed_ms ? py_u64(*r.elapsed_ms) : py::none());
                               return l;
                             })
      .def_property_readonly(
          "step_index",
          [](const PySeries& s) {
            py::list l;
            for (const auto& r : s.series->rows())
              l.append(r.step_index ? py::object(py::int_(*r.step_index)) : py::none());
            return l;
          })
      .def_property_readonly("notes", [](const PySeries& s) { return s.series->notes(); })
      .def("__getitem__",
           [](const PySeries& s, std::int64_t i) {
             const auto n = static_cast<std::int64_t>(s.series->len());
             if (i < 0) i += n;
             if (i < 0 || i >= n) throw py::index_error("sample index out of range");
             const FailureDumpReport& r = s.series->rows()[static_cast<std::size_t>(i)].report;
             return PySnapshot{s.series, Snapshot(r)};
           })
      .def(
          "column",
          [](const PySeries& s, const std::string& projection) {
            std::vector<ProjectedAt> values;
            {
              py::gil_scoped_release unlocked;
              auto r = project_series(*s.series, projection);
              if (!r) throw LibraryFailure(r.error());
              values = std::move(*r);
            }
            py::list out(values.size());
            for (std::size_t i = 0; i < values.size(); ++i)
              out[i] = values[i] ? projected(*values[i]) : py::none();
            return out;
          },
          py::arg("projection"),
          "One value per sample of a projection in check's grammar ('var:x', "
          "'map:m.cpu_sum(f)', ...); None where a sample has none (a placeholder, a missing key)")
      .def(
          "check",
          [](const PySeries& s, const py::object& exprs) {
            const std::vector<Expectation> es = parsed(texts_of(exprs));
            std::vector<PyVerdict> out;
            {
              py::gil_scoped_release unlocked;
              for (const auto& e : es) {
                auto r = evaluate_expectation(e, *s.series);
                if (!r) throw LibraryFailure(r.error());
                out.push_back({*r, failure_summary(*r)});
              }
            }
            return out;
          },
          py::arg("exprs"), "Evaluate assertions (one or a list) as `scxsnap check` does")
      .def(
          "check_text",
          [](const PySeries& s, const py::object& exprs, std::size_t max_failures) {
            const std::vector<Expectation> es = parsed(texts_of(exprs));
            std::vector<ExpectationOutcome> outs;
            py::gil_scoped_release unlocked;
            for (const auto& e : es) outs.push_back(take(evaluate_expectation(e, *s.series)));
            return outcomes_text(outs, *s.series, max_failures);
          },
          py::arg("exprs"), py::arg("max_failures") = 5, "The text `scxsnap check` prints")
      .def(
          "html",
          [](const PySeries& s, const std::string& path, const std::vector<std::string>& expect,
             bool only_expected) {
            const std::vector<Expectation> es = parsed(expect);
            std::string page;
            {
              py::gil_scoped_release unlocked;
              auto r = html::series_page(*s.series, s.source, es, only_expected);
              if (!r) throw LibraryFailure(r.error());
              page = std::move(*r);
            }
            OutputFile f = take(OutputFile::create(path, FileMode::Shared));
            take(f.write(page));
            take(f.commit());
          },
          py::arg("path"), py::arg("expect") = std::vector<std::string>{},
          py::arg("only_expected") = false, "Write the page `scxsnap report` writes of a series")
      .def("__repr__", [](const PySeries& s) {
        return "<scxsnap.Series " + std::to_string(s.series->len()) + " samples " + s.source + ">";
      });

  m.def(
      "load_series",
      [](const std::string& path, std::optional<std::vector<std::string>> maps,
         std::optional<std::vector<std::string>> vars) {
        NativeSelection sel;
        if (maps) sel.maps = *maps;
        sel.vars = vars;
        Result<SampleSeries> r = Error(ErrorCode::Internal, "not loaded");
        {
          py::gil_scoped_release unlocked;
          r = load_any_series(path, sel);
        }
        return PySeries{std::make_shared<const SampleSeries>(take(std::move(r))), path};
      },
      py::arg("path"), py::arg("maps") = py::none(), py::arg("vars") = py::none(),
      "Load a series: `watch` JSON Lines or a native series, told apart by content");
}

}  // namespace scxsnap::python

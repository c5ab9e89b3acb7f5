// SPDX-License-Identifier: Apache-2.0
// The extension module scxsnap._scxsnap; the package (scxsnap/__init__.py)
// re-exports it with the exception classes and the pandas helpers.
#include "py_common.hpp"
#include "scxsnap/version.hpp"

namespace scxsnap::python {

void register_errors(py::module_& m) {
  (void)m;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const SnapshotFailure& e) {
      py::object make = py::module_::import("scxsnap.errors").attr("_snapshot_error");
      py::object exc = make(std::string(e.error.variant_name()), e.text, e.error.to_json());
      PyErr_SetObject(exc.get_type().ptr(), exc.ptr());
    } catch (const LibraryFailure& e) {
      py::object make = py::module_::import("scxsnap.errors").attr("_library_error");
      py::object exc = make(static_cast<int>(e.error.code()), e.error.message());
      PyErr_SetObject(exc.get_type().ptr(), exc.ptr());
    }
  });
}

}  // namespace scxsnap::python

PYBIND11_MODULE(_scxsnap, m) {
  using namespace scxsnap::python;
  m.doc() = "scxsnap: snapshots of BPF scheduler state (the C++ library's bindings)";
  m.attr("__version__") = std::string(scxsnap::version());
  register_errors(m);
  // For the tests: raise the SnapshotError of its externally tagged JSON, as
  // the library would have raised it.
  m.def("_raise_snapshot_error", [](const std::string& json) {
    throw SnapshotFailure(take(scxsnap::SnapshotError::from_json(json)));
  });
  bind_values(m);
  bind_snapshot(m);
  bind_series(m);
  bind_capture(m);
}

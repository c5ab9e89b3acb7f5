// SPDX-License-Identifier: Apache-2.0
// What the Python bindings share: the C++ errors they raise (translated into
// the exception classes of scxsnap/errors.py), and the keep-alive that lets
// a Python object borrow from a loaded report or series.
#pragma once

#include "scxsnap/dump_file.hpp"
#include "scxsnap/result.hpp"
#include "scxsnap/sample_series.hpp"
#include "scxsnap/snapshot.hpp"
#include "scxsnap/snapshot_error.hpp"

#include <exception>
#include <memory>
#include <pybind11/pybind11.h>
#include <string>
#include <utility>

namespace scxsnap::python {

namespace py = pybind11;

/// What a Python object keeps alive while it borrows from it (a report, a
/// series): shared, read-only, never mutated after loading.
using Owner = std::shared_ptr<const void>;

/// A library error (scxsnap::Error), raised as scxsnap.ScxsnapError's
/// subclass for its code.
struct LibraryFailure : std::exception {
  Error error;
  explicit LibraryFailure(Error e) : error(std::move(e)) {}
  const char* what() const noexcept override { return error.message().c_str(); }
};

/// A Snapshot error, raised as scxsnap.SnapshotError's subclass of its kind,
/// with its structured fields.
struct SnapshotFailure : std::exception {
  SnapshotError error;
  std::string text;
  explicit SnapshotFailure(SnapshotError e) : error(std::move(e)), text(error.message()) {}
  const char* what() const noexcept override { return text.c_str(); }
};

template <class T>
T take(Result<T> r) {
  if (!r) throw LibraryFailure(std::move(r.error()));
  return std::move(*r);
}
inline void take(Result<void> r) {
  if (!r) throw LibraryFailure(std::move(r.error()));
}
template <class T>
T take(SnapshotResult<T> r) {
  if (!r) throw SnapshotFailure(std::move(r.error()));
  return std::move(*r);
}

// The Python objects, each holding what it borrows from.
struct PyReport {
  std::shared_ptr<const FailureDumpFile> file;
  std::string source;
};
struct PySeries {
  std::shared_ptr<const SampleSeries> series;
  std::string source;
};
struct PySnapshot {
  Owner owner;
  Snapshot snap;
};
struct PyMap {
  Owner owner;
  SnapshotMap map;
};
struct PyEntry {
  Owner owner;
  SnapshotEntry entry;
};
struct PyField {
  Owner owner;
  SnapshotField field;
};

/// A page written as `scxsnap report` writes it (atomically, mode 0666 & ~umask).
void write_page(const std::string& path, const std::string& page);

void register_errors(py::module_& m);
void bind_values(py::module_& m);
void bind_snapshot(py::module_& m);
void bind_series(py::module_& m);
void bind_capture(py::module_& m);

}  // namespace scxsnap::python

// SPDX-License-Identifier: Apache-2.0
// Rendered values in Python: converted (to_python: exact ints, floats, str,
// bytes, lists, dicts) or walked (RenderedValue, borrowing from its report).
#pragma once

#include "py_common.hpp"
#include "scxsnap/rendered_value.hpp"

namespace scxsnap::python {

/// The value as plain Python data: Int/Uint/Char/Enum/Ptr -> int (never
/// through a float), Bool -> bool, Float -> float, Struct -> dict in member
/// order, Array -> list (a char array -> str up to its NUL, bytes when it is
/// not UTF-8), CpuList -> str, Bytes -> bytes, Truncated -> its partial
/// value, Unsupported -> None.
py::object to_python(const RenderedValue& v);

/// A borrowed value, walkable from Python.
struct PyValue {
  Owner owner;
  const RenderedValue* v = nullptr;
};

/// A u64 as a Python int, exactly.
inline py::object py_u64(std::uint64_t v) {
  return py::reinterpret_steal<py::object>(PyLong_FromUnsignedLongLong(v));
}
inline py::object py_i64(std::int64_t v) {
  return py::reinterpret_steal<py::object>(PyLong_FromLongLong(v));
}

}  // namespace scxsnap::python

// SPDX-License-Identifier: Apache-2.0
// Rendered values for Python (py_values.hpp): one converter per kind.
#include "py_values.hpp"

#include <pybind11/stl.h>
#include <string>

namespace scxsnap::python {
namespace {

py::object enum_value(const RenderedValue& v) {
  if (v.is_signed() || v.bits() == 0 || v.bits() >= 64) return py_i64(v.int_value());
  const std::uint64_t mask = (std::uint64_t{1} << v.bits()) - 1;
  return py_u64(static_cast<std::uint64_t>(v.int_value()) & mask);
}

py::object struct_value(const RenderedValue& v) {
  py::dict d;
  for (const RenderedMember& m : v.members())
    d[py::str(std::string(m.name.view()))] = to_python(m.value);
  return d;
}

py::object array_value(const RenderedValue& v) {
  const auto& els = v.elements();
  const bool chars =
      !els.empty() && std::all_of(els.begin(), els.end(), [](const RenderedValue& e) {
        return e.kind() == ValueKind::Char;
      });
  if (chars) {
    std::string s;
    for (const auto& e : els) {
      if (e.char_value() == 0) break;
      s.push_back(static_cast<char>(e.char_value()));
    }
    PyObject* u = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
    if (u) return py::reinterpret_steal<py::object>(u);
    PyErr_Clear();
    return py::bytes(s);
  }
  py::list l(els.size());
  for (std::size_t i = 0; i < els.size(); ++i) l[i] = to_python(els[i]);
  return l;
}

py::object bytes_value(const RenderedValue& v) {
  std::string raw;
  const std::string& hex = v.text();
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int hi = -1;
  for (char c : hex) {
    const int n = nib(c);
    if (n < 0) continue;  // separators
    if (hi < 0) {
      hi = n;
    } else {
      raw.push_back(static_cast<char>(hi * 16 + n));
      hi = -1;
    }
  }
  return py::bytes(raw);
}

}  // namespace

py::object to_python(const RenderedValue& v) {
  switch (v.kind()) {
    case ValueKind::Int:
      return py_i64(v.int_value());
    case ValueKind::Uint:
      return py_u64(v.uint_value());
    case ValueKind::Bool:
      return py::bool_(v.bool_value());
    case ValueKind::Char:
      return py::int_(v.char_value());
    case ValueKind::Float:
      return py::float_(v.float_value());
    case ValueKind::Enum:
      return enum_value(v);
    case ValueKind::Struct:
      return struct_value(v);
    case ValueKind::Array:
      return array_value(v);
    case ValueKind::CpuList:
      return py::str(v.text());
    case ValueKind::Ptr:
      return py_u64(v.uint_value());
    case ValueKind::Bytes:
      return bytes_value(v);
    case ValueKind::Truncated:
      return v.partial() ? to_python(*v.partial()) : py::none();
    case ValueKind::Unsupported:
      return py::none();
  }
  return py::none();
}

void bind_values(py::module_& m) {
  py::class_<PyValue>(m, "RenderedValue",
                      "A value rendered through BTF, borrowed from its report: walk it by "
                      "member name or index, or convert it with to_python()")
      .def_property_readonly("kind",
                             [](const PyValue& p) { return std::string(kind_tag(p.v->kind())); })
      .def_property_readonly("type_name",
                             [](const PyValue& p) -> py::object {
                               auto t = p.v->type_name();
                               return t ? py::object(py::str(std::string(*t))) : py::none();
                             })
      .def_property_readonly("variant",
                             [](const PyValue& p) -> py::object {
                               auto t = p.v->variant();
                               return t ? py::object(py::str(std::string(*t))) : py::none();
                             })
      .def("keys",
           [](const PyValue& p) {
             py::list l;
             for (const auto& mem : p.v->members()) l.append(std::string(mem.name.view()));
             return l;
           })
      .def("__len__",
           [](const PyValue& p) {
             return p.v->kind() == ValueKind::Struct ? p.v->members().size()
                                                     : p.v->elements().size();
           })
      .def("__getitem__",
           [](const PyValue& p, const py::object& k) {
             const RenderedValue* r = nullptr;
             if (py::isinstance<py::str>(k)) {
               r = p.v->member(k.cast<std::string>());
               if (!r) throw py::key_error(k.cast<std::string>());
             } else {
               auto i = k.cast<std::int64_t>();
               const auto n = static_cast<std::int64_t>(p.v->elements().size());
               if (i < 0) i += n;
               if (i < 0 || i >= n) throw py::index_error("element index out of range");
               r = &p.v->elements()[static_cast<std::size_t>(i)];
             }
             return PyValue{p.owner, r};
           })
      .def(
          "get",
          [](const PyValue& p, const std::string& path) -> py::object {
            const RenderedValue* r = p.v->get(path);
            return r ? py::cast(PyValue{p.owner, r}) : py::none();
          },
          py::arg("path"), "The value at a dotted path ('a.b.c'), or None")
      .def("to_python", [](const PyValue& p) { return to_python(*p.v); })
      .def("display", [](const PyValue& p) { return p.v->display(); })
      .def("__str__", [](const PyValue& p) { return p.v->display(); })
      .def("__repr__", [](const PyValue& p) {
        return "<RenderedValue " + std::string(kind_tag(p.v->kind())) + ": " + p.v->display() + ">";
      });
}

}  // namespace scxsnap::python

// Helpers that unwrap the expected SnapshotError variant (copying it out).
#pragma once

#include "scxsnap/scxsnap.hpp"

#include <gtest/gtest.h>

namespace fx {
using namespace scxsnap;

template <class V>
V err_as(const SnapshotField& f) {
  EXPECT_FALSE(f.is_present());
  EXPECT_NE(f.error(), nullptr);
  static const V kEmpty{};
  if (!f.error() || !f.error()->is<V>()) {
    ADD_FAILURE() << "wrong error: " << (f.error() ? f.error()->message() : "none");
    return kEmpty;
  }
  return *f.error()->get_if<V>();
}

template <class V>
V err_as(const SnapshotEntry& e) {
  static const V kEmpty{};
  auto* m = std::get_if<SnapshotEntry::Missing>(&e.variant());
  if (!m || !m->error.is<V>()) {
    ADD_FAILURE() << "entry is not the expected error: " << (m ? m->error.message() : "present");
    return kEmpty;
  }
  return *m->error.get_if<V>();
}

template <class V, class T>
V err_as(const SnapshotResult<T>& r) {
  static const V kEmpty{};
  if (r.has_value() || !r.error().template is<V>()) {
    ADD_FAILURE() << "result is not the expected error: "
                  << (r.has_value() ? "value" : r.error().message());
    return kEmpty;
  }
  return *r.error().template get_if<V>();
}

}  // namespace fx

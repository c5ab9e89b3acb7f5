// error_in(x): the error a field or result holds, for tests. Where it holds
// a value instead, the test fails with that said and ends by an exception
// (which GoogleTest catches): a regression fails one test, never crashes the
// whole test binary through a null pointer.
#pragma once

#include <gtest/gtest.h>
#include <stdexcept>

template <class T>
const auto& error_in(const T& x) {
  const auto* e = x.error();
  if (!e) {
    ADD_FAILURE() << "expected an error, but there is a value";
    throw std::logic_error("error_in: no error");
  }
  return *e;
}

// A libbpf `struct btf` owned by a unique_ptr, for tests that build BTF.
#pragma once

#include <bpf/btf.h>

#include <memory>

struct BtfDeleter {
  void operator()(struct btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<struct btf, BtfDeleter>;

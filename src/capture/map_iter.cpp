// SPDX-License-Identifier: Apache-2.0
#include "map_iter.hpp"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <vector>

namespace scxsnap::capture_detail {
namespace {

constexpr int kEnotsupp = 524;  // the kernel's ENOTSUPP: no batch op for this map type
constexpr std::uint32_t kInitialBatch = 4096;

bool is_hash_family(std::uint32_t t) {
  return t == BPF_MAP_TYPE_HASH || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_HASH ||
         t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_HASH_OF_MAPS;
}

// Returns true when done (fully walked, capped or stopped), false to fall back.
bool walk_batch(
    const MapShape& m, std::uint64_t limit, WalkResult& res,
    const std::function<bool(std::span<const std::uint8_t>, std::span<const std::uint8_t>)>& fn) {
  // The cursor is a u32 bucket index for hash maps and a key otherwise.
  std::size_t cursor_size =
      is_hash_family(m.type) ? std::max<std::size_t>(m.key_size, 4) : m.key_size;
  std::vector<std::uint8_t> in(cursor_size), out(cursor_size);
  std::uint32_t batch = kInitialBatch;
  std::vector<std::uint8_t> keys, values;
  bool first = true;
  while (true) {
    keys.resize(std::size_t{batch} * m.key_size);
    values.resize(std::size_t{batch} * m.value_size);
    std::uint32_t count = batch;
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    int rc = bpf_map_lookup_batch(m.fd, first ? nullptr : in.data(), out.data(), keys.data(),
                                  values.data(), &count, &opts);
    int err = rc < 0 ? errno : 0;
    if (rc < 0 && err == ENOSPC && count == 0) {
      batch *= 4;  // a hash bucket larger than the batch: grow and retry the same cursor
      if (batch > (1u << 22)) {
        res.error = "batch lookup needs more than 4M entries for one bucket";
        return true;
      }
      continue;
    }
    if (rc < 0 && err != ENOENT) {
      if (first && (err == kEnotsupp || err == EOPNOTSUPP || err == EINVAL || err == ENOTSUP))
        return false;
      res.error =
          fmt::format("batch lookup failed after {} entries: {}", res.visited, std::strerror(err));
      return true;
    }
    for (std::uint32_t i = 0; i < count; ++i) {
      if (limit && res.visited >= limit) {
        res.capped = true;
        return true;
      }
      ++res.visited;
      if (!fn({keys.data() + std::size_t{i} * m.key_size, m.key_size},
              {values.data() + std::size_t{i} * m.value_size, m.value_size}))
        return true;
    }
    if (rc < 0) return true;  // ENOENT: the walk is complete (entries above consumed)
    first = false;
    std::swap(in, out);
  }
}

void walk_next_key(
    const MapShape& m, std::uint64_t limit, WalkResult& res,
    const std::function<bool(std::span<const std::uint8_t>, std::span<const std::uint8_t>)>& fn) {
  std::vector<std::uint8_t> key(m.key_size), next(m.key_size), value(m.value_size);
  bool first = true;
  // GET_NEXT_KEY restarts from the beginning when the current key was deleted;
  // bound the walk so a churning map cannot keep us here forever.
  std::uint64_t steps = 0, max_steps = std::uint64_t{m.max_entries} * 4 + 1024;
  while (steps++ < max_steps) {
    if (bpf_map_get_next_key(m.fd, first ? nullptr : key.data(), next.data()) != 0) {
      if (errno != ENOENT)
        res.error = fmt::format("get-next-key failed after {} entries: {}", res.visited,
                                std::strerror(errno));
      return;
    }
    first = false;
    std::swap(key, next);
    if (bpf_map_lookup_elem(m.fd, key.data(), value.data()) != 0) {
      if (errno == ENOENT) continue;  // vanished between next-key and lookup
      res.error =
          fmt::format("lookup failed after {} entries: {}", res.visited, std::strerror(errno));
      return;
    }
    if (limit && res.visited >= limit) {
      res.capped = true;
      return;
    }
    ++res.visited;
    if (!fn(key, value)) return;
  }
  res.error = "get-next-key walk did not finish (entries churning faster than the walk)";
}

}  // namespace

WalkResult walk_entries(
    const MapShape& m, std::uint64_t limit,
    const std::function<bool(std::span<const std::uint8_t>, std::span<const std::uint8_t>)>& fn) {
  WalkResult res;
  if (m.key_size == 0) {
    res.error = "map has no keys to walk";
    return res;
  }
  if (!walk_batch(m, limit, res, fn)) walk_next_key(m, limit, res, fn);
  return res;
}

}  // namespace scxsnap::capture_detail

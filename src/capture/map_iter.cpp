// SPDX-License-Identifier: Apache-2.0
#include "map_iter.hpp"

#include "kernel_abi.hpp"
#include "raw_buffer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <vector>

namespace scxsnap::capture_detail {
namespace {

bool is_hash_family(std::uint32_t t) {
  return t == BPF_MAP_TYPE_HASH || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_HASH ||
         t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_HASH_OF_MAPS;
}

// The keys a walk has yielded, as 64-bit hashes: GET_NEXT_KEY restarts from
// the first key when the current one is deleted, and the restart must not
// yield keys again. A batch walk only notes the hashes (8 bytes a key,
// appended); the open-addressing table a next-key walk checks against is
// built only when one runs (a bucket larger than the batch budget: rare).
class SeenKeys {
 public:
  /// Notes a key a batch walk yielded.
  void note(std::span<const std::uint8_t> key) { noted_.push_back(hash(key)); }
  /// True when `key` was not seen before (and is now).
  bool insert(std::span<const std::uint8_t> key) {
    if (!noted_.empty()) {
      std::vector<std::uint64_t> noted = std::move(noted_);
      noted_.clear();
      for (std::uint64_t h : noted) insert_hash(h);
    }
    return insert_hash(hash(key));
  }

 private:
  static std::uint64_t hash(std::span<const std::uint8_t> key) {
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, then a final mix
    for (std::uint8_t b : key) h = (h ^ b) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h == 0 ? 1 : h;  // 0 marks an empty slot
  }
  bool insert_hash(std::uint64_t h) {
    if (used_ * 2 >= slots_.size()) grow();
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots_[i] == h) return false;
      if (slots_[i] == 0) {
        slots_[i] = h;
        ++used_;
        return true;
      }
    }
  }
  void grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(std::max<std::size_t>(64, old.size() * 2), 0);
    std::size_t mask = slots_.size() - 1;
    for (std::uint64_t h : old) {
      if (h == 0) continue;
      std::size_t i = h & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = h;
    }
  }
  std::vector<std::uint64_t> noted_;
  std::vector<std::uint64_t> slots_;
  std::size_t used_ = 0;
};

enum class BatchEnd { Done, Unsupported, TooBig };

// `last_key` holds the key yielded last (for a next-key walk to go on from);
// `seen` every key yielded from a hash map, whose walk may have to go on by
// next key (a bucket larger than the budget), where a restart from the first
// key must not yield the batch's keys again.
BatchEnd walk_batch(KernelSource& src, const MapShape& m, std::uint64_t limit,
                    std::size_t buffer_bytes, WalkResult& res, std::vector<std::uint8_t>& last_key,
                    SeenKeys& seen, const EntryFn& fn) {
  const bool hashed = is_hash_family(m.type);
  // The cursor is a u32 bucket index for hash maps and a key otherwise.
  std::size_t cursor_size = batch_cursor_size(m.type, m.key_size);
  std::vector<std::uint8_t> in(cursor_size), out(cursor_size);
  std::uint32_t batch = batch_entries(m, buffer_bytes);
  const std::size_t per_entry = std::size_t{m.key_size} + m.value_size;
  RawBuffer keys, values;
  bool first = true;
  while (true) {
    keys.ensure(std::size_t{batch} * m.key_size);
    values.ensure(std::size_t{batch} * m.value_size);
    std::uint32_t count = batch;
    int rc = src.lookup_batch(m.fd, first ? nullptr : in.data(), out.data(), keys.data(),
                              values.data(), &count);
    int err = rc < 0 ? -rc : 0;
    if (rc < 0 && err == ENOSPC && count == 0) {
      // A hash bucket holds more entries than the batch: grow within the
      // budget, else let a next-key walk go on from the last key.
      std::uint64_t grown = std::uint64_t{batch} * 4;
      if (grown * per_entry > std::max<std::size_t>(buffer_bytes, per_entry * 2))
        return BatchEnd::TooBig;
      batch = static_cast<std::uint32_t>(grown);
      continue;
    }
    if (rc < 0 && err != ENOENT) {
      if (first && (err == kEnotsupp || err == EOPNOTSUPP || err == EINVAL || err == ENOTSUP))
        return BatchEnd::Unsupported;
      res.error =
          fmt::format("batch lookup failed after {} entries: {}", res.visited, std::strerror(err));
      return BatchEnd::Done;
    }
    for (std::uint32_t i = 0; i < count; ++i) {
      if (limit && res.visited >= limit) {
        res.capped = true;
        return BatchEnd::Done;
      }
      ++res.visited;
      std::span<const std::uint8_t> key{keys.data() + std::size_t{i} * m.key_size, m.key_size};
      if (hashed) seen.note(key);
      if (!fn(key, {values.data() + std::size_t{i} * m.value_size, m.value_size}))
        return BatchEnd::Done;
    }
    if (count > 0) {
      const std::uint8_t* k = keys.data() + std::size_t{count - 1} * m.key_size;
      last_key.assign(k, k + m.key_size);
    }
    if (rc < 0) return BatchEnd::Done;  // ENOENT: the walk is complete
    first = false;
    std::swap(in, out);
  }
}

// From `start` (empty: the first key) on; `seen` holds the keys already
// yielded (`start` among them).
void walk_next_key(KernelSource& src, const MapShape& m, std::uint64_t limit, WalkResult& res,
                   std::vector<std::uint8_t> start, SeenKeys& seen, const EntryFn& fn) {
  std::vector<std::uint8_t> next(m.key_size);
  std::vector<std::uint8_t> key = std::move(start);
  bool first = key.empty();
  key.resize(m.key_size);
  RawBuffer value(m.value_size);
  if (!first) seen.insert(key);
  // A churning map could restart the walk forever: bound the steps.
  std::uint64_t steps = 0, max_steps = std::uint64_t{m.max_entries} * 4 + 1024;
  while (steps++ < max_steps) {
    int rc = src.get_next_key(m.fd, first ? nullptr : key.data(), next.data());
    if (rc != 0) {
      if (rc != -ENOENT)
        res.error = fmt::format("get-next-key failed after {} entries: {}", res.visited,
                                std::strerror(-rc));
      return;
    }
    first = false;
    std::swap(key, next);
    if (!seen.insert(key)) continue;  // the walk restarted: already yielded
    rc = src.lookup(m.fd, key.data(), value.data());
    if (rc != 0) {
      if (rc == -ENOENT) continue;  // vanished between next-key and lookup
      res.error =
          fmt::format("lookup failed after {} entries: {}", res.visited, std::strerror(-rc));
      return;
    }
    if (limit && res.visited >= limit) {
      res.capped = true;
      return;
    }
    ++res.visited;
    if (!fn(key, value.first(m.value_size))) return;
  }
  res.error = "get-next-key walk did not finish (entries churning faster than the walk)";
}

}  // namespace

std::size_t batch_cursor_size(std::uint32_t type, std::uint32_t key_size) {
  return is_hash_family(type) ? std::max<std::size_t>(key_size, 4) : key_size;
}

bool is_percpu_map(std::uint32_t type) {
  return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

std::size_t lookup_value_size(std::uint32_t type, std::uint32_t value_size, std::uint32_t ncpus) {
  return is_percpu_map(type) ? (std::size_t{value_size} + 7) / 8 * 8 * ncpus : value_size;
}

std::uint32_t batch_entries(const MapShape& m, std::size_t buffer_bytes) {
  std::size_t per_entry = std::max<std::size_t>(1, std::size_t{m.key_size} + m.value_size);
  std::size_t n = std::max<std::size_t>(1, buffer_bytes / per_entry);
  n = std::min<std::size_t>(n, std::max<std::uint32_t>(m.max_entries, 1));
  return static_cast<std::uint32_t>(std::min<std::size_t>(n, 1u << 20));
}

WalkResult walk_entries(KernelSource& src, const MapShape& m, std::uint64_t limit,
                        std::size_t buffer_bytes, const EntryFn& fn) {
  WalkResult res;
  if (m.key_size == 0) {
    res.error = "map has no keys to walk";
    return res;
  }
  std::vector<std::uint8_t> last_key;
  SeenKeys seen;
  switch (walk_batch(src, m, limit, buffer_bytes, res, last_key, seen, fn)) {
    case BatchEnd::Done:
      break;
    case BatchEnd::Unsupported:
      walk_next_key(src, m, limit, res, {}, seen, fn);
      break;
    case BatchEnd::TooBig:
      walk_next_key(src, m, limit, res, std::move(last_key), seen, fn);
      break;
  }
  return res;
}

}  // namespace scxsnap::capture_detail

// BPF maps that exist only in the test's memory, served through the
// KernelSource seam as the kernel serves real ones: ids, read-only fds (of
// /dev/null), bpf_map_info, lookups, next-key walks in key order (no batch
// lookups: capture falls back as on kernels without them). Capture runs on
// them without a kernel and without root.
#pragma once

#include "capture/kernel_source.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

struct MemoryMap {
  bpf_map_info info{};
  std::map<std::vector<std::uint8_t>, std::vector<std::uint8_t>> entries;
  int lookup_errno = 0;  // every lookup and next-key fails with it (an arena: EINVAL)
};

class MemoryMaps : public scxsnap::capture_detail::KernelSource {
 public:
  ~MemoryMaps() override {
    for (const auto& [fd, id] : fds_) ::close(fd);
  }
  /// A map of `type` named `name`; its id is returned.
  MemoryMap& add(std::uint32_t id, std::uint32_t type, const char* name, std::uint32_t key_size,
                 std::uint32_t value_size, std::uint32_t max_entries) {
    MemoryMap& m = maps_[id];
    m.info.id = id;
    m.info.type = type;
    m.info.key_size = key_size;
    m.info.value_size = value_size;
    m.info.max_entries = max_entries;
    std::strncpy(m.info.name, name, sizeof m.info.name - 1);
    return m;
  }
  template <class K, class V>
  static void put(MemoryMap& m, K key, V value) {
    m.entries[bytes(key)] = bytes(value);
  }

  int next_map_id(std::uint32_t start, std::uint32_t* next) override {
    auto it = maps_.upper_bound(start);
    if (it == maps_.end()) return -ENOENT;
    *next = it->first;
    return 0;
  }
  int open_map(std::uint32_t id) override {
    if (!maps_.count(id)) return -ENOENT;
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    fds_[fd] = id;
    return fd;
  }
  int map_info(int fd, bpf_map_info* info) override {
    *info = map(fd).info;
    return 0;
  }
  int lookup(int fd, const void* key, void* value) override {
    const MemoryMap& m = map(fd);
    if (m.lookup_errno) return -m.lookup_errno;
    if (!key) return -ENOENT;
    auto it = m.entries.find(key_of(m, key));
    if (it == m.entries.end()) return -ENOENT;
    std::memcpy(value, it->second.data(), it->second.size());
    return 0;
  }
  int lookup_batch(int, void*, void*, void*, void*, std::uint32_t*) override { return -EINVAL; }
  int get_next_key(int fd, const void* key, void* next) override {
    const MemoryMap& m = map(fd);
    if (m.lookup_errno) return -m.lookup_errno;
    auto it = key ? m.entries.upper_bound(key_of(m, key)) : m.entries.begin();
    if (it == m.entries.end()) return -ENOENT;
    std::memcpy(next, it->first.data(), it->first.size());
    return 0;
  }

 private:
  template <class T>
  static std::vector<std::uint8_t> bytes(const T& v) {
    std::vector<std::uint8_t> b(sizeof v);
    std::memcpy(b.data(), &v, sizeof v);
    return b;
  }
  static std::vector<std::uint8_t> key_of(const MemoryMap& m, const void* key) {
    const auto* k = static_cast<const std::uint8_t*>(key);
    return {k, k + m.info.key_size};
  }
  const MemoryMap& map(int fd) const { return maps_.at(fds_.at(fd)); }
  std::map<std::uint32_t, MemoryMap> maps_;
  std::map<int, std::uint32_t> fds_;
};

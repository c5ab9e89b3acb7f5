// SPDX-License-Identifier: Apache-2.0
#include "map_source.hpp"

#include <bpf/bpf.h>

#include <cerrno>

namespace scxsnap::capture_detail {
namespace {
int neg_errno(int rc) {
  return rc < 0 ? -errno : rc;
}
}  // namespace

int MapSource::next_map_id(std::uint32_t start, std::uint32_t* next) {
  return neg_errno(bpf_map_get_next_id(start, next));
}

int MapSource::open_map(std::uint32_t id) {
  LIBBPF_OPTS(bpf_get_fd_by_id_opts, opts, .open_flags = BPF_F_RDONLY);
  return neg_errno(bpf_map_get_fd_by_id_opts(id, &opts));
}

int MapSource::map_info(int fd, bpf_map_info* info) {
  *info = {};
  std::uint32_t len = sizeof *info;
  return neg_errno(bpf_obj_get_info_by_fd(fd, info, &len));
}

int MapSource::lookup(int fd, const void* key, void* value) {
  return neg_errno(bpf_map_lookup_elem(fd, key, value));
}

int MapSource::lookup_batch(int fd, void* in_batch, void* out_batch, void* keys, void* values,
                            std::uint32_t* count) {
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  return neg_errno(bpf_map_lookup_batch(fd, in_batch, out_batch, keys, values, count, &opts));
}

int MapSource::get_next_key(int fd, const void* key, void* next_key) {
  return neg_errno(bpf_map_get_next_key(fd, key, next_key));
}

MapSource& system_map_source() {
  static MapSource source;
  return source;
}

}  // namespace scxsnap::capture_detail

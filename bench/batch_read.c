// batch_read MAP_ID: the raw floor of a hash capture, as a process of its
// own: BPF_MAP_LOOKUP_BATCH over the whole map into two buffers reused from
// batch to batch (4096 entries at a time, as scxsnap's default buffer holds
// for small values), nothing rendered or written; prints the entries read.
#include <bpf/bpf.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MAP_ID\n", argv[0]);
    return 2;
  }
  int fd = bpf_map_get_fd_by_id((uint32_t)atoi(argv[1]));
  struct bpf_map_info info = {0};
  uint32_t len = sizeof info;
  if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
    perror("map");
    return 1;
  }
  const uint32_t batch = 4096;
  char* keys = malloc((size_t)batch * info.key_size);
  char* values = malloc((size_t)batch * info.value_size);
  uint64_t in = 0, out = 0, total = 0;
  int first = 1;
  for (;;) {
    uint32_t cnt = batch;
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    int rc = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, values, &cnt, &opts);
    total += cnt;
    if (rc != 0) {
      if (errno != ENOENT) perror("lookup_batch");
      break;
    }
    in = out;
    first = 0;
  }
  printf("%llu\n", (unsigned long long)total);
  free(keys);
  free(values);
  return 0;
}

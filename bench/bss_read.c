// bss_read MAP_ID [fill]: the raw read of a 1-entry array map's value (one
// BPF_MAP_LOOKUP_ELEM into a fresh buffer), the floor a native capture of a
// large .bss is measured against; with `fill`, first writes a counter-like
// pattern (small, varied numbers) over the whole value, so compression has
// real data to work on.
#include <bpf/bpf.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MAP_ID [fill]\n", argv[0]);
    return 2;
  }
  int fd = bpf_map_get_fd_by_id((uint32_t)atoi(argv[1]));
  struct bpf_map_info info = {0};
  uint32_t len = sizeof info;
  if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
    perror("map");
    return 1;
  }
  uint32_t key = 0;
  if (argc > 2 && strcmp(argv[2], "fill") == 0) {
    uint64_t* v = malloc(info.value_size);
    for (size_t i = 0; i < info.value_size / 8; ++i) v[i] = (i * 2654435761u) % 5000;
    if (bpf_map_update_elem(fd, &key, v, BPF_ANY) != 0) {
      perror("update");
      return 1;
    }
    free(v);
  }
  // The median of three reads, each into a fresh buffer (as a capture reads).
  double t[3];
  for (int r = 0; r < 3; ++r) {
    double t0 = now_s();
    void* buf = malloc(info.value_size);
    if (bpf_map_lookup_elem(fd, &key, buf) != 0) {
      perror("lookup");
      return 1;
    }
    t[r] = now_s() - t0;
    free(buf);
  }
  double lo = t[0] < t[1] ? t[0] : t[1], hi = t[0] < t[1] ? t[1] : t[0];
  double med = t[2] < lo ? lo : t[2] > hi ? hi : t[2];
  printf("raw lookup of %u bytes (median of 3): %.3f s\n", info.value_size, med);
  return 0;
}

// bpf_hold [--attach] [--random] OBJECT...: loads BPF objects into the
// kernel (with --attach, attaches their programs; with --random, fills every
// global section with random bytes, as a running scheduler's state looks to
// a compressor), writes "ready" and holds them until stdin closes (then
// unloads them). For benchmarks of a host with many objects loaded, and for
// demonstrations whose globals move.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

// Every single-entry array of the object (its .bss, .data, .rodata...):
// random bytes written through the syscall.
static int randomise(struct bpf_object* o) {
  struct bpf_map* m;
  bpf_object__for_each_map(m, o) {
    if (bpf_map__type(m) != BPF_MAP_TYPE_ARRAY || bpf_map__max_entries(m) != 1) continue;
    size_t n = bpf_map__value_size(m);
    unsigned char* v = malloc(n);
    if (!v) return -1;
    for (size_t at = 0; at < n;) {
      ssize_t got = getrandom(v + at, n - at, 0);
      if (got <= 0) return -1;
      at += (size_t)got;
    }
    unsigned key = 0;
    int rc = bpf_map_update_elem(bpf_map__fd(m), &key, v, 0);
    free(v);
    // .rodata is frozen: left as loaded.
    if (rc != 0 && !(bpf_map__map_flags(m) & BPF_F_RDONLY_PROG)) return -1;
  }
  return 0;
}

int main(int argc, char** argv) {
  struct bpf_object* objs[64];
  struct bpf_link* links[256];
  int n = 0, nlinks = 0, attach = 0, random = 0;
  for (int i = 1; i < argc && n < 64; ++i) {
    if (strcmp(argv[i], "--attach") == 0) {
      attach = 1;
      continue;
    }
    if (strcmp(argv[i], "--random") == 0) {
      random = 1;
      continue;
    }
    struct bpf_object* o = bpf_object__open_file(argv[i], NULL);
    if (!o || bpf_object__load(o) != 0) {
      fprintf(stderr, "bpf_hold: cannot load %s\n", argv[i]);
      return 1;
    }
    objs[n++] = o;
    if (random && randomise(o) != 0) {
      fprintf(stderr, "bpf_hold: cannot fill the globals of %s\n", argv[i]);
      return 1;
    }
    struct bpf_program* p;
    if (attach)
      bpf_object__for_each_program(p, o) {
        struct bpf_link* l = bpf_program__attach(p);
        if (!l) {
          fprintf(stderr, "bpf_hold: cannot attach %s in %s\n", bpf_program__name(p), argv[i]);
          return 1;
        }
        if (nlinks < 256) links[nlinks++] = l;
      }
  }
  printf("ready\n");
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  for (int i = 0; i < nlinks; ++i) bpf_link__destroy(links[i]);
  for (int i = 0; i < n; ++i) bpf_object__close(objs[i]);
  return 0;
}

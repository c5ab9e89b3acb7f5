// bpf_hold [--attach] OBJECT...: loads BPF objects into the kernel (and with
// --attach, attaches their programs), writes "ready" and holds them until
// stdin closes (then unloads them). For benchmarks of a host with many
// objects loaded, and for demonstrations whose globals move.
#include <bpf/libbpf.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  struct bpf_object* objs[64];
  struct bpf_link* links[256];
  int n = 0, nlinks = 0, attach = 0;
  for (int i = 1; i < argc && n < 64; ++i) {
    if (strcmp(argv[i], "--attach") == 0) {
      attach = 1;
      continue;
    }
    struct bpf_object* o = bpf_object__open_file(argv[i], NULL);
    if (!o || bpf_object__load(o) != 0) {
      fprintf(stderr, "bpf_hold: cannot load %s\n", argv[i]);
      return 1;
    }
    objs[n++] = o;
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

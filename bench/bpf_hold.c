// bpf_hold OBJECT...: loads BPF objects into the kernel, writes "ready" and
// holds them until stdin closes (then unloads them). For benchmarks of a
// host with many objects loaded.
#include <bpf/libbpf.h>

#include <stdio.h>
#include <unistd.h>

int main(int argc, char** argv) {
  struct bpf_object* objs[64];
  int n = 0;
  for (int i = 1; i < argc && n < 64; ++i) {
    struct bpf_object* o = bpf_object__open_file(argv[i], NULL);
    if (!o || bpf_object__load(o) != 0) {
      fprintf(stderr, "bpf_hold: cannot load %s\n", argv[i]);
      return 1;
    }
    objs[n++] = o;
  }
  printf("ready\n");
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  for (int i = 0; i < n; ++i) bpf_object__close(objs[i]);
  return 0;
}

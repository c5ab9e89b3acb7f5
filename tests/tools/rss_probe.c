// rss_probe OUTFILE PROGRAM ARGS...: runs PROGRAM, writes its peak resident
// set (KiB, from wait4's rusage) to OUTFILE and exits with its status.
// A child forked straight from a test process would inherit the test's own
// resident pages in its high-water mark; this small process forks a clean one.
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) return 127;
  pid_t pid = fork();
  if (pid == 0) {
    execv(argv[2], argv + 2);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) return 127;
  FILE* f = fopen(argv[1], "w");
  if (f) {
    fprintf(f, "%ld\n", ru.ru_maxrss);
    fclose(f);
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

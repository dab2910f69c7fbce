// Baseline for bench/run.sh: run a command N times, at most J at a time, by fork+exec.
//   forkexec N J CMD [ARGS...]
// This is the floor for any runner that starts one process per step.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: forkexec N J CMD [ARGS...]\n");
    return 2;
  }
  long n = atol(argv[1]), j = atol(argv[2]), started = 0, running = 0, failed = 0;
  while (started < n || running > 0) {
    while (started < n && running < j) {
      pid_t pid = fork();
      if (pid < 0) { perror("fork"); return 1; }
      if (pid == 0) {
        execvp(argv[3], argv + 3);
        _exit(127);
      }
      ++started;
      ++running;
    }
    int st;
    if (wait(&st) > 0) {
      --running;
      if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) ++failed;
    }
  }
  if (failed) fprintf(stderr, "forkexec: %ld of %ld failed\n", failed, n);
  return failed ? 1 : 0;
}

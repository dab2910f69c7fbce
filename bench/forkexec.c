// Baseline for bench/run.sh: run a command N times, at most J at a time, by fork+exec.
//   forkexec N J CMD [ARGS...]
// An argument containing "{}" gets the step's number (0 .. N-1) in its place, so that each step
// can have directories of its own, as each of rampart's steps has.
// This is the floor for any runner that starts one process per step.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

// argv with "{}" replaced by `step` in each argument; the strings are leaked (the child execs).
static char** with_step(char** argv, long step) {
  int n = 0;
  while (argv[n]) ++n;
  char** out = calloc((size_t)n + 1, sizeof *out);
  for (int i = 0; i < n; ++i) {
    const char* hole = strstr(argv[i], "{}");
    if (!hole) {
      out[i] = argv[i];
      continue;
    }
    size_t len = strlen(argv[i]) + 24;
    out[i] = malloc(len);
    snprintf(out[i], len, "%.*s%ld%s", (int)(hole - argv[i]), argv[i], step, hole + 2);
  }
  return out;
}

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
        char** args = with_step(argv + 3, started);
        execvp(args[0], args);
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

// pgflux-bench-run OUT ERR COMMAND [ARG...]: how scripts/benchmark measures.
// Runs COMMAND with stdin from /dev/null, stdout into OUT and stderr into ERR,
// waits for it with wait4(2) and prints one line:
//   WALL USER SYS MAXRSS_KB EXIT
// (seconds with microseconds; USER and SYS include the children COMMAND waited
// for; MAXRSS_KB is ru_maxrss, the largest resident set of the process tree's
// largest member; EXIT is the exit status, 128+N for signal N, 127 when COMMAND
// cannot be run). GNU time reports the same rusage but prints hundredths of a
// second, which rounds the figures of a small schema to zero; a Python wrapper
// would add its own resident set (the forked interpreter's) to every figure.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

static double seconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: pgflux-bench-run OUT ERR COMMAND [ARG...]\n");
    return 2;
  }
  const int out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || err < 0 || in < 0) {
    std::fprintf(stderr, "pgflux-bench-run: error: cannot open %s or %s: %s\n", argv[1], argv[2],
                 std::strerror(errno));
    return 2;
  }
  timespec start{}, end{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  const pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "pgflux-bench-run: error: fork: %s\n", std::strerror(errno));
    return 2;
  }
  if (pid == 0) {
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    execvp(argv[3], argv + 3);
    std::fprintf(stderr, "pgflux-bench-run: error: cannot run %s: %s\n", argv[3], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "pgflux-bench-run: error: wait4: %s\n", std::strerror(errno));
      return 2;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  const double wall = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::printf("%.6f\t%.6f\t%.6f\t%ld\t%d\n", wall, seconds(usage.ru_utime), seconds(usage.ru_stime),
              usage.ru_maxrss, code);
  return 0;
}

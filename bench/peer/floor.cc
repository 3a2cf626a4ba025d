// crashbench-floor: the least any harness must do for the trial of
// bench/peer/ (issue 14), so that crashbench's remaining gap has a name.
// Per trial: make a directory; fork W workers, worker i writing tasks i,
// i+W, ... as atomic-rename does (records generated as the strategy does,
// the document written to a temp file, renamed over task-<T>.json, one byte
// to the parent a task); SIGKILL one worker at a random moment drawn from a
// fault-free calibration run, the others then taking no new task (as in
// crashbench's fail-pool); read the pipe to its end; reap every worker;
// unlink every file and the directory. No verification, no supervision, no
// results: nothing crashbench reports.
//
//   crashbench-floor TRIALS [SCRATCH_PARENT]
//   -> {"harness": "floor", "trials": N, "seconds": S, "trials_per_s": R, ...}
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "harness/contract/record.h"

namespace {

constexpr int kWorkers = 4;
constexpr long long kTasks = 64, kRecords = 16, kBytes = 256;
constexpr uint64_t kSeed = 42;

double Now() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The parent closed the stop pipe: take no new task (the pool is broken).
bool Stopped(int stop_r) {
  pollfd p{stop_r, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

[[noreturn]] void Worker(const std::string& dir, int index, int ack_w, int stop_r) {
  std::string doc, record;
  for (long long task = index; task < kTasks && !Stopped(stop_r); task += kWorkers) {
    doc = "{\"task\":" + std::to_string(task) + ",\"count\":" + std::to_string(kRecords) +
          ",\"records\":[";
    for (long long seq = 0; seq < kRecords; ++seq) {
      record.clear();
      crashbench::EncodeGeneratedRecordTo(kSeed, task, seq, kRecords, kBytes, &record);
      if (seq > 0) doc += ',';
      doc += record;
    }
    doc += "]}\n";
    const std::string final_path = dir + "/task-" + std::to_string(task) + ".json";
    const std::string temp = final_path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ::write(fd, doc.data(), doc.size()) != static_cast<ssize_t>(doc.size()))
      ::_exit(1);
    ::close(fd);
    if (::rename(temp.c_str(), final_path.c_str()) != 0) ::_exit(1);
    if (::write(ack_w, "a", 1) != 1) ::_exit(1);
  }
  ::_exit(0);
}

// One trial; kill_at < 0: no fault. Returns its length in seconds.
double Trial(const std::string& parent, double kill_at, int victim) {
  std::string dir = parent + "/floor-XXXXXX";
  if (!::mkdtemp(dir.data())) std::exit(3);
  int ack[2], stop[2];
  if (::pipe2(ack, O_CLOEXEC) != 0 || ::pipe2(stop, O_CLOEXEC) != 0) std::exit(3);
  const double start = Now();
  pid_t pids[kWorkers];
  for (int i = 0; i < kWorkers; ++i) {
    pids[i] = ::fork();
    if (pids[i] < 0) std::exit(3);
    if (pids[i] == 0) Worker(dir, i, ack[1], stop[0]);
  }
  ::close(ack[1]);
  ::close(stop[0]);
  if (kill_at >= 0) {
    const double delay = start + kill_at - Now();
    if (delay > 0) {
      timespec ts{static_cast<time_t>(delay),
                  static_cast<long>((delay - static_cast<time_t>(delay)) * 1e9)};
      ::nanosleep(&ts, nullptr);
    }
    ::kill(pids[victim], SIGKILL);  // unreaped: still ours
  }
  ::close(stop[1]);  // the others finish the task they hold, then exit
  char buf[256];
  while (::read(ack[0], buf, sizeof buf) > 0) {
  }
  ::close(ack[0]);
  for (pid_t pid : pids) ::waitpid(pid, nullptr, 0);
  const double took = Now() - start;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.' || (e->d_name[1] != '\0' && e->d_name[1] != '.'))
        ::unlinkat(::dirfd(d), e->d_name, 0);
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
  return took;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::atoi(argv[1]) < 1) {
    std::fprintf(stderr, "usage: crashbench-floor TRIALS [SCRATCH_PARENT]\n");
    return 2;
  }
  const int trials = std::atoi(argv[1]);
  const char* tmp = ::getenv("TMPDIR");
  const std::string parent = argc > 2 ? argv[2] : (tmp && *tmp ? tmp : "/tmp");
  std::mt19937_64 rng(kSeed);
  const double start = Now();
  const double window = Trial(parent, -1, 0);  // calibration, as crashbench's random trigger
  for (int t = 0; t < trials; ++t)
    Trial(parent, std::uniform_real_distribution<double>(0, window)(rng),
          static_cast<int>(rng() % kWorkers));
  const double seconds = Now() - start;
  std::printf(
      "{\"harness\": \"floor\", \"trials\": %d, \"seconds\": %.4f, \"trials_per_s\": %.3f, "
      "\"calibration_ms\": %.3f}\n",
      trials, seconds, trials / seconds, window * 1000);
  return 0;
}

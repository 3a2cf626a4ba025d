// Running the crashbench binary and finding processes, for end-to-end tests.
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "harness/base/sys.h"
#include "tests/test_util.h"

namespace crashbench::testing {

CommandResult RunCrashbench(const std::vector<std::string>& args, const std::string& cwd,
                            const std::vector<std::string>& extra_env, int interrupt_after_ms,
                            int as_uid) {
  ScratchDir io;
  const std::string out_path = io.path() + "/out", err_path = io.path() + "/err";
  std::vector<std::string> argv_s = {CRASHBENCH_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  // A sharded test binary's own GoogleTest variables would shard the runs it
  // starts, and a test run inside GitHub Actions must not annotate the job or
  // write its step summary: only what a test passes in extra_env reaches crashbench.
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    bool drop = false;
    for (const char* name :
         {"GTEST_TOTAL_SHARDS=", "GTEST_SHARD_INDEX=", "GITHUB_ACTIONS=", "GITHUB_STEP_SUMMARY="})
      drop |= entry.rfind(name, 0) == 0;
    if (!drop) env_s.push_back(entry);
  }
  env_s.insert(env_s.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    if (as_uid >= 0 && (setgroups(0, nullptr) != 0 || setgid(static_cast<gid_t>(as_uid)) != 0 ||
                        setuid(static_cast<uid_t>(as_uid)) != 0))
      _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (interrupt_after_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(interrupt_after_ms));
    kill(pid, SIGINT);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::string& p) {
    Result<std::string> s = ReadFileToString(p);
    return s.ok() ? *s : std::string();
  };
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

std::vector<int> ProcessesWithEnv(const std::string& entry) {
  std::vector<int> pids;
  DIR* d = opendir("/proc");
  if (!d) return pids;
  while (dirent* e = readdir(d)) {
    int pid = atoi(e->d_name);
    if (pid <= 0) continue;
    Result<std::string> env = ReadFileToString("/proc/" + std::string(e->d_name) + "/environ");
    if (!env.ok()) continue;
    size_t start = 0;
    while (start < env->size()) {
      size_t end = env->find('\0', start);
      if (end == std::string::npos) end = env->size();
      if (env->compare(start, end - start, entry) == 0) pids.push_back(pid);
      start = end + 1;
    }
  }
  closedir(d);
  return pids;
}

}  // namespace crashbench::testing

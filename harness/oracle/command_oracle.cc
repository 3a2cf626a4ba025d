// The command oracle: the user's own checker judges the output directory.
//
// The checker runs with CRASHBENCH_OUT_DIR and CRASHBENCH_ACK_FILE ("" when
// the run has none) in its environment, stdin from /dev/null, stdout and
// stderr into one pipe, in crashbench's working directory, in a process group
// of its own. Exit 0: the state is acceptable. Anything else (a non-zero
// exit, death by a signal) is one anomaly:
//   kind     the first word of its first non-blank output line, up to a ':'
//            or a blank and in any case, when that word names an anomaly kind
//            ("torn: line 3 cut short" is torn, "lost-acked 2 rows" is
//            lost-acked); otherwise corrupt;
//   excerpt  that first line, escaped;
//   detail   how the checker ended and the start of the rest of its output.
// A checker that does not end within input.deadline_ms has its whole
// process group killed, and the oracle returns an error saying so: no verdict
// is made up for it. Whatever the checker leaves running in its group when it
// exits is killed too.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "harness/base/json_file.h"
#include "harness/base/process.h"
#include "harness/base/sys.h"
#include "harness/oracle/oracle_internal.h"

extern char** environ;

namespace crashbench::oracle_internal {
namespace {

constexpr size_t kKeptOutput = 64 << 10;  // read past this, but not kept

std::string CommandText(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) (s += s.empty() ? "" : " ") += a;
  return "`" + Excerpt(s, 120) + "`";
}

// Resolved before fork, so that the child only calls execve.
Result<std::string> FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) != 0) return ErrnoStatus("checker " + name, errno);
    return name;
  }
  const char* env_path = std::getenv("PATH");
  const std::string path = env_path ? env_path : "/usr/local/bin:/usr/bin:/bin";
  for (size_t start = 0; start <= path.size();) {
    size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    const std::string dir = colon == start ? "." : path.substr(start, colon - start);
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = colon + 1;
  }
  return Status::Error("checker '" + Excerpt(name) + "' not found in PATH (" + Excerpt(path) + ")");
}

std::vector<std::string> CheckerEnvironment(const OracleInput& input) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    if (entry.rfind("CRASHBENCH_OUT_DIR=", 0) == 0 || entry.rfind("CRASHBENCH_ACK_FILE=", 0) == 0)
      continue;
    env.emplace_back(entry);
  }
  env.push_back("CRASHBENCH_OUT_DIR=" + input.out_dir);
  env.push_back("CRASHBENCH_ACK_FILE=" + input.ack_file);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

// Reads what the pipe holds now; *eof once every writer is gone.
void ReadAvailable(int fd, std::string* kept, bool* eof) {
  char buf[1 << 14];
  for (;;) {
    const ssize_t r = RetryOnEintr([&] { return ::read(fd, buf, sizeof buf); });
    if (r == 0 || (r < 0 && errno != EAGAIN)) {
      *eof = true;
      return;
    }
    if (r < 0) return;
    kept->append(buf, std::min(static_cast<size_t>(r), kKeptOutput - kept->size()));
  }
}

struct CheckerRun {
  std::string output;
  int wait_status = 0;
  bool timed_out = false;
};

// In the child: fd becomes `target` and survives exec. Async-signal-safe.
void MoveTo(int fd, int target) {
  if (fd == target)
    ::fcntl(fd, F_SETFD, 0);
  else
    ::dup2(fd, target);
}

Result<CheckerRun> RunChecker(const std::vector<std::string>& command, const OracleInput& input) {
  Result<std::string> path = FindExecutable(command[0]);
  if (!path.ok()) return path.status();
  UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull.valid()) return ErrnoStatus("open /dev/null", errno);
  UniqueFd out_r, out_w, err_r, err_w;
  RETURN_IF_ERROR(MakePipe(&out_r, &out_w));
  RETURN_IF_ERROR(MakePipe(&err_r, &err_w));  // the exec error, if any; closed by a good exec
  if (::fcntl(out_r.get(), F_SETFL, O_NONBLOCK) != 0) return ErrnoStatus("fcntl", errno);
  std::vector<std::string> args = command, env = CheckerEnvironment(input);
  std::vector<char*> argv = Pointers(args), envp = Pointers(env);
  const int in = devnull.get(), out = out_w.get(), err = err_w.get();
  std::fflush(nullptr);
  Result<Child> child = ForkChild({in, out, err}, /*new_group=*/true, [&] {
    MoveTo(in, 0);
    MoveTo(out, 1);
    MoveTo(out, 2);
    ::execve(path->c_str(), argv.data(), envp.data());
    const int e = errno;
    (void)!::write(err, &e, sizeof e);
    ::_exit(127);
  });
  if (!child.ok()) return child.status().Annotate("starting checker " + CommandText(command));
  out_w.Reset();
  err_w.Reset();
  int exec_errno = 0;
  size_t got = 0;
  (void)ReadFull(err_r.get(), &exec_errno, sizeof exec_errno, &got);
  if (got == sizeof exec_errno) {
    child->Reap();
    return ErrnoStatus("cannot execute checker " + CommandText(command), exec_errno);
  }

  CheckerRun run;
  const long long deadline = NowMicros() + input.deadline_ms * 1000;
  bool exited = false, eof = false;
  while (!(exited && eof)) {
    const long long left_ms = (deadline - NowMicros() + 999) / 1000;
    if (left_ms <= 0) break;
    pollfd fds[2] = {{child->pidfd(), POLLIN, 0}, {eof ? -1 : out_r.get(), POLLIN, 0}};
    const int timeout = static_cast<int>(std::min<long long>(left_ms, INT_MAX));
    if (RetryOnEintr([&] { return ::poll(fds, 2, timeout); }) < 0) {
      const int e = errno;
      ::kill(-child->pid(), SIGKILL);  // ~Child then reaps the leader
      return ErrnoStatus("poll on checker", e);
    }
    if (fds[1].revents) ReadAvailable(out_r.get(), &run.output, &eof);
    if (!exited && fds[0].revents) {
      exited = true;
      // The leader is not reaped yet, so its group id cannot have been reused.
      ::kill(-child->pid(), SIGKILL);
    }
  }
  if (!exited) {
    run.timed_out = true;
    ::kill(-child->pid(), SIGKILL);
    if (!eof) ReadAvailable(out_r.get(), &run.output, &eof);
  }
  child->Reap();
  run.wait_status = child->wait_status();
  return run;
}

Anomaly Rejection(const std::vector<std::string>& command, const CheckerRun& run) {
  std::string_view out = run.output;
  const size_t first = out.find_first_not_of(" \t\r\n");
  std::string_view line, rest;
  if (first != std::string_view::npos) {
    out.remove_prefix(first);
    const size_t nl = out.find('\n');
    line = out.substr(0, nl);
    if (nl != std::string_view::npos) rest = out.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  }
  std::string word(line.substr(0, line.find_first_of(": \t")));
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::optional<AnomalyKind> named = AnomalyFromName(word);
  std::string detail = "checker " + CommandText(command) + " " +
                       DescribeWaitStatus(run.wait_status) +
                       (line.empty() ? ", printing nothing" : "");
  if (!rest.empty() && rest.find_first_not_of(" \t\r\n") != std::string_view::npos)
    detail += "; then: " + EscapeExcerpt(rest, 200);
  Anomaly a{named.value_or(AnomalyKind::kCorrupt)};  // about no one file or place
  a.excerpt = EscapeExcerpt(line);
  a.detail = std::move(detail);
  return a;
}

}  // namespace

Result<OracleReport> RunCommandOracle(const OracleSpec& spec, const OracleInput& input) {
  if (spec.command.empty() || spec.command[0].empty())
    return Status::Error("the command oracle needs a checker command");
  Result<CheckerRun> run = RunChecker(spec.command, input);
  if (!run.ok()) return run.status();
  if (run->timed_out)
    return Status::Error("checker " + CommandText(spec.command) + " did not finish within " +
                         std::to_string(input.deadline_ms) +
                         " ms: its process group was killed, and no verdict is made for it" +
                         (run->output.empty()
                              ? std::string()
                              : " (it printed: " + EscapeExcerpt(run->output, 200) + ")"));
  OracleReport report;
  if (!(WIFEXITED(run->wait_status) && WEXITSTATUS(run->wait_status) == 0))
    report.anomalies.push_back(Rejection(spec.command, *run));
  return report;
}

}  // namespace crashbench::oracle_internal

// RunTapped: starts the command under the tracer (tap_tracer.cc), and what
// the outside sees of a tapped run: event signatures, whether the tap works here.
#include "harness/tap/tap.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <sstream>
#include <vector>

#include "harness/base/crc32c.h"
#include "harness/base/process.h"
#include "harness/base/sys.h"
#include "harness/supervise/cgroup.h"
#include "harness/tap/syscall_trigger.h"
#include "harness/tap/tap_calls.h"
#include "harness/tap/tap_tracer.h"

extern char** environ;

namespace crashbench {
namespace {

constexpr long kSeizeOptions = PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK |
                               PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                               PTRACE_O_TRACESYSGOOD;

// Everything the child needs, made before fork: the child allocates nothing.
struct ChildPlan {
  std::vector<std::string> env_storage;
  std::vector<char*> argv, envp;
  std::vector<sock_filter> filter;
  int stdio[3] = {-1, -1, -1};
  int go_read = -1, err_write = -1;
  const char* cwd = nullptr;
  const std::function<int()>* body = nullptr;  // set: run it instead of exec
  std::vector<int> keep;                       // the body's own descriptors, kept open
};

void BuildEnv(const TapCommand& cmd, ChildPlan* p) {
  for (char** e = environ; *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    const std::string key = eq ? std::string(*e, static_cast<size_t>(eq - *e)) : *e;
    if (!cmd.env.count(key)) p->env_storage.push_back(*e);
  }
  for (const auto& [k, v] : cmd.env) p->env_storage.push_back(k + "=" + v);
  for (std::string& s : p->env_storage) p->envp.push_back(s.data());
  p->envp.push_back(nullptr);
}

// In the child: its stdio, its directory, then wait for the tracer, install
// the filter and exec. Only async-signal-safe calls; a failure is reported as
// errno through err_write (close-on-exec, so a successful exec closes it).
[[noreturn]] void ChildBody(const ChildPlan& p) {
  sigset_t chld;  // the tracer blocks SIGCHLD; the command must not inherit that
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_UNBLOCK, &chld, nullptr);
  int moved[3];
  for (int i = 0; i < 3; ++i)
    moved[i] = p.stdio[i] >= 0 ? ::fcntl(p.stdio[i], F_DUPFD_CLOEXEC, 3) : -1;
  for (int i = 0; i < 3; ++i)
    if (moved[i] >= 0) ::dup2(moved[i], i);
  auto fail = [&](int err) {
    (void)!::write(p.err_write, &err, sizeof err);
    ::_exit(127);
  };
  if (p.cwd && ::chdir(p.cwd) != 0) fail(errno);
  char c;
  while (::read(p.go_read, &c, 1) < 0 && errno == EINTR) {
  }
  sock_fprog prog{static_cast<unsigned short>(p.filter.size()),
                  const_cast<sock_filter*>(p.filter.data())};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(errno);
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) fail(errno);
  if (p.body) {
    ::close(p.err_write);  // started: from here on the body's failures are its own
    ::_exit((*p.body)());
  }
  ::execvpe(p.argv[0], p.argv.data(), p.envp.data());
  fail(errno);
  ::_exit(127);  // not reached: fail exits
}

// The subject's ancestors stop at the tracer: orphans come back to it.
class SubreaperScope {
 public:
  SubreaperScope() {
    ::prctl(PR_GET_CHILD_SUBREAPER, &was_);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  ~SubreaperScope() { ::prctl(PR_SET_CHILD_SUBREAPER, was_); }

 private:
  int was_ = 0;
};

class BlockSigchld {
 public:
  BlockSigchld() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    ::pthread_sigmask(SIG_BLOCK, &s, &old_);
  }
  ~BlockSigchld() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

// The root, still waiting for the go byte, moved into a new cgroup of its
// own; nullptr (and why, in the outcome) where that cannot be done here.
std::unique_ptr<SubjectCgroup> JoinOwnCgroup(const TapCommand& cmd, pid_t root, TapOutcome* out) {
  if (!cmd.own_cgroup) return nullptr;
  Result<std::unique_ptr<SubjectCgroup>> cg = SubjectCgroup::Create();
  if (!cg.ok()) {
    out->cgroup_note = cg.status().message();
    return nullptr;
  }
  if (Status in = (*cg)->Add(root); !in.ok()) {
    out->cgroup_note = in.message();
    return nullptr;  // ~SubjectCgroup removes the empty cgroup
  }
  out->cgroup = (*cg)->path();
  return std::move(*cg);
}

}  // namespace

std::string EventSignature(const TapEvent& e) {
  std::string s = e.process + " " + e.call + " " + e.path;
  if (!e.path2.empty()) s += " -> " + e.path2;
  if (e.open_flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_EXCL)) {
    std::string f;
    auto add = [&](int bit, const char* name) {
      if (e.open_flags & bit) (f += f.empty() ? "" : ",") += name;
    };
    add(O_WRONLY, "wronly");
    add(O_RDWR, "rdwr");
    add(O_CREAT, "creat");
    add(O_TRUNC, "trunc");
    add(O_APPEND, "append");
    add(O_EXCL, "excl");
    s += " [" + f + "]";
  }
  if (e.offset >= 0 || e.length >= 0) {
    s += " @" + (e.offset >= 0 ? std::to_string(e.offset) : std::string("?"));
    if (e.length >= 0) s += "+" + std::to_string(e.length);
  }
  const std::vector<std::string>& writes = WriteLikeCallNames();
  if (e.length >= 0 && std::find(writes.begin(), writes.end(), e.call) != writes.end())
    s += " crc=" + Crc32cHex(e.bytes_crc);
  return s;
}

namespace {

// Starts the child of `plan` (argv and env filled in, or a body), seizes it
// and traces it and every process it starts until they all ended.
Result<TapOutcome> StartAndTrace(const TapCommand& cmd, ChildPlan& plan, TapObserver& observer,
                                 const std::string& what) {
  plan.filter = tap_internal::BuildSeccompFilter();
  plan.stdio[1] = cmd.stdout_fd;
  plan.stdio[2] = cmd.stderr_fd;
  UniqueFd dev_null;
  if (cmd.stdin_fd < 0) dev_null = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  plan.stdio[0] = cmd.stdin_fd >= 0 ? cmd.stdin_fd : dev_null.get();
  if (!cmd.cwd.empty()) plan.cwd = cmd.cwd.c_str();
  UniqueFd go_read, go_write, err_read, err_write;
  RETURN_IF_ERROR(MakePipe(&go_read, &go_write));
  RETURN_IF_ERROR(MakePipe(&err_read, &err_write));
  plan.go_read = go_read.get();
  plan.err_write = err_write.get();
  std::vector<int> keep = {go_read.get(), err_write.get()};
  keep.insert(keep.end(), plan.keep.begin(), plan.keep.end());
  for (int fd : plan.stdio)
    if (fd >= 0) keep.push_back(fd);
  SubreaperScope subreaper;
  BlockSigchld block;
  std::fflush(nullptr);
  Result<Child> child = ForkChild(keep, /*new_group=*/true, [&] { ChildBody(plan); });
  if (!child.ok()) return child.status();
  go_read.Reset();
  err_write.Reset();
  const pid_t root = child->pid();
  if (::ptrace(PTRACE_SEIZE, root, nullptr, reinterpret_cast<void*>(kSeizeOptions)) != 0)
    return ErrnoStatus("tap: ptrace(PTRACE_SEIZE)", errno);  // ~Child kills and reaps it
  TapOutcome out;
  std::unique_ptr<SubjectCgroup> cgroup = JoinOwnCgroup(cmd, root, &out);
  go_write.Reset();  // the child may go on: install its filter and exec
  tap_internal::Tracer tracer(cmd, observer, root);
  tracer.UseCgroup(cgroup.get());
  tracer.Run(&out);
  if (cgroup) {
    if (Status gone = cgroup->Remove(); !gone.ok()) out.cgroup_note = gone.message();
  }
  int err = 0;
  ::fcntl(err_read.get(), F_SETFL, O_NONBLOCK);
  if (::read(err_read.get(), &err, sizeof err) == static_cast<ssize_t>(sizeof err))
    return ErrnoStatus("tap: cannot run " + what, err);
  return out;
}

}  // namespace

Result<TapOutcome> RunTapped(const TapCommand& cmd, TapObserver& observer) {
  if (cmd.argv.empty()) return Status::Error("tap: no command to run");
  ChildPlan plan;
  std::vector<std::string> argv = cmd.argv;
  for (std::string& a : argv) plan.argv.push_back(a.data());
  plan.argv.push_back(nullptr);
  BuildEnv(cmd, &plan);
  return StartAndTrace(cmd, plan, observer, cmd.argv[0]);
}

Result<TapOutcome> RunTappedFunction(const TapCommand& cmd, const std::vector<int>& keep_fds,
                                     const std::function<int()>& body, TapObserver& observer) {
  ChildPlan plan;
  plan.body = &body;
  plan.keep = keep_fds;
  return StartAndTrace(cmd, plan, observer, "a traced function");
}

Status TapAvailable() {
  static const Status kAvailable = [] {
    class Nothing final : public TapObserver {
      TapAction OnEvent(const TapEvent&, TapPhase) override { return {}; }
    } nothing;
    TapCommand cmd;
    cmd.argv = {"true"};
    cmd.watch_dir = "/nonexistent-crashbench-tap-probe";
    Result<TapOutcome> r = RunTapped(cmd, nothing);
    if (!r.ok()) return r.status();
    if (!WIFEXITED(r->root_status) || WEXITSTATUS(r->root_status) != 0)
      return Status::Error("tap: a traced 'true' " + DescribeWaitStatus(r->root_status));
    return Status::Ok();
  }();
  return kAvailable;
}

std::string SignatureWithoutProcess(const std::string& signature) {
  const size_t space = signature.find(' ');
  return space == std::string::npos ? signature : signature.substr(space + 1);
}

// Names made by mkstemp(3) or Python's tempfile ("sedw0YMFd", "tmpk3j_x9q2")
// differ on every run: two paths in the same directory, of the same length,
// that differ in at least 3 places, all inside one window of at most 12
// letters, digits or '_', are the same temporary file's role. A name that
// differs in one or two places ("task-1" against "task-2") is another file.
static bool SameTempName(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a == b) return a == b;
  size_t first = std::string::npos, last = 0, differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (first == std::string::npos) first = i;
    last = i;
    ++differ;
  }
  if (differ < 3 || last - first + 1 > 12) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t i = first; i <= last; ++i)
    if (!word(a[i]) || !word(b[i])) return false;
  return true;
}

// Two signatures of the same point: equal, or equal but for the names of
// temporary files. Works on whole signatures ("0.1 write a @0+1 crc=...")
// and on those without the process ("write a @0+1 crc=..."): the process,
// when there, and the call must be equal; a path token (any other that is not
// an offset, flags, the arrow or the checksum) may differ as a temp name.
bool SameEventPoint(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::istringstream sa(a), sb(b);
  std::vector<std::string> ta{std::istream_iterator<std::string>(sa), {}};
  std::vector<std::string> tb{std::istream_iterator<std::string>(sb), {}};
  if (ta.size() != tb.size() || ta.empty()) return false;
  const bool has_process = ta[0].find_first_not_of("0123456789.") == std::string::npos;
  const size_t first_path = has_process ? 2 : 1;  // after the process and the call
  for (size_t i = 0; i < ta.size(); ++i) {
    if (ta[i] == tb[i]) continue;
    const bool path =
        i >= first_path && ta[i][0] != '@' && ta[i][0] != '[' && ta[i].rfind("crc=", 0) != 0;
    if (!path || !SameTempName(ta[i], tb[i])) return false;
  }
  return true;
}

}  // namespace crashbench

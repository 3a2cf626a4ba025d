#include "harness/supervise/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

constexpr char kPrefix[] = "crashbench-tap-";

// Where the cgroup2 hierarchy is mounted ("/sys/fs/cgroup" on a pure v2
// machine, "/sys/fs/cgroup/unified" on a hybrid one), from mountinfo: the
// fifth field is the mount point, the filesystem type follows " - ".
Result<std::string> Cgroup2Mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, dash));
    std::string f, mount;
    for (int i = 0; i < 5 && fields >> f; ++i) mount = f;
    return mount;
  }
  return Status::Error("no cgroup2 hierarchy is mounted");
}

// The directory of the cgroup (v2) this process is in.
Result<std::string> OwnCgroup2Dir() {
  Result<std::string> mount = Cgroup2Mount();
  if (!mount.ok()) return mount.status();
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0) {
      const std::string own = line.substr(3);
      return *mount + (own == "/" ? "" : own);
    }
  return Status::Error("/proc/self/cgroup names no cgroup2 path");
}

Status WriteControl(const std::string& file, const std::string& value) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("cgroup: opening " + file, errno);
  if (::write(fd.get(), value.data(), value.size()) < 0)
    return ErrnoStatus("cgroup: writing '" + value + "' to " + file, errno);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SubjectCgroup>> SubjectCgroup::Create() {
  static std::atomic<int> next{0};
  Result<std::string> parent = OwnCgroup2Dir();
  if (!parent.ok()) return parent.status();
  const std::string path = *parent + "/" + kPrefix + std::to_string(::getpid()) + "-" +
                           std::to_string(next.fetch_add(1));
  if (::mkdir(path.c_str(), 0755) != 0) return ErrnoStatus("cgroup: cannot make " + path, errno);
  std::unique_ptr<SubjectCgroup> cg(new SubjectCgroup(path));
  if (::access((path + "/cgroup.kill").c_str(), W_OK) != 0) {
    Status why = ErrnoStatus("cgroup: no writable cgroup.kill in " + path, errno);
    (void)cg->Remove();
    return why;
  }
  return cg;
}

SubjectCgroup::~SubjectCgroup() { (void)Remove(); }

Status SubjectCgroup::Add(pid_t pid) {
  return WriteControl(path_ + "/cgroup.procs", std::to_string(pid));
}

Status SubjectCgroup::Kill() { return WriteControl(path_ + "/cgroup.kill", "1"); }

bool SubjectCgroup::Populated() const {
  Result<std::string> events = ReadFileToString(path_ + "/cgroup.events");
  return events.ok() && events->find("populated 1") != std::string::npos;
}

Status SubjectCgroup::Remove(int timeout_ms) {
  if (removed_) return Status::Ok();
  if (Populated()) RETURN_IF_ERROR(Kill());
  const long long give_up = NowMicros() + 1000LL * timeout_ms;
  while (Populated() && NowMicros() < give_up) ::usleep(1000);
  if (::rmdir(path_.c_str()) != 0 && errno != ENOENT)
    return ErrnoStatus("cgroup: removing " + path_, errno);
  removed_ = true;
  return Status::Ok();
}

std::vector<std::string> RemoveStaleSubjectCgroups() {
  std::vector<std::string> removed;
  Result<std::string> parent = OwnCgroup2Dir();
  if (!parent.ok()) return removed;
  DIR* d = ::opendir(parent->c_str());
  if (!d) return removed;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  const std::string prefix = kPrefix;
  for (const std::string& name : names) {
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const size_t dash = rest.find('-');
    const std::string digits = rest.substr(0, dash);
    if (dash == std::string::npos || digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    SubjectCgroup stale(*parent + "/" + name);
    if (stale.Remove().ok())
      removed.push_back("removed the cgroup " + stale.path() + " of a dead run (pid " + digits +
                        ") and anything left in it");
  }
  return removed;
}

}  // namespace crashbench

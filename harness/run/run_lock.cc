#include "harness/run/run_lock.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <fstream>
#include <iterator>

namespace crashbench {
namespace {

std::string NowIso() {
  std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return date;
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// "123" of "results.json.tmp-123"; -1 when the name has no pid suffix.
pid_t PidSuffix(const std::string& name, const std::string& prefix) {
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) return -1;
  const std::string digits = name.substr(prefix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) return -1;
  return static_cast<pid_t>(std::stol(digits));
}

long long CountLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
}

}  // namespace

RunLock::~RunLock() { Release(); }

void RunLock::Release() {
  if (!fd_.valid()) return;
  ::unlink(path_.c_str());
  fd_.Reset();
}

Result<RunLock> RunLock::Take(const std::string& path) {
  // A run that releases unlinks the file: a lock taken on a file that is no
  // longer at path locks nothing, so the inode is checked and the take retried.
  for (int attempt = 0; attempt < 100; ++attempt) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd.valid()) return ErrnoStatus("cannot create the lock file " + path, errno);
    if (RetryOnEintr([&] { return ::flock(fd.get(), LOCK_EX | LOCK_NB); }) != 0) {
      if (errno != EWOULDBLOCK) return ErrnoStatus("cannot lock " + path, errno);
      const std::string holder = DescribeLockHolder(path);
      return Status::Error("in use by another crashbench run (" +
                           (holder.empty() ? std::string("its lock file is ") + path : holder) +
                           ")");
    }
    struct stat by_fd {
    }, by_path{};
    if (::fstat(fd.get(), &by_fd) != 0 || ::stat(path.c_str(), &by_path) != 0 ||
        by_fd.st_ino != by_path.st_ino || by_fd.st_dev != by_path.st_dev)
      continue;
    const std::string who = "pid " + std::to_string(::getpid()) + "\nstarted " + NowIso() + "\n";
    if (::ftruncate(fd.get(), 0) != 0 || !WriteFull(fd.get(), who.data(), who.size()).ok())
      return ErrnoStatus("cannot write the lock file " + path, errno);
    RunLock lock;
    lock.path_ = path;
    lock.fd_ = std::move(fd);
    return lock;
  }
  return Status::Error("cannot lock " + path + ": it keeps being replaced");
}

std::string DescribeLockHolder(const std::string& lock_path) {
  Result<std::string> text = ReadFileToString(lock_path);
  if (!text.ok() || text->rfind("pid ", 0) != 0) return "";
  std::string s = *text, out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  for (char c : s) out += c == '\n' ? std::string(", ") : std::string(1, c);
  return out;
}

bool LockIsFree(const std::string& lock_path) {
  UniqueFd fd(::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  return ::flock(fd.get(), LOCK_SH | LOCK_NB) == 0;
}

std::vector<std::string> RemoveDeadRunFiles(const std::string& dir, const std::string& holder) {
  std::vector<std::string> removed;
  const std::string spill = dir + "/" + kSpillFileName;
  if (Exists(spill)) {
    const long long trials = std::max(0LL, CountLines(spill) - 1);  // less the header line
    if (::unlink(spill.c_str()) == 0)
      removed.push_back("removed " + spill + " of a dead run (" + holder + "; " +
                        std::to_string(trials) + " finished trials)");
  }
  DIR* d = ::opendir(dir.c_str());
  if (!d) return removed;
  while (dirent* e = ::readdir(d)) {
    const pid_t pid = PidSuffix(e->d_name, "results.json.tmp-");
    if (pid <= 0 || !ProcessIsGone(pid)) continue;
    const std::string path = dir + "/" + e->d_name;
    if (::unlink(path.c_str()) == 0) removed.push_back("removed " + path + " of a dead run");
  }
  ::closedir(d);
  return removed;
}

bool ProcessIsGone(pid_t pid) { return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH; }

std::vector<std::string> RemoveDeadOutDirLeftovers(const std::string& out_dir) {
  const std::string lock_path = out_dir + "/" + kLockFileName;
  if (out_dir.empty() || !Exists(lock_path)) return {};
  const std::string holder = DescribeLockHolder(lock_path);
  Result<RunLock> lock = RunLock::Take(lock_path);
  if (!lock.ok()) return {out_dir + ": left alone, " + lock.status().message()};
  std::vector<std::string> removed =
      RemoveDeadRunFiles(out_dir, holder.empty() ? "unknown run" : holder);
  lock->Release();
  removed.push_back("removed " + lock_path + " of a dead run" +
                    (holder.empty() ? "" : " (" + holder + ")"));
  return removed;
}

std::vector<std::string> RemoveDeadScratchRoots(const std::string& scratch_parent) {
  std::vector<std::string> removed;
  DIR* d = scratch_parent.empty() ? nullptr : ::opendir(scratch_parent.c_str());
  if (!d) return removed;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  for (const std::string& name : names) {
    const size_t dash = name.find('-', sizeof "crashbench-" - 1);
    if (name.rfind("crashbench-", 0) != 0 || dash == std::string::npos) continue;
    const pid_t pid = PidSuffix(name.substr(0, dash), "crashbench-");
    const std::string root = scratch_parent + "/" + name;
    const std::string lock_path = root + "/" + kLockFileName;
    if (pid <= 0 || !ProcessIsGone(pid) || !Exists(lock_path)) continue;
    Result<RunLock> lock = RunLock::Take(lock_path);
    if (!lock.ok()) continue;
    if (RemoveTree(root).ok())
      removed.push_back("removed the scratch directory " + root + " of a dead run (pid " +
                        std::to_string(pid) + ")");
  }
  return removed;
}

std::string DefaultScratchParent() {
  const char* tmp = ::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

}  // namespace crashbench

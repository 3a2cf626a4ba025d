#include "tests/test_util.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>

#include "harness/base/sys.h"

namespace crashbench::testing {

ScratchDir::ScratchDir() {
  const char* tmp = getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/crashbench-test-XXXXXX";
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

ScratchDir::~ScratchDir() { (void)RemoveTree(path_); }

void ScratchDir::Write(const std::string& name, const std::string& bytes) const {
  std::ofstream f(path_ + "/" + name, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool ProcessExists(int pid) { return kill(pid, 0) == 0 || errno == EPERM; }

std::set<std::string> Entries(const std::string& dir) {
  std::set<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.insert(e->d_name);
    ::closedir(d);
  }
  return names;
}

}  // namespace crashbench::testing

#include "harness/run/interrupt.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "harness/base/sys.h"
#include "harness/run/runner.h"

namespace crashbench {
namespace {

int g_interrupt_fd = -1;  // write end of the self-pipe the signal handler uses
UniqueFd g_interrupt_r;

void OnInterrupt(int) {
  char b = 'i';
  if (g_interrupt_fd >= 0) (void)!::write(g_interrupt_fd, &b, 1);
}

}  // namespace

bool Interrupted() {
  if (!g_interrupt_r.valid()) return false;
  pollfd p{g_interrupt_r.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

int InterruptFd() { return g_interrupt_r.valid() ? g_interrupt_r.get() : -1; }

void InstallInterruptHandlers() {
  UniqueFd w;
  if (!MakePipe(&g_interrupt_r, &w, O_NONBLOCK).ok()) return;
  g_interrupt_fd = w.Release();
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  // A closed terminal or a dropped ssh session: the same orderly stop.
  ::sigaction(SIGHUP, &sa, nullptr);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

}  // namespace crashbench

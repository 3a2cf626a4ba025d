// Ctrl-C for the runner. The SIGINT/SIGTERM/SIGHUP handler (InstallInterruptHandlers
// in runner.h) writes one byte to a self-pipe that nobody drains: once it
// fired, Interrupted() stays true, and whatever waits on trials polls
// InterruptFd() too, so that its wait ends at once.
#pragma once

namespace crashbench {

// True once SIGINT, SIGTERM or SIGHUP arrived (always false before the handlers exist).
bool Interrupted();
// The self-pipe's read end, readable once interrupted; -1 before the handlers exist.
int InterruptFd();

}  // namespace crashbench

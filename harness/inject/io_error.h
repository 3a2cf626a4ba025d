// Injected I/O errors, for faults that model a full disk or a failing device
// without root (no real small filesystem). They act at the strategies' own
// write, fsync and close calls (strategies/common.h), never at the harness's
// pipes. A process is single-threaded, so the state is per process.
#pragma once

namespace crashbench {

// From now on the strategy's writes fail with err; once (the next write or
// fsync only) or persistently (every later one, and the final flush too).
void InjectIoError(int err, bool persistent);
// The errno the next strategy write must fail with, 0 for none. Consumes a
// one-shot error.
int TakeInjectedIoError();
// A persistent error is in force (the final flush of a stdio stream fails too).
bool PersistentIoErrorInForce();

}  // namespace crashbench

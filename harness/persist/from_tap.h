// A syscall tap recording (harness/tap/tap.h) as an operation log: each event
// on the output directory whose call ran becomes ops on file identities, and
// each complete line written to an extra watched file (the ack file) an
// acknowledgement, in the tap's order. REQUIRES TapCommand::keep_bytes and
// TapCommand::results (the default): an event without a result is taken as a
// call that never ran.
//
//   TapCommand cmd{.argv = {...}, .watch_dir = out, .extra_files = {ack},
//                  .keep_bytes = true};
//   FsState before = *SnapshotFsState(out);
//   Result<TapOutcome> run = RunTapped(cmd, recorder);
//   Result<OpLog> log = OpLogFromTap(run->events, before);
//   // then CheckPowerLoss(*log, &*SnapshotFsState(out), ...)
#pragma once

#include <vector>

#include "harness/persist/op_log.h"
#include "harness/tap/tap.h"

namespace crashbench {

// An error (the run cannot be judged: inconclusive) when an event cannot be
// modelled: a symlink, a directory removed or renamed, a write whose bytes
// were not kept, a name the log does not know.
Result<OpLog> OpLogFromTap(const std::vector<TapEvent>& events, FsState initial);

}  // namespace crashbench

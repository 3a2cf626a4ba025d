// One state a crash could leave: the operations issued before the crash (a
// cut of the log), less those that did not persist, with some writes
// persisted only in part. A persistence model (model.h) says which states
// are possible; Materialize builds one in memory.
//
//   CrashState s{.cut = 40, .dropped = {31, 35}};  // ops 0..39 issued, 31 and 35 lost
//   FsState on_disk = Materialize(log, s);
#pragma once

#include <set>
#include <string>
#include <vector>

#include "harness/persist/op_log.h"

namespace crashbench {

// A write that persisted in part.
struct PartialWrite {
  enum Kind {
    kPrefix,   // its first `keep` bytes persisted, the rest did not
    kZeros,    // the file's size grew to cover it, its bytes did not persist: zeros
    kGarbage,  // the size grew and the blocks hold what was there before: garbage
  };
  int op = -1;
  Kind kind = kPrefix;
  long long keep = 0;  // kPrefix: bytes kept
};

struct CrashState {
  int cut = 0;                        // ops [0, cut) were issued before the crash
  std::vector<int> dropped;           // ops before the cut that did not persist, ascending
  std::vector<PartialWrite> partial;  // writes before the cut that persisted in part
  std::string label;                  // which of the model's states: "least durable", ...
};

// The bytes a kGarbage write leaves: not zeros, not the data, never valid JSON.
char GarbageByte(long long offset);

// Applies a write that persisted in part to its file's bytes.
void ApplyPartial(const Op& op, const PartialWrite& p, std::string* bytes);

// The directory that state leaves: the log's initial state with every op
// before the cut applied, except the dropped ones, the partial ones in part.
FsState Materialize(const OpLog& log, const CrashState& state);

// The tasks acknowledged before the cut (the pipeline's word, not the disk's).
std::set<long long> AckedBefore(const OpLog& log, int cut);

// The index of the last op before the cut that changed the directory (a data
// or directory op) and persisted whole or in part, -1 when none did: "the
// last persisted event".
int LastPersisted(const OpLog& log, const CrashState& state);

}  // namespace crashbench

// Says why a crash state shows an anomaly, for a person: which operations on
// the anomaly's file did not persist, and why the model let them go.
//
//   "ext4-ordered: crash after #7 ack task 0; last persisted #5 rename
//    task-0.json.tmp -> task-0.json; the rename persisted, the data written
//    before it did not: no fsync of the file before the rename; dropped: #2
//    write task-0.json.tmp @0+4096, #3 write task-0.json.tmp @4096+811"
#pragma once

#include <string>
#include <vector>

#include "harness/contract/anomaly.h"
#include "harness/persist/explore.h"

namespace crashbench {

// The detail for an anomaly the verifier found on state s under model.
std::string ExplainAnomaly(const PersistenceModel& model, const ExploredState& s,
                           const Anomaly& anomaly);

// The ops before the cut that touch `name` (the file it names, or the name
// itself) and did not persist whole, described; at most `max` of them.
std::vector<std::string> DroppedFor(const ExploredState& s, const std::string& name, size_t max = 4,
                                    size_t* total = nullptr);

}  // namespace crashbench

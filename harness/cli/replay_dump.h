// The bytes `crashbench replay` shows around a violation in a kept file: a hex
// dump with the anomaly's offset marked and, for a torn record, where its
// bytes stop and the next bytes (another writer's record, a newline, or the
// end of the file) begin.
//
//   std::cout << DumpAround(kept_dir, "records.jsonl", 20224, 20310, 64);
#pragma once

#include <string>

namespace crashbench {

// torn_end: just past the torn record's last byte as the verifier found it
// (Anomaly::end), or -1 when not a torn record or not known; then the dump
// follows the record to the next newline instead.
std::string DumpAround(const std::string& dir, const std::string& file, long long offset,
                       long long torn_end, int context);

}  // namespace crashbench

#include "harness/persist/crash_state.h"

#include <algorithm>

namespace crashbench {

char GarbageByte(long long offset) {
  static constexpr char kPattern[] = "\xde\xad\xbe\xef";
  return kPattern[offset % 4];
}

void ApplyPartial(const Op& op, const PartialWrite& p, std::string* bytes) {
  if (p.kind == PartialWrite::kPrefix) {
    ApplyData(op, bytes, p.keep);
    return;
  }
  std::string& d = *bytes;
  const size_t old = d.size();
  const size_t end = static_cast<size_t>(op.offset) + op.bytes.size();
  if (end <= old) return;  // no growth: the old bytes stay
  d.resize(end, '\0');
  if (p.kind == PartialWrite::kGarbage)
    for (size_t i = std::max(old, static_cast<size_t>(op.offset)); i < end; ++i)
      d[i] = GarbageByte(static_cast<long long>(i));
}

FsState Materialize(const OpLog& log, const CrashState& state) {
  FsState s = log.initial;
  s.Reserve(log.files - 1);
  auto drop = state.dropped.begin();
  for (int i = 0; i < state.cut; ++i) {
    while (drop != state.dropped.end() && *drop < i) ++drop;
    if (drop != state.dropped.end() && *drop == i) continue;
    const Op& op = log.ops[static_cast<size_t>(i)];
    auto part = std::find_if(state.partial.begin(), state.partial.end(),
                             [&](const PartialWrite& p) { return p.op == i; });
    if (part != state.partial.end()) {
      s.Reserve(op.file);
      ApplyPartial(op, *part, &s.data[static_cast<size_t>(op.file)]);
    } else {
      ApplyOp(op, &s);
    }
  }
  return s;
}

std::set<long long> AckedBefore(const OpLog& log, int cut) {
  std::set<long long> acked;
  for (int i = 0; i < cut; ++i)
    if (log.ops[static_cast<size_t>(i)].kind == OpKind::kAck)
      acked.insert(log.ops[static_cast<size_t>(i)].task);
  return acked;
}

int LastPersisted(const OpLog& log, const CrashState& state) {
  for (int i = state.cut - 1; i >= 0; --i) {
    const OpKind kind = log.ops[static_cast<size_t>(i)].kind;
    if (!IsDataOp(kind) && !IsDirOp(kind)) continue;
    if (!std::binary_search(state.dropped.begin(), state.dropped.end(), i)) return i;
  }
  return -1;
}

}  // namespace crashbench

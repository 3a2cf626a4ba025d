#include "harness/persist/model_util.h"

#include <algorithm>
#include <iterator>

namespace crashbench {

std::map<FileId, std::vector<int>> GroupByFile(const OpLog& log, const std::vector<int>& ops) {
  std::map<FileId, std::vector<int>> by_file;
  for (int i : ops) by_file[log.ops[static_cast<size_t>(i)].file].push_back(i);
  return by_file;
}

std::vector<int> SortedUnion(const std::vector<int>& a, const std::vector<int>& b) {
  std::vector<int> out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<int> SortedMinus(const std::vector<int>& a, const std::vector<int>& b) {
  std::vector<int> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<PrefixChoice> PrefixChoices(const OpLog& log, const std::vector<int>& ops,
                                        long long page) {
  std::vector<PrefixChoice> out;
  for (size_t j = 0; j < ops.size(); ++j) {
    // ops[0..j) persisted whole, ops[j] not at all or in part, the rest not.
    PrefixChoice none;
    none.dropped.assign(ops.begin() + static_cast<long>(j), ops.end());
    out.push_back(none);
    const Op& op = log.ops[static_cast<size_t>(ops[j])];
    if (op.kind != OpKind::kWrite) continue;
    const long long end = op.offset + static_cast<long long>(op.bytes.size());
    for (long long b = (op.offset / page + 1) * page; b < end; b += page) {
      PrefixChoice part;
      part.dropped.assign(ops.begin() + static_cast<long>(j) + 1, ops.end());
      part.partial = PartialWrite{ops[j], PartialWrite::kPrefix, b - op.offset};
      out.push_back(part);
    }
  }
  return out;
}

std::string PosixWhyLost(const Op& op) {
  if (IsDirOp(op.kind)) return "no fsync of its directory after it";
  return "no fsync of the file after it";
}

}  // namespace crashbench

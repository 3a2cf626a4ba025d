// The old-or-new oracle, for `cp`, `sed -i`, editors and "safe save": every
// file the globs match holds exactly its old contents (input.old_state, the
// directory after setup) or exactly its new ones (input.new_state, what a
// fault-free run leaves). A file that did not exist in a state is "absent"
// there, so absence is acceptable exactly when one of the states lacks it.
// When the run (or its restart) exited 0 it claimed the new state: then only
// the new state is acceptable.
//   torn        a matched file that holds anything else; the detail says how
//               much of each state it holds (a prefix of the new contents, the
//               new contents' head over the old contents' tail, ...), the
//               offset is the first byte that fits neither;
//   lost-acked  a file both states hold is gone; or the run exited 0 and a
//               file is still in its old state (old contents, or absent where
//               a fault-free run makes it);
//   orphan-temp / unexpected-file  a file neither state holds (a temp file
//               left by a killed `sed -i` is orphan-temp).
// Files both states hold that no glob matches are not judged: the scenario
// did not ask, and they were expected to be there.
#include <algorithm>
#include <set>

#include "harness/oracle/oracle_internal.h"

namespace crashbench::oracle_internal {
namespace {

size_t CommonPrefix(std::string_view a, std::string_view b) {
  const auto diff = std::mismatch(a.begin(), a.begin() + std::min(a.size(), b.size()), b.begin());
  return static_cast<size_t>(diff.first - a.begin());
}

std::string Bytes(size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

std::string StateSize(const std::string* state) {
  return state ? Bytes(state->size()) : std::string("absent");
}

// How `now` relates to the two states; *diverges: the first byte that fits
// neither state's prefix.
std::string DescribeTear(const std::string& now, const std::string* old_bytes,
                         const std::string* new_bytes, size_t* diverges) {
  const size_t from_new = new_bytes ? CommonPrefix(now, *new_bytes) : 0;
  const size_t from_old = old_bytes ? CommonPrefix(now, *old_bytes) : 0;
  *diverges = std::max(from_new, from_old);
  const std::string sizes = " (this file " + Bytes(now.size()) + ", old " + StateSize(old_bytes) +
                            ", new " + StateSize(new_bytes) + ")";
  if (now.empty()) return "empty" + sizes;
  if (new_bytes && from_new == now.size())
    return "the first " + Bytes(now.size()) + " of the new contents, cut short" + sizes;
  if (old_bytes && from_old == now.size())
    return "the first " + Bytes(now.size()) + " of the old contents, cut short" + sizes;
  if (new_bytes && old_bytes && from_new > 0 && now.size() <= old_bytes->size() &&
      now.compare(from_new, std::string::npos, *old_bytes, from_new, now.size() - from_new) == 0) {
    *diverges = from_new;
    return "the new contents' first " + Bytes(from_new) + ", then the old contents' bytes " +
           std::to_string(from_new) + ".." + std::to_string(now.size()) +
           ": overwritten in place, part way" + sizes;
  }
  if (new_bytes && from_new == new_bytes->size())
    return "the new contents, then " + Bytes(now.size() - from_new) + " more" + sizes;
  if (old_bytes && from_old == old_bytes->size())
    return "the old contents, then " + Bytes(now.size() - from_old) + " more" + sizes;
  std::string s = "differs from the new contents";
  if (new_bytes) s += " at byte " + std::to_string(from_new);
  s += " and from the old contents";
  if (old_bytes) s += " at byte " + std::to_string(from_old);
  return s + sizes;
}

const std::string* Find(const DirSnapshot& state, const std::string& path) {
  auto it = state.find(path);
  return it == state.end() ? nullptr : &it->second;
}

}  // namespace

Result<OracleReport> RunOldOrNewOracle(const OracleSpec& spec, const OracleInput& input) {
  if (!input.old_state || !input.new_state)
    return Status::Error(
        "old-or-new needs the directory's old state (after setup) and its new state "
        "(a fault-free run)");
  Result<std::vector<TreeEntry>> entries = ListTree(input.out_dir);
  if (!entries.ok()) return entries.status();
  std::vector<std::string> globs;
  for (const std::string& g : spec.files) globs.push_back(NormalizeGlob(g, input.out_dir));

  OracleReport report;
  std::vector<Anomaly> strays;
  std::set<std::string> present;
  for (const TreeEntry& e : *entries) {
    present.insert(e.path);
    const std::string* old_bytes = Find(*input.old_state, e.path);
    const std::string* new_bytes = Find(*input.new_state, e.path);
    if ((!old_bytes && !new_bytes) || !e.regular) {
      strays.push_back(StrayFile(e));
      continue;
    }
    if (!MatchesAny(globs, e.path)) continue;
    Result<std::string> now = ReadRegularFile(input.out_dir + "/" + e.path);
    if (!now.ok()) return now.status().Annotate("judging output");
    if (new_bytes && *now == *new_bytes) {
      ++report.records_visible;
      continue;
    }
    if (old_bytes && *now == *old_bytes) {
      if (!input.exited_ok || !new_bytes) {
        ++report.records_visible;
      } else {
        report.anomalies.push_back(Anomaly{
            AnomalyKind::kLostAcked, e.path, -1, -1, -1, -1, "",
            "the run exited 0, yet the file holds its old contents (" + Bytes(old_bytes->size()) +
                "), not those of a fault-free run (" + Bytes(new_bytes->size()) + ")"});
      }
      continue;
    }
    size_t at = 0;
    std::string detail = DescribeTear(*now, old_bytes, new_bytes, &at);
    report.anomalies.push_back(Anomaly{AnomalyKind::kTorn, e.path, static_cast<long long>(at),
                                       LineOf(*now, at), -1, -1, ExcerptAt(*now, at),
                                       "neither the old nor the new contents: " + detail});
  }
  for (const auto& [path, new_bytes] : *input.new_state) {
    if (present.count(path) || !MatchesAny(globs, path)) continue;
    const std::string* old_bytes = Find(*input.old_state, path);
    if (old_bytes) {
      report.anomalies.push_back(
          Anomaly{AnomalyKind::kLostAcked, path, -1, -1, -1, -1, "",
                  "gone, though it exists both before the run (" + Bytes(old_bytes->size()) +
                      ") and after a fault-free one (" + Bytes(new_bytes.size()) + ")"});
    } else if (input.exited_ok) {
      report.anomalies.push_back(Anomaly{AnomalyKind::kLostAcked, path, -1, -1, -1, -1, "",
                                         "the run exited 0, yet the file a fault-free run makes (" +
                                             Bytes(new_bytes.size()) + ") is not there"});
    }
  }
  for (Anomaly& a : strays) report.anomalies.push_back(std::move(a));
  return report;
}

}  // namespace crashbench::oracle_internal

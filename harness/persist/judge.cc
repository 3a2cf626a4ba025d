#include "harness/persist/judge.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <utility>

#include "harness/contract/layout.h"

namespace crashbench {
namespace {

uint64_t HashBytes(std::string_view b) { return std::hash<std::string_view>()(b); }

uint64_t HashAcked(const std::set<long long>& acked) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (long long t : acked) h = (h ^ static_cast<uint64_t>(t)) * 0x100000001b3ULL;
  return h;
}

uint64_t HashNames(const std::vector<std::string>& names) {
  uint64_t h = 0x84222325cbf29ce4ULL;
  for (const std::string& n : names) h = (h ^ HashBytes(n)) * 0x100000001b3ULL;
  return h;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool OnlyTask(std::string_view bytes, long long task) {
  static constexpr std::string_view kKey = "\"task\"";
  const std::string want = std::to_string(task);
  for (size_t at = bytes.find(kKey); at != std::string_view::npos; at = bytes.find(kKey, at + 1)) {
    if (at > 0 && bytes[at - 1] == '\\') continue;
    size_t i = at + kKey.size();
    while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t')) ++i;
    if (i >= bytes.size()) return true;  // cut before the value
    if (bytes[i] != ':') continue;
    ++i;
    while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t')) ++i;
    size_t end = i;
    while (end < bytes.size() && (IsDigit(bytes[end]) || (end == i && bytes[end] == '-'))) ++end;
    const std::string_view value = bytes.substr(i, end - i);
    if (end == bytes.size()) return want.starts_with(value);  // a number cut by the end
    if (value != want) return false;
  }
  return true;
}

CrashJudge::CrashJudge(VerifyOptions base) : base_(std::move(base)) { base_.acked.clear(); }

std::vector<Anomaly> CrashJudge::JudgeWhole(const std::vector<FileContents>& outputs,
                                            const std::vector<std::string>& others,
                                            const std::set<long long>& acked) {
  ++whole_;
  VerifyOptions o = base_;
  o.acked = acked;
  return VerifyFiles(outputs, others, o).anomalies;
}

const std::vector<Anomaly>& CrashJudge::TaskVerdict(long long task, const std::string* bytes,
                                                    bool acked) {
  const std::string name = PerTaskFileName(task);
  FileKey key{name, bytes ? HashBytes(*bytes) : 0,
              bytes ? static_cast<long long>(bytes->size()) : -1, acked};
  auto it = files_.find(key);
  if (it != files_.end()) {
    ++hits_;
    return it->second;
  }
  ++misses_;
  VerifyOptions o = base_;
  if (acked) o.acked = {task};
  std::vector<FileContents> outputs;
  if (bytes) outputs.push_back(FileContents{name, *bytes});
  std::vector<Anomaly> mine;
  for (Anomaly& a : VerifyFiles(outputs, {}, o).anomalies)
    if (a.task == task || (a.task == -1 && a.file == name)) mine.push_back(std::move(a));
  return files_.emplace(std::move(key), std::move(mine)).first->second;
}

const std::vector<Anomaly>& CrashJudge::OtherVerdict(const std::string& name) {
  auto it = others_.find(name);
  if (it != others_.end()) return it->second;
  VerifyOptions o;
  o.layout = base_.layout;
  return others_.emplace(name, VerifyFiles({}, {name}, o).anomalies).first->second;
}

std::vector<Anomaly> CrashJudge::Judge(const FsState& state, const std::set<long long>& acked) {
  // What VerifyDirectory would list: the top level only.
  std::vector<std::pair<std::string, const std::string*>> outputs;
  std::vector<std::string> others;
  const bool shared = base_.layout == Layout::kShared;
  for (const auto& [name, id] : state.entries) {
    if (name.find('/') != std::string::npos) continue;
    const bool ours = shared ? name == kSharedFileName : TaskFromPerTaskFileName(name).has_value();
    if (ours) {
      outputs.emplace_back(name, state.Find(name));
    } else {
      others.push_back(name);
    }
  }
  for (const std::string& d : state.dirs)
    if (d.find('/') == std::string::npos) others.push_back(d);
  std::sort(others.begin(), others.end());
  auto whole = [&] {
    std::vector<FileContents> files;
    for (const auto& [name, bytes] : outputs) files.push_back(FileContents{name, *bytes});
    return JudgeWhole(files, others, acked);
  };

  if (shared) {
    const std::string* bytes = outputs.empty() ? nullptr : outputs[0].second;
    auto key = std::make_tuple(bytes ? HashBytes(*bytes) : 0,
                               bytes ? static_cast<long long>(bytes->size()) : -1, HashAcked(acked),
                               HashNames(others));
    auto it = shared_.find(key);
    if (it != shared_.end()) {
      ++hits_;
      return it->second;
    }
    ++misses_;
    return shared_.emplace(key, whole()).first->second;
  }

  // Per-task layout: file by file when nothing ties one file's verdict to another's.
  if (!base_.tasks) return whole();
  const long long tasks = *base_.tasks;
  if (!acked.empty() && (*acked.begin() < 0 || *acked.rbegin() >= tasks)) return whole();
  std::vector<const std::string*> by_task(static_cast<size_t>(std::max(tasks, 0LL)), nullptr);
  for (const auto& [name, bytes] : outputs) {
    const long long t = *TaskFromPerTaskFileName(name);
    if (t < 0 || t >= tasks || !OnlyTask(*bytes, t)) return whole();
    by_task[static_cast<size_t>(t)] = bytes;
  }
  std::vector<Anomaly> out;
  for (long long t = 0; t < tasks; ++t) {
    const std::vector<Anomaly>& v = TaskVerdict(t, by_task[static_cast<size_t>(t)], acked.count(t));
    out.insert(out.end(), v.begin(), v.end());
  }
  for (const std::string& name : others) {
    const std::vector<Anomaly>& v = OtherVerdict(name);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

}  // namespace crashbench

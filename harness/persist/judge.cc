#include "harness/persist/judge.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <utility>

#include "harness/contract/layout.h"

namespace crashbench {
namespace {

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

const std::vector<const Anomaly*>& CrashJudge::Point(const std::vector<Anomaly>& anomalies) {
  result_.clear();
  for (const Anomaly& a : anomalies) result_.push_back(&a);
  return result_;
}

const std::vector<Anomaly>& CrashJudge::TaskVerdict(long long task, const std::string* bytes,
                                                    uint64_t hash, bool acked) {
  const std::string name = PerTaskFileName(task);
  FileKey key{name, hash, bytes ? static_cast<long long>(bytes->size()) : -1, acked};
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

bool CrashJudge::SpeaksOfItsTaskOnly(long long task, const std::string& bytes, uint64_t hash) {
  auto key = std::make_tuple(task, hash, static_cast<long long>(bytes.size()));
  auto it = only_task_.find(key);
  if (it != only_task_.end()) return it->second;
  return only_task_.emplace(key, OnlyTask(bytes, task)).first->second;
}

const std::vector<const Anomaly*>& CrashJudge::Judge(const FsState& state,
                                                     const std::set<long long>& acked) {
  // What VerifyDirectory would list: the top level only.
  struct Output {
    std::string name;
    const std::string* bytes;
    uint64_t hash;
  };
  std::vector<Output> outputs;
  std::vector<std::string> others;
  const bool shared = base_.layout == Layout::kShared;
  for (const auto& [name, id] : state.entries) {
    if (name.find('/') != std::string::npos) continue;
    const bool ours = shared ? name == kSharedFileName : TaskFromPerTaskFileName(name).has_value();
    if (!ours) {
      others.push_back(name);
      continue;
    }
    const std::string* bytes = state.Find(name);
    const size_t at = static_cast<size_t>(id);
    const uint64_t known = at < state.data_hash.size() ? state.data_hash[at] : 0;
    outputs.push_back(Output{name, bytes, known != 0 ? known : HashBytes(*bytes)});
  }
  for (const std::string& d : state.dirs)
    if (d.find('/') == std::string::npos) others.push_back(d);
  std::sort(others.begin(), others.end());
  auto whole = [&]() -> const std::vector<Anomaly>& {
    ++whole_;
    std::vector<FileContents> files;
    for (const Output& o : outputs) files.push_back(FileContents{o.name, *o.bytes});
    VerifyOptions o = base_;
    o.acked = acked;
    whole_result_ = VerifyFiles(files, others, o).anomalies;
    return whole_result_;
  };

  if (shared) {
    auto key =
        std::make_tuple(outputs.empty() ? 0 : outputs[0].hash,
                        outputs.empty() ? -1 : static_cast<long long>(outputs[0].bytes->size()),
                        HashAcked(acked), HashNames(others));
    auto it = shared_.find(key);
    if (it != shared_.end()) {
      ++hits_;
      return Point(it->second);
    }
    ++misses_;
    return Point(shared_.emplace(key, whole()).first->second);
  }

  // Per-task layout: file by file when nothing ties one file's verdict to another's.
  if (!base_.tasks) return Point(whole());
  const long long tasks = *base_.tasks;
  if (!acked.empty() && (*acked.begin() < 0 || *acked.rbegin() >= tasks)) return Point(whole());
  std::vector<const Output*> by_task(static_cast<size_t>(std::max(tasks, 0LL)), nullptr);
  for (const Output& o : outputs) {
    const long long t = *TaskFromPerTaskFileName(o.name);
    if (t < 0 || t >= tasks || !SpeaksOfItsTaskOnly(t, *o.bytes, o.hash)) return Point(whole());
    by_task[static_cast<size_t>(t)] = &o;
  }
  result_.clear();
  for (long long t = 0; t < tasks; ++t) {
    const Output* o = by_task[static_cast<size_t>(t)];
    for (const Anomaly& a :
         TaskVerdict(t, o ? o->bytes : nullptr, o ? o->hash : 0, acked.count(t) > 0))
      result_.push_back(&a);
  }
  for (const std::string& name : others)
    for (const Anomaly& a : OtherVerdict(name)) result_.push_back(&a);
  return result_;
}

}  // namespace crashbench

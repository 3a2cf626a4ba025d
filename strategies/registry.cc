// The built-in strategies. A new strategy is a new file plus one entry here.
#include <map>
#include <utility>

#include "harness/base/json_file.h"
#include "strategies/strategy.h"

namespace crashbench {

std::unique_ptr<Strategy> MakeNaive();
std::unique_ptr<Strategy> MakeSharedHandle();
std::unique_ptr<Strategy> MakePerTaskFile();
std::unique_ptr<Strategy> MakeLockedAppend();
std::unique_ptr<Strategy> MakeAtomicRename();
std::unique_ptr<Strategy> MakeQueueWriter();

OptionSpec FsyncOption(std::string_view default_value) {
  static const std::pair<std::string_view, std::string_view> kMeanings[] = {
      {"none", "never"}, {"task", "once per task"}, {"record", "after every record"}};
  // The help names the values in the order they are listed, default first;
  // one text per default, kept here because OptionSpec holds a view of it.
  static std::map<std::string, std::string, std::less<>> helps;
  std::vector<std::string_view> values = {default_value};
  for (const auto& [value, meaning] : kMeanings)
    if (value != default_value) values.push_back(value);
  auto [help, fresh] = helps.try_emplace(std::string(default_value));
  if (fresh) {
    help->second = "when to fsync:";
    for (std::string_view v : values)
      for (const auto& [value, meaning] : kMeanings)
        if (value == v)
          help->second += std::string(v == values.front() ? " " : ", ") + std::string(v) + " (" +
                          std::string(meaning) + ")";
  }
  return {"fsync", values, help->second};
}

const std::vector<StrategyInfo>& AllStrategies() {
  static const std::vector<StrategyInfo> kStrategies = {
      {"naive",
       Layout::kShared,
       "every task appends to one file through buffered stdio",
       {FsyncOption("none"),
        {"open",
         {"append", "truncate"},
         "open(path, 'a'); or open(path, 'w'), which empties the file at every task"}},
       &MakeNaive},
      {"shared-handle",
       Layout::kShared,
       "workers write through a handle the parent opened",
       {FsyncOption("none"),
        {"handle",
         {"stdio", "fd"},
         "an inherited buffered FILE*; or the raw descriptor, one write(2) per record (the "
         "fix)"},
        {"header",
         {"none", "stdio"},
         "nothing before the fork; or the parent writes task 0 (a header, a first chunk) "
         "through the buffered stream before it forks, and every forked child inherits the "
         "unflushed copy"}},
       &MakeSharedHandle},
      {"per-task-file",
       Layout::kPerTask,
       "each task writes its own final file directly",
       {FsyncOption("none")},
       &MakePerTaskFile},
      {"locked-append",
       Layout::kShared,
       "each task appends under an exclusive lock",
       {FsyncOption("none"),
        {"lock",
         {"flock", "fcntl", "process-mutex", "robust-mutex"},
         "flock(2); fcntl record lock; process-shared mutex (multiprocessing.Lock: never released "
         "when its holder dies); robust mutex (the fix)"},
        {"open",
         {"per-task", "inherited"},
         "each task opens the file; or the parent opens it once and workers inherit it (a flock "
         "on a shared open file excludes nobody)"}},
       &MakeLockedAppend},
      {"atomic-rename",
       Layout::kPerTask,
       "temp file, fsync, rename, fsync the directory",
       {FsyncOption("task"),
        {"dirsync",
         {"auto", "on", "off"},
         "fsync the directory after the rename: auto (when fsync is not none, as always); on; "
         "off (the rename is then durable only once something else commits it)"},
        {"commit",
         {"rename", "direct-write-UNSAFE-test-only"},
         "rename (the strategy); direct-write-UNSAFE-test-only writes the final name directly, a "
         "deliberately broken variant for testing crashbench's gate"}},
       &MakeAtomicRename},
      {"queue-writer",
       Layout::kShared,
       "workers pipe records to one writer process",
       {FsyncOption("none"),
        {"drain",
         {"concurrent", "after-join"},
         "the writer reads while workers write (the fix); or joins the workers first and reads "
         "after: output larger than the pipe deadlocks (a hang)"},
        {"ack",
         {"on-send", "on-write"},
         "a task is acknowledged once its frames are in the pipe; or once the writer has "
         "written it to the kernel (the fix: a dead writer loses no acknowledged record)"}},
       &MakeQueueWriter},
  };
  return kStrategies;
}

const StrategyInfo* FindStrategy(std::string_view name) {
  for (const StrategyInfo& s : AllStrategies())
    if (s.name == name) return &s;
  return nullptr;
}

std::string StrategyNameList() {
  std::string s;
  for (const StrategyInfo& i : AllStrategies()) (s += s.empty() ? "" : ", ") += i.name;
  return s;
}

Status ResolveOptions(const StrategyInfo& info, std::map<std::string, std::string>* options) {
  for (const auto& [key, value] : *options) {
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& o : info.options)
      if (o.key == key) spec = &o;
    if (!spec) {
      std::string valid;
      for (const OptionSpec& o : info.options) (valid += valid.empty() ? "" : ", ") += o.key;
      return Status::Error("strategy '" + std::string(info.name) + "' has no option '" +
                           Excerpt(key) + "' (valid options: " + valid + ")");
    }
    bool ok = false;
    std::string valid;
    for (std::string_view v : spec->values) {
      ok |= v == value;
      (valid += valid.empty() ? "" : ", ") += v;
    }
    if (!ok)
      return Status::Error("option '" + Excerpt(key) + "' of strategy '" + std::string(info.name) +
                           "' cannot be '" + Excerpt(value) + "' (valid values: " + valid + ")");
  }
  for (const OptionSpec& o : info.options)
    if (!options->count(std::string(o.key))) (*options)[std::string(o.key)] = o.values.front();
  return Status::Ok();
}

}  // namespace crashbench

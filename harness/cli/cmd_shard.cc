// Spreading one run over several machines: `run --shard I/N` (or the
// GoogleTest sharding variables) and `merge`.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "harness/base/json_file.h"
#include "harness/base/sys.h"
#include "harness/cli/commands.h"
#include "results/load_results.h"
#include "results/merge.h"
#include "results/results.h"

namespace crashbench {
namespace {

// A non-negative decimal integer, nothing else ("+1", " 1", "1x" are not).
bool ParseCount(const std::string& s, int* out) {
  if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *out = std::atoi(s.c_str());
  return true;
}

int ShardError(const std::string& what) {
  std::cerr << "crashbench: " << what << "\n";
  return 2;
}

}  // namespace

int ResolveShard(const RunCommand& cmd, int* index, int* count) {
  *index = 0;
  *count = 1;
  std::string where = "--shard " + cmd.shard;
  std::string index_text, count_text;
  if (!cmd.shard.empty()) {
    if (cmd.trial)
      return ShardError("--shard does not combine with --trial: a replay runs exactly one trial");
    const size_t slash = cmd.shard.find('/');
    if (slash == std::string::npos)
      return ShardError(where + ": expected I/N, e.g. --shard 0/4 (the first of four slices)");
    index_text = cmd.shard.substr(0, slash);
    count_text = cmd.shard.substr(slash + 1);
  } else {
    // The GoogleTest protocol: both variables or neither. A replay (--trial)
    // inside a sharded CI job still runs its one trial.
    const char* total = std::getenv("GTEST_TOTAL_SHARDS");
    const char* shard = std::getenv("GTEST_SHARD_INDEX");
    if (total && !*total) total = nullptr;  // set but empty: as if unset
    if (shard && !*shard) shard = nullptr;
    if (cmd.trial || (!total && !shard)) return 0;
    if (!total || !shard)
      return ShardError(std::string("GTEST_SHARD_INDEX and GTEST_TOTAL_SHARDS go together; only ") +
                        (total ? "GTEST_TOTAL_SHARDS" : "GTEST_SHARD_INDEX") + " is set");
    where = std::string("GTEST_SHARD_INDEX=") + shard + " GTEST_TOTAL_SHARDS=" + total;
    index_text = shard;
    count_text = total;
  }
  if (!ParseCount(index_text, index) || !ParseCount(count_text, count))
    return ShardError(where + ": I and N must be non-negative integers (I/N, e.g. 0/4)");
  if (*count < 1) return ShardError(where + ": N must be at least 1");
  if (*index >= *count)
    return ShardError(where + ": I must be in 0.." + std::to_string(*count - 1));
  // GoogleTest's handshake: a program that understands sharding touches this file.
  if (const char* status = std::getenv("GTEST_SHARD_STATUS_FILE");
      status && *status && cmd.shard.empty()) {
    int fd = ::open(status, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) ::close(fd);
  }
  return 0;
}

int RunMergeCommand(const MergeCommand& cmd) {
  struct stat out_stat {};
  if (::stat(cmd.out.c_str(), &out_stat) == 0 && S_ISDIR(out_stat.st_mode))
    return ShardError("merge -o " + cmd.out + ": is a directory (name the merged results file)");
  std::vector<ShardFile> files;
  for (const std::string& path : cmd.files) {
    Result<nlohmann::json> doc = LoadResultsFile(path);
    if (!doc.ok()) return ShardError(doc.status().message());
    files.push_back({path, std::move(*doc)});
  }
  Result<MergedResults> merged = MergeShards(files);
  if (!merged.ok()) return ShardError(merged.status().message());
  if (Status st = WriteFileAtomic(cmd.out, RenderResultsDocument(merged->doc)); !st.ok()) {
    std::cerr << "crashbench: cannot write " << cmd.out << ": " << st.message() << "\n";
    return 3;
  }
  long long trials = 0;
  for (const ScenarioResult& sr : merged->outcome.scenarios)
    trials += static_cast<long long>(sr.trials.size());
  std::cout << RenderTableFor(merged->outcome, "auto", STDOUT_FILENO);
  for (const ScenarioResult& sr : merged->outcome.scenarios)
    if (!sr.error.empty())
      std::cout << "scenario '" << sr.scenario.name << "': " << sr.error << "\n";
  std::cout << "merged " << files.size() << " shard" << (files.size() == 1 ? "" : "s") << ", "
            << trials << " trials: " << cmd.out << "\n";
  if (merged->outcome.interrupted)
    std::cerr << "crashbench: a shard was interrupted; the merge holds what finished\n";
  return RunExitCode(merged->outcome);
}

}  // namespace crashbench

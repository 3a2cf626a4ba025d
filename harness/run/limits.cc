#include "harness/run/limits.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "harness/base/stage_clock.h"
#include "harness/base/sys.h"
#include "harness/contract/record.h"

namespace crashbench {
namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

enum class Sync { kNone, kTask, kRecord };

// Appends the workload's records to one file with write(2); returns records/s.
Result<double> SharedFileRate(const std::string& dir, const Workload& w, Sync sync,
                              const std::vector<std::string>& lines) {
  const std::string path = dir + "/limit.jsonl";
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoStatus("open " + path, errno);
  const long long start = NowMicros();
  for (long long t = 0; t < w.tasks; ++t) {
    for (long long s = 0; s < w.records_per_task; ++s) {
      const std::string& line = lines[static_cast<size_t>(s)];
      RETURN_IF_ERROR(WriteFull(fd.get(), line.data(), line.size()));
      if (sync == Sync::kRecord) RETURN_IF_ERROR(FsyncNoInt(fd.get(), path));
    }
    if (sync == Sync::kTask) RETURN_IF_ERROR(FsyncNoInt(fd.get(), path));
  }
  const double secs = std::max(1e-9, static_cast<double>(NowMicros() - start) / 1e6);
  ::unlink(path.c_str());
  return static_cast<double>(w.tasks * w.records_per_task) / secs;
}

// One file per task, written whole and fsynced; with rename, through a temp
// name and a directory fsync. Returns records/s.
Result<double> PerTaskRate(const std::string& dir, const Workload& w, bool rename,
                           const std::string& doc) {
  const long long start = NowMicros();
  for (long long t = 0; t < w.tasks; ++t) {
    const std::string final_path = dir + "/task-" + std::to_string(t) + ".json";
    const std::string path = rename ? final_path + ".tmp" : final_path;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return ErrnoStatus("open " + path, errno);
    RETURN_IF_ERROR(WriteFull(fd.get(), doc.data(), doc.size()));
    RETURN_IF_ERROR(FsyncNoInt(fd.get(), path));
    fd.Reset();
    if (rename) {
      if (::rename(path.c_str(), final_path.c_str()) != 0) return ErrnoStatus("rename", errno);
      RETURN_IF_ERROR(FsyncDir(dir));
    }
  }
  const double secs = std::max(1e-9, static_cast<double>(NowMicros() - start) / 1e6);
  for (long long t = 0; t < w.tasks; ++t)
    ::unlink((dir + "/task-" + std::to_string(t) + ".json").c_str());
  return static_cast<double>(w.tasks * w.records_per_task) / secs;
}

Result<double> FdatasyncLatencyUs(const std::string& dir) {
  const std::string path = dir + "/limit-sync";
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoStatus("open " + path, errno);
  std::vector<double> samples;
  for (int i = 0; i < 20; ++i) {
    RETURN_IF_ERROR(WriteFull(fd.get(), "x\n", 2));
    const long long t0 = NowMicros();
    if (RetryOnEintr([&] { return ::fdatasync(fd.get()); }) != 0)
      return ErrnoStatus("fdatasync", errno);
    samples.push_back(static_cast<double>(NowMicros() - t0));
  }
  ::unlink(path.c_str());
  return Median(samples);
}

double ForkReapUs() {
  std::vector<double> samples;
  for (int i = 0; i < 50; ++i) {
    const long long t0 = NowMicros();
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    if (pid > 0) ::waitpid(pid, nullptr, 0);  // our own child, just forked
    samples.push_back(static_cast<double>(NowMicros() - t0));
  }
  return Median(samples);
}

// What one StageTimer (two clock reads) costs on this machine.
double StageTimerUs() {
  StageClock clock;
  constexpr int kRounds = 200000;
  const long long t0 = NowMicros();
  for (int i = 0; i < kRounds; ++i) StageTimer t(clock, Stage::kWrite);
  volatile long long sink = clock.Get(Stage::kWrite);  // keeps the loop from being optimized away
  (void)sink;
  return static_cast<double>(NowMicros() - t0) / kRounds;
}

}  // namespace

const Limit* MachineLimits::Find(const std::string& name) const {
  for (const Limit& l : limits)
    if (l.name == name) return &l;
  return nullptr;
}

std::string MatchingLimit(const std::string& strategy, const std::string& fsync) {
  if (fsync == "none") return "raw-write";
  if (fsync == "record") return "write-fsync-record";
  if (strategy == "atomic-rename") return "write-fsync-rename";
  if (strategy == "per-task-file") return "create-write-fsync";
  return "write-fsync-task";
}

Result<MachineLimits> MeasureLimits(const std::string& parent, const Workload& workload,
                                    int repetitions) {
  // Limits are rates: a bounded sample of the workload measures them as well
  // as all of it, and a scenario of a million tasks must not cost a million fsyncs.
  Workload w = workload;
  w.tasks = std::min<long long>(w.tasks, 256);
  w.records_per_task = std::min<long long>(w.records_per_task, 256);
  std::string dir = parent + "/limits-XXXXXX";
  if (!::mkdtemp(dir.data())) return ErrnoStatus("mkdtemp under " + parent, errno);
  std::vector<std::string> lines;
  std::string doc =
      "{\"task\":0,\"count\":" + std::to_string(w.records_per_task) + ",\"records\":[";
  for (long long s = 0; s < w.records_per_task; ++s) {
    std::string rec = EncodeRecord(0, s, w.records_per_task,
                                   MakePayload(1, 0, s, static_cast<size_t>(w.record_bytes)));
    lines.push_back(rec + "\n");
    doc += (s ? "," : "") + rec;
  }
  doc += "]}\n";
  MachineLimits out;
  auto rate = [&](const std::string& name, auto measure) -> Status {
    std::vector<double> v;
    for (int r = 0; r < std::max(1, repetitions); ++r) {
      Result<double> x = measure();
      if (!x.ok()) return x.status().Annotate("measuring " + name);
      v.push_back(*x);
    }
    double rps = Median(v);
    out.limits.push_back(
        {name, rps, rps > 0 ? 1e6 * static_cast<double>(w.records_per_task) / rps : 0});
    return Status::Ok();
  };
  Status s = rate("raw-write", [&] { return SharedFileRate(dir, w, Sync::kNone, lines); });
  if (s.ok())
    s = rate("write-fsync-task", [&] { return SharedFileRate(dir, w, Sync::kTask, lines); });
  Workload small = w;  // fsync per record is slow: a few tasks tell the rate
  small.tasks = std::min<long long>(w.tasks, 4);
  small.records_per_task = std::min<long long>(w.records_per_task, 16);
  if (s.ok())
    s = rate("write-fsync-record",
             [&] { return SharedFileRate(dir, small, Sync::kRecord, lines); });
  if (s.ok()) s = rate("create-write-fsync", [&] { return PerTaskRate(dir, w, false, doc); });
  if (s.ok()) s = rate("write-fsync-rename", [&] { return PerTaskRate(dir, w, true, doc); });
  if (s.ok()) {
    Result<double> sync = FdatasyncLatencyUs(dir);
    if (!sync.ok())
      s = sync.status();
    else
      out.limits.push_back({"fdatasync", 0, *sync});
  }
  if (s.ok()) out.limits.push_back({"fork-reap", 0, ForkReapUs()});
  if (s.ok()) out.limits.push_back({"stage-timer", 0, StageTimerUs()});
  (void)RemoveTree(dir);
  if (!s.ok()) return s;
  return out;
}

nlohmann::json LimitsToJson(const MachineLimits& limits) {
  nlohmann::json j = nlohmann::json::object();
  for (const Limit& l : limits.limits) {
    nlohmann::json e = {{"latency_us", l.latency_us}};
    if (l.records_per_s > 0) e["records_per_s"] = l.records_per_s;
    j[l.name] = e;
  }
  return j;
}

std::string WorkloadKey(const Workload& w) {
  return std::to_string(w.tasks) + "x" + std::to_string(w.records_per_task) + "x" +
         std::to_string(w.record_bytes);
}

}  // namespace crashbench

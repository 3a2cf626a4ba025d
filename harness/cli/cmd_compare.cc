// crashbench compare: A against B on this machine, in one job, interleaved
// A B A B ..., so that a machine that slows down or speeds up mid-job weighs
// on both sides alike. Each round is one fault-free run of each side; every
// trial is one throughput sample; the cost decision is the gate's
// (results/gate.h): exit 1 when B regressed against A.
//
// Two scenario files run in this process. With --binary-a/--binary-b one
// scenario file is run by two crashbench builds, each as a child process
// (`BIN run FILE --out DIR`), on a copy of the file made fault-free.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include "harness/base/json_file.h"
#include "harness/base/process.h"
#include "harness/base/sys.h"
#include "harness/cli/commands.h"
#include "harness/run/runner.h"
#include "results/gate.h"
#include "results/results.h"

namespace crashbench {
namespace {

using nlohmann::json;

int InputError(const std::string& message) {
  std::cerr << "crashbench compare: " << message << "\n";
  return 2;
}

// The scenario file as JSON, every scenario made fault-free with `trials`
// trials. Only those two keys change, so both builds of a binary comparison
// read the file as they read the original.
Result<json> FaultFreeScenarios(const std::string& path, int trials) {
  Result<json> read = ReadJsonFile(path, kScenarioFileLimits);
  if (!read.ok()) return read.status();
  json j = std::move(*read);
  if (j.is_object()) j = json::array({j});
  if (!j.is_array() || j.empty())
    return Status::Error(path + ": must hold a scenario object or an array of them");
  for (json& s : j) {
    if (!s.is_object()) return Status::Error(path + ": every scenario must be a JSON object");
    s["fault"] = {{"kind", "none"}};
    s["trials"] = trials;
  }
  return j;
}

// The scenarios of a results file, parsed back.
Result<json> ResultScenarios(const std::string& results_path) {
  Result<json> r = LoadResultsFile(results_path);
  if (!r.ok()) return r.status();
  return (*r)["scenarios"];
}

// This process runs the scenarios and writes DIR/results.json.
Result<json> RunHere(const std::string& scenario_file, const std::string& dir,
                     const CompareCommand& cmd, bool* interrupted) {
  Result<std::vector<Scenario>> scenarios = LoadScenarioFile(scenario_file);
  if (!scenarios.ok()) return scenarios.status();
  RunOptions opt;
  opt.jobs = 1;  // fault-free trials are cost measurements: alone
  opt.measure_limits = false;
  opt.scratch_parent = cmd.scratch_parent;
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  opt.self_exe = n > 0 ? std::string(exe, static_cast<size_t>(n)) : "crashbench";
  RunOutcome outcome = RunScenarios(*scenarios, opt);
  *interrupted = outcome.interrupted;
  RETURN_IF_ERROR(WriteResultsFile(dir + "/results.json", outcome, ReplayInfo{}));
  return ResultScenarios(dir + "/results.json");
}

// `binary run scenario_file --out dir` as a child; its output goes to dir/log.
Result<json> RunBinary(const std::string& binary, const std::string& scenario_file,
                       const std::string& dir) {
  const std::string log = dir + "/log";
  std::vector<std::string> args = {binary, "run", scenario_file, "--out", dir, "--no-progress"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  Result<Child> child = ForkChild({}, false, [&] {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(argv[0], argv.data());
    _exit(127);
  });
  if (!child.ok()) return child.status();
  // A run has its own per-trial deadlines; this one only keeps compare from
  // waiting forever on a build that hangs outside them.
  const long long deadline = NowMicros() + 30LL * 60 * 1000 * 1000;
  while (!child->TryReap()) {
    if (NowMicros() > deadline) {
      child->Kill();
      child->Reap();
      return Status::Error(binary + " did not finish in 30 minutes; its output is in " + log);
    }
    struct pollfd p = {child->pidfd(), POLLIN, 0};
    ::poll(&p, 1, 1000);
  }
  const int status = child->wait_status();
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // 1: an expectation failed, the timings still stand, but only if the
  // binary wrote its results (a binary that is no crashbench exits 1 too).
  const bool wrote = ::access((dir + "/results.json").c_str(), F_OK) == 0;
  if ((code != 0 && code != 1) || !wrote) {
    Result<std::string> out = ReadFileToString(log);
    return Status::Error(binary + " run " + scenario_file + " " + child->Describe() +
                         (wrote ? "" : " and wrote no results.json") + "; its output:\n" +
                         (out.ok() ? *out : std::string()));
  }
  return ResultScenarios(dir + "/results.json");
}

// What one comparison carries from step to step: the fault-free copies of
// the scenario files, and every side's samples gathered round by round.
struct Comparison {
  bool binaries = false;
  std::string file_a, file_b;
  std::vector<std::string> sides_files;
  size_t scenario_count = 0;
  std::vector<std::vector<double>> samples[2];
  json first_scenarios[2];
};

// The usage error in the combination of sides given, if any.
std::optional<std::string> SidesProblem(const CompareCommand& cmd, bool binaries) {
  if (binaries && (cmd.binary_a.empty() || cmd.binary_b.empty()))
    return "--binary-a and --binary-b go together";
  if (binaries && !cmd.b.empty())
    return "with --binary-a/--binary-b give one scenario file, not two";
  if (!binaries && cmd.b.empty())
    return "give two scenario files A B, or one with --binary-a and --binary-b";
  if (binaries)
    for (const std::string& bin : {cmd.binary_a, cmd.binary_b})
      if (::access(bin.c_str(), X_OK) != 0) return bin + ": not an executable file";
  return std::nullopt;
}

// Writes root/a.json and root/b.json, the fault-free copies each round runs.
Status WriteFaultFreeCopies(const CompareCommand& cmd, const std::string& root, Comparison* c) {
  const std::string& file_a = c->file_a;
  const std::string& file_b = c->file_b;
  size_t& scenario_count = c->scenario_count;
  for (const auto& [label, file] : {std::pair{"a", file_a}, std::pair{"b", file_b}}) {
    Result<json> s = FaultFreeScenarios(file, cmd.trials_per_round);
    if (!s.ok()) return s.status();
    if (scenario_count && s->size() != scenario_count)
      return Status::Error(file_a + " has " + std::to_string(scenario_count) + " scenarios, " +
                           file_b + " has " + std::to_string(s->size()) +
                           ": they are paired in order");
    scenario_count = s->size();
    const std::string path = root + "/" + label + ".json";
    RETURN_IF_ERROR(WriteFileAtomic(path, s->dump(2)));
    if (!c->binaries) {  // check it here, before any round runs
      Result<std::vector<Scenario>> parsed = LoadScenarioFile(path);
      if (!parsed.ok()) return Status::Error(file + ": " + parsed.status().message());
    }
    c->sides_files.push_back(path);
  }
  return Status::Ok();
}

// Runs one side of one round and adds its samples; an exit code if it failed.
std::optional<int> RunSide(const CompareCommand& cmd, const std::string& root, int round, int side,
                           Comparison* c) {
  const bool binaries = c->binaries;
  const size_t scenario_count = c->scenario_count;
  const std::string dir = root + "/round-" + std::to_string(round) + (side ? "-b" : "-a");
  if (Status st = MakeDirs(dir); !st.ok()) return InputError(st.message());
  bool interrupted = false;
  Result<json> scenarios =
      binaries ? RunBinary(side ? cmd.binary_b : cmd.binary_a,
                           c->sides_files[static_cast<size_t>(side)], dir)
               : RunHere(c->sides_files[static_cast<size_t>(side)], dir, cmd, &interrupted);
  if (interrupted) {
    std::cerr << "crashbench compare: interrupted\n";
    return 3;
  }
  if (!scenarios.ok()) {
    std::cerr << "crashbench compare: side " << (side ? "B" : "A") << ", round " << round + 1
              << ": " << scenarios.status().message() << "\n";
    return 3;
  }
  if (scenarios->size() != scenario_count) {
    std::cerr << "crashbench compare: side " << (side ? "B" : "A") << " ran " << scenarios->size()
              << " scenarios, expected " << scenario_count << "\n";
    return 3;
  }
  if (round == 0) c->first_scenarios[side] = *scenarios;
  for (size_t i = 0; i < scenario_count; ++i) {
    std::vector<double> v = ThroughputSamples((*scenarios)[i]);
    c->samples[side][i].insert(c->samples[side][i].end(), v.begin(), v.end());
  }
  return std::nullopt;
}

// The rounds A B A B ...; an exit code if one of them failed.
std::optional<int> RunRounds(const CompareCommand& cmd, const std::string& root, Comparison* c) {
  c->samples[0].resize(c->scenario_count);
  c->samples[1].resize(c->scenario_count);
  std::cout << "compare: A = " << (c->binaries ? cmd.binary_a + " on " + c->file_a : c->file_a)
            << ", B = " << (c->binaries ? cmd.binary_b + " on " + c->file_b : c->file_b) << "; "
            << cmd.rounds << " rounds A B A B ..., each side fault-free, " << cmd.trials_per_round
            << " trial(s) a round\n";
  for (int round = 0; round < cmd.rounds; ++round)
    for (int side = 0; side < 2; ++side)
      if (std::optional<int> code = RunSide(cmd, root, round, side, c)) return code;
  return std::nullopt;
}

// The gate's cost decision for every scenario pair, printed; the exit code.
int DecideComparison(const CompareCommand& cmd, const Comparison& c) {
  GateOptions options;
  options.cpu_threshold = cmd.cpu_threshold;
  options.fsync_threshold = cmd.fsync_threshold;
  options.alpha = cmd.alpha;
  bool bad = false, inconclusive = false;
  for (size_t i = 0; i < c.scenario_count; ++i) {
    const json& a = c.first_scenarios[0][i];
    const json& b = c.first_scenarios[1][i];
    CostDecision d =
        DecideCost(c.samples[0][i], c.samples[1][i], CostThreshold(a, options), options);
    const char* tag = d.verdict == Verdict::kBad            ? "FAIL  B regressed"
                      : d.verdict == Verdict::kInconclusive ? "INCONCLUSIVE"
                                                            : "ok";
    std::cout << tag << "  " << a.value("name", "?") << " (A) vs " << b.value("name", "?")
              << " (B): " << d.Explain() << "\n";
    bad |= d.verdict == Verdict::kBad;
    inconclusive |= d.verdict == Verdict::kInconclusive;
  }
  if (bad) return 1;
  return cmd.strict && inconclusive ? 3 : 0;
}

}  // namespace

int RunCompareCommand(const CompareCommand& cmd) {
  Comparison c;
  c.binaries = !cmd.binary_a.empty() || !cmd.binary_b.empty();
  if (std::optional<std::string> problem = SidesProblem(cmd, c.binaries))
    return InputError(*problem);

  // Scratch: the fault-free copies of the scenario files and every round's results.
  std::string parent = cmd.scratch_parent;
  if (parent.empty()) parent = ::getenv("TMPDIR") ? ::getenv("TMPDIR") : "/tmp";
  std::string tmpl = parent + "/crashbench-compare-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return InputError("cannot make a directory under " + parent);
  const std::string root = tmpl;
  struct Remove {
    std::string path;
    ~Remove() { (void)RemoveTree(path); }
  } remove{root};

  c.file_a = cmd.a;
  c.file_b = c.binaries ? cmd.a : cmd.b;
  if (Status st = WriteFaultFreeCopies(cmd, root, &c); !st.ok()) return InputError(st.message());

  InstallInterruptHandlers();
  if (std::optional<int> code = RunRounds(cmd, root, &c)) return *code;
  return DecideComparison(cmd, c);
}

}  // namespace crashbench

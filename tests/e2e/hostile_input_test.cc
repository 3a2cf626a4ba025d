// Hostile input files handed to the real binary: each is refused with exit 2
// within seconds, a message that names the file, and nothing written.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

using std::chrono::steady_clock;

struct Bounded {
  CommandResult result;
  double seconds = 0;
};

// Runs crashbench, killing it if it has not returned within 20 s, so a
// regression fails this test instead of hanging the suite.
Bounded RunBounded(const std::vector<std::string>& args, const std::string& cwd) {
  static int runs = 0;
  const std::string marker =
      "CRASHBENCH_HOSTILE_INPUT_RUN=" + std::to_string(::getpid()) + "-" + std::to_string(++runs);
  const auto start = steady_clock::now();
  std::future<CommandResult> done =
      std::async(std::launch::async, [&] { return RunCrashbench(args, cwd, {marker}); });
  if (done.wait_for(std::chrono::seconds(20)) == std::future_status::timeout)
    for (int pid : ProcessesWithEnv(marker)) ::kill(pid, SIGKILL);
  Bounded b{done.get()};
  b.seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
  return b;
}

// The command exits 2 within a few seconds, its message names `file` and holds
// `says`, stays short, and the directory holds afterwards what it held before.
void ExpectRefused(const ScratchDir& d, const std::vector<std::string>& args,
                   const std::string& file, const std::string& says) {
  const std::set<std::string> before = Entries(d.path());
  const Bounded b = RunBounded(args, d.path());
  EXPECT_EQ(b.result.exit_code, 2) << b.result.err.substr(0, 500);
  EXPECT_LT(b.seconds, 5.0);
  EXPECT_NE(b.result.err.find(file), std::string::npos) << b.result.err.substr(0, 500);
  EXPECT_NE(b.result.err.find(says), std::string::npos) << b.result.err.substr(0, 500);
  EXPECT_LT(b.result.err.size(), 500u) << "a rejected value is never echoed whole";
  EXPECT_EQ(b.result.out, "");
  EXPECT_EQ(Entries(d.path()), before) << "nothing may be written on bad input";
}

const std::string kNotRegular = "not a regular file";

TEST(HostileInput, RunOnDevZero) {
  ScratchDir d;
  ExpectRefused(d, {"run", "/dev/zero", "--out", "out"}, "/dev/zero", kNotRegular);
  ExpectRefused(d, {"run", "/dev/zero"}, "/dev/zero", kNotRegular);  // default --out too
}

TEST(HostileInput, RunOnAFifoWithoutAWriter) {
  ScratchDir d;
  ASSERT_EQ(::mkfifo((d.path() + "/s.json").c_str(), 0600), 0);
  ExpectRefused(d, {"run", "s.json", "--out", "out"}, "s.json", "a FIFO, " + kNotRegular);
}

TEST(HostileInput, RunOnANameNested100000Deep) {
  ScratchDir d;
  d.Write("deep.json", R"({"name": )" + std::string(100000, '[') + std::string(100000, ']') +
                           R"(, "strategy": "naive"})");
  ExpectRefused(d, {"run", "deep.json", "--out", "out"},
                "deep.json:1:73:", "nested deeper than 64 levels");
}

TEST(HostileInput, RunOnADuplicateKey) {
  ScratchDir d;
  d.Write("dup.json", "{\"name\": \"a\", \"strategy\": \"naive\",\n \"trials\": 1, \"trials\": 2}");
  ExpectRefused(d, {"run", "dup.json", "--out", "out"},
                "dup.json:2:15:", "duplicate key \"trials\" (first at 2:2)");
}

TEST(HostileInput, RunOnATenMegabyteName) {
  ScratchDir d;
  d.Write("big.json", R"({"name": ")" + std::string(10 << 20, 'a') + R"(", "strategy": "naive"})");
  ExpectRefused(d, {"run", "big.json", "--out", "out"},
                "big.json:1:10:", "a string of 10485760 bytes");
}

TEST(HostileInput, RunOnBadNames) {
  ScratchDir d;
  d.Write("nl.json", R"({"name": "two\nlines", "strategy": "naive"})");
  ExpectRefused(d, {"run", "nl.json", "--out", "out"}, "nl.json",
                "name: holds a control character");
  d.Write("long.json", R"({"name": ")" + std::string(201, 'a') + R"(", "strategy": "naive"})");
  ExpectRefused(d, {"run", "long.json", "--out", "out"}, "long.json",
                "name: is 201 characters long");
  d.Write("empty.json", R"({"name": "", "strategy": "naive"})");
  ExpectRefused(d, {"run", "empty.json", "--out", "out"}, "empty.json", "name: is empty");
}

TEST(HostileInput, RunOnAnOversizeFile) {
  ScratchDir d;
  d.Write("huge.json", std::string((16 << 20) + 1, ' ') + "{}");
  ExpectRefused(d, {"run", "huge.json", "--out", "out"}, "huge.json",
                "larger than the limit of 16 MiB");
}

TEST(HostileInput, GateOnDevZero) {
  ScratchDir d;
  d.Write("base.json", R"({"schema_version": 1, "scenarios": []})");
  ExpectRefused(d, {"gate", "--baseline", "base.json", "/dev/zero"}, "/dev/zero", kNotRegular);
  ExpectRefused(d, {"gate", "--baseline", "/dev/zero", "base.json"}, "/dev/zero", kNotRegular);
}

TEST(HostileInput, VerifyAckedDevZero) {
  ScratchDir d;
  ExpectRefused(d, {"verify", ".", "--layout", "shared", "--acked", "/dev/zero"}, "/dev/zero",
                kNotRegular);
}

// Found by the verifier's fuzzer: every task and record it accounts for may be
// listed as lost, so --tasks 1000000000 ran out of memory instead of refusing.
TEST(HostileInput, VerifyRefusesMoreTasksThanItCanList) {
  ScratchDir d;
  ExpectRefused(d, {"verify", ".", "--layout", "shared", "--tasks", "1000000000"}, "--tasks",
                "more than the 1048576 records");
  ExpectRefused(
      d, {"verify", ".", "--layout", "shared", "--tasks", "4096", "--records-per-task", "4096"},
      "--tasks", "4096 tasks (--tasks and the acknowledged ones) of 4096 records each");
}

TEST(HostileInput, EveryResultsReaderRefusesDevZeroAndAFifo) {
  ScratchDir d;
  ASSERT_EQ(::mkfifo((d.path() + "/r.json").c_str(), 0600), 0);
  for (const std::string file : {"/dev/zero", "r.json"}) {
    ExpectRefused(d, {"report", file, "--out", "."}, file, kNotRegular);
    ExpectRefused(d, {"merge", "-o", "m.json", file}, file, kNotRegular);
    ExpectRefused(d, {"replay", file, "--trial", "0"}, file, kNotRegular);
    ExpectRefused(d, {"shrink", file, "--trial", "0"}, file, kNotRegular);
  }
}

TEST(HostileInput, ATruncatedResultsFileNamesThePlaceNotTheLibrary) {
  ScratchDir d;
  d.Write("cut.json", R"({"schema_version": 1, "scenarios": [{"name": "a", "tri)");
  ExpectRefused(d, {"report", "cut.json", "--out", "."}, "cut.json:1:", "invalid JSON");
  const Bounded b = RunBounded({"report", "cut.json", "--out", "."}, d.path());
  EXPECT_EQ(b.result.err.find("json.exception"), std::string::npos) << b.result.err;
}

// A results file that parses but breaks the schema (results/SCHEMA.md) is
// refused by every reader with the field's path, never read as empty or clean.
TEST(HostileInput, EveryResultsReaderRefusesAFileThatBreaksTheSchema) {
  ScratchDir d;
  const std::string head =
      R"({"schema_version": 1, "tool": {"name": "crashbench"}, "scenarios": [)";
  const std::string scenario = R"({"name": "s", "fault": {"kind": "none"}, "trials": )";
  d.Write("good.json", head + scenario + R"([{"index": 0, "anomalies": {}, "violations": 0}]}]})");
  d.Write("oops.json", head + scenario + R"("oops"}]})");
  d.Write("many.json",
          head + scenario + R"([{"index": 0, "anomalies": {"torn": "many"}, "violations": 0}]}]})");
  const std::string oops =
      R"(oops.json: scenarios[0].trials: must be an array of trials, got "oops")";
  const std::string many =
      R"(many.json: scenarios[0].trials[0].anomalies.torn: must be a non-negative integer, got "many")";
  for (const auto& [file, says] :
       {std::pair{std::string("oops.json"), oops}, {"many.json", many}}) {
    ExpectRefused(d, {"report", file, "--out", "."}, file, says);
    ExpectRefused(d, {"gate", "--baseline", "good.json", file}, file, says);
    ExpectRefused(d, {"gate", "--baseline", file, "good.json"}, file, says);
    ExpectRefused(d, {"merge", "-o", "m.json", file}, file, says);
    ExpectRefused(d, {"replay", file, "--trial", "s:0"}, file, says);
    ExpectRefused(d, {"shrink", file, "--trial", "s:0"}, file, says);
  }
  const Bounded gate = RunBounded({"gate", "--baseline", "good.json", "good.json"}, d.path());
  EXPECT_EQ(gate.result.exit_code, 0) << gate.result.out << gate.result.err;
}

}  // namespace
}  // namespace crashbench::testing

// The command line as a user meets it: exit codes, messages, files written.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "harness/base/sys.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

TEST(Cli, MalformedScenarioFileExits2NamingFileLineAndColumn) {
  ScratchDir d;
  d.Write("bad.json", "{\n  \"name\": \"x\",\n  \"strategy\": \"naive\",,\n}\n");
  CommandResult r = RunCrashbench({"run", "bad.json"}, d.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "bad.json:3:")) << r.err;
}

TEST(Cli, UnknownStrategyExits2ListingTheValidOnes) {
  ScratchDir d;
  d.Write("s.json", R"({"name":"x","strategy":"fast-and-loose"})");
  CommandResult r = RunCrashbench({"run", "s.json"}, d.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "'fast-and-loose'")) << r.err;
  EXPECT_TRUE(Contains(r.err, "locked-append")) << r.err;
  EXPECT_FALSE(Contains(r.out, "results:")) << "nothing may run on bad input";
}

TEST(Cli, UnknownFlagExits2) {
  ScratchDir d;
  EXPECT_EQ(RunCrashbench({"run", "--frobnicate"}, d.path()).exit_code, 2);
  EXPECT_EQ(RunCrashbench({"explode"}, d.path()).exit_code, 2);
}

TEST(Cli, UnknownScenarioNameExits2ListingNames) {
  ScratchDir d;
  CommandResult r = RunCrashbench({"run", "--quick", "--scenario", "nope"}, d.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "naive/none")) << r.err;
}

TEST(Cli, HelpListsExitCodes) {
  ScratchDir d;
  CommandResult r = RunCrashbench({"--help"}, d.path());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "125")) << r.out;
}

TEST(Cli, RunWritesAVersionedResultsFileAtomically) {
  ScratchDir d;
  d.Write("s.json", R"({"name":"pt","strategy":"per-task-file","workers":2,
    "workload":{"tasks":8,"records_per_task":4,"record_bytes":64},
    "fault":{"kind":"sigkill","trigger":{"point":"mid-record"}},"trials":3,"seed":5})");
  CommandResult r = RunCrashbench({"run", "s.json", "--out", "out"}, d.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // nothing forbidden
  Result<std::string> text = ReadFileToString(d.path() + "/out/results.json");
  ASSERT_TRUE(text.ok());
  nlohmann::json j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["tool"]["name"], "crashbench");
  EXPECT_TRUE(j["context"].contains("fs_type"));
  const auto& s = j["scenarios"][0];
  EXPECT_EQ(s["strategy"], "per-task-file");
  EXPECT_EQ(s["summary"]["trials"], 3);
  EXPECT_EQ(s["summary"]["trials_with_violations"], 3);
  const auto& t = s["trials"][0];
  for (const char* key : {"index", "seed", "fired", "acked_tasks", "anomalies", "violations",
                          "duration_ms", "details", "replay"})
    EXPECT_TRUE(t.contains(key)) << key;
  EXPECT_EQ(t["fired"]["point"], "mid-record");
  EXPECT_GE(t["anomalies"]["torn"].get<int>(), 1);
  EXPECT_TRUE(Contains(r.out, "pt  ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "3/3 partial-visible,torn")) << r.out;
  // The results and the reports were renamed into place: no temp file is left.
  std::vector<std::string> entries;
  DIR* dir = opendir((d.path() + "/out").c_str());
  ASSERT_NE(dir, nullptr);
  while (dirent* e = readdir(dir))
    if (e->d_name[0] != '.') entries.push_back(e->d_name);
  closedir(dir);
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"bench.json", "junit.xml", "report.html",
                                               "results.json", "summary.md"}));
}

TEST(Cli, FailedExpectationExits1AndItsReplayReproducesTheTrial) {
  ScratchDir d;
  d.Write("s.json", R"({"name":"naive-torn","strategy":"naive","workers":1,
    "workload":{"tasks":4,"records_per_task":4,"record_bytes":10000},
    "fault":{"kind":"sigkill","trigger":{"point":"mid-record"}},"trials":2,"seed":9,
    "expect":{"forbid":["torn"]}})");
  CommandResult r = RunCrashbench({"run", "s.json", "--out", "out"}, d.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // Both commands name this binary and the files by absolute paths: they work
  // from any directory, with no crashbench on PATH.
  auto line_after = [&](const std::string& label) {
    const size_t at = r.out.find(label);
    return at == std::string::npos
               ? std::string()
               : r.out.substr(at + label.size(), r.out.find('\n', at) - at - label.size());
  };
  EXPECT_EQ(line_after("replay: "), std::string(CRASHBENCH_BINARY) + " replay " + d.path() +
                                        "/out/results.json --trial naive-torn:0")
      << r.out;
  EXPECT_EQ(line_after("rerun:  "), std::string(CRASHBENCH_BINARY) + " run " + d.path() +
                                        "/s.json --scenario naive-torn --trial 0 --keep")
      << r.out;
  CommandResult again = RunCrashbench(
      {"run", "s.json", "--scenario", "naive-torn", "--trial", "0", "--keep", "--out", "replay"},
      d.path());
  EXPECT_EQ(again.exit_code, 1);
  auto first = nlohmann::json::parse(*ReadFileToString(d.path() + "/out/results.json"));
  auto second = nlohmann::json::parse(*ReadFileToString(d.path() + "/replay/results.json"));
  const auto& t1 = first["scenarios"][0]["trials"][0];
  const auto& t2 = second["scenarios"][0]["trials"][0];
  EXPECT_EQ(t1["seed"], t2["seed"]);
  EXPECT_EQ(t1["fired"]["occurrence"], t2["fired"]["occurrence"]);
  EXPECT_EQ(t1["anomalies"], t2["anomalies"]);
  ASSERT_TRUE(t2.contains("kept_dir"));
  EXPECT_TRUE(ReadFileToString(t2["kept_dir"].get<std::string>() + "/records.jsonl").ok());
  (void)RemoveTree(
      t2["kept_dir"].get<std::string>().substr(0, t2["kept_dir"].get<std::string>().rfind('/')));
}

TEST(Cli, InterruptKillsEverythingItStartedAndWritesPartialResults) {
  ScratchDir d;
  d.Write("long.json", R"({"name":"long","strategy":"atomic-rename","workers":2,
    "workload":{"tasks":400,"records_per_task":16,"record_bytes":256},"trials":200,"deadline_ms":60000})");
  const std::string marker = "CRASHBENCH_TEST_MARK=" + std::to_string(getpid()) + "-interrupt";
  CommandResult r = RunCrashbench({"run", "long.json", "--out", "out", "--jobs", "2"}, d.path(),
                                  {marker}, /*interrupt_after_ms=*/800);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "interrupted")) << r.err;
  auto j = nlohmann::json::parse(*ReadFileToString(d.path() + "/out/results.json"));
  EXPECT_EQ(j["interrupted"], true);
  EXPECT_LT(j["scenarios"][0]["trials"].size(), 200u);
  EXPECT_TRUE(ProcessesWithEnv(marker).empty()) << "a process started by the run outlived it";
}

TEST(Cli, VerifyJsonOnADamagedDirectory) {
  ScratchDir d;
  d.Write("records.jsonl",
          "{\"task\":0,\"seq\":0,\"of\":1,\"payload\":\"abc\",\"crc\":\"00000000\"}\n"
          "{\"task\":1,\"seq\":0,\"of\":1,\"payl");
  d.Write("acked.json", "[0, 1, 2]");
  CommandResult r = RunCrashbench(
      {"verify", ".", "--layout", "shared", "--tasks", "3", "--acked", "acked.json", "--json"},
      d.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["counts"]["corrupt"], 1) << r.out;
  EXPECT_EQ(j["counts"]["torn"], 1) << r.out;
  EXPECT_EQ(j["counts"]["lost-acked"], 1) << r.out;
  EXPECT_GE(j["violations"].get<int>(), 3);
  for (const auto& a : j["anomalies"])
    for (const char* key : {"kind", "file", "offset", "line", "task", "seq", "excerpt"})
      EXPECT_TRUE(a.contains(key)) << key;
}

TEST(Cli, VerifyBadInputExits2) {
  ScratchDir d;
  d.Write("acked.json", "[0, \"one\"]");
  d.Write("task-0.json", "{}");
  EXPECT_EQ(RunCrashbench({"verify", "missing", "--layout", "shared"}, d.path()).exit_code, 2);
  EXPECT_EQ(RunCrashbench({"verify", ".", "--layout", "sideways"}, d.path()).exit_code, 2);
  CommandResult bad_acked =
      RunCrashbench({"verify", ".", "--layout", "per-task", "--acked", "acked.json"}, d.path());
  EXPECT_EQ(bad_acked.exit_code, 2);
  EXPECT_TRUE(Contains(bad_acked.err, "acked.json")) << bad_acked.err;
  CommandResult wrong_layout = RunCrashbench({"verify", ".", "--layout", "shared"}, d.path());
  EXPECT_EQ(wrong_layout.exit_code, 2);
  EXPECT_TRUE(Contains(wrong_layout.err, "per-task")) << wrong_layout.err;
}

TEST(Cli, ReplayCarriesTheOverridesThatWereInEffect) {
  ScratchDir d;
  d.Write("s.json", R"({"name":"pt","strategy":"per-task-file","workers":2,
    "workload":{"tasks":8,"records_per_task":4,"record_bytes":64},
    "fault":{"kind":"sigkill","trigger":{"point":"mid-record"}},"trials":2,"expect":{"forbid":["torn"]}})");
  CommandResult r = RunCrashbench(
      {"run", "s.json", "--trials", "4", "--start-method", "spawn", "--out", "o"}, d.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("rerun:  " + std::string(CRASHBENCH_BINARY) + " run " + d.path() +
                       "/s.json --trials 4 --start-method spawn --scenario pt --trial 3"),
            std::string::npos)
      << r.out;
}

TEST(Cli, AnOutPathThatCannotBeADirectoryExits2) {
  ScratchDir d;
  d.Write("afile", "");
  CommandResult r = RunCrashbench({"run", "--quick", "--out", "afile/x"}, d.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--out afile/x"), std::string::npos) << r.err;
}

// A scenario that names a real fault method this machine (here: this user)
// cannot do is "cannot test here", which git bisect run skips, not a failure.
TEST(Cli, ANamedRealFaultMethodThatCannotRunHereExits125) {
  ScratchDir d;
  ASSERT_EQ(::chmod(d.path().c_str(), 0777), 0);
  const int as = ::geteuid() == 0 ? 65534 : -1;  // root can do both: run as nobody
  for (const auto& [kind, method] : {std::pair{"disk-full", "tmpfs"}, std::pair{"oom", "cgroup"}}) {
    d.Write("s.json", std::string(R"({"name":"real","strategy":"naive","fault":{"kind":")") + kind +
                          R"(","method":")" + method + R"(","trigger":{"point":"mid-record"}}})");
    CommandResult r =
        RunCrashbench({"run", "s.json", "--out", "out", "--no-progress"}, d.path(), {}, 0, as);
    EXPECT_EQ(r.exit_code, 125) << r.err;
    EXPECT_TRUE(Contains(r.err, "cannot test here")) << r.err;
    EXPECT_TRUE(Contains(r.err, "scenario 'real' (s.json)")) << r.err;
    EXPECT_TRUE(Contains(r.err, std::string("method ") + method)) << r.err;
  }
}

}  // namespace
}  // namespace crashbench::testing

// A scenario's syscall trigger: parsed and validated strictly, labelled and
// written back; refused (naming what is missing) where the subject cannot
// stop a system call (the built-in pool, today).
#include "scenarios/syscall_trigger_spec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "faults/registry.h"
#include "scenarios/scenario.h"

namespace crashbench {
namespace {

using nlohmann::json;

Result<SyscallTrigger> Parse(const std::string& text) {
  SyscallTrigger t;
  Status st = ParseSyscallTrigger(json::parse(text), &t);
  if (!st.ok()) return st;
  return t;
}

TEST(SyscallTriggerSpec, ParsesEveryKey) {
  Result<SyscallTrigger> t = Parse(
      R"({"ops": ["write", "pwrite64"], "path": "{out}/part-*.jsonl", "occurrence": 3,
          "contains": "task 17", "when": "after"})");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->ops, (std::vector<std::string>{"write", "pwrite64"}));
  EXPECT_EQ(t->path_glob, "part-*.jsonl");  // "{out}/" dropped
  EXPECT_EQ(t->occurrence, 3);
  EXPECT_EQ(t->contains, "task 17");
  EXPECT_EQ(t->when, TapPhase::kAfter);
  EXPECT_EQ(SyscallTriggerToJson(*t),
            json::parse(R"({"ops": ["write", "pwrite64"], "path": "part-*.jsonl", "occurrence": 3,
                            "contains": "task 17", "when": "after"})"));
  EXPECT_EQ(SyscallTriggerLabel(*t), "write+pwrite64~\"task 17\"#3/after");
}

TEST(SyscallTriggerSpec, RandomOrAbsentOccurrenceIsLeftToTheSeed) {
  Result<SyscallTrigger> t = Parse(R"({"occurrence": "random"})");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->occurrence);
  EXPECT_EQ(t->when, TapPhase::kBefore);
  EXPECT_EQ(SyscallTriggerLabel(*t), "any#random");
}

TEST(SyscallTriggerSpec, RefusesWhatItCannotMeanAndSaysWhatIsValid) {
  auto error = [](const std::string& text) {
    Result<SyscallTrigger> t = Parse(text);
    EXPECT_FALSE(t.ok()) << text;
    return t.ok() ? "" : t.status().message();
  };
  EXPECT_NE(error(R"({"ops": ["wirte"]})")
                .find("fault.trigger.syscall.ops: unknown or untapped "
                      "call \"wirte\" (valid calls: open, openat"),
            std::string::npos);
  EXPECT_NE(error(R"({"ops": ["read"]})").find("untapped call \"read\""), std::string::npos);
  EXPECT_NE(error(R"({"ops": "write"})").find("must be an array"), std::string::npos);
  EXPECT_NE(error(R"({"path": "/etc/passwd"})").find("is absolute"), std::string::npos);
  EXPECT_NE(error(R"({"occurrence": 0})").find("fault.trigger.syscall.occurrence"),
            std::string::npos);
  EXPECT_NE(error(R"({"occurrence": "first"})").find("\"random\""), std::string::npos);
  EXPECT_NE(error(R"({"when": "during"})").find("\"before\" or \"after\""), std::string::npos);
  EXPECT_NE(error(R"({"contains": ""})").find("non-empty"), std::string::npos);
  EXPECT_NE(error(R"({"op": ["write"]})").find("unknown key 'op' (valid keys: ops, path"),
            std::string::npos);
}

TEST(SyscallTriggerSpec, ChecksTheFaultAgainstTheCallAndTarget) {
  auto check = [](const std::string& kind, FaultTarget target, const std::string& trigger) {
    SyscallTrigger t;
    EXPECT_TRUE(ParseSyscallTrigger(json::parse(trigger), &t).ok());
    return CheckSyscallFault(kind, *FindFault(kind)->make(), target, t);
  };
  EXPECT_TRUE(check("sigkill", FaultTarget::kTree, R"({"when": "after"})").ok());
  EXPECT_TRUE(check("short-write", FaultTarget::kCaller, R"({"ops": ["write", "writev"]})").ok());
  EXPECT_TRUE(check("eio", FaultTarget::kRoot, R"({"ops": ["fsync"]})").ok());
  Status oom = check("oom", FaultTarget::kCaller, "{}");
  EXPECT_NE(oom.message().find("fault 'oom' cannot act at a system call (faults that can: "
                               "sigkill, abort, exit-no-flush, disk-full, eio, short-write)"),
            std::string::npos)
      << oom.message();
  EXPECT_NE(check("sigkill", FaultTarget::kWorker, "{}")
                .message()
                .find("valid targets: caller, "
                      "tree, root"),
            std::string::npos);
  EXPECT_NE(check("eio", FaultTarget::kTree, "{}").message().find("not 'tree'"), std::string::npos);
  EXPECT_NE(check("eio", FaultTarget::kCaller, R"({"when": "after"})").message().find("before"),
            std::string::npos);
  EXPECT_NE(check("short-write", FaultTarget::kCaller, R"({"ops": ["rename"]})")
                .message()
                .find("\"ops\" must list only write, pwrite64"),
            std::string::npos);
  EXPECT_FALSE(
      check("short-write", FaultTarget::kCaller, "{}").ok());  // every call: not only writes
}

TEST(SyscallTriggerSpec, ThePoolCannotHostASyscallTriggerAndSaysWhatIsMissing) {
  Result<std::vector<Scenario>> r = ParseScenarios(R"({
    "name": "s", "strategy": "naive",
    "fault": {"kind": "sigkill", "trigger": {"syscall": {"ops": ["write"], "occurrence": 3}}}
  })",
                                                   "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(
                "fault 'sigkill' at a system call needs the target stopped at a system call by the "
                "syscall tap, which the built-in pool cannot host"),
            std::string::npos)
      << r.status().message();
}

TEST(SyscallTriggerSpec, PoolFaultsKeepTheirTargetsAndShortWriteNeedsTheTap) {
  Result<std::vector<Scenario>> caller = ParseScenarios(
      R"({"name": "s", "strategy": "naive",
          "fault": {"kind": "sigkill", "target": "caller", "trigger": {"random": true}}})",
      "x.json");
  ASSERT_FALSE(caller.ok());
  EXPECT_NE(caller.status().message().find("the built-in pool's targets: worker, all-workers, "
                                           "writer, pool"),
            std::string::npos)
      << caller.status().message();
  Result<std::vector<Scenario>> short_write = ParseScenarios(
      R"({"name": "s", "strategy": "naive",
          "fault": {"kind": "short-write", "trigger": {"point": "mid-record"}}})",
      "x.json");
  ASSERT_FALSE(short_write.ok());
  EXPECT_NE(short_write.status().message().find("stopped at a system call by the syscall tap"),
            std::string::npos)
      << short_write.status().message();
}

TEST(SyscallTriggerSpec, FaultLabelAndJsonOfASyscallFault) {
  FaultSpec f;
  f.kind = "sigkill";
  f.target = FaultTarget::kCaller;
  f.trigger.type = TriggerType::kSyscall;
  f.trigger.syscall.emplace();
  f.trigger.syscall->ops = {"write"};
  f.trigger.syscall->occurrence = 3;
  EXPECT_EQ(FaultLabel(f), "sigkill@write#3");
  f.target = FaultTarget::kTree;
  EXPECT_EQ(FaultLabel(f), "sigkill@write#3/tree");
  EXPECT_EQ(FaultToJson(f)["trigger"]["syscall"]["ops"], json::array({"write"}));
  EXPECT_EQ(FaultToJson(f)["target"], "tree");
}

}  // namespace
}  // namespace crashbench

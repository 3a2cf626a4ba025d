// The scenario keys of a command subject: what is accepted, what is refused
// (with the file, the place and the choices named), and the round trip that
// replay and shrink rebuild a stored scenario from.
#include "scenarios/subject_spec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scenarios/scenario.h"

namespace crashbench {
namespace {

constexpr const char* kJob = R"({"name": "job",
  "subject": {"command": ["python3", "{scenario_dir}/job.py", "--out", "{out}"],
              "setup": ["cp", "{scenario_dir}/old.json", "{out}/data.json"],
              "env": {"JOB_HOME": "{scenario_dir}/home", "MODE": "fast"}},
  "acks": {"stdout": "^done (\\d+)$"}, "restart": true,
  "verify": {"oracle": "json", "files": ["*.json"], "count": 4},
  "workers": 2, "workload": {"tasks": 4, "records_per_task": 2, "record_bytes": 64},
  "fault": {"kind": "sigkill", "target": "tree", "trigger": {"after_ms": 5}},
  "trials": 3, "seed": 7})";

std::string Error(const std::string& text) {
  Result<std::vector<Scenario>> r = ParseScenarios(text, "/where/x.json");
  EXPECT_FALSE(r.ok()) << "parsed: " << text;
  return r.ok() ? "" : r.status().message();
}

// A subject scenario with `extra` spliced in before the closing brace.
std::string With(const std::string& extra) {
  return R"({"name": "s", "subject": {"command": ["true"]},
             "verify": {"oracle": "json", "files": ["*.json"]})" +
         extra + "}";
}

TEST(SubjectSpec, ParsesCommandSetupEnvAcksRestartAndVerify) {
  Result<std::vector<Scenario>> r = ParseScenarios(kJob, "/where/x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Scenario& s = r->front();
  ASSERT_TRUE(s.subject.has_value());
  EXPECT_TRUE(s.strategy.empty());
  // {scenario_dir} is the file's folder, absolute, replaced at once; {out} waits for the trial.
  EXPECT_EQ(s.subject->command,
            (std::vector<std::string>{"python3", "/where/job.py", "--out", "{out}"}));
  EXPECT_EQ(s.subject->setup,
            (std::vector<std::string>{"cp", "/where/old.json", "{out}/data.json"}));
  EXPECT_EQ(s.subject->env.at("JOB_HOME"), "/where/home");
  EXPECT_EQ(s.subject->ack_stdout_regex, "^done (\\d+)$");
  EXPECT_TRUE(s.subject->restart);
  EXPECT_EQ(s.subject->verify.kind, OracleKind::kJson);
  EXPECT_EQ(s.workers, 2);
  EXPECT_EQ(s.workload.tasks, 4);
}

TEST(SubjectSpec, ScenarioDirOfARelativeFileIsAbsolute) {
  const std::string dir = ScenarioDirOf("sub/x.json");
  ASSERT_FALSE(dir.empty());
  EXPECT_EQ(dir.front(), '/');
  EXPECT_EQ(dir.substr(dir.size() - 4), "/sub");
  EXPECT_EQ(ReplaceOut("{out}/a-{out}", "/o"), "/o/a-/o");
  // {work}: the trial's scratch folder, replaced only when one is given.
  EXPECT_EQ(ReplaceOut("cp {work}/new {out}/data", "/o", "/t.side/work"),
            "cp /t.side/work/new /o/data");
  EXPECT_EQ(ReplaceOut("{work}/x", "/o"), "{work}/x");
}

TEST(SubjectSpec, RoundTripsThroughScenarioToJson) {
  Result<std::vector<Scenario>> r = ParseScenarios(kJob, "/where/x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const nlohmann::json stored = ScenarioToJson(r->front());
  EXPECT_FALSE(stored.contains("strategy"));
  EXPECT_FALSE(stored.contains("resume"));
  // Read back from anywhere (a results file elsewhere): the same program.
  Result<std::vector<Scenario>> back = ParseScenarios(stored.dump(), "/elsewhere/results.json");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << stored.dump();
  const Scenario& s = back->front();
  EXPECT_EQ(s.subject->command, r->front().subject->command);
  EXPECT_EQ(s.subject->setup, r->front().subject->setup);
  EXPECT_EQ(s.subject->env, r->front().subject->env);
  EXPECT_EQ(s.subject->ack_stdout_regex, r->front().subject->ack_stdout_regex);
  EXPECT_EQ(s.subject->restart, true);
  EXPECT_EQ(OracleSpecToJson(s.subject->verify), OracleSpecToJson(r->front().subject->verify));
  EXPECT_EQ(ScenarioToJson(s), stored);
}

TEST(SubjectSpec, StrategyAndSubjectTogetherAreRefused) {
  const std::string e = Error(With(R"(, "strategy": "naive")"));
  EXPECT_NE(e.find("/where/x.json: scenario 's': strategy"), std::string::npos) << e;
  EXPECT_NE(e.find("exactly one of 'strategy'"), std::string::npos) << e;
}

TEST(SubjectSpec, PoolOnlyKeysAreRefusedSayingWhy) {
  EXPECT_NE(Error(With(R"(, "options": {"fsync": "task"})")).find("subject.command"),
            std::string::npos);
  EXPECT_NE(Error(With(R"(, "start_method": "spawn")")).find("starts its own processes"),
            std::string::npos);
  EXPECT_NE(Error(With(R"(, "on_worker_death": "fail-task")")).find("command's own code"),
            std::string::npos);
  EXPECT_NE(Error(With(R"(, "resume": "skip-existing")")).find("\"restart\": true"),
            std::string::npos);
}

TEST(SubjectSpec, SubjectKeysWithoutASubjectAreRefused) {
  for (const char* extra : {R"j("acks": {"stdout": "(\\d+)"})j", R"j("restart": true)j",
                            R"j("verify": {"oracle": "json", "files": ["a"]})j"}) {
    const std::string e =
        Error(std::string(R"j({"name": "p", "strategy": "naive", )j") + extra + "}");
    EXPECT_NE(e.find("only for a command subject"), std::string::npos) << e;
  }
}

TEST(SubjectSpec, UnknownSubjectKeyNamesTheValidOnes) {
  const std::string e = Error(R"({"name": "s", "subject": {"comand": ["true"]},
                                  "verify": {"oracle": "json", "files": ["*"]}})");
  EXPECT_NE(e.find("/where/x.json: scenario 's': subject: unknown key 'comand'"), std::string::npos)
      << e;
  EXPECT_NE(e.find("command, setup, env"), std::string::npos) << e;
}

TEST(SubjectSpec, CommandMustBeANonEmptyArgvOfStrings) {
  EXPECT_NE(Error(R"({"name": "s", "subject": {}, "verify": {"oracle": "json", "files": ["*"]}})")
                .find("missing required key 'command'"),
            std::string::npos);
  EXPECT_NE(Error(R"({"name": "s", "subject": {"command": "ls"},
                      "verify": {"oracle": "json", "files": ["*"]}})")
                .find("subject.command: must be a non-empty array"),
            std::string::npos);
  EXPECT_NE(Error(R"({"name": "s", "subject": {"command": ["ls", 3]},
                      "verify": {"oracle": "json", "files": ["*"]}})")
                .find("subject.command[1]: must be a string"),
            std::string::npos);
}

TEST(SubjectSpec, VerifyIsRequiredAndNamesTheOracles) {
  const std::string e = Error(R"({"name": "s", "subject": {"command": ["true"]}})");
  EXPECT_NE(e.find("missing required key 'verify'"), std::string::npos) << e;
  EXPECT_NE(e.find(std::string(kOracleNames)), std::string::npos) << e;
}

TEST(SubjectSpec, EnvRefusesCrashbenchVariablesAndNonStrings) {
  const std::string head = R"({"name": "s", "verify": {"oracle": "json", "files": ["*"]},
                                 "subject": {"command": ["true"], "env": )";
  EXPECT_NE(Error(head + R"({"CRASHBENCH_TASKS": "9"}}})").find("set by crashbench itself"),
            std::string::npos);
  EXPECT_NE(Error(head + R"({"A": 1}}})").find("subject.env.A: must be a string"),
            std::string::npos);
  EXPECT_NE(Error(head + R"({"A=B": "1"}}})").find("not a variable name"), std::string::npos);
}

TEST(SubjectSpec, AckRegexNeedsExactlyOneGroup) {
  EXPECT_NE(Error(With(R"j(, "acks": {"stdout": "done \\d+"})j")).find("has 0 groups"),
            std::string::npos);
  EXPECT_NE(Error(With(R"j(, "acks": {"stdout": "(a)(\\d+)"})j")).find("has 2 groups"),
            std::string::npos);
  EXPECT_NE(Error(With(R"j(, "acks": {"stdout": "(\\d+"})j")).find("not a valid regular"),
            std::string::npos);
  EXPECT_NE(Error(With(R"j(, "acks": {"file": "x"})j")).find("valid keys: stdout"),
            std::string::npos);
}

TEST(SubjectSpec, RestartMustBeABoolean) {
  EXPECT_NE(Error(With(R"(, "restart": "yes")")).find("restart: must be true or false"),
            std::string::npos);
}

// A subject's fault: the targets of a command's tree, and only what a
// signal or a stop at a call can do.
std::string FaultError(const std::string& fault) { return Error(With(", \"fault\": " + fault)); }

TEST(SubjectSpec, FaultsAndTargetsACommandCannotHostAreRefused) {
  std::string e = FaultError(R"j({"kind": "pipe-broken", "target": "tree",
                                   "trigger": {"after_ms": 5}})j");
  EXPECT_NE(e.find("a command subject cannot host"), std::string::npos) << e;
  e = FaultError(R"j({"kind": "sigkill", "target": "tree", "trigger": {"after_records": 5}})j");
  EXPECT_NE(e.find("a command subject cannot host"), std::string::npos) << e;
  e = FaultError(R"j({"kind": "sigkill", "target": "worker", "trigger": {"after_ms": 5}})j");
  EXPECT_NE(e.find("valid targets for a command subject: caller, tree, root"), std::string::npos)
      << e;
  e = FaultError(R"j({"kind": "sigkill", "target": "caller", "trigger": {"after_ms": 5}})j");
  EXPECT_NE(e.find("needs a syscall trigger"), std::string::npos) << e;
}

TEST(SubjectSpec, DefaultTargetIsTheCallerAtACallAndTheTreeAtAMoment) {
  auto target = [](const std::string& trigger) {
    Result<std::vector<Scenario>> r = ParseScenarios(
        With(R"j(, "fault": {"kind": "sigkill", "trigger": )j" + trigger + "}"), "x.json");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->front().fault.target : FaultTarget::kWorker;
  };
  EXPECT_EQ(target(R"j({"syscall": {"ops": ["write"]}})j"), FaultTarget::kCaller);
  EXPECT_EQ(target(R"j({"after_ms": 5})j"), FaultTarget::kTree);
  EXPECT_EQ(target(R"j({"random": true})j"), FaultTarget::kTree);
}

TEST(SubjectSpec, ThePoolRefusesACommandsTargets) {
  const std::string e = Error(R"j({"name": "p", "strategy": "naive",
      "fault": {"kind": "sigkill", "target": "tree", "trigger": {"after_ms": 5}}})j");
  EXPECT_NE(e.find("built-in pool's targets"), std::string::npos) << e;
}

}  // namespace
}  // namespace crashbench

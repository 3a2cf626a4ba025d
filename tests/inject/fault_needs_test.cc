// What each fault needs of its subject, and the refusal of a fault a subject
// cannot host. The built-in pool hosts everything, so the refusals are tested
// against made-up subjects that lack something.
#include <gtest/gtest.h>

#include <string>

#include "faults/registry.h"
#include "harness/inject/fault.h"
#include "harness/inject/injected_errors.h"
#include "scenarios/scenario.h"

namespace crashbench {
namespace {

std::unique_ptr<Fault> Make(std::string_view name) { return FindFault(name)->make(); }

// A subject that can only signal the processes it started, as a command
// subject without a syscall tap could.
constexpr FaultHost kSignalsOnly = {"the signals-only subject", {FaultNeed::kSignal}};

TEST(FaultNeeds, SetOperations) {
  const FaultNeeds a{FaultNeed::kSignal, FaultNeed::kFailingSyscall};
  EXPECT_TRUE(a.has(FaultNeed::kSignal));
  EXPECT_FALSE(a.has(FaultNeed::kResultPipe));
  EXPECT_TRUE(a.Lacking(FaultNeeds::All()).empty());
  EXPECT_TRUE(a.Lacking(kSignalsOnly.offers).has(FaultNeed::kFailingSyscall));
  EXPECT_FALSE(a.Lacking(kSignalsOnly.offers).has(FaultNeed::kSignal));
  EXPECT_EQ(FaultNeeds{}.Describe(), "nothing");
  EXPECT_EQ(FaultNeeds{FaultNeed::kSignal}.Describe(), "a signal to the target process");
  const FaultNeeds pipe = FaultNeeds{FaultNeed::kSignal}.WithResultPipe(ResultPipe::kStall);
  EXPECT_TRUE(pipe.has(FaultNeed::kResultPipe));
  EXPECT_EQ(pipe.result_pipe(), ResultPipe::kStall);
}

TEST(FaultNeeds, EachFaultDeclaresWhatItNeeds) {
  EXPECT_TRUE(Make("none")->needs().empty());
  EXPECT_TRUE(Make("sigkill")->needs().Lacking(kSignalsOnly.offers).empty());
  EXPECT_TRUE(Make("abort")->needs().Lacking(kSignalsOnly.offers).empty());
  EXPECT_TRUE(Make("eio")->needs().has(FaultNeed::kFailingSyscall));
  EXPECT_TRUE(Make("disk-full")->needs().has(FaultNeed::kFailingSyscall));
  EXPECT_EQ(Make("pipe-full")->needs().result_pipe(), ResultPipe::kStall);
  EXPECT_EQ(Make("pipe-broken")->needs().result_pipe(), ResultPipe::kClose);
  EXPECT_EQ(Make("sigkill")->needs().result_pipe(), ResultPipe::kUntouched);
  // A real method adds its own set-up; "auto" falls back, adding nothing.
  EXPECT_TRUE(NeedsOfMethod(*Make("disk-full"), "tmpfs").has(FaultNeed::kOwnSetUp));
  EXPECT_TRUE(NeedsOfMethod(*Make("oom"), "cgroup").has(FaultNeed::kOwnSetUp));
  EXPECT_FALSE(NeedsOfMethod(*Make("oom"), "auto").has(FaultNeed::kOwnSetUp));
}

TEST(FaultNeeds, MethodsComeAutoFirst) {
  for (const FaultInfo& f : AllFaults()) {
    const std::vector<FaultMethod> methods = f.make()->methods();
    ASSERT_FALSE(methods.empty()) << f.name;
    EXPECT_EQ(methods[0].name, "auto") << f.name;
    EXPECT_TRUE(methods[0].adds.empty()) << f.name;
  }
}

// Every fault but those that only act at a system call the tap stopped
// (short-write): the pool does not run under the tap.
TEST(FaultHostable, TheBuiltInPoolHostsEveryFaultThatNeedsNoSyscallStop) {
  for (const FaultInfo& f : AllFaults()) {
    if (f.make()->needs().has(FaultNeed::kSyscallStop)) {
      EXPECT_EQ(f.name, "short-write");
      EXPECT_FALSE(
          CheckFaultHostable(*f.make(), "auto", TriggerType::kPoint, kBuiltInPoolHost).ok());
      continue;
    }
    for (const FaultMethod& m : f.make()->methods())
      for (TriggerType t : {TriggerType::kPoint, TriggerType::kRandom, TriggerType::kAfterRecords})
        EXPECT_TRUE(CheckFaultHostable(*f.make(), m.name, t, kBuiltInPoolHost).ok())
            << f.name << " " << m.name;
  }
}

TEST(FaultHostable, AtASyscallTriggerOnlyTheStopIsNeededAndThePoolLacksIt) {
  const FaultHost tap_host = {"a tapped command", {FaultNeed::kSyscallStop}};
  for (const char* kind : {"sigkill", "abort", "exit-no-flush", "eio", "disk-full", "short-write"})
    EXPECT_TRUE(CheckFaultHostable(*Make(kind), "auto", TriggerType::kSyscall, tap_host).ok())
        << kind;
  Status oom = CheckFaultHostable(*Make("oom"), "auto", TriggerType::kSyscall, tap_host);
  EXPECT_NE(oom.message().find("cannot act at a system call"), std::string::npos) << oom.message();
  Status pool =
      CheckFaultHostable(*Make("sigkill"), "auto", TriggerType::kSyscall, kBuiltInPoolHost);
  EXPECT_NE(pool.message().find("fault 'sigkill' at a system call needs the target stopped at a "
                                "system call by the syscall tap, which the built-in pool cannot "
                                "host"),
            std::string::npos)
      << pool.message();
}

TEST(FaultHostable, RefusalNamesTheFaultWhatItNeedsAndTheSubject) {
  Status st = CheckFaultHostable(*Make("eio"), "auto", TriggerType::kRandom, kSignalsOnly);
  ASSERT_FALSE(st.ok());
  const std::string& m = st.message();
  EXPECT_NE(m.find("fault 'eio'"), std::string::npos) << m;
  EXPECT_NE(m.find("failing system call"), std::string::npos) << m;
  EXPECT_NE(m.find("hook inside the target"), std::string::npos) << m;
  EXPECT_NE(m.find("the signals-only subject cannot host"), std::string::npos) << m;
  EXPECT_NE(m.find("it offers a signal to the target process"), std::string::npos) << m;
  EXPECT_EQ(m.find("a signal to the target process,"), std::string::npos) << m;  // not lacking
}

TEST(FaultHostable, ATriggerCountedInsideTheTargetNeedsTheHook) {
  EXPECT_TRUE(
      CheckFaultHostable(*Make("sigkill"), "auto", TriggerType::kRandom, kSignalsOnly).ok());
  EXPECT_TRUE(
      CheckFaultHostable(*Make("sigkill"), "auto", TriggerType::kAfterMs, kSignalsOnly).ok());
  for (TriggerType t : {TriggerType::kPoint, TriggerType::kAfterRecords}) {
    Status st = CheckFaultHostable(*Make("sigkill"), "auto", t, kSignalsOnly);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("trigger counted inside the target"), std::string::npos)
        << st.message();
  }
}

TEST(FaultHostable, ANamedRealMethodNeedsItsOwnSetUp) {
  const FaultHost no_set_up = {"a subject without set-up",
                               FaultNeeds::All().Lacking({FaultNeed::kOwnSetUp})};
  EXPECT_TRUE(CheckFaultHostable(*Make("oom"), "auto", TriggerType::kPoint, no_set_up).ok());
  EXPECT_TRUE(CheckFaultHostable(*Make("oom"), "rlimit", TriggerType::kPoint, no_set_up).ok());
  Status st = CheckFaultHostable(*Make("oom"), "cgroup", TriggerType::kPoint, no_set_up);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("fault 'oom' by method 'cgroup' needs a real method's own set-up"),
            std::string::npos)
      << st.message();
}

TEST(FaultHostable, ValidationAsksTheScenariosSubject) {
  Scenario s;
  s.name = "a";
  s.strategy = "naive";
  s.fault.kind = "pipe-full";
  s.fault.trigger.type = TriggerType::kPoint;
  EXPECT_TRUE(ValidateScenario(&s).ok());
  s.fault.kind = "no-such-fault";
  Status st = ValidateScenario(&s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("valid faults"), std::string::npos) << st.message();
}

// The failing system call a worker offers: once, or until the process ends.
TEST(InjectedErrors, OnceOrPersistent) {
  InjectedErrors errors;
  EXPECT_EQ(errors.TakeForNextCall(), 0);
  errors.Arm(5, /*persistent=*/false);
  EXPECT_FALSE(errors.PersistentInForce());
  EXPECT_EQ(errors.TakeForNextCall(), 5);
  EXPECT_EQ(errors.TakeForNextCall(), 0);
  errors.Arm(28, /*persistent=*/true);
  EXPECT_TRUE(errors.PersistentInForce());
  EXPECT_EQ(errors.TakeForNextCall(), 28);
  EXPECT_EQ(errors.TakeForNextCall(), 28);
}

}  // namespace
}  // namespace crashbench

// crashbench list: every choice a scenario has, from the registries (so it
// cannot go stale): strategies with their options, faults with their methods,
// pool policies, resume modes, start methods.
#include <cstdio>
#include <iostream>
#include <string>

#include "faults/registry.h"
#include "harness/cli/commands.h"
#include "harness/tap/syscall_trigger.h"
#include "scenarios/scenario.h"
#include "strategies/strategy.h"

namespace crashbench {

namespace {

// "a | b | c (default a)" and the help below it, as list prints every choice.
void ListChoices(std::string_view key, const std::vector<std::string_view>& values,
                 std::string_view help, int indent) {
  std::cout << std::string(static_cast<size_t>(indent), ' ') << key << ": ";
  for (size_t i = 0; i < values.size(); ++i) std::cout << (i ? " | " : "") << values[i];
  std::cout << " (default " << values.front() << ")\n";
  if (!help.empty()) std::cout << std::string(static_cast<size_t>(indent) + 4, ' ') << help << "\n";
}

// A scenario key whose values are a closed set: each with what it does.
template <typename Mode, size_t N>
void ListModes(std::string_view key, const Mode (&modes)[N], std::string_view (*name)(Mode),
               std::string_view (*help)(Mode)) {
  std::vector<std::string_view> names;
  for (Mode m : modes) names.push_back(name(m));
  ListChoices(key, names, "", 2);
  for (Mode m : modes) std::cout << "      " << name(m) << ": " << help(m) << "\n";
}

void ListStrategies() {
  std::cout << "strategies (scenario key \"strategy\", its \"options\" below it):\n";
  for (const StrategyInfo& s : AllStrategies()) {
    std::cout << "  " << s.name << " (" << LayoutName(s.layout) << "): " << s.summary << "\n";
    for (const OptionSpec& o : s.options) {
      ListChoices(o.key, o.values, o.help, 6);
      for (std::string_view v : o.values)
        if (v.find("test-only") != std::string_view::npos)
          std::cout << "        " << v
                    << ": TEST-ONLY, deliberately unsafe; never use it for real output\n";
    }
  }
}

void ListFaults() {
  std::cout << "faults (scenario key \"fault\": kind, method, target, trigger):\n";
  for (const FaultInfo& f : AllFaults()) {
    std::unique_ptr<Fault> fault = f.make();
    std::cout << "  " << f.name << ": " << fault->models() << "\n";
    std::vector<std::string_view> methods;
    for (const FaultMethod& m : fault->methods()) methods.push_back(m.name);
    ListChoices("method", methods, "", 6);
    if (fault->whole_run()) std::cout << "      no target, no trigger: the whole run\n";
    for (const FaultOption& o : fault->options()) {
      std::vector<std::string_view> values = o.values;
      if (o.accepts_count) values.push_back("N");
      ListChoices(o.key, values, o.help, 6);
    }
  }
  std::cout << "fault targets: " << kFaultTargetNames << "\n";
  std::cout << "fault points: " << FaultPointNameList() << "\n";
  std::cout << "triggers: after_records, after_ms, random, point (+ occurrence), syscall (ops, "
               "path, occurrence, contains, when; a command subject's)\n";
  std::cout << "system calls a syscall trigger may name:";
  for (const std::string& c : TappedCallNames()) std::cout << " " << c;
  std::cout << "\n";
}

}  // namespace

int RunListCommand() {
  ListStrategies();
  ListFaults();
  std::cout << "pool and run (scenario keys):\n";
  ListModes("on_worker_death", kAllWorkerDeathPolicies, &WorkerDeathPolicyName,
            &WorkerDeathPolicyHelp);
  ListModes("resume", kAllResumeModes, &ResumeName, &ResumeHelp);
  ListModes("start_method", kAllStartMethods, &StartMethodName, &StartMethodHelp);
  std::cout << "anomalies: " << AnomalyNameList() << "\n";
  return 0;
}

}  // namespace crashbench

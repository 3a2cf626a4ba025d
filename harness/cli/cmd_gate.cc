// crashbench gate: the CI gate over two results files (results/gate.h).
#include <filesystem>
#include <iostream>

#include "harness/cli/commands.h"
#include "harness/run/trial_ref.h"
#include "results/gate.h"
#include "results/results.h"

namespace crashbench {

int RunGateCommand(const GateCommand& cmd) {
  Result<nlohmann::json> baseline = LoadResultsFile(cmd.baseline);
  if (baseline.ok()) {
    if (Status st = CheckGateInput(*baseline, cmd.baseline); !st.ok()) baseline = st;
  }
  if (!baseline.ok()) {
    std::cerr << "crashbench gate: --baseline " << baseline.status().message() << "\n";
    return 2;
  }
  Result<nlohmann::json> current = LoadResultsFile(cmd.current);
  if (current.ok()) {
    if (Status st = CheckGateInput(*current, cmd.current); !st.ok()) current = st;
  }
  if (!current.ok()) {
    std::cerr << "crashbench gate: " << current.status().message() << "\n";
    return 2;
  }
  GateOptions options;
  options.cpu_threshold = cmd.cpu_threshold;
  options.fsync_threshold = cmd.fsync_threshold;
  options.alpha = cmd.alpha;
  options.compare_timing = !cmd.no_timing;
  // A failing trial's replay line, runnable from any directory.
  std::error_code ec;
  const std::filesystem::path current_path = std::filesystem::absolute(cmd.current, ec);
  options.replay_command = ShellQuote(SelfExecutable()) + " replay " +
                           ShellQuote(ec ? cmd.current : current_path.lexically_normal().string()) +
                           " --trial";
  GateReport report = RunGate(*baseline, *current, options);
  std::cout << "gate: " << cmd.current << " against baseline " << cmd.baseline << "\n"
            << report.Render();
  return report.ExitCode(cmd.strict);
}

}  // namespace crashbench

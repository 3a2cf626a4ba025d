// crashbench report RESULTS [--out DIR]: the reports of one results file.
#include <iostream>

#include "harness/base/sys.h"
#include "harness/cli/commands.h"
#include "results/report.h"

namespace crashbench {

int RunReportCommand(const ReportCommand& cmd) {
  Result<nlohmann::json> doc = LoadResultsForReport(cmd.results);
  if (!doc.ok()) {
    std::cerr << "crashbench: " << doc.status().message() << "\n";
    return 2;
  }
  std::string dir = cmd.out_dir;
  if (dir.empty()) {
    const size_t slash = cmd.results.rfind('/');
    dir = slash == std::string::npos ? "." : cmd.results.substr(0, slash ? slash : 1);
  }
  if (Status st = MakeDirs(dir); !st.ok()) {
    std::cerr << "crashbench: --out " << dir << " cannot hold reports: " << st.message() << "\n";
    return 2;
  }
  if (Status st = WriteReports(*doc, dir, ReportEnvFromProcess(), std::cout); !st.ok()) {
    std::cerr << "crashbench: reports not written completely: " << st.message() << "\n";
    return 3;
  }
  std::cout << "reports: " << dir << "/{summary.md,junit.xml,report.html,bench.json}\n";
  return 0;
}

}  // namespace crashbench

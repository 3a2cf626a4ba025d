// libFuzzer target: reading a results file, as every results-side command
// does, on any bytes.
//
// - The JSON loader with its bounds: ParseJsonText with the results file's
//   limits and with tight ones (depth, string length, size), and ReadJsonFile
//   on the same bytes in a memfd, read 7 bytes at a time so that every place
//   falls near a chunk's edge: both ways must agree (the same document, or
//   the same error at the same place).
// - The shared validator (ValidateResultsDocument), and what the commands do
//   with a document it accepts: report (LoadResultsForReport, with its
//   trimming hook, then every rendering) and gate (CheckGateInput, RunGate of
//   the document against itself). A document the validator accepts must not
//   make any reader throw: it would end the command with a library message.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/base/json_file.h"
#include "results/gate.h"
#include "results/load_results.h"
#include "results/report.h"

namespace {

using crashbench::Result;
using nlohmann::json;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_results: %s: %s\n", what, detail.c_str());
  std::abort();
}

// A memfd holding the input: opened by path like a file.
class MemFile {
 public:
  MemFile() : fd_(memfd_create("fuzz-results", MFD_CLOEXEC)) {
    if (fd_ < 0) Fail("memfd_create", "failed");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  void Fill(const std::string& bytes) {
    if (ftruncate(fd_, 0) != 0 ||
        pwrite(fd_, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
      Fail("memfd write", path_);
  }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

void Readers(const json& doc) {
  (void)crashbench::RenderSummaryMarkdown(doc);
  (void)crashbench::RenderJunitXml(doc);
  (void)crashbench::RenderReportHtml(doc);
  (void)crashbench::RenderBenchmarkJson(doc);
  (void)crashbench::RenderGithubAnnotations(doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crashbench;
  static MemFile file;
  const std::string text(reinterpret_cast<const char*>(data), size);

  (void)ParseJsonText(text, "tight.json",
                      JsonLimits{.max_bytes = 2048, .max_depth = 4, .max_string_bytes = 16});
  Result<json> parsed = ParseJsonText(text, "fuzz.json");
  file.Fill(text);
  Result<json> read = ReadJsonFile(file.path(), JsonLimits{.read_chunk = 7});
  if (parsed.ok() != read.ok())
    Fail("memory and file disagree",
         parsed.ok() ? read.status().message() : parsed.status().message());
  if (parsed.ok() && *parsed != *read) Fail("memory and file read different documents", "");
  if (!parsed.ok() &&
      parsed.status().message().substr(9) != read.status().message().substr(file.path().size()))
    Fail("memory and file name different places",
         parsed.status().message() + " | " + read.status().message());
  if (!parsed.ok()) return 0;

  if (ValidateResultsDocument(*parsed, "fuzz.json").ok() &&
      CheckGateInput(*parsed, "fuzz.json").ok())
    (void)RunGate(*parsed, *parsed, GateOptions{}).Render();
  Result<json> for_report = LoadResultsForReport(file.path());
  if (for_report.ok()) Readers(*for_report);
  return 0;
}

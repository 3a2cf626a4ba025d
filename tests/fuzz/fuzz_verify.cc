// libFuzzer target: the verifier (VerifyFiles) on any file bytes, both layouts,
// with the options `crashbench verify` accepts.
//
// An input is a header line, then the files:
//   p t=8 r=4 a=0,1,5        'p' per-task layout (anything else: shared);
//                            t= --tasks, r= --records-per-task (1..1e9, as the
//                            CLI bounds them), a= the --acked task ids
//   === task-3.json          each file starts with such a line ...
//   {"task":3,...}
// ... or, when the body holds no "=== " line first, the body is the one file
// of the layout (records.jsonl, or task-0.json). As VerifyDirectory does,
// files not named as the layout's outputs are passed by name only.
//
// Beyond "no crash, no leak, no hang", every anomaly that points into a file
// must point inside it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "harness/verify/verifier.h"

namespace {

using namespace crashbench;

constexpr long long kMaxCount = 1000000000;  // the CLI's bound on --tasks, --records-per-task

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_verify: %s: %s\n", what, detail.c_str());
  std::abort();
}

long long Number(std::string_view s) {
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') break;
    v = std::min(kMaxCount + 1, v * 10 + (c - '0'));
  }
  return v;
}

VerifyOptions OptionsFromHeader(std::string_view header) {
  VerifyOptions o;
  o.layout = !header.empty() && header[0] == 'p' ? Layout::kPerTask : Layout::kShared;
  std::istringstream in{std::string(header)};
  std::string token;
  while (in >> token) {
    if (token.size() < 2 || token[1] != '=') continue;
    std::string_view value = std::string_view(token).substr(2);
    const long long n = Number(value);
    if (token[0] == 't' && n >= 1 && n <= kMaxCount) o.tasks = n;
    if (token[0] == 'r' && n >= 1 && n <= kMaxCount) o.records_per_task = n;
    if (token[0] == 'a')
      for (size_t at = 0; at < value.size(); at = value.find(',', at) + 1) {
        o.acked.insert(Number(value.substr(at)));
        if (value.find(',', at) == std::string_view::npos) break;
      }
  }
  return o;
}

// The files of the body, by name; the first of two files with one name wins.
std::map<std::string, std::string> FilesFromBody(std::string_view body, Layout layout) {
  std::map<std::string, std::string> files;
  const std::string_view marker = "=== ";
  if (body.substr(0, marker.size()) != marker) {
    files[layout == Layout::kShared ? std::string(kSharedFileName) : PerTaskFileName(0)] = body;
    return files;
  }
  while (body.substr(0, marker.size()) == marker) {
    size_t name_end = body.find('\n');
    std::string name(body.substr(marker.size(), name_end - marker.size()));
    body = name_end == std::string_view::npos ? std::string_view() : body.substr(name_end + 1);
    size_t next = body.find("\n=== ");
    std::string_view bytes =
        body.substr(0, next == std::string_view::npos ? body.size() : next + 1);
    body = next == std::string_view::npos ? std::string_view() : body.substr(next + 1);
    if (!name.empty() && name.find('/') == std::string::npos) files.emplace(name, bytes);
  }
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string_view header = eol == std::string_view::npos ? input : input.substr(0, eol);
  const std::string_view body =
      eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  const VerifyOptions options = OptionsFromHeader(header);
  if (!CheckVerifyOptions(options).ok()) return 0;  // crashbench verify refuses them (exit 2)

  std::vector<FileContents> outputs;
  std::vector<std::string> others;
  for (auto& [name, bytes] : FilesFromBody(body, options.layout)) {
    const bool ours = options.layout == Layout::kShared ? name == kSharedFileName
                                                        : TaskFromPerTaskFileName(name).has_value();
    if (ours)
      outputs.push_back(FileContents{name, bytes});
    else
      others.push_back(name);
  }
  const VerifyReport report = VerifyFiles(outputs, others, options);
  if (report.records_visible < 0) Fail("negative records_visible", "");
  for (const Anomaly& a : report.anomalies) {
    if (a.offset < 0) continue;
    auto file = std::find_if(outputs.begin(), outputs.end(),
                             [&](const FileContents& f) { return f.name == a.file; });
    if (file == outputs.end()) Fail("an anomaly at an offset in no output file", a.file);
    if (static_cast<size_t>(a.offset) > file->bytes.size() || a.line < 1)
      Fail("an anomaly outside its file",
           a.file + " @" + std::to_string(a.offset) + " line " + std::to_string(a.line));
    if (a.end >= 0 && (a.end < a.offset || static_cast<size_t>(a.end) > file->bytes.size()))
      Fail("an anomaly whose end is outside its file", a.file + " end " + std::to_string(a.end));
  }
  return 0;
}

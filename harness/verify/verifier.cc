// The verifier's entry points and the part both layouts share: reading the
// directory, telling output files from the rest, and the per-task accounting
// that turns traces and acknowledgements into lost and partial-visible tasks.
#include "harness/verify/verifier.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>
#include <system_error>

#include "harness/base/sys.h"
#include "harness/verify/verifier_internal.h"

namespace crashbench {
namespace verifier_internal {
namespace {

constexpr size_t kExcerptBytes = 60;
// A record count read from the files (not given by the workload) above this is
// not believed: listing that many lost records would only bury the report.
constexpr long long kMaxRecordsFromData = 1 << 20;

// Says where the first syntax error is; builds nothing.
class ProbeSax final : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception&) override {
    failed = true;
    chars_read = position;
    return false;
  }

  bool failed = false;
  size_t chars_read = 0;  // 1-based position of the offending byte; size()+1 at end of input
};

// Position just after `"key"` + optional whitespace + ':' + optional
// whitespace, for the occurrence found at or after `from`; npos when none.
// A quote preceded by a backslash is inside a string, not a key.
size_t FindKey(std::string_view text, std::string_view key, size_t from, size_t* key_at) {
  std::string needle = "\"" + std::string(key) + "\"";
  for (size_t at = text.find(needle, from); at != std::string_view::npos;
       at = text.find(needle, at + 1)) {
    if (at > 0 && text[at - 1] == '\\') continue;
    size_t i = at + needle.size();
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (key_at) *key_at = at;
    return i;
  }
  return std::string_view::npos;
}

}  // namespace

void NoteTrace(Ledger* ledger, long long task, const FileContents& file, long long offset,
               long long line) {
  TaskTrace& t = (*ledger)[task];
  if (t.traced && t.file == &file && t.offset <= offset) return;
  if (t.traced && t.file != &file) return;  // files are verified in order: the first one wins
  t.traced = true;
  t.file = &file;
  t.offset = offset;
  t.line = line;
}

long long LineAt(std::string_view bytes, size_t offset) {
  offset = std::min(offset, bytes.size());
  return 1 + std::count(bytes.begin(), bytes.begin() + static_cast<long>(offset), '\n');
}

Anomaly MakeAnomalyAtLine(AnomalyKind kind, const FileContents& file, long long offset,
                          long long line, long long task, long long seq, std::string detail) {
  Anomaly a{kind, file.name, offset, line, task, seq, "", std::move(detail)};
  if (offset >= 0 && static_cast<size_t>(offset) <= file.bytes.size())
    a.excerpt = EscapeExcerpt(std::string_view(file.bytes).substr(offset, kExcerptBytes));
  return a;
}

Anomaly MakeAnomaly(AnomalyKind kind, const FileContents& file, long long offset, long long task,
                    long long seq, std::string detail) {
  long long line = offset >= 0 ? LineAt(file.bytes, static_cast<size_t>(offset)) : -1;
  return MakeAnomalyAtLine(kind, file, offset, line, task, seq, std::move(detail));
}

JsonProbe ProbeJson(std::string_view text) {
  ProbeSax sax;
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  JsonProbe p;
  if (ok && !sax.failed) {
    p.complete = true;
    p.error_index = text.size();
    return p;
  }
  p.cut_short = sax.chars_read > text.size();
  p.error_index = sax.chars_read == 0 ? 0 : std::min(sax.chars_read - 1, text.size());
  return p;
}

std::optional<long long> ScanIntField(std::string_view text, std::string_view key) {
  size_t i = FindKey(text, key, 0, nullptr);
  if (i == std::string_view::npos) return std::nullopt;
  size_t end = i;
  if (end < text.size() && text[end] == '-') ++end;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  if (end == text.size()) return std::nullopt;  // the number may continue in bytes that were cut
  long long v = 0;
  auto r = std::from_chars(text.data() + i, text.data() + end, v);
  if (r.ec != std::errc() || r.ptr != text.data() + end) return std::nullopt;
  return v;
}

bool HasRepeatedRecordKey(std::string_view text) {
  for (std::string_view key : kRecordKeys) {
    size_t first = 0;
    if (FindKey(text, key, 0, &first) == std::string_view::npos) continue;
    if (FindKey(text, key, first + 1, nullptr) != std::string_view::npos) return true;
  }
  return false;
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string_view TrimRight(std::string_view s) {
  size_t end = s.find_last_not_of(" \t\r\n");
  return end == std::string_view::npos ? std::string_view() : s.substr(0, end + 1);
}

size_t ObjectEnd(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return c == '}' ? i : std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

bool IsExactRecord(std::string_view text, Record* record) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (!j.is_object() || j.size() != std::size(kRecordKeys) || HasRepeatedRecordKey(text))
    return false;
  return RecordFromJson(&j, record) == ParseOutcome::kValid;
}

namespace {

// Records in the task: the workload's count, else one read from the files,
// while the counts read so far (*from_data_left) leave room for it; -1 when unknown.
long long RecordsInTask(const TaskTrace& trace, const VerifyOptions& options,
                        long long* from_data_left) {
  if (options.records_per_task) return *options.records_per_task;
  std::optional<long long> from_data = trace.of ? trace.of : trace.of_hint;
  if (!from_data || *from_data > kMaxRecordsFromData || *from_data > *from_data_left) return -1;
  *from_data_left -= *from_data;
  return *from_data;
}

// lost-acked, partial-visible and lost-unacked, by task then seq.
void AccountTasks(const Ledger& ledger, const VerifyOptions& options,
                  std::vector<Anomaly>* anomalies) {
  std::set<long long> known(options.acked.begin(), options.acked.end());
  for (long long t = 0; options.tasks && t < *options.tasks; ++t) known.insert(t);
  // A task outside the workload is already reported as corrupt where it shows.
  for (const auto& [t, trace] : ledger)
    if (!options.tasks || (t >= 0 && t < *options.tasks)) known.insert(t);

  const TaskTrace kNoTrace;
  long long from_data_left = kMaxVerifyRecords;
  for (long long t : known) {
    auto it = ledger.find(t);
    const TaskTrace& tr = it == ledger.end() ? kNoTrace : it->second;
    long long records = RecordsInTask(tr, options, &from_data_left);
    std::string file =
        options.layout == Layout::kShared ? std::string(kSharedFileName) : PerTaskFileName(t);
    auto whole_task = [&](AnomalyKind kind, std::string detail) {
      anomalies->push_back(Anomaly{kind, file, -1, -1, t, -1, "", std::move(detail)});
    };
    if (options.acked.count(t)) {
      if (tr.all_accounted) continue;
      if (records >= 0) {
        for (long long s = 0; s < records; ++s) {
          if (tr.visible.count(s) || tr.accounted.count(s)) continue;
          anomalies->push_back(Anomaly{AnomalyKind::kLostAcked, file, -1, -1, t, s, "",
                                       "acknowledged record is not visible"});
        }
      } else if (!tr.traced) {
        whole_task(AnomalyKind::kLostAcked, "no record of this acknowledged task is visible");
      }
      // Damaged traces but no record count anywhere: the damage is reported;
      // how many other records are missing cannot be known.
      continue;
    }
    if (!tr.traced) {
      whole_task(AnomalyKind::kLostUnacked, "unacknowledged task left no record");
      continue;
    }
    bool complete = records >= 0 && !tr.torn;
    for (long long s = 0; complete && s < records; ++s) complete = tr.visible.count(s) > 0;
    if (complete) continue;  // a complete task whose acknowledgement was lost is no violation
    Anomaly a = MakeAnomalyAtLine(AnomalyKind::kPartialVisible, *tr.file, tr.offset, tr.line, t, -1,
                                  "unacknowledged task is partly visible at the final location");
    anomalies->push_back(std::move(a));
  }
}

}  // namespace
}  // namespace verifier_internal

using verifier_internal::Ledger;

Status CheckVerifyOptions(const VerifyOptions& options) {
  long long known = options.tasks.value_or(0);
  for (long long t : options.acked) known += options.tasks && t < *options.tasks ? 0 : 1;
  const long long per_task = options.records_per_task.value_or(1);
  if (known <= kMaxVerifyRecords / per_task) return Status::Ok();
  const std::string each =
      options.records_per_task ? " of " + std::to_string(per_task) + " records each" : "";
  return Status::Error(std::to_string(known) + " tasks (--tasks and the acknowledged ones)" + each +
                       ": more than the " + std::to_string(kMaxVerifyRecords) +
                       " records a verification accounts for (each may be listed as lost)");
}

VerifyReport VerifyFiles(const std::vector<FileContents>& outputs,
                         const std::vector<std::string>& other_files,
                         const VerifyOptions& options) {
  VerifyReport report;
  Ledger ledger;
  std::vector<std::string> orphans = other_files;
  if (options.layout == Layout::kShared) {
    for (const FileContents& f : outputs) {
      if (f.name != kSharedFileName) {
        orphans.push_back(f.name);
        continue;
      }
      verifier_internal::VerifySharedFile(f, options, &ledger, &report.anomalies,
                                          &report.records_visible);
    }
  } else {
    std::vector<std::pair<long long, const FileContents*>> files;
    for (const FileContents& f : outputs) {
      if (auto task = TaskFromPerTaskFileName(f.name)) {
        files.emplace_back(*task, &f);
      } else {
        orphans.push_back(f.name);
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& [task, f] : files)
      verifier_internal::VerifyPerTaskFile(*f, task, options, &ledger, &report.anomalies,
                                           &report.records_visible);
  }
  std::sort(orphans.begin(), orphans.end());
  for (const std::string& name : orphans) {
    const AnomalyKind kind = StrayFileKind(name);
    report.anomalies.push_back(Anomaly{kind, name, -1, -1, -1, -1, "",
                                       kind == AnomalyKind::kOrphanTemp
                                           ? "a temp file left beside the output"
                                           : "not an output file, and not named like a temp file"});
  }
  verifier_internal::AccountTasks(ledger, options, &report.anomalies);
  return report;
}

Result<VerifyReport> VerifyDirectory(const std::string& dir, const VerifyOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (!fs::exists(st)) return Status::Error("output directory " + dir + " does not exist");
  if (!fs::is_directory(st))
    return Status::Error("output directory " + dir + " is not a directory");

  std::vector<std::string> outputs, others;
  bool other_layout_present = false;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::Error("cannot list " + dir + ": " + ec.message(), ec.value());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code type_ec;
    bool regular = it->is_regular_file(type_ec);  // follows symlinks, as a reader would
    bool shared_name = name == kSharedFileName;
    bool per_task_name = TaskFromPerTaskFileName(name).has_value();
    bool ours = options.layout == Layout::kShared ? shared_name : per_task_name;
    bool theirs = options.layout == Layout::kShared ? per_task_name : shared_name;
    if (regular && ours) {
      outputs.push_back(name);
    } else {
      others.push_back(name);
      other_layout_present = other_layout_present || (regular && theirs);
    }
  }
  if (ec) return Status::Error("cannot list " + dir + ": " + ec.message(), ec.value());
  if (outputs.empty() && other_layout_present) {
    return options.layout == Layout::kShared
               ? Status::Error(dir + " holds per-task files (task-<T>.json) but no " +
                               std::string(kSharedFileName) + "; use --layout per-task")
               : Status::Error(dir + " holds " + std::string(kSharedFileName) +
                               " but no per-task files (task-<T>.json); use --layout shared");
  }
  std::sort(outputs.begin(), outputs.end());
  std::sort(others.begin(), others.end());
  std::vector<FileContents> contents;
  for (const std::string& name : outputs) {
    Result<std::string> bytes = ReadFileToString(dir + "/" + name);
    if (!bytes.ok()) return bytes.status().Annotate("reading output");
    contents.push_back(FileContents{name, std::move(bytes.value())});
  }
  return VerifyFiles(contents, others, options);
}

}  // namespace crashbench

// What the file oracles share: globs over paths relative to the output
// directory, the listing and reading of that directory, stray files, and the
// driver that hands each matched file to the json or jsonl judge.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "harness/base/sys.h"
#include "harness/oracle/oracle_internal.h"

namespace crashbench {
namespace oracle_internal {
namespace {

// A snapshot holds whole files in memory: past this, old-or-new is the wrong
// oracle for the output (and crashbench says so rather than swapping).
constexpr size_t kMaxSnapshotBytes = size_t{1} << 30;

class GlobMatcher {
 public:
  GlobMatcher(std::string_view glob, std::string_view path)
      : g_(glob), p_(path), memo_((g_.size() + 1) * (p_.size() + 1), kUnknown) {}
  bool Match() { return At(0, 0); }

 private:
  enum : char { kUnknown, kNo, kYes };

  // A wildcard may take path[pi]: not a '/', not the '.' opening a component.
  bool Takes(size_t pi, bool crosses) const {
    if (pi >= p_.size()) return false;
    if (p_[pi] == '/') return crosses;
    return !(p_[pi] == '.' && (pi == 0 || p_[pi - 1] == '/'));
  }
  bool At(size_t gi, size_t pi) {
    char& m = memo_[gi * (p_.size() + 1) + pi];
    if (m == kUnknown) m = Compute(gi, pi) ? kYes : kNo;
    return m == kYes;
  }
  bool Compute(size_t gi, size_t pi) {
    if (gi == g_.size()) return pi == p_.size();
    if (g_.compare(gi, 2, "**") == 0) {
      const bool whole_dirs =
          (gi == 0 || g_[gi - 1] == '/') && gi + 2 < g_.size() && g_[gi + 2] == '/';
      if (whole_dirs && At(gi + 3, pi)) return true;  // "**/" as no directory at all
      return At(gi + 2, pi) || (Takes(pi, true) && At(gi, pi + 1));
    }
    if (g_[gi] == '*') return At(gi + 1, pi) || (Takes(pi, false) && At(gi, pi + 1));
    if (g_[gi] == '?') return Takes(pi, false) && At(gi + 1, pi + 1);
    // A '.' that begins a path component is matched only by a '.' that
    // begins a glob component: "*.json" does not take ".json".
    if (pi < p_.size() && p_[pi] == '.' && (pi == 0 || p_[pi - 1] == '/') && gi > 0 &&
        g_[gi - 1] != '/')
      return false;
    return pi < p_.size() && p_[pi] == g_[gi] && At(gi + 1, pi + 1);
  }

  std::string_view g_, p_;
  std::vector<char> memo_;
};

std::string FileKindText(const std::filesystem::file_status& st) {
  namespace fs = std::filesystem;
  switch (st.type()) {
    case fs::file_type::fifo:
      return "a FIFO";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::character:
      return "a character device";
    case fs::file_type::block:
      return "a block device";
    case fs::file_type::not_found:
      return "a dangling symlink";
    default:
      return "not a regular file";
  }
}

}  // namespace

bool GlobMatches(std::string_view glob, std::string_view path) {
  return GlobMatcher(glob, path).Match();
}

bool IsLiteralGlob(std::string_view glob) {
  return glob.find_first_of("*?") == std::string_view::npos;
}

std::string NormalizeGlob(std::string_view glob, const std::string& out_dir) {
  constexpr std::string_view kOut = "{out}/";
  if (glob.substr(0, kOut.size()) == kOut) return std::string(glob.substr(kOut.size()));
  if (!out_dir.empty() && glob.size() > out_dir.size() + 1 &&
      glob.substr(0, out_dir.size()) == out_dir && glob[out_dir.size()] == '/')
    return std::string(glob.substr(out_dir.size() + 1));
  return std::string(glob);
}

bool MatchesAny(const std::vector<std::string>& globs, const std::string& path) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return GlobMatches(g, path); });
}

Result<std::vector<TreeEntry>> ListTree(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (!fs::exists(st)) return Status::Error("output directory " + dir + " does not exist");
  if (!fs::is_directory(st))
    return Status::Error("output directory " + dir + " is not a directory");
  std::vector<TreeEntry> entries;
  // Entries are dir/<relative path>, dir spelled as given.
  const size_t prefix = dir.size() + (dir.back() == '/' ? 0 : 1);
  fs::recursive_directory_iterator it(dir, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) continue;
    TreeEntry e;
    e.path = it->path().string().substr(prefix);
    const fs::file_status target = it->status(type_ec);  // follows symlinks, as a reader does
    e.regular = fs::is_regular_file(target);
    if (!e.regular)
      e.what = fs::is_directory(target) ? "a symlink to a directory" : FileKindText(target);
    entries.push_back(std::move(e));
  }
  if (ec) return Status::Error("cannot list " + dir + ": " + ec.message(), ec.value());
  std::sort(entries.begin(), entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.path < b.path; });
  return entries;
}

Result<std::string> ReadRegularFile(const std::string& path) {
  // O_NONBLOCK: a FIFO put where a file was expected must not stall the judge.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) return ErrnoStatus("cannot read " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("cannot read " + path, errno);
  if (!S_ISREG(st.st_mode)) return Status::Error("cannot read " + path + ": not a regular file");
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t r = RetryOnEintr([&] { return ::read(fd.get(), buf, sizeof buf); });
    if (r < 0) return ErrnoStatus("cannot read " + path, errno);
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

Anomaly StrayFile(const TreeEntry& entry) {
  const size_t slash = entry.path.rfind('/');
  const std::string_view base = slash == std::string::npos
                                    ? std::string_view(entry.path)
                                    : std::string_view(entry.path).substr(slash + 1);
  const AnomalyKind kind = StrayFileKind(base);
  std::string detail = kind == AnomalyKind::kOrphanTemp
                           ? "a temp file left beside the output"
                           : "not an output file, and not named like a temp file";
  if (!entry.regular) detail += " (" + entry.what + ")";
  return Anomaly{kind, entry.path, -1, -1, -1, -1, "", std::move(detail)};
}

long long LineOf(std::string_view bytes, size_t at) {
  at = std::min(at, bytes.size());
  return 1 + std::count(bytes.begin(), bytes.begin() + static_cast<long>(at), '\n');
}

std::string ExcerptAt(std::string_view bytes, size_t at) {
  constexpr size_t kBefore = 40, kTail = 60;
  at = std::min(at, bytes.size());
  if (at == bytes.size()) {
    const size_t from = bytes.size() > kTail ? bytes.size() - kTail : 0;
    return EscapeExcerpt(bytes.substr(from));
  }
  size_t line_start = bytes.rfind('\n', at == 0 ? 0 : at - 1);
  line_start = (line_start == std::string_view::npos || at == 0) ? 0 : line_start + 1;
  const size_t from = std::max(line_start, at > kBefore ? at - kBefore : 0);
  return EscapeExcerpt(bytes.substr(from));
}

Result<long long> JudgeFiles(const OracleSpec& spec, const OracleInput& input, const JudgeFn& judge,
                             OracleReport* report, Tally* tally) {
  Result<std::vector<TreeEntry>> entries = ListTree(input.out_dir);
  if (!entries.ok()) return entries.status();
  std::vector<std::string> globs;
  for (const std::string& g : spec.files) globs.push_back(NormalizeGlob(g, input.out_dir));
  std::vector<bool> glob_used(globs.size(), false);
  std::vector<Anomaly> strays;
  for (const TreeEntry& e : *entries) {
    bool matched = false;
    for (size_t i = 0; i < globs.size(); ++i)
      if (GlobMatches(globs[i], e.path)) matched = glob_used[i] = true;
    if (!matched || !e.regular) {
      strays.push_back(StrayFile(e));
      continue;
    }
    Result<std::string> bytes = ReadRegularFile(input.out_dir + "/" + e.path);
    if (!bytes.ok()) return bytes.status().Annotate("judging output");
    judge(e.path, *bytes, report, tally);
  }
  long long missing = 0;
  for (size_t i = 0; i < globs.size(); ++i) {
    if (glob_used[i] || !IsLiteralGlob(globs[i])) continue;
    ++missing;
    const AnomalyKind kind = input.exited_ok ? AnomalyKind::kLostAcked : AnomalyKind::kLostUnacked;
    report->anomalies.push_back(Anomaly{
        kind, globs[i], -1, -1, -1, -1, "",
        input.exited_ok ? "an output file the scenario names is missing, and the run exited 0"
                        : "an output file the scenario names is missing (the run did not exit 0)"});
  }
  for (Anomaly& a : strays) report->anomalies.push_back(std::move(a));
  return missing;
}

void ReportShortfall(const OracleSpec& spec, const OracleInput& input, const Tally& tally,
                     long long reported_missing, std::string_view unit, OracleReport* report) {
  const long long accounted = tally.valid + tally.damaged + reported_missing;
  if (!spec.count || accounted >= *spec.count) return;
  std::string detail = std::to_string(*spec.count) + " " + std::string(unit) + " expected, " +
                       std::to_string(tally.valid) + " valid";
  if (tally.damaged > 0) detail += ", " + std::to_string(tally.damaged) + " damaged";
  if (reported_missing > 0) detail += ", " + std::to_string(reported_missing) + " in missing files";
  if (accounted > tally.valid) detail += " (reported on their own)";
  detail += ": " + std::to_string(*spec.count - accounted) + " more missing";
  detail += input.exited_ok ? ", and the run exited 0" : " (the run did not exit 0)";
  report->anomalies.push_back(
      Anomaly{input.exited_ok ? AnomalyKind::kLostAcked : AnomalyKind::kLostUnacked, "", -1, -1, -1,
              -1, "", std::move(detail)});
}

}  // namespace oracle_internal

Result<DirSnapshot> SnapshotDirectory(const std::string& dir) {
  Result<std::vector<oracle_internal::TreeEntry>> entries = oracle_internal::ListTree(dir);
  if (!entries.ok()) return entries.status();
  DirSnapshot snapshot;
  size_t total = 0;
  for (const oracle_internal::TreeEntry& e : *entries) {
    if (!e.regular) continue;
    Result<std::string> bytes = oracle_internal::ReadRegularFile(dir + "/" + e.path);
    if (!bytes.ok()) return bytes.status().Annotate("snapshot of " + dir);
    total += bytes->size();
    if (total > oracle_internal::kMaxSnapshotBytes)
      return Status::Error("snapshot of " + dir + ": more than 1 GiB of files; old-or-new " +
                           "keeps whole files in memory, judge this output another way");
    snapshot.emplace(e.path, std::move(*bytes));
  }
  return snapshot;
}

}  // namespace crashbench

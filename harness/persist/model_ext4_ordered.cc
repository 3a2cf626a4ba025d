// ext4-ordered: ext4's default mount, data=ordered with delayed allocation.
// The rules, and where each comes from:
// - Metadata (creates, renames, links, unlinks, mkdirs, truncates) goes
//   through the jbd2 journal, whose transactions commit in order: what
//   persists is a prefix of the metadata operations. [ext4 docs,
//   Documentation/filesystems/ext4/journal.rst; admin-guide/ext4.rst "data=ordered"]
// - Any fsync or fdatasync, of any file or directory, commits the running
//   transaction, which holds every earlier metadata operation of the file
//   system: all of them are durable after it. [ext4_sync_file ->
//   jbd2_complete_transaction in fs/ext4/fsync.c; the "fsync of one file
//   syncs everything" behaviour measured by Pillai et al., OSDI 2014, ALICE]
// - data=ordered: a file's data blocks are written before the metadata that
//   exposes them commits, so a file never shows garbage or zeros it was not
//   given; with delayed allocation its size on disk grows only when blocks are
//   allocated at writeback. Unsynced appends therefore survive as a prefix,
//   cut at a write or at a 4 KiB page boundary. [admin-guide/ext4.rst
//   "data=ordered", "delalloc"]
// - A new file renamed to a new name without fsync may persist with zero
//   length: the rename commits, the delayed blocks were never written (the
//   "zero-length file" problem of 2009).
// - auto_da_alloc (on by default): a rename over an existing file, and the
//   close of a file that was truncated to zero, start writeback of the file's
//   delayed blocks, so in data=ordered mode they are on disk before the
//   rename (or the next commit after the close) is. Not for a rename to a new
//   name. [admin-guide/ext4.rst "auto_da_alloc"; ext4_rename and
//   ext4_release_file -> ext4_alloc_da_blocks in fs/ext4/namei.c, file.c]
//   Option auto_da_alloc: off (noauto_da_alloc) approximates xfs.
// Journal commits happen at times this model does not know (every 5 s, or
// under memory pressure), so every prefix of the metadata after the last sync
// is a possible state; which unsynced data had reached the disk is unknown
// too, so each file's data ranges from what syncs and auto_da_alloc forced to
// all of it.
//
// Tiers: 0 the most and the least durable state; 1 each journal prefix, with
// the unsynced data lost and with it written; 2 each prefix length of each
// file's unsynced data, at write and page boundaries.
#include <algorithm>
#include <memory>

#include "harness/persist/model.h"
#include "harness/persist/model_util.h"

namespace crashbench {
namespace {

bool IsMetaOp(OpKind kind) { return IsDirOp(kind) || kind == OpKind::kTruncate; }

class Ext4OrderedModel final : public PersistenceModel {
 public:
  explicit Ext4OrderedModel(bool auto_da_alloc) : auto_da_alloc_(auto_da_alloc) {}

  std::string_view name() const override { return "ext4-ordered"; }
  int tiers() const override { return 3; }

  void StatesAt(const CutFacts& facts, int tier, std::vector<CrashState>* out) const override {
    const Cut c = Analyse(facts);
    if (tier == 0) {
      out->push_back(Build(c, c.cut, true, "most durable: every issued op persisted"));
      if (!c.meta.empty() || !c.writes.empty())
        out->push_back(Build(c, c.jmin, false,
                             "least durable: journal at the last sync, unsynced data unwritten"));
    } else if (tier == 1) {
      for (int j : c.commit_points) {
        const std::string at = "journal committed through " + DescribeOp(facts.log(), j - 1);
        out->push_back(Build(c, j, false, at + ", unsynced data unwritten"));
        out->push_back(Build(c, j, true, at + ", unsynced data written"));
      }
    } else if (tier == 2) {
      for (const auto& [file, ops] : c.writes) {
        std::vector<int> optional;
        const int lo = Forced(c, file, c.cut), hi = FirstTruncateFrom(c, file, c.cut);
        for (int w : ops)
          if (w >= lo && w < hi) optional.push_back(w);
        for (PrefixChoice& p : PrefixChoices(facts.log(), optional)) {
          CrashState s = Build(c, c.cut, true, "a prefix of the unsynced data was written back");
          s.dropped = SortedUnion(s.dropped, p.dropped);
          if (p.partial) s.partial.push_back(*p.partial);
          out->push_back(std::move(s));
        }
      }
    }
  }

  std::string WhyLost(const CutFacts& facts, int index) const override {
    const Op& op = facts.log().ops[static_cast<size_t>(index)];
    if (IsMetaOp(op.kind)) return "the journal had not committed it: no fsync of any file after it";
    return "no fsync of the file after it (delayed allocation: its blocks were not written back)";
  }

 private:
  struct Cut {
    const OpLog* log = nullptr;
    int cut = 0;
    int jmin = 0;                                // metadata before it is committed
    std::vector<int> meta;                       // metadata ops in [jmin, cut)
    std::map<FileId, std::vector<int>> writes;   // unsynced writes by file
    std::map<FileId, std::vector<int>> forcing;  // auto_da_alloc points by file, ascending
    std::map<FileId, std::vector<int>> truncates;
    std::vector<int> commit_points;  // journal prefixes worth a state, ascending
  };

  Cut Analyse(const CutFacts& facts) const {
    Cut c;
    c.log = &facts.log();
    c.cut = facts.cut();
    c.jmin = facts.last_any_sync() + 1;
    std::vector<int> writes;
    for (int i : facts.unsynced_data())
      if (c.log->ops[static_cast<size_t>(i)].kind == OpKind::kWrite) writes.push_back(i);
    c.writes = GroupByFile(*c.log, writes);
    std::map<FileId, bool> truncated_to_zero;
    for (int i = 0; i < c.cut; ++i) {
      const Op& op = c.log->ops[static_cast<size_t>(i)];
      if (op.kind == OpKind::kTruncate) {
        c.truncates[op.file].push_back(i);
        if (op.length == 0) truncated_to_zero[op.file] = true;
      }
      if (i >= c.jmin && IsMetaOp(op.kind)) {
        c.meta.push_back(i);
        c.commit_points.push_back(i + 1);
      }
      if (!auto_da_alloc_) continue;
      if (op.kind == OpKind::kRename && op.replaced >= 0) c.forcing[op.file].push_back(i);
      if (op.kind == OpKind::kClose && truncated_to_zero[op.file]) {
        truncated_to_zero[op.file] = false;
        c.forcing[op.file].push_back(i);
        if (i >= c.jmin) c.commit_points.push_back(i + 1);
      }
    }
    std::sort(c.commit_points.begin(), c.commit_points.end());
    c.commit_points.erase(std::unique(c.commit_points.begin(), c.commit_points.end()),
                          c.commit_points.end());
    std::erase_if(c.commit_points, [&](int j) { return j >= c.cut; });
    return c;
  }

  // Writes of `file` before the returned index are on disk when the journal
  // committed everything before j: auto_da_alloc started their writeback.
  static int Forced(const Cut& c, FileId file, int j) {
    auto it = c.forcing.find(file);
    if (it == c.forcing.end()) return 0;
    int forced = 0;
    for (int p : it->second)
      if (p < j) forced = p;
    return forced;
  }

  // The first truncate of `file` the journal had not committed (index >= j):
  // data written after it cannot be on disk while the truncate is not.
  static int FirstTruncateFrom(const Cut& c, FileId file, int j) {
    auto it = c.truncates.find(file);
    if (it != c.truncates.end())
      for (int t : it->second)
        if (t >= j) return t;
    return c.cut;
  }

  // The state with the journal committed through j-1 and each file's
  // unsynced data at its least (only what auto_da_alloc forced) or its most.
  static CrashState Build(const Cut& c, int j, bool data_written, std::string label) {
    CrashState s;
    s.cut = c.cut;
    s.label = std::move(label);
    for (int m : c.meta)
      if (m >= j) s.dropped.push_back(m);
    for (const auto& [file, ops] : c.writes) {
      const int bound = data_written ? FirstTruncateFrom(c, file, j) : Forced(c, file, j);
      for (int w : ops)
        if (w >= bound) s.dropped.push_back(w);
    }
    std::sort(s.dropped.begin(), s.dropped.end());
    return s;
  }

  bool auto_da_alloc_;
};

}  // namespace

Result<std::unique_ptr<PersistenceModel>> MakeExt4OrderedModel(const ModelOptions& options) {
  RETURN_IF_ERROR(CheckModelOptions("ext4-ordered", options, {{"auto_da_alloc", {"on", "off"}}}));
  auto it = options.find("auto_da_alloc");
  const bool on = it == options.end() || it->second == "on";
  return std::unique_ptr<PersistenceModel>(std::make_unique<Ext4OrderedModel>(on));
}

}  // namespace crashbench

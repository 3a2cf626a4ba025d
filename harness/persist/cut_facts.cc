#include "harness/persist/cut_facts.h"

#include <algorithm>

namespace crashbench {

CutFacts::CutFacts(const OpLog& log)
    : log_(&log),
      last_file_sync_(static_cast<size_t>(std::max(log.files, 0)), -1),
      dirs_left_(log.ops.size(), 0) {}

int CutFacts::last_file_sync(FileId f) const {
  return f >= 0 && static_cast<size_t>(f) < last_file_sync_.size()
             ? last_file_sync_[static_cast<size_t>(f)]
             : -1;
}

void CutFacts::Advance() {
  const int i = cut_++;
  const Op& op = log_->ops[static_cast<size_t>(i)];
  if (IsDataOp(op.kind)) {
    unsynced_data_.push_back(i);
  } else if (IsDirOp(op.kind)) {
    const bool two = op.kind == OpKind::kRename || op.kind == OpKind::kLink;
    dirs_left_[static_cast<size_t>(i)] = two && ParentDir(op.path) != ParentDir(op.path2) ? 3 : 1;
    unsynced_dir_.push_back(i);
  } else if (IsFileSync(op.kind)) {
    last_any_sync_ = i;
    if (op.file >= 0 && static_cast<size_t>(op.file) < last_file_sync_.size())
      last_file_sync_[static_cast<size_t>(op.file)] = i;
    std::erase_if(unsynced_data_,
                  [&](int d) { return log_->ops[static_cast<size_t>(d)].file == op.file; });
  } else if (op.kind == OpKind::kDirFsync) {
    last_any_sync_ = i;
    std::erase_if(unsynced_dir_, [&](int d) {
      const Op& o = log_->ops[static_cast<size_t>(d)];
      unsigned char& left = dirs_left_[static_cast<size_t>(d)];
      if ((left & 1u) && ParentDir(o.path) == op.path) left &= ~1u;
      if ((left & 2u) && ParentDir(o.path2) == op.path) left &= ~2u;
      return left == 0;
    });
  }
}

}  // namespace crashbench

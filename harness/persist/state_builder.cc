#include "harness/persist/state_builder.h"

#include <algorithm>

namespace crashbench {
namespace {

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

bool Dropped(const CrashState& c, int i) {
  return std::binary_search(c.dropped.begin(), c.dropped.end(), i);
}

const PartialWrite* PartialOf(const CrashState& c, int i) {
  for (const PartialWrite& p : c.partial)
    if (p.op == i) return &p;
  return nullptr;
}

}  // namespace

StateBuilder::StateBuilder(const OpLog& log, size_t cache_bytes)
    : log_(log), cache_limit_(cache_bytes) {
  data_ops_.resize(static_cast<size_t>(std::max(log.files, 0)));
  for (size_t i = 0; i < log.ops.size(); ++i) {
    const Op& op = log.ops[i];
    if (IsDataOp(op.kind) && op.file >= 0 && static_cast<size_t>(op.file) < data_ops_.size())
      data_ops_[static_cast<size_t>(op.file)].push_back(static_cast<int>(i));
    if (IsDirOp(op.kind)) dir_ops_.push_back(static_cast<int>(i));
  }
}

std::shared_ptr<const StateBuilder::Version> StateBuilder::VersionOf(FileId file,
                                                                     const CrashState& c) {
  // The bytes depend only on which of the file's ops persisted, and how.
  const std::vector<int>& ops = data_ops_[static_cast<size_t>(file)];
  uint64_t fp = Mix(0x243f6a8885a308d3ULL, static_cast<uint64_t>(file));
  for (int i : ops) {
    if (i >= c.cut) break;
    if (Dropped(c, i)) continue;
    const PartialWrite* p = PartialOf(c, i);
    fp = Mix(fp, static_cast<uint64_t>(i));
    if (p) fp = Mix(Mix(fp, 1 + static_cast<uint64_t>(p->kind)), static_cast<uint64_t>(p->keep));
  }
  auto it = versions_.find(fp);
  if (it != versions_.end()) return it->second;
  auto v = std::make_shared<Version>();
  if (static_cast<size_t>(file) < log_.initial.data.size())
    v->bytes = log_.initial.data[static_cast<size_t>(file)];
  for (int i : ops) {
    if (i >= c.cut) break;
    if (Dropped(c, i)) continue;
    const Op& op = log_.ops[static_cast<size_t>(i)];
    if (const PartialWrite* p = PartialOf(c, i)) {
      ApplyPartial(op, *p, &v->bytes);
    } else {
      ApplyData(op, &v->bytes);
    }
  }
  v->hash = HashBytes(v->bytes);
  ++built_;
  if (cached_bytes_ + v->bytes.size() > cache_limit_) {
    versions_.clear();  // the current state's files stay alive through files_
    cached_bytes_ = 0;
  }
  cached_bytes_ += v->bytes.size();
  return versions_.emplace(fp, std::move(v)).first->second;
}

uint64_t StateBuilder::Key(const CrashState& c) {
  entries_ = log_.initial.entries;
  dirs_ = log_.initial.dirs;
  FsState names;  // ApplyOp on names only: dir ops touch no bytes
  names.entries.swap(entries_);
  names.dirs.swap(dirs_);
  for (int i : dir_ops_) {
    if (i >= c.cut) break;
    if (!Dropped(c, i)) ApplyOp(log_.ops[static_cast<size_t>(i)], &names);
  }
  names.entries.swap(entries_);
  names.dirs.swap(dirs_);
  files_.clear();
  uint64_t key = 0x13198a2e03707344ULL;
  for (const auto& [name, id] : entries_) {
    auto [at, fresh] = files_.try_emplace(id);
    if (fresh) at->second = VersionOf(id, c);
    key = Mix(Mix(key, HashBytes(name)), at->second->hash);
    key = Mix(key, at->second->bytes.size());
  }
  for (const std::string& d : dirs_) key = Mix(key, HashBytes(d) ^ 0xd1b54a32d192ed03ULL);
  return key;
}

const FsState& StateBuilder::Build() {
  const size_t n = static_cast<size_t>(std::max(log_.files, 0));
  state_.entries = entries_;
  state_.dirs = dirs_;
  state_.data.resize(n);
  state_.data_hash.resize(n, 0);
  in_state_.resize(n);
  auto next = files_.begin();
  for (size_t id = 0; id < n; ++id) {
    std::shared_ptr<const Version> want;
    if (next != files_.end() && static_cast<size_t>(next->first) == id) want = (next++)->second;
    if (in_state_[id] == want) continue;
    if (want) {
      state_.data[id].assign(want->bytes);
      state_.data_hash[id] = want->hash;
    } else {
      state_.data[id].clear();
      state_.data_hash[id] = 0;
    }
    in_state_[id] = std::move(want);
  }
  return state_;
}

}  // namespace crashbench

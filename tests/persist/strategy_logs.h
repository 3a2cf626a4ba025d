// The file-system calls the built-in strategies make, as programs that run
// against a Calls interface: into a LogBuilder (the log a recording would
// give), onto a real directory (what the kernel does with them), or both.
// Each program follows its strategy's source (strategies/*.cc) call by call,
// with one worker running the tasks in order; a buffered stdio stream is
// simulated the way glibc flushes it (StdioSim).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/contract/layout.h"
#include "harness/contract/record.h"
#include "harness/persist/log_builder.h"

namespace crashbench::persist_testing {

// The calls a program makes, by name, relative to the output directory.
class Calls {
 public:
  virtual ~Calls() = default;
  virtual void Open(const std::string& path, int flags) = 0;
  virtual void Append(const std::string& path, const std::string& bytes) = 0;
  virtual void Fsync(const std::string& path) = 0;  // "" the output directory
  virtual void Close(const std::string& path) = 0;
  virtual void Rename(const std::string& from, const std::string& to) = 0;
  virtual void Ack(long long task) = 0;
};

class LogCalls final : public Calls {
 public:
  explicit LogCalls(LogBuilder* b) : b_(b) {}
  void Open(const std::string& p, int flags) override { b_->Open(p, flags); }
  void Append(const std::string& p, const std::string& bytes) override { b_->Append(p, bytes); }
  void Fsync(const std::string& p) override { b_->Fsync(p); }
  void Close(const std::string& p) override { b_->Close(p); }
  void Rename(const std::string& a, const std::string& b) override { b_->Rename(a, b); }
  void Ack(long long task) override { b_->Ack(task); }

 private:
  LogBuilder* b_;
};

// The same calls on a real directory: descriptors kept by name until closed.
class DiskCalls final : public Calls {
 public:
  // sync: whether fsync really runs (it changes nothing a snapshot sees).
  explicit DiskCalls(std::string dir, bool sync = true) : dir_(std::move(dir)), sync_(sync) {}
  ~DiskCalls() override {
    for (auto& [path, fd] : fds_) ::close(fd);
  }
  void Open(const std::string& p, int flags) override {
    const int fd = ::open((dir_ + "/" + p).c_str(), flags | O_CLOEXEC, 0644);
    if (fd >= 0) fds_[p] = fd;
  }
  void Append(const std::string& p, const std::string& bytes) override {
    // Each descriptor here was opened O_APPEND or at offset 0 and written in order.
    if (fds_.count(p) && ::write(fds_[p], bytes.data(), bytes.size()) < 0) return;
  }
  void Fsync(const std::string& p) override {
    if (!sync_) return;
    if (fds_.count(p)) {
      ::fsync(fds_[p]);
      return;
    }
    const int fd = ::open((dir_ + "/" + p).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  void Close(const std::string& p) override {
    if (!fds_.count(p)) return;
    ::close(fds_[p]);
    fds_.erase(p);
  }
  void Rename(const std::string& a, const std::string& b) override {
    ::rename((dir_ + "/" + a).c_str(), (dir_ + "/" + b).c_str());
  }
  void Ack(long long) override {}

 private:
  std::string dir_;
  bool sync_;
  std::map<std::string, int> fds_;
};

// Forwards to `log` always and to `disk` only while the log has fewer than
// `limit` ops: the program killed once it had issued `limit` ops.
class KilledAt final : public Calls {
 public:
  KilledAt(LogBuilder* log, Calls* disk, size_t limit) : log_(log), disk_(disk), limit_(limit) {}
  void Open(const std::string& p, int f) override {
    Both([&](Calls& c) { c.Open(p, f); });
  }
  void Append(const std::string& p, const std::string& b) override {
    Both([&](Calls& c) { c.Append(p, b); });
  }
  void Fsync(const std::string& p) override {
    Both([&](Calls& c) { c.Fsync(p); });
  }
  void Close(const std::string& p) override {
    Both([&](Calls& c) { c.Close(p); });
  }
  void Rename(const std::string& a, const std::string& b) override {
    Both([&](Calls& c) { c.Rename(a, b); });
  }
  void Ack(long long t) override {
    Both([&](Calls& c) { c.Ack(t); });
  }

 private:
  void Both(const std::function<void(Calls&)>& call) {
    if (log_->ops() < limit_) call(*disk_);
    LogCalls log(log_);
    call(log);
  }
  LogBuilder* log_;
  Calls* disk_;
  size_t limit_;
};

// A stdio stream's write(2) calls, as glibc makes them for a file with a
// 4096-byte buffer (_IO_new_file_xsputn): bytes fill the buffer; what does
// not fit flushes the full buffer, then whole blocks go straight out, and the
// rest waits in the buffer until the next flush or fclose.
class StdioSim {
 public:
  StdioSim(Calls* calls, std::string path) : calls_(calls), path_(std::move(path)) {}
  void Fwrite(const std::string& data) {
    const size_t take = std::min(kBuffer - buf_.size(), data.size());
    buf_ += data.substr(0, take);
    size_t rest = data.size() - take;
    if (rest == 0) return;
    Flush();
    const size_t direct = rest - rest % kBuffer;
    if (direct > 0) calls_->Append(path_, data.substr(take, direct));
    buf_ = data.substr(take + direct);
  }
  void Flush() {
    if (!buf_.empty()) calls_->Append(path_, buf_);
    buf_.clear();
  }

 private:
  static constexpr size_t kBuffer = 4096;
  Calls* calls_;
  std::string path_;
  std::string buf_;
};

struct Workload {
  long long tasks = 4;
  long long records = 4;
  size_t record_bytes = 200;
  uint64_t seed = 7;
};

inline std::string RecordText(const Workload& w, long long task, long long seq, bool newline) {
  std::string text;
  EncodeGeneratedRecordTo(w.seed, task, seq, w.records, w.record_bytes, &text);
  return newline ? text + "\n" : text;
}

// WriteRecordInHalves: two writes, the mid-record point between them.
inline void Halves(const std::string& text, const std::function<void(const std::string&)>& write) {
  write(text.substr(0, text.size() / 2));
  write(text.substr(text.size() / 2));
}

// WritePerTaskDocument through a stdio stream.
inline void PerTaskDocument(const Workload& w, long long task, StdioSim* f) {
  f->Fwrite("{\"task\":" + std::to_string(task) + ",\"count\":" + std::to_string(w.records) +
            ",\"records\":[");
  for (long long seq = 0; seq < w.records; ++seq) {
    if (seq > 0) f->Fwrite(",");
    Halves(RecordText(w, task, seq, false), [&](const std::string& s) { f->Fwrite(s); });
  }
  f->Fwrite("]}\n");
}

// strategies/atomic_rename.cc: fopen(temp, "we"), the document, [fflush+fsync],
// fclose, rename over the final name, [fsync of the directory], ack.
inline void AtomicRename(Calls& c, const Workload& w, bool fsync_file, bool fsync_dir) {
  for (long long t = 0; t < w.tasks; ++t) {
    const std::string final_name = PerTaskFileName(t);
    const std::string temp = final_name + ".tmp.4242";
    c.Open(temp, O_WRONLY | O_CREAT | O_TRUNC);
    StdioSim f(&c, temp);
    PerTaskDocument(w, t, &f);
    if (fsync_file) {
      f.Flush();
      c.Fsync(temp);
    }
    f.Flush();
    c.Close(temp);
    c.Rename(temp, final_name);
    if (fsync_dir) c.Fsync("");
    c.Ack(t);
  }
}

// strategies/per_task_file.cc: fopen(final, "we"), the document, [fflush+fsync], fclose, ack.
inline void PerTaskFile(Calls& c, const Workload& w, bool fsync_task) {
  for (long long t = 0; t < w.tasks; ++t) {
    const std::string name = PerTaskFileName(t);
    c.Open(name, O_WRONLY | O_CREAT | O_TRUNC);
    StdioSim f(&c, name);
    PerTaskDocument(w, t, &f);
    if (fsync_task) {
      f.Flush();
      c.Fsync(name);
    }
    f.Flush();
    c.Close(name);
    c.Ack(t);
  }
}

// strategies/locked_append.cc (lock=flock, open=per-task): open O_APPEND|O_CREAT,
// flock, each record in two write(2) calls, [fsync], unlock, close, ack.
inline void LockedAppend(Calls& c, const Workload& w, bool fsync_task) {
  const std::string name(kSharedFileName);
  for (long long t = 0; t < w.tasks; ++t) {
    c.Open(name, O_WRONLY | O_APPEND | O_CREAT);
    for (long long seq = 0; seq < w.records; ++seq)
      Halves(RecordText(w, t, seq, true), [&](const std::string& s) { c.Append(name, s); });
    if (fsync_task) c.Fsync(name);
    c.Close(name);
    c.Ack(t);
  }
}

// strategies/naive.cc: fopen(shared, "ae"), the records through stdio, [fflush+fsync],
// fclose, ack; tasks first, first+step, ... (one worker's share).
inline void Naive(Calls& c, const Workload& w, bool fsync_task, long long first = 0,
                  long long step = 1) {
  const std::string name(kSharedFileName);
  for (long long t = first; t < w.tasks; t += step) {
    c.Open(name, O_WRONLY | O_CREAT | O_APPEND);
    StdioSim f(&c, name);
    for (long long seq = 0; seq < w.records; ++seq)
      Halves(RecordText(w, t, seq, true), [&](const std::string& s) { f.Fwrite(s); });
    if (fsync_task) {
      f.Flush();
      c.Fsync(name);
    }
    f.Flush();
    c.Close(name);
    c.Ack(t);
  }
}

// Records a program's calls instead of making them, so that several
// workers' calls can be interleaved (Interleave).
class ScriptCalls final : public Calls {
 public:
  using Step = std::function<void(Calls&)>;
  void Open(const std::string& p, int f) override {
    steps.push_back([=](Calls& c) { c.Open(p, f); });
  }
  void Append(const std::string& p, const std::string& b) override {
    steps.push_back([=](Calls& c) { c.Append(p, b); });
  }
  void Fsync(const std::string& p) override {
    steps.push_back([=](Calls& c) { c.Fsync(p); });
  }
  void Close(const std::string& p) override {
    steps.push_back([=](Calls& c) { c.Close(p); });
  }
  void Rename(const std::string& a, const std::string& b) override {
    steps.push_back([=](Calls& c) { c.Rename(a, b); });
  }
  void Ack(long long t) override {
    steps.push_back([=](Calls& c) { c.Ack(t); });
  }
  std::vector<Step> steps;
};

// Two workers running one program each (say, the even and the odd tasks),
// their calls taken in turn, one each: the order a tracer that holds one
// call at a time could see. For logs only (DiskCalls keeps one descriptor a name).
inline void Interleave(Calls& c, const std::function<void(Calls&)>& worker0,
                       const std::function<void(Calls&)>& worker1) {
  ScriptCalls a, b;
  worker0(a);
  worker1(b);
  for (size_t i = 0; i < std::max(a.steps.size(), b.steps.size()); ++i) {
    if (i < a.steps.size()) a.steps[i](c);
    if (i < b.steps.size()) b.steps[i](c);
  }
}

// The log a program gives, from an empty output directory.
inline OpLog LogOf(const std::function<void(Calls&)>& program) {
  LogBuilder b{FsState{}};
  LogCalls calls(&b);
  program(calls);
  return std::move(b).Finish();
}

}  // namespace crashbench::persist_testing

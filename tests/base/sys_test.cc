// WriteFull, ReadFull and RetryOnEintr: scripted through the sys_detail seam
// (every short transfer, EINTR and error in a known order), and for real, a
// signal without SA_RESTART interrupting a blocking pipe write or read, so
// that the kernel itself cuts the write short and fails the next call with
// EINTR.
#include "harness/base/sys.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace crashbench {
namespace {

// ---- scripted calls ----

// What the scripted call does on each call in turn: move up to `bytes` bytes
// (0: end of stream), or fail with `err`. Past the script it moves all asked.
struct Step {
  ssize_t bytes = 0;
  int err = 0;
};
Step Moves(ssize_t n) { return {n, 0}; }
Step Fails(int err) { return {-1, err}; }

// A write(2) or read(2) that follows a script over a string, and records how
// many bytes each call asked for.
class Script {
 public:
  explicit Script(std::vector<Step> steps, std::string source = "")
      : steps_(std::move(steps)), source_(std::move(source)) {}

  ssize_t Write(const void* buf, size_t n) {
    const ssize_t moved = Next(n);
    if (moved > 0) moved_.append(static_cast<const char*>(buf), static_cast<size_t>(moved));
    return moved;
  }
  ssize_t Read(void* buf, size_t n) {
    const ssize_t moved = Next(std::min(n, source_.size() - read_at_));
    if (moved > 0) std::memcpy(buf, source_.data() + read_at_, static_cast<size_t>(moved));
    if (moved > 0) read_at_ += static_cast<size_t>(moved);
    return moved;
  }
  const std::string& written() const { return moved_; }
  const std::vector<size_t>& asked() const { return asked_; }

 private:
  ssize_t Next(size_t n) {
    asked_.push_back(n);
    if (asked_.size() > steps_.size()) return static_cast<ssize_t>(n);
    const Step& s = steps_[asked_.size() - 1];
    if (s.err != 0) {
      errno = s.err;
      return -1;
    }
    return std::min(s.bytes, static_cast<ssize_t>(n));
  }

  std::vector<Step> steps_;
  std::string source_;
  size_t read_at_ = 0;
  std::string moved_;
  std::vector<size_t> asked_;
};

Status ScriptedWriteFull(Script& script, const std::string& data) {
  return sys_detail::WriteFullWith(
      [&](int, const void* buf, size_t n) { return script.Write(buf, n); }, 3, data.data(),
      data.size());
}

Status ScriptedReadFull(Script& script, std::string* out, size_t n, size_t* got) {
  out->assign(n, '\0');
  return sys_detail::ReadFullWith([&](int, void* buf, size_t k) { return script.Read(buf, k); }, 3,
                                  out->data(), n, got);
}

const std::string kAlphabet = "abcdefghijklmnopqrstuvwxyz";

TEST(WriteFullScripted, ContinuesAfterShortWritesAndEintrWhereItStopped) {
  Script script({Moves(3), Fails(EINTR), Moves(1), Fails(EINTR), Fails(EINTR), Moves(4)});
  ASSERT_TRUE(ScriptedWriteFull(script, kAlphabet).ok());
  EXPECT_EQ(script.written(), kAlphabet);
  // Every call asks for exactly what is left: after 3, after 4, after 8 bytes.
  EXPECT_EQ(script.asked(), (std::vector<size_t>{26, 23, 23, 22, 22, 22, 18}));
}

TEST(WriteFullScripted, StopsAtTheFirstErrorThatIsNotEintr) {
  Script script({Moves(5), Fails(EIO), Moves(100)});
  Status s = ScriptedWriteFull(script, kAlphabet);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err(), EIO);
  EXPECT_EQ(s.message(), std::string("write: ") + std::strerror(EIO));
  EXPECT_EQ(script.written(), "abcde");  // the prefix written before the error
  EXPECT_EQ(script.asked().size(), 2u);
}

// A write(2) that returns 0 for a non-empty buffer (a broken device or FUSE
// file system) must end the loop with an error, not spin on it for ever.
TEST(WriteFullScripted, AWriteThatTakesNothingIsAnErrorNotALoop) {
  Script script({Moves(2), Moves(0), Moves(100)});
  Status s = ScriptedWriteFull(script, kAlphabet);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "write: wrote 0 of 24 bytes");
  EXPECT_EQ(script.written(), "ab");
  EXPECT_EQ(script.asked().size(), 2u);
}

TEST(WriteFullScripted, NothingToWriteMakesNoCall) {
  Script script({Fails(EIO)});
  EXPECT_TRUE(ScriptedWriteFull(script, "").ok());
  EXPECT_TRUE(script.asked().empty());
}

TEST(ReadFullScripted, ContinuesAfterShortReadsAndEintr) {
  Script script({Moves(2), Fails(EINTR), Moves(7), Fails(EINTR)}, kAlphabet);
  std::string out;
  size_t got = 99;
  ASSERT_TRUE(ScriptedReadFull(script, &out, 20, &got).ok());
  EXPECT_EQ(out, kAlphabet.substr(0, 20));
  EXPECT_EQ(got, 20u);
  EXPECT_EQ(script.asked(), (std::vector<size_t>{20, 18, 18, 11, 11}));
}

TEST(ReadFullScripted, AStreamThatEndsFirstIsEofWithTheBytesThatArrived) {
  Script script({Moves(4), Fails(EINTR), Moves(0)}, kAlphabet);
  std::string out;
  size_t got = 99;
  Status s = ScriptedReadFull(script, &out, 10, &got);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "eof");
  EXPECT_EQ(s.err(), 0);
  EXPECT_EQ(got, 4u);
  EXPECT_EQ(out.substr(0, 4), "abcd");
}

TEST(ReadFullScripted, AnErrorSaysHowManyBytesArrivedBeforeIt) {
  Script script({Moves(6), Fails(EBADF)}, kAlphabet);
  std::string out;
  size_t got = 99;
  Status s = ScriptedReadFull(script, &out, 10, &got);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err(), EBADF);
  EXPECT_EQ(s.message(), std::string("read: ") + std::strerror(EBADF));
  EXPECT_EQ(got, 6u);
}

TEST(RetryOnEintr, RetriesEintrAndNothingElse) {
  int calls = 0;
  long r = RetryOnEintr([&]() -> long {
    if (++calls <= 3) {
      errno = EINTR;
      return -1;
    }
    return 42;
  });
  EXPECT_EQ(r, 42);
  EXPECT_EQ(calls, 4);

  calls = 0;
  int failed = RetryOnEintr([&] {
    ++calls;
    errno = EAGAIN;
    return -1;
  });
  EXPECT_EQ(failed, -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(calls, 1);

  // -1 is the failure value; another negative result is returned as it is.
  calls = 0;
  errno = EINTR;
  EXPECT_EQ(RetryOnEintr([&] { return ++calls, -2; }), -2);
  EXPECT_EQ(calls, 1);
}

// ---- the kernel's own short writes and EINTR ----

std::atomic<int> g_signals{0};
void CountSignal(int) { g_signals.fetch_add(1); }

// SIGUSR1 counted by CountSignal, installed without SA_RESTART so that a
// blocking call it interrupts returns (short, or EINTR) instead of restarting.
class InterruptingSignal {
 public:
  InterruptingSignal() {
    g_signals = 0;
    struct sigaction sa = {};
    sa.sa_handler = CountSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    ::sigaction(SIGUSR1, &sa, &old_);
  }
  ~InterruptingSignal() { ::sigaction(SIGUSR1, &old_, nullptr); }

 private:
  struct sigaction old_ = {};
};

bool WaitFor(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// The system call a thread of this process is blocked in, from
// /proc/self/task/TID/syscall; -1 when it is not blocked in one (or is gone).
long BlockedIn(pid_t tid) {
  Result<std::string> s = ReadFileToString("/proc/self/task/" + std::to_string(tid) + "/syscall");
  if (!s.ok() || s->empty() || !std::isdigit(static_cast<unsigned char>((*s)[0]))) return -1;
  return std::strtol(s->c_str(), nullptr, 10);
}

int Unread(int fd) {
  int n = -1;
  ::ioctl(fd, FIONREAD, &n);
  return n;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

struct Transfer {
  Status status;
  std::string bytes;
};

using WriteFullCall = std::function<Status(int, const void*, size_t)>;

// A writer thread writes `data` in one write_full call into a blocking pipe of
// one page that nobody reads yet. When the pipe is full, a signal ends that
// write(2) with part of its bytes written (a short write); the next write(2)
// finds the pipe still full, blocks, and a second signal fails it with EINTR
// before it wrote anything. Then the pipe is read to its end.
Transfer WriteUnderSignals(const std::string& data, const WriteFullCall& write_full) {
  InterruptingSignal signal;
  UniqueFd r, w;
  EXPECT_TRUE(MakePipe(&r, &w).ok());
  const int page = ::fcntl(w.get(), F_SETPIPE_SZ, 4096);
  EXPECT_GT(page, 0);
  EXPECT_LT(static_cast<size_t>(page), data.size());
  std::atomic<pid_t> tid{0};
  Transfer t;
  std::thread writer([&] {
    tid = static_cast<pid_t>(::syscall(SYS_gettid));
    t.status = write_full(w.get(), data.data(), data.size());
    w.Reset();  // the reader sees the end
  });
  EXPECT_TRUE(WaitFor([&] { return Unread(r.get()) == page && BlockedIn(tid) == SYS_write; }));
  ::pthread_kill(writer.native_handle(), SIGUSR1);
  EXPECT_TRUE(WaitFor([&] { return g_signals == 1; }));
  // Blocked again, in the next write(2), the page still unread.
  EXPECT_TRUE(WaitFor([&] { return BlockedIn(tid) == SYS_write; }));
  EXPECT_EQ(Unread(r.get()), page);
  ::pthread_kill(writer.native_handle(), SIGUSR1);
  EXPECT_TRUE(WaitFor([&] { return g_signals == 2; }));
  char buf[8192];
  for (ssize_t n; (n = RetryOnEintr([&] { return ::read(r.get(), buf, sizeof buf); })) > 0;)
    t.bytes.append(buf, static_cast<size_t>(n));
  writer.join();
  return t;
}

TEST(WriteFullInterrupted, WritesEverythingThroughARealShortWriteAndEintr) {
  const std::string data = Pattern(64 * 1024);
  Transfer t = WriteUnderSignals(data, WriteFull);
  EXPECT_TRUE(t.status.ok()) << t.status.message();
  EXPECT_EQ(t.bytes.size(), data.size());
  EXPECT_TRUE(t.bytes == data);
}

// What the test above relies on: the kernel really cut a write short and
// really failed one with EINTR (else that test proves nothing).
TEST(WriteFullInterrupted, TheSignalsReallyCauseAShortWriteAndEintr) {
  const std::string data = Pattern(64 * 1024);
  std::vector<std::pair<size_t, ssize_t>> calls;  // asked, returned (-errno on failure)
  auto recording_write = [&](int fd, const void* buf, size_t n) {
    const ssize_t r = ::write(fd, buf, n);
    const int err = errno;
    calls.emplace_back(n, r < 0 ? -err : r);
    errno = err;
    return r;
  };
  Transfer t = WriteUnderSignals(data, [&](int fd, const void* buf, size_t n) {
    return sys_detail::WriteFullWith(recording_write, fd, buf, n);
  });
  EXPECT_TRUE(t.status.ok());
  EXPECT_TRUE(t.bytes == data);
  ASSERT_GE(calls.size(), 3u);
  EXPECT_EQ(calls[0].first, data.size());
  EXPECT_GT(calls[0].second, 0);  // short: part of it written
  EXPECT_LT(calls[0].second, static_cast<ssize_t>(data.size()));
  EXPECT_EQ(calls[1].second, -EINTR);
  EXPECT_EQ(calls[1].first, data.size() - static_cast<size_t>(calls[0].second));
  EXPECT_EQ(calls[2].first, calls[1].first);  // the same rest, asked again
}

// A reader thread reads 30 bytes in one ReadFull from an empty pipe: a signal
// fails its read(2) with EINTR; then 10 bytes arrive (a short read), then 20.
TEST(ReadFullInterrupted, ReadsEverythingThroughEintrAndAShortRead) {
  InterruptingSignal signal;
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  std::atomic<pid_t> tid{0};
  std::string got_bytes(30, '\0');
  size_t got = 0;
  Status status;
  std::thread reader([&] {
    tid = static_cast<pid_t>(::syscall(SYS_gettid));
    status = ReadFull(r.get(), got_bytes.data(), got_bytes.size(), &got);
  });
  const std::string data = kAlphabet + "0123";
  EXPECT_TRUE(WaitFor([&] { return BlockedIn(tid) == SYS_read; }));
  ::pthread_kill(reader.native_handle(), SIGUSR1);
  EXPECT_TRUE(WaitFor([&] { return g_signals == 1; }));
  // Not returned with the EINTR: blocked in read(2) again.
  EXPECT_TRUE(WaitFor([&] { return BlockedIn(tid) == SYS_read; }));
  EXPECT_TRUE(WriteFull(w.get(), data.data(), 10).ok());
  // The 10 bytes taken, and still reading for the other 20.
  EXPECT_TRUE(WaitFor([&] { return Unread(r.get()) == 0 && BlockedIn(tid) == SYS_read; }));
  EXPECT_TRUE(WriteFull(w.get(), data.data() + 10, 20).ok());
  reader.join();
  EXPECT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(got, 30u);
  EXPECT_EQ(got_bytes, data);
}

TEST(WriteFullReal, AClosedPipeIsAnErrorWithItsErrno) {
  struct sigaction ignore = {}, old = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  r.Reset();
  Status s = WriteFull(w.get(), "x", 1);
  ::sigaction(SIGPIPE, &old, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err(), EPIPE);
  EXPECT_EQ(s.message(), std::string("write: ") + std::strerror(EPIPE));
}

}  // namespace
}  // namespace crashbench

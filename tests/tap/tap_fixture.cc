// A program for the syscall tap's tests: each mode makes a known sequence of
// file-changing calls (raw and stdio writes, pwrite, writev, relative paths,
// openat with a dirfd, renames, unlinks, children, threads), and reports on
// stdout what its calls returned, so a test can see what a fault did to it.
//
//   tap_fixture events OUTSIDE_FILE EXTRA_FILE   (cwd: the watched directory)
//   tap_fixture records FILE COUNT               one 32-byte line per write(2)
//   tap_fixture writev FILE                      one writev of 3 x 10 bytes
//   tap_fixture stdio FILE MARKER                buffered lines, a raw write to MARKER, fclose
//   tap_fixture tree FILE CHILDREN               children write, then wait forever
//   tap_fixture hang                             a parent waits on a child blocked on a full pipe
//   tap_fixture orphan FILE                      the parent leaves; its child writes later
//   tap_fixture fsync FILE                       write, fsync, report fsync's result
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

void WriteFile(const char* path, const char* text, int flags = O_TRUNC) {
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
  if (fd < 0 || write(fd, text, strlen(text)) < 0) std::printf("%s: errno=%d\n", path, errno);
  if (fd >= 0) close(fd);
}

int Events(const char* outside, const char* extra) {
  int fd = open("raw.bin", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  (void)!write(fd, "0123456789", 10);
  (void)!pwrite(fd, "AB", 2, 20);
  iovec iov[2] = {{const_cast<char*>("xy"), 2}, {const_cast<char*>("zwv"), 3}};
  (void)!writev(fd, iov, 2);
  close(fd);
  FILE* f = std::fopen("stdio.txt", "w");
  std::fprintf(f, "hello stdio\n");
  std::fclose(f);
  mkdir("sub", 0755);
  int dir = open("sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int at = openat(dir, "at.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  (void)!write(at, "at", 2);
  close(at);
  close(dir);
  rename("raw.bin", "sub/moved.bin");
  unlink("stdio.txt");
  pid_t child = fork();
  if (child == 0) {
    WriteFile("child.txt", "child");
    _exit(0);
  }
  waitpid(child, nullptr, 0);
  std::thread t([] { WriteFile("thread.txt", "thread"); });
  t.join();
  WriteFile(outside, "outside");
  WriteFile(extra, "1\n", O_APPEND);
  return 0;
}

int Records(const char* path, int count) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  for (int i = 0; i < count; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "record %03d ....................\n", i);
    const ssize_t n = write(fd, line, 32);
    if (n < 0) std::printf("write %d failed errno=%d\n", i, errno);
    if (n >= 0 && n < 32) std::printf("write %d short %zd\n", i, n);
    std::fflush(stdout);
  }
  close(fd);
  return 0;
}

int Writev(const char* path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  iovec iov[3] = {{const_cast<char*>("aaaaaaaaaa"), 10},
                  {const_cast<char*>("bbbbbbbbbb"), 10},
                  {const_cast<char*>("cccccccccc"), 10}};
  const ssize_t n = writev(fd, iov, 3);
  std::printf("writev %zd iov1 %zu\n", n, iov[1].iov_len);  // the iovec is the program's again
  close(fd);
  return 0;
}

int Stdio(const char* path, const char* marker) {
  FILE* f = std::fopen(path, "w");
  for (int i = 0; i < 10; ++i) std::fprintf(f, "buffered line %d\n", i);
  WriteFile(marker, "marker");
  std::fclose(f);
  return 0;
}

int Tree(const char* path, int children) {
  for (int i = 0; i < children; ++i)
    if (fork() == 0) {
      WriteFile((std::string(path) + "." + std::to_string(i)).c_str(), "child");
      for (;;) pause();
    }
  WriteFile(path, "parent");
  for (;;) pause();
}

int Hang() {
  int p[2];
  if (pipe(p) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    static char big[1 << 20];
    (void)!write(p[1], big, sizeof big);  // nobody reads: blocks once the pipe is full
    _exit(0);
  }
  waitpid(child, nullptr, 0);  // and the parent waits for it: a deadlock
  return 0;
}

int Orphan(const char* path) {
  if (fork() == 0) {
    usleep(300 * 1000);
    WriteFile(path, "late");
    _exit(0);
  }
  return 0;
}

int Fsync(const char* path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  (void)!write(fd, "x", 1);
  std::printf("fsync %d\n", fsync(fd));
  close(fd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "events" && argc == 4) return Events(argv[2], argv[3]);
  if (mode == "records" && argc == 4) return Records(argv[2], std::atoi(argv[3]));
  if (mode == "writev" && argc == 3) return Writev(argv[2]);
  if (mode == "stdio" && argc == 4) return Stdio(argv[2], argv[3]);
  if (mode == "tree" && argc == 4) return Tree(argv[2], std::atoi(argv[3]));
  if (mode == "hang") return Hang();
  if (mode == "orphan" && argc == 3) return Orphan(argv[2]);
  if (mode == "fsync" && argc == 3) return Fsync(argv[2]);
  std::fprintf(stderr, "tap_fixture: unknown mode or arguments\n");
  return 2;
}

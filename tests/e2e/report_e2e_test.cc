// Reports as a user and a CI job meet them: `crashbench run` writes them beside
// results.json, `crashbench report` rewrites them from a results file, and
// report.html renders in a real headless browser (Debian's chromium) with the
// expected elements and no console error.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "harness/base/sys.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

std::string Slurp(const std::string& path) {
  Result<std::string> s = ReadFileToString(path);
  return s.ok() ? *s : std::string();
}

// A scenario that fails its expectation every trial (per-task-file leaves a
// cut-short file at the final name when killed mid-record) and a fault-free
// one that has costs.
void WriteScenarios(const ScratchDir& d) {
  d.Write("s.json", R"([
    {"name":"pt-killed <&>","strategy":"per-task-file","workers":2,
     "workload":{"tasks":8,"records_per_task":4,"record_bytes":64},
     "fault":{"kind":"sigkill","trigger":{"point":"mid-record"}},"trials":2,"seed":5,
     "expect":{"forbid":["torn","partial-visible"]}},
    {"name":"pt-clean","strategy":"per-task-file","workers":2,
     "workload":{"tasks":8,"records_per_task":4,"record_bytes":64},"trials":3,"seed":5}])");
}

TEST(Reports, RunWritesTheReportsBesideResultsUnlessTold) {
  ScratchDir d;
  WriteScenarios(d);
  CommandResult r = RunCrashbench({"run", "s.json", "--out", "out", "--no-progress"}, d.path());
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "reports: out/{summary.md,junit.xml,report.html,bench.json}"))
      << r.out;
  const std::string junit = Slurp(d.path() + "/out/junit.xml");
  EXPECT_TRUE(Contains(junit, "<testsuites name=\"crashbench\" tests=\"2\" failures=\"1\""))
      << junit;
  EXPECT_TRUE(
      Contains(junit, "/s.json --scenario &apos;pt-killed &lt;&amp;&gt;&apos; --trial 0 --keep"))
      << junit;
  EXPECT_TRUE(Contains(Slurp(d.path() + "/out/summary.md"), "| pt-clean |"));
  EXPECT_TRUE(Contains(Slurp(d.path() + "/out/bench.json"), "\"name\": \"pt-clean_median\""));
  EXPECT_TRUE(Contains(Slurp(d.path() + "/out/report.html"), "class=\"heat-cell\""));
  EXPECT_FALSE(Contains(r.out, "::error")) << "annotations only on GitHub Actions";

  CommandResult bare =
      RunCrashbench({"run", "s.json", "--out", "bare", "--no-reports", "--no-progress"}, d.path());
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_TRUE(ReadFileToString(d.path() + "/bare/results.json").ok());
  EXPECT_FALSE(ReadFileToString(d.path() + "/bare/junit.xml").ok());
  EXPECT_FALSE(Contains(bare.out, "reports:"));
}

TEST(Reports, ReportCommandOnGithubActionsAnnotatesAndAppendsTheStepSummary) {
  ScratchDir d;
  WriteScenarios(d);
  ASSERT_EQ(
      RunCrashbench({"run", "s.json", "--out", "out", "--no-reports", "--no-progress"}, d.path())
          .exit_code,
      1);
  d.Write("step.md", "an earlier step\n");
  CommandResult r =
      RunCrashbench({"report", "out/results.json", "--out", "rep"}, d.path(),
                    {"GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY=" + d.path() + "/step.md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(r.out, "::error "), 1u) << r.out;
  EXPECT_TRUE(Contains(
      r.out, "::error file=s.json,title=crashbench%3A pt-killed <&> failed its expectation::"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "Replay: " + std::string(CRASHBENCH_BINARY) + " run " + d.path() +
                                  "/s.json --scenario 'pt-killed <&>' --trial 0 --keep"))
      << r.out;
  const std::string step = Slurp(d.path() + "/step.md");
  EXPECT_EQ(step, "an earlier step\n" + Slurp(d.path() + "/rep/summary.md"));
  EXPECT_TRUE(Contains(step, "**1/2") || Contains(step, "**2/2")) << step;
}

TEST(Reports, ReportCommandRefusesWhatIsNotAResultsFile) {
  ScratchDir d;
  CommandResult missing = RunCrashbench({"report", "nope.json"}, d.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "nope.json")) << missing.err;
  d.Write("bench.json", R"({"context":{},"benchmarks":[]})");
  CommandResult other = RunCrashbench({"report", "bench.json"}, d.path());
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_TRUE(Contains(other.err, "bench.json: not a crashbench results file")) << other.err;
  EXPECT_EQ(RunCrashbench({"report"}, d.path()).exit_code, 2);
}

// ---- the headless browser ----

std::string FindBrowser() {
  if (const char* env = std::getenv("CRASHBENCH_CHROMIUM"); env && *env)
    return ::access(env, X_OK) == 0 ? env : "";
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

struct BrowserRun {
  int exit_code = -1;
  bool timed_out = false;
  int ended_outside_group = 0;  // processes that had left the group (crash handlers)
  std::string out, err;
};

// Children of `parent` (zombies included), from /proc/PID/stat's ppid field.
std::vector<int> ChildrenOf(pid_t parent) {
  std::vector<int> kids;
  DIR* d = ::opendir("/proc");
  if (!d) return kids;
  while (dirent* e = ::readdir(d)) {
    const int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    Result<std::string> stat = ReadFileToString("/proc/" + std::string(e->d_name) + "/stat");
    if (!stat.ok()) continue;
    const size_t paren = stat->rfind(')');  // the command name may hold spaces and parentheses
    int ppid = 0;
    if (paren != std::string::npos &&
        std::sscanf(stat->c_str() + paren + 1, " %*c %d", &ppid) == 1 && ppid == parent)
      kids.push_back(pid);
  }
  ::closedir(d);
  return kids;
}

// Starts the browser in a process group of its own (its pid is the group's),
// with its profile, home, caches and temp files inside `dir`, the environment
// marker, and stdout and stderr in dir/stdout and dir/stderr. -1 if fork failed.
pid_t StartBrowser(const std::string& browser, const std::vector<std::string>& args,
                   const std::string& dir, const std::string& marker) {
  const std::string home = dir + "/home", tmp = dir + "/tmp";
  (void)MakeDirs(home);
  (void)MakeDirs(tmp);
  std::vector<std::string> argv_s = {browser,
                                     "--headless",
                                     "--disable-gpu",
                                     "--no-sandbox",
                                     "--no-first-run",
                                     "--disable-extensions",
                                     "--disable-background-networking",
                                     "--enable-logging=stderr",
                                     "--v=0",
                                     "--user-data-dir=" + dir + "/profile"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s = {"HOME=" + home,
                                    "TMPDIR=" + tmp,
                                    "XDG_CONFIG_HOME=" + home + "/.config",
                                    "XDG_CACHE_HOME=" + home + "/.cache",
                                    "PATH=/usr/bin:/bin",
                                    marker};
  std::vector<char*> argv, envp;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (pid > 0) ::setpgid(pid, pid);  // also here: no window in which the group does not exist yet
  return pid;
}

// Waits for the browser until timeout_ms, then kills its group; its wait status.
int WaitForBrowser(pid_t pid, int timeout_ms, BrowserRun* run) {
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() > deadline) {
      run->timed_out = true;
      ::kill(-pid, SIGKILL);
      RetryOnEintr([&] { return ::waitpid(pid, &status, 0); });
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status;
}

// Kills and reaps, for up to 5 s, what the browser in group `pid` left behind:
// this process's children not in children_before (reparented here, the
// subreaper) and every process carrying the marker. Returns those still there.
std::vector<int> KillBrowserLeftovers(pid_t pid, const std::vector<int>& children_before,
                                      const std::string& marker, BrowserRun* run) {
  const auto started_here = [&](int p) {
    return std::find(children_before.begin(), children_before.end(), p) == children_before.end();
  };
  std::vector<int> left;
  for (int i = 0; i < 250; ++i) {  // at most 5 s
    left.clear();
    for (int p : ChildrenOf(::getpid()))
      if (started_here(p)) left.push_back(p);
    for (int p : ProcessesWithEnv(marker))
      if (std::find(left.begin(), left.end(), p) == left.end()) left.push_back(p);
    if (left.empty()) break;
    if (i == 0)
      for (int p : left) run->ended_outside_group += ::getpgid(p) != pid;
    for (int p : left) {
      ::kill(p, SIGKILL);
      ::waitpid(p, nullptr, WNOHANG);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return left;
}

// Runs the browser in a process group of its own, with its profile, home,
// caches and temp files inside `dir`, and an environment marker. On timeout
// the whole group is killed; after the browser exits its group is killed
// anyway. chromium's crash handler daemonizes out of the group, so the test
// process is a child subreaper while the browser runs: whatever leaves the
// group is reparented here, then killed by pid and reaped. *leftovers gets the
// processes still alive (or still carrying the marker) after that.
BrowserRun RunBrowser(const std::string& browser, const std::vector<std::string>& args,
                      const std::string& dir, int timeout_ms, std::vector<int>* leftovers) {
  const std::string marker = "CRASHBENCH_BROWSER_TEST=" + dir;
  int was_subreaper = 0;
  ::prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  const std::vector<int> children_before = ChildrenOf(::getpid());
  const pid_t pid = StartBrowser(browser, args, dir, marker);
  BrowserRun run;
  if (pid < 0) return run;
  const int status = WaitForBrowser(pid, timeout_ms, &run);
  ::kill(-pid, SIGKILL);  // helpers (zygote, renderer, gpu) that outlived the browser
  *leftovers = KillBrowserLeftovers(pid, children_before, marker, &run);
  ::prctl(PR_SET_CHILD_SUBREAPER, was_subreaper);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = Slurp(dir + "/stdout");
  run.err = Slurp(dir + "/stderr");
  return run;
}

// Console messages (errors, CSP violations, failed loads) as chromium logs
// them with --enable-logging=stderr: "...:INFO:CONSOLE(1)] "message", source: ...".
std::vector<std::string> ConsoleLines(const std::string& err) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    std::string line = err.substr(start, end - start);
    if (Contains(line, ":CONSOLE")) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

TEST(ReportInBrowser, RendersHeatMapCostBarsAndReplayWithoutConsoleErrors) {
  const std::string browser = FindBrowser();
  if (browser.empty())
    GTEST_SKIP() << "skipped: no headless browser (install Debian's chromium: scripts/bootstrap.sh "
                    "tries to; "
                    "or set CRASHBENCH_CHROMIUM to one)";
  ScratchDir d;
  WriteScenarios(d);
  ASSERT_EQ(RunCrashbench({"run", "s.json", "--out", "out", "--no-progress"}, d.path()).exit_code,
            1);
  const std::string report = d.path() + "/out/report.html";
  constexpr int kTimeoutMs = 60000;

  // A control page proves the browser runs here and that console errors and
  // blocked network loads are seen; without it "no console error" would prove nothing.
  d.Write("control.html",
          "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
          "content=\"default-src 'none'; "
          "script-src 'unsafe-inline'\"></head><body><p id=\"alive\">alive</p>"
          "<img src=\"http://127.0.0.1:9/x.png\"><script>console.error('control "
          "error')</script></body></html>");
  std::vector<int> leftovers;
  ScratchDir control_dir;
  BrowserRun control = RunBrowser(browser, {"--dump-dom", "file://" + d.path() + "/control.html"},
                                  control_dir.path(), kTimeoutMs, &leftovers);
  EXPECT_TRUE(leftovers.empty()) << leftovers.size() << " browser processes outlived their group";
  ASSERT_FALSE(control.timed_out) << "the browser hung on a trivial page; killed after "
                                  << kTimeoutMs << " ms";
  if (!Contains(control.out, "id=\"alive\""))
    GTEST_SKIP() << "skipped: " << browser << " does not run headless here (exit "
                 << control.exit_code << "): "
                 << control.err.substr(control.err.size() > 600 ? control.err.size() - 600 : 0);
  const std::string control_console = Joined(ConsoleLines(control.err));
  ASSERT_TRUE(Contains(control_console, "control error")) << control.err;
  ASSERT_TRUE(Contains(control_console, "Content Security Policy")) << control.err;

  ScratchDir dom_dir;
  BrowserRun dom = RunBrowser(browser, {"--dump-dom", "file://" + report}, dom_dir.path(),
                              kTimeoutMs, &leftovers);
  EXPECT_TRUE(leftovers.empty());
  ASSERT_FALSE(dom.timed_out);
  EXPECT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_EQ(Count(dom.out, "class=\"heat-cell\""), 2u) << dom.out.substr(0, 2000);
  EXPECT_EQ(Count(dom.out, "class=\"cost-bar\""), 1u);
  EXPECT_EQ(Count(dom.out, "class=\"limit-line\""), 1u);
  EXPECT_GE(Count(dom.out, "class=\"stage-seg\""), 1u);
  EXPECT_EQ(Count(dom.out, "<pre class=\"replay\">"), 2u);  // both trials failed
  EXPECT_TRUE(Contains(dom.out, "/s.json --scenario 'pt-killed &lt;&amp;&gt;' --trial 0 --keep"))
      << dom.out;
  EXPECT_GE(Count(dom.out, "<details>"), 2u);
  EXPECT_EQ(ConsoleLines(dom.err), std::vector<std::string>{})
      << "console messages from report.html";

  ScratchDir shot_dir;
  const std::string png = shot_dir.path() + "/report.png";
  BrowserRun shot =
      RunBrowser(browser, {"--screenshot=" + png, "--window-size=1280,1600", "file://" + report},
                 shot_dir.path(), kTimeoutMs, &leftovers);
  EXPECT_TRUE(leftovers.empty());
  ASSERT_FALSE(shot.timed_out);
  EXPECT_EQ(ConsoleLines(shot.err), std::vector<std::string>{});
  const std::string image = Slurp(png);
  ASSERT_GT(image.size(), 1000u) << shot.err;
  EXPECT_EQ(image.compare(0, 8, "\x89PNG\r\n\x1a\n"), 0);
}

TEST(ReportInBrowser, ABrowserThatDoesNotFinishInTimeIsKilledWithItsWholeGroup) {
  const std::string browser = FindBrowser();
  if (browser.empty()) GTEST_SKIP() << "skipped: no headless browser (see the test above)";
  ScratchDir d;
  // A page whose script never ends: the browser never finishes it, so the
  // timeout path is taken every time, as a hang would take it. By then its
  // crash handlers have usually left the group and must be ended as well.
  d.Write("page.html", "<!DOCTYPE html><title>t</title><script>for (;;) {}</script><p>never</p>");
  std::vector<int> leftovers;
  BrowserRun run = RunBrowser(browser, {"--dump-dom", "file://" + d.path() + "/page.html"},
                              d.path() + "/b", 500, &leftovers);
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.exit_code, 128 + SIGKILL);
  std::cout << "browser killed at 500 ms; " << run.ended_outside_group
            << " processes that had left its group were ended and reaped\n";
  EXPECT_TRUE(leftovers.empty()) << leftovers.size() << " browser processes escaped the group";
  EXPECT_TRUE(ProcessesWithEnv("CRASHBENCH_BROWSER_TEST=" + d.path() + "/b").empty());
}

}  // namespace
}  // namespace crashbench::testing

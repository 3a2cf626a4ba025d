// crashbench tap --out DIR [--keep-bytes] -- CMD ARGS...: runs a command under
// the syscall tap and prints every file-changing call it made under DIR, with
// the signature a syscall trigger matches, so a user can see which write
// carries their record before writing a trigger (and with --keep-bytes, what
// each write held).
#include <sys/wait.h>

#include <iostream>

#include "harness/base/process.h"
#include "harness/base/sys.h"
#include "harness/cli/subcommand_setup.h"
#include "harness/tap/observers.h"

namespace crashbench {
namespace {

// The first bytes of a write, printable: "{\"task\": 17, ..." (at most 60 characters).
std::string BytesExcerpt(const std::string& bytes) {
  std::string s;
  for (size_t i = 0; i < bytes.size() && s.size() < 60; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '\n')
      s += "\\n";
    else if (c == '"' || c == '\\')
      (s += '\\') += static_cast<char>(c);
    else if (c < 0x20 || c >= 0x7f)
      s += '.';
    else
      s += static_cast<char>(c);
  }
  return "\"" + s + (s.size() >= 60 ? "...\"" : "\"");
}

void PrintOutcome(const TapOutcome& o, bool keep_bytes) {
  std::cout << "events (" << o.events.size() << "):\n";
  for (const TapEvent& e : o.events) {
    std::cout << "  #" << e.seq << " " << EventSignature(e);
    if (e.extra) std::cout << " (extra)";
    if (e.result) std::cout << " = " << *e.result;
    if (keep_bytes && !e.bytes.empty()) std::cout << " " << BytesExcerpt(e.bytes);
    std::cout << "\n";
  }
  std::cout << "processes:\n";
  for (const TapProcessEnd& p : o.processes)
    std::cout << "  " << p.process << " (pid " << p.pid << ") " << p.end << "\n";
  if (o.hang) std::cout << "hang: " << o.hang_diagnosis << "\n";
  std::cout << "took " << o.duration_us / 1000 << " ms\n";
}

}  // namespace

CLI::App* AddTapCommand(CLI::App& app, TapCliCommand& tap) {
  CLI::App* cmd = app.add_subcommand(
      "tap",
      "Run a command under the syscall tap and list the file-changing calls it makes under "
      "--out, each with the signature a syscall trigger matches");
  cmd->add_option("--out", tap.out, "The directory watched (made if missing)")->required();
  cmd->add_flag("--keep-bytes", tap.keep_bytes, "Also show the first bytes of each write");
  cmd->add_flag("--no-results", tap.no_results,
                "Do not stop at each call's exit for its result (about half the stops)");
  cmd->add_option("--deadline-ms", tap.deadline_ms,
                  "Then every process left is diagnosed and killed (default 60000)")
      ->check(CLI::Range(1LL, 24LL * 3600 * 1000));
  cmd->add_option("command", tap.argv, "The command and its arguments, after --")->required();
  cmd->footer(
      "The command runs in the current directory with CRASHBENCH_OUT_DIR set to --out.\n"
      "Exit codes: 0 the command exited 0; 1 it failed, died or hung; 2 bad arguments or a "
      "command that cannot start; 3 the tap failed; 125 the tap cannot run here (no ptrace or "
      "seccomp).");
  return cmd;
}

int RunTapCliCommand(const TapCliCommand& tap) {
  if (Status st = MakeDirs(tap.out); !st.ok()) {
    std::cerr << "crashbench tap: --out " << tap.out << ": " << st.message() << "\n";
    return 2;
  }
  char real[PATH_MAX];
  if (!::realpath(tap.out.c_str(), real)) {
    std::cerr << "crashbench tap: --out " << tap.out << ": cannot resolve it\n";
    return 2;
  }
  if (Status st = TapAvailable(); !st.ok()) {
    std::cerr << "crashbench tap: the syscall tap cannot run here: " << st.message() << "\n";
    return 125;
  }
  TapCommand cmd;
  cmd.argv = tap.argv;
  cmd.watch_dir = real;
  cmd.env["CRASHBENCH_OUT_DIR"] = real;
  cmd.keep_bytes = tap.keep_bytes;
  cmd.results = !tap.no_results;
  cmd.deadline_ms = tap.deadline_ms;
  cmd.stdin_fd = 0;
  Recorder rec;
  Result<TapOutcome> r = RunTapped(cmd, rec);
  if (!r.ok()) {
    std::cerr << "crashbench tap: " << r.status().message() << "\n";
    return r.status().err() == ENOENT || r.status().err() == EACCES ? 2 : 3;
  }
  PrintOutcome(*r, tap.keep_bytes);
  const bool ok = !r->hang && WIFEXITED(r->root_status) && WEXITSTATUS(r->root_status) == 0;
  if (!ok) std::cout << "the command " << DescribeWaitStatus(r->root_status) << "\n";
  return ok ? 0 : 1;
}

}  // namespace crashbench

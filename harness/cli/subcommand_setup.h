// The command-line set-up of the subcommands that read or repair results
// (merge, replay, shrink, report, gate, compare, recover, clean): each adds its
// options to app, bound to the command's fields, and returns the subcommand.
// main.cc sets up run, verify and sweep itself and calls these in --help order.
#pragma once

#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"

namespace crashbench {

CLI::App* AddMergeCommand(CLI::App& app, MergeCommand& merge);
CLI::App* AddReplayCommand(CLI::App& app, ReplayTrialCommand& replay);
CLI::App* AddShrinkCommand(CLI::App& app, ShrinkCommand& shrink);
CLI::App* AddReportCommand(CLI::App& app, ReportCommand& report);
CLI::App* AddGateCommand(CLI::App& app, GateCommand& gate);
CLI::App* AddCompareCommand(CLI::App& app, CompareCommand& compare);
CLI::App* AddRecoverCommand(CLI::App& app, RecoverCommand& recover);
CLI::App* AddCleanCommand(CLI::App& app, CleanCommand& clean);
CLI::App* AddTapCommand(CLI::App& app, TapCliCommand& tap);  // in cmd_tap.cc

}  // namespace crashbench

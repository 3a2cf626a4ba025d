#!/usr/bin/python3
"""make bench-peer: crashbench's kill -9 trial against the Python harness a
user would write instead (bench/peer/peer.py) and against the floor of the
trial (crashbench-floor: fork, write, kill, reap, nothing else), run
interleaved on this machine, A B F A B F ..., so that load drifts hit every
side alike.

Every side runs the same trial (bench/peer/trial.json: atomic-rename, 4
workers, 64 tasks x 16 records x 256 B, SIGKILL of one worker at a random
moment) TRIALS times a round, as a whole process, calibration and start-up
included; a side's rate is TRIALS / its wall time. Per round, the ratios
crashbench/peer and crashbench/floor; printed: each side's median rate with
min-max, and each ratio's median with min-max and IQR over the rounds.

    bench/peer/bench_peer.py --build build --rounds 5 --trials 100 [--fsync task]
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"  # not a pyenv shim: the shim adds processes to the peer's time


def timed(argv):
    """Runs argv; returns (wall s, user s, sys s, stdout). Exits on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit("bench-peer: %s exited %d\n%s%s" % (" ".join(argv), done.returncode,
                                                   done.stdout[-2000:], done.stderr[-2000:]))
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, done.stdout


def quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def describe(xs, unit=""):
    lo, hi = quartiles(xs)
    return "%.2f%s (min-max %.2f-%.2f, IQR %.2f-%.2f)" % (
        statistics.median(xs), unit, min(xs), max(xs), lo, hi)


def scenario_file(tmp, fsync):
    with open(os.path.join(HERE, "trial.json")) as f:
        s = json.load(f)
    s["options"]["fsync"] = fsync
    path = os.path.join(tmp, "trial.json")
    with open(path, "w") as f:
        json.dump(s, f)
    return path


def sides(args, tmp):
    crashbench = os.path.join(args.build, "crashbench")
    floor = os.path.join(args.build, "crashbench-floor")
    for exe in (crashbench, floor):
        if not os.access(exe, os.X_OK):
            sys.exit("bench-peer: %s is not built (make build, or cmake --build %s --target %s)"
                     % (exe, args.build, os.path.basename(exe)))
    scenario = scenario_file(tmp, args.fsync)
    out = os.path.join(tmp, "crashbench-out")
    n = str(args.trials)
    yield "crashbench", [crashbench, "run", scenario, "--trials", n, "--jobs", str(args.jobs),
                         "--out", out, "--no-progress", "--no-reports", "--scratch", tmp]
    yield "peer", [PYTHON, os.path.join(HERE, "peer.py"), "--trials", n, "--fsync", args.fsync,
                   "--scratch", tmp]
    if args.fsync == "none":  # the floor never fsyncs
        yield "floor", [floor, n, tmp]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--trials", type=int, default=100, help="trials a side a round")
    p.add_argument("--jobs", type=int, default=2, help="crashbench run --jobs")
    p.add_argument("--fsync", choices=["none", "task"], default="none")
    args = p.parse_args(argv)
    if args.rounds < 1 or args.trials < 1:
        p.error("--rounds and --trials must be at least 1")
    tmp = tempfile.mkdtemp(prefix="bench-peer-")
    rates, cpu = {}, {}
    try:
        for r in range(args.rounds):
            for name, argv_ in sides(args, tmp):
                wall, user, sys_s, _ = timed(argv_)
                rates.setdefault(name, []).append(args.trials / wall)
                cpu.setdefault(name, []).append((user, sys_s))
                print("round %d %-10s %7.1f trials/s  (wall %.2f s, user %.2f s, sys %.2f s)"
                      % (r + 1, name, args.trials / wall, wall, user, sys_s), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n%d rounds of %d trials a side, interleaved; fsync=%s; crashbench --jobs %d; "
          "load average %.1f at the end" % (args.rounds, args.trials, args.fsync, args.jobs,
                                            os.getloadavg()[0]))
    for name, xs in rates.items():
        sys_ms = statistics.median(s for _, s in cpu[name]) * 1000 / args.trials
        user_ms = statistics.median(u for u, _ in cpu[name]) * 1000 / args.trials
        print("%-10s trials/s %s; per trial %.1f ms user, %.1f ms system"
              % (name, describe(xs), user_ms, sys_ms))
    cb = rates["crashbench"]
    print("crashbench / peer  %s" % describe([a / b for a, b in zip(cb, rates["peer"])], "x"))
    if "floor" in rates:
        print("crashbench / floor %s" % describe([a / b for a, b in zip(cb, rates["floor"])], "x"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

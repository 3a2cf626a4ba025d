#!/usr/bin/python3
"""Peak memory of `crashbench run` at two trial counts (issue 14: flat from
1,000 to 10,000 trials). Runs one small kill -9 scenario (bench/peer/tiny.json)
with --trials SMALL, then LARGE, each as a whole process, and reads each
run's peak resident set (ru_maxrss of the run and the trial processes it
waited for, from wait4). Prints both and their difference; exits 1 when the
difference is above --limit-kb (default 1024: within 1 MB), so it checks a
measured quantity, never a time.

    /usr/bin/python3 bench/memory_flat.py --build build [--small 1000 --large 10000]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_rss_kb(argv):
    """Runs argv to its end; returns its peak resident set in KiB."""
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(argv, stdout=null, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        err = proc.stderr.read().decode(errors="replace")
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit("memory_flat: %s exited %d\n%s" % (" ".join(argv), proc.returncode, err[-2000:]))
    return usage.ru_maxrss


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default="build")
    p.add_argument("--small", type=int, default=1000)
    p.add_argument("--large", type=int, default=10000)
    p.add_argument("--limit-kb", type=int, default=1024)
    p.add_argument("--no-reports", action="store_true",
                   help="pass --no-reports: results.json only, to tell the reports' share")
    args = p.parse_args(argv)
    exe = os.path.join(args.build, "crashbench")
    tmp = tempfile.mkdtemp(prefix="memory-flat-")
    peaks = {}
    try:
        for n in (args.small, args.large):
            peaks[n] = peak_rss_kb([exe, "run", os.path.join(HERE, "peer", "tiny.json"),
                                    "--trials", str(n), "--out", os.path.join(tmp, str(n)),
                                    "--no-progress", "--scratch", tmp]
                                   + (["--no-reports"] if args.no_reports else []))
            print("%6d trials: peak RSS %d KiB" % (n, peaks[n]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    diff = peaks[args.large] - peaks[args.small]
    ok = diff <= args.limit_kb
    print("difference %+d KiB (%.0f bytes a trial); limit %d KiB: %s"
          % (diff, diff * 1024 / (args.large - args.small), args.limit_kb,
             "flat" if ok else "NOT flat"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

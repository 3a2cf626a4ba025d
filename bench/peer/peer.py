#!/usr/bin/python3
"""The harness a user would write instead of crashbench (issue 14): the same
kill -9 trial, in plain Python 3 (stdlib only), as a reference for
crashbench's trials per second.

One trial: a fresh scratch directory; fork W workers, worker i taking tasks
i, i+W, ... of the workload, each task written as crashbench's atomic-rename
does it (a temp file in the output directory, written, optionally fsynced,
renamed over task-<T>.json, the directory optionally fsynced), then
acknowledged to the parent over a pipe; SIGKILL one worker (drawn from the
seed) at a random moment (drawn from a fault-free calibration run, as
crashbench's {"random": true} trigger is), the others then taking no new
task, as crashbench's pool does; wait for every worker; parse every
file and check every record's CRC-32C against the acknowledgements; remove
the directory. Records are crashbench's record contract, written and checked
with subjects/python/crashbench_records.py (pure Python, as a user's own
harness would have to compute CRC-32C).

    /usr/bin/python3 bench/peer/peer.py --trials 50
    -> one JSON line: trials, seconds, trials_per_s, violations, ...

Exit 0 when no trial showed a violation (torn, corrupt, duplicate,
lost-acked, partial-visible), 1 otherwise, 2 on bad arguments.
"""

import argparse
import json
import os
import random
import select
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "subjects", "python"))
import crashbench_records as cr  # noqa: E402


def write_task(out_dir, task, args):
    """atomic-rename's recipe for one task; returns once the task is committed."""
    records = cr.task_records(task, args.records, args.seed, args.bytes)
    data = cr.per_task_document(task, records).encode("ascii")
    final = os.path.join(out_dir, "task-%d.json" % task)
    temp = "%s.tmp.%d" % (final, os.getpid())
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if args.fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, final)
    if args.fsync:
        dfd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def stopped(stop_r):
    """The parent closed the stop pipe: the pool is broken, take no new task."""
    return bool(select.select([stop_r], [], [], 0)[0])


def worker_main(out_dir, index, args, ack_w, stop_r):
    try:
        for task in range(index, args.tasks, args.workers):
            if stopped(stop_r):
                break
            write_task(out_dir, task, args)
            os.write(ack_w, b"%d\n" % task)
        code = 0
    except BaseException:  # noqa: B902 - a worker never returns into the parent's loop
        code = 1
    os._exit(code)


def run_workers(out_dir, args, kill_at=None, victim=0):
    """Forks the workers, kills one at kill_at seconds (None: no fault), reaps
    them all; returns (acked task ids, seconds from first fork to last reap).
    After the kill the others finish the task they hold and take no other, as
    in crashbench's pool (fail-pool, like ProcessPoolExecutor's broken pool),
    so that both harnesses write the same share of the workload."""
    ack_r, ack_w = os.pipe()
    stop_r, stop_w = os.pipe()
    start = time.monotonic()
    pids = []
    for i in range(args.workers):
        pid = os.fork()
        if pid == 0:
            os.close(ack_r)
            os.close(stop_w)
            worker_main(out_dir, i, args, ack_w, stop_r)
        pids.append(pid)
    os.close(ack_w)
    os.close(stop_r)
    if kill_at is not None:
        delay = start + kill_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        os.kill(pids[victim], signal.SIGKILL)  # unreaped: the pid is still ours
    os.close(stop_w)
    received = b""
    while True:
        chunk = os.read(ack_r, 65536)
        if not chunk:
            break
        received += chunk
    os.close(ack_r)
    for pid in pids:
        os.waitpid(pid, 0)
    acked = {int(line) for line in received.split(b"\n") if line}
    return acked, time.monotonic() - start


def check_document(path, task, args):
    """The anomalies of one final file: [] when it holds the whole task."""
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read())
    except ValueError:
        return ["torn"]
    if not isinstance(doc, dict) or doc.get("task") != task or doc.get("count") != args.records:
        return ["corrupt"]
    found = []
    seqs = set()
    for r in doc.get("records", []):
        ok = isinstance(r, dict) and r.get("task") == task and r.get("of") == args.records and \
            isinstance(r.get("seq"), int) and isinstance(r.get("payload"), str)
        if not ok or r.get("crc") != cr.record_crc(task, r["seq"], r["of"], r["payload"]):
            found.append("corrupt")
            continue
        if r["seq"] in seqs:
            found.append("duplicate")
        seqs.add(r["seq"])
    if len(seqs) != args.records:
        found.append("lost-acked")
    return found


def verify(out_dir, acked, args):
    """Counts of anomalies, by kind, in what the trial left."""
    counts = {}
    seen = set()
    for name in os.listdir(out_dir):
        if name.startswith("task-") and name.endswith(".json"):
            task = int(name[5:-5])
            seen.add(task)
            for kind in check_document(os.path.join(out_dir, name), task, args):
                counts[kind] = counts.get(kind, 0) + 1
        else:
            counts["orphan-temp"] = counts.get("orphan-temp", 0) + 1
    for task in range(args.tasks):
        if task not in seen:
            kind = "lost-acked" if task in acked else "lost-unacked"
            counts[kind] = counts.get(kind, 0) + 1
    return counts


VIOLATIONS = ("torn", "corrupt", "duplicate", "lost-acked", "partial-visible")


def trial(args, rng, window):
    out_dir = tempfile.mkdtemp(prefix="peer-", dir=args.scratch)
    try:
        kill_at = None if window is None else rng.uniform(0, window)
        acked, seconds = run_workers(out_dir, args, kill_at, rng.randrange(args.workers))
        return verify(out_dir, acked, args), seconds
    finally:
        shutil.rmtree(out_dir)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--tasks", type=int, default=64)
    p.add_argument("--records", type=int, default=16, help="records per task")
    p.add_argument("--bytes", type=int, default=256, help="payload bytes per record")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--fsync", choices=["none", "task"], default="none")
    p.add_argument("--scratch", default=os.environ.get("TMPDIR", "/tmp"))
    args = p.parse_args(argv)
    if min(args.trials, args.workers, args.tasks, args.records, args.bytes) < 1:
        p.error("--trials, --workers, --tasks, --records and --bytes must be at least 1")
    args.fsync = args.fsync == "task"
    return args


def main(argv):
    args = parse_args(argv)
    rng = random.Random(args.seed)
    start = time.monotonic()
    _, window = trial(args, rng, None)  # calibration: the fault-free run's length
    totals = {}
    with_violations = 0
    for _ in range(args.trials):
        counts, _ = trial(args, rng, window)
        for kind, n in counts.items():
            totals[kind] = totals.get(kind, 0) + n
        with_violations += any(counts.get(k) for k in VIOLATIONS)
    seconds = time.monotonic() - start
    print(json.dumps({"harness": "python-peer", "trials": args.trials, "seconds": round(seconds, 4),
                      "trials_per_s": round(args.trials / seconds, 3),
                      "calibration_ms": round(window * 1000, 3),
                      "trials_with_violations": with_violations, "anomalies": totals}))
    return 1 if with_violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

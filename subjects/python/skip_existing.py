"""A restartable job that skips every task whose output file already exists
("make"-style resume), run again by the operator after a crash.

Usage: skip_existing.py unsafe|safe

unsafe: each task writes json.dump(doc, open(path, "w")) at the final name.
  Killed mid-dump, it leaves a cut file; the restart sees the file, skips the
  task, exits 0, and the downstream parse fails.
safe: each task writes a temporary file, fsyncs it, os.replace()s it over the
  final name and fsyncs the directory: the final name only ever holds a whole
  document, so the restart's skip is right.
"""
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed


def write_unsafe(path, doc):
    json.dump(doc, open(path, "w"))


def write_safe(path, doc):
    temp = path + ".tmp"
    with open(temp, "w") as f:
        json.dump(doc, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
    dir_fd = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def work(mode, out_dir, task, records, size):
    path = os.path.join(out_dir, f"task-{task}.json")
    if os.path.exists(path):
        return task  # done by an earlier run
    doc = {"task": task, "records": [{"seq": s, "data": "x" * size} for s in range(records)]}
    (write_safe if mode == "safe" else write_unsafe)(path, doc)
    return task


def ack(task):
    path = os.environ.get("CRASHBENCH_ACK_FILE")
    if path:
        with open(path, "a") as f:
            f.write(f"{task}\n")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "unsafe"
    env = os.environ
    out_dir = env["CRASHBENCH_OUT_DIR"]
    tasks = int(env.get("CRASHBENCH_TASKS", "64"))
    records = int(env.get("CRASHBENCH_RECORDS_PER_TASK", "16"))
    size = int(env.get("CRASHBENCH_RECORD_BYTES", "256"))
    workers = int(env.get("CRASHBENCH_WORKERS", "4"))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(work, mode, out_dir, t, records, size) for t in range(tasks)]
        for future in as_completed(futures):
            ack(future.result())


if __name__ == "__main__":
    main()

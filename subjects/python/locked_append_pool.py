"""Workers append their records to one shared file, each task's records under
a module-level multiprocessing.Lock, so that no two tasks mix.

Usage: locked_append_pool.py fork|spawn|forkserver

With "fork" the workers inherit the parent's lock and it excludes. With
"spawn" and "forkserver" each worker imports this module anew and creates a
lock of its own: nothing is excluded. json.dump hands a record to the file in
pieces, and a record larger than the file's buffer reaches the kernel in
several write(2) calls, so records of different workers interleave (and a
reader of the JSON lines finds damaged ones) with no fault at all.
"""
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

LOCK = multiprocessing.Lock()


def work(path, task, records, size):
    with LOCK:
        with open(path, "a") as f:
            for seq in range(records):
                json.dump({"task": task, "seq": seq, "data": "x" * size}, f)
                f.write("\n")
    return task


def ack(task):
    path = os.environ.get("CRASHBENCH_ACK_FILE")
    if path:
        with open(path, "a") as f:
            f.write(f"{task}\n")


def main():
    method = sys.argv[1] if len(sys.argv) > 1 else "fork"
    env = os.environ
    path = os.path.join(env["CRASHBENCH_OUT_DIR"], "records.jsonl")
    tasks = int(env.get("CRASHBENCH_TASKS", "64"))
    records = int(env.get("CRASHBENCH_RECORDS_PER_TASK", "16"))
    size = int(env.get("CRASHBENCH_RECORD_BYTES", "256"))
    workers = int(env.get("CRASHBENCH_WORKERS", "4"))
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(work, path, t, records, size) for t in range(tasks)]
        for future in as_completed(futures):
            ack(future.result())


if __name__ == "__main__":
    main()

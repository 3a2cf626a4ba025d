"""A ProcessPoolExecutor job whose tasks each write their output safely
(a temporary file, then os.replace), while the parent logs each finished
task (appends its id to $CRASHBENCH_ACK_FILE).

When a worker dies (killed, out of memory) the pool breaks: the parent's
result() raises BrokenProcessPool, every pending task fails with it, and the
program exits 1 with a traceback. Nothing acknowledged is lost and no file
is torn; the dead worker's temporary file is left behind.
"""
import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed


def work(out_dir, task, records, size):
    final = os.path.join(out_dir, f"task-{task}.json")
    temp = final + ".tmp"
    doc = {"task": task, "records": [{"seq": s, "data": "x" * size} for s in range(records)]}
    with open(temp, "w") as f:
        json.dump(doc, f)
    os.replace(temp, final)
    return task


def ack(task):
    path = os.environ.get("CRASHBENCH_ACK_FILE")
    if path:
        with open(path, "a") as f:
            f.write(f"{task}\n")


def main():
    env = os.environ
    out_dir = env["CRASHBENCH_OUT_DIR"]
    tasks = int(env.get("CRASHBENCH_TASKS", "64"))
    records = int(env.get("CRASHBENCH_RECORDS_PER_TASK", "16"))
    size = int(env.get("CRASHBENCH_RECORD_BYTES", "256"))
    workers = int(env.get("CRASHBENCH_WORKERS", "4"))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(work, out_dir, t, records, size) for t in range(tasks)]
        for future in as_completed(futures):
            ack(future.result())  # raises BrokenProcessPool once a worker died


if __name__ == "__main__":
    main()

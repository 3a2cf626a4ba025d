"""Each ProcessPoolExecutor task writes its own output file at its final name
with json.dump(doc, open(path, "w")), and the parent logs a task as done
(appends its id to $CRASHBENCH_ACK_FILE) when its future completes.

A worker killed while it writes leaves an empty or cut file at the final
name, where a downstream reader takes it for a finished one.
"""
import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed


def work(out_dir, task, records, size):
    doc = {"task": task, "records": [{"seq": s, "data": "x" * size} for s in range(records)]}
    with open(os.path.join(out_dir, f"task-{task}.json"), "w") as f:
        json.dump(doc, f)
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
            ack(future.result())


if __name__ == "__main__":
    main()

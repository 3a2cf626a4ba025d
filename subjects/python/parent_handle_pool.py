"""The parent opens the output file and hands the file object to its
ProcessPoolExecutor workers, as if a worker could write through it.

What really happens: a file object cannot be pickled, so every task fails
while it is being sent to a worker. Each future holds the error, nobody asks
for the results, and the program exits 0 having written nothing: a silent
failure that only a reader of the output can see.

Environment (set by crashbench): CRASHBENCH_OUT_DIR, CRASHBENCH_TASKS,
CRASHBENCH_RECORDS_PER_TASK, CRASHBENCH_RECORD_BYTES, CRASHBENCH_WORKERS.
"""
import json
import os
from concurrent.futures import ProcessPoolExecutor


def work(out, task, records, size):
    for seq in range(records):
        out.write(json.dumps({"task": task, "seq": seq, "data": "x" * size}) + "\n")
    return task


def main():
    env = os.environ
    out_dir = env["CRASHBENCH_OUT_DIR"]
    tasks = int(env.get("CRASHBENCH_TASKS", "64"))
    records = int(env.get("CRASHBENCH_RECORDS_PER_TASK", "16"))
    size = int(env.get("CRASHBENCH_RECORD_BYTES", "256"))
    workers = int(env.get("CRASHBENCH_WORKERS", "4"))
    with open(os.path.join(out_dir, "records.jsonl"), "w") as out:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for task in range(tasks):
                pool.submit(work, out, task, records, size)
    print("all tasks submitted")


if __name__ == "__main__":
    main()

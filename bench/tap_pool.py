#!/usr/bin/env python3
"""The syscall tap's overhead subject: a ProcessPoolExecutor of 4 workers
writing 64 files (one per task, 16 records of 256 bytes, one write each),
the shape of the pipelines crashbench is for.

    python3 bench/tap_pool.py OUT_DIR                            # untraced
    crashbench tap --out OUT_DIR -- python3 bench/tap_pool.py OUT_DIR   # traced

The ratio of the two wall times, measured in one session and alternated, is
the tap's overhead (docs/DESIGN.md, "The syscall tap")."""
import os
import sys
from concurrent.futures import ProcessPoolExecutor

TASKS, RECORDS, RECORD_BYTES = 64, 16, 256


def write_task(args):
    out, task = args
    path = os.path.join(out, f"task-{task:03d}.jsonl")
    with open(path, "w") as f:
        for r in range(RECORDS):
            line = f'{{"task": {task}, "seq": {r}, "pad": "'
            line += "x" * (RECORD_BYTES - len(line) - 3) + '"}\n'
            f.write(line)
            f.flush()
    return task


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with ProcessPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(write_task, [(out, t) for t in range(TASKS)]))
    assert done == list(range(TASKS))


if __name__ == "__main__":
    main()

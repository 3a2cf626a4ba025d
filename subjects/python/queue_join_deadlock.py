"""A worker puts its results on a multiprocessing.Queue, and the parent
join()s the worker before reading the queue.

The queue's feeder thread in the worker blocks writing the full pipe, the
worker cannot exit until its data is flushed, and the parent waits for it
forever: the deadlock the multiprocessing documentation warns of ("joining
processes that use queues"). Nothing is written to the output directory.
"""
import multiprocessing
import os


def work(queue, tasks, size):
    for task in range(tasks):
        queue.put((task, "x" * size))


def main():
    env = os.environ
    tasks = int(env.get("CRASHBENCH_TASKS", "64"))
    size = int(env.get("CRASHBENCH_RECORD_BYTES", "256")) * int(
        env.get("CRASHBENCH_RECORDS_PER_TASK", "16"))
    queue = multiprocessing.Queue()
    worker = multiprocessing.Process(target=work, args=(queue, tasks, size))
    worker.start()
    worker.join()  # before draining the queue: deadlocks once the pipe is full
    out = os.path.join(env["CRASHBENCH_OUT_DIR"], "results.jsonl")
    with open(out, "w") as f:
        while not queue.empty():
            task, data = queue.get()
            f.write(f'{{"task": {task}, "bytes": {len(data)}}}\n')


if __name__ == "__main__":
    main()

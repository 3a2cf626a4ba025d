"""Records in crashbench's record contract, from Python (pure Python 3, no
dependencies), so that a program of your own can be judged by the `records`
oracle exactly as crashbench's built-in strategies are.

One record is one JSON object, with the CRC-32C of "task:seq:of:payload":

    {"task":12,"seq":3,"of":16,"payload":"...","crc":"1a2b3c4d"}

Layouts: "shared" (every record a line of records.jsonl) and "per-task"
(task-<T>.json holding {"task":T,"count":N,"records":[...]}).

    import crashbench_records as cr
    w = cr.workload()                        # CRASHBENCH_* from the environment
    for task in range(w.tasks):
        cr.append_task(w.out_dir + "/records.jsonl", task, w.records_per_task,
                       seed=w.seed, record_bytes=w.record_bytes)
        cr.ack(task)                         # after the task is committed

The bytes are exactly those crashbench's own writers produce (payload
generator included), so a record written here equals the built-in one for
the same (seed, task, seq). As a script, `python3 crashbench_records.py
write shared OUT_DIR` writes a whole workload and `... record T S OF` prints
one record (see --help).
"""

import argparse
import json
import os
import sys
from collections import namedtuple

__all__ = [
    "crc32c", "record_crc", "payload", "encode_record", "task_records",
    "per_task_document", "append_task", "write_task_file", "ack", "workload",
]

_MASK = (1 << 64) - 1


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli) of bytes, continuing from crc.
    crc32c(b"123456789") == 0xE3069283."""
    c = crc ^ 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def record_crc(task, seq, of, payload_text):
    """The crc field: 8 lowercase hex digits of CRC-32C("task:seq:of:payload")."""
    head = ("%d:%d:%d:" % (task, seq, of)).encode("ascii")
    return "%08x" % crc32c(payload_text.encode("ascii"), crc32c(head))


# Payload characters: byte x (0..63) becomes 0x23 + x, skipping 0x5C '\\':
# 64 printable symbols, none of which needs JSON escaping.
_PAYLOAD_CHARS = bytes(0x23 + (b & 63) + (1 if (b & 63) >= 57 else 0) for b in range(256))


def payload(seed, task, seq, nbytes):
    """The deterministic payload of (seed, task, seq), nbytes characters long:
    the same text crashbench's MakePayload gives (SplitMix64 seeding a
    xorshift64 stream, eight characters a draw)."""
    state = (seed & _MASK) ^ (((task & _MASK) * 0xD1B54A32D192ED03) & _MASK) \
        ^ (((seq & _MASK) * 0x8CB92BA72F3D8DD7) & _MASK)
    z = (state + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    x = (z ^ (z >> 31)) | 1
    out = bytearray()
    for _ in range((nbytes + 7) // 8):
        x ^= (x << 13) & _MASK
        x ^= x >> 7
        x ^= (x << 17) & _MASK
        out += x.to_bytes(8, "little")
    return bytes(out[:nbytes]).translate(_PAYLOAD_CHARS).decode("ascii")


def encode_record(task, seq, of, payload_text):
    """One record as JSON text, without a newline. The payload must be
    printable ASCII; '"' and '\\' are escaped (the crc covers the payload as
    a reader parses it)."""
    if not (0 <= seq < of) or task < 0:
        raise ValueError("need task >= 0 and 0 <= seq < of, got %d, %d, %d" % (task, seq, of))
    if any(not (0x20 <= ord(c) <= 0x7E) for c in payload_text):
        raise ValueError("the payload must be printable ASCII")
    return '{"task":%d,"seq":%d,"of":%d,"payload":%s,"crc":"%s"}' % (
        task, seq, of, json.dumps(payload_text), record_crc(task, seq, of, payload_text))


def task_records(task, of, seed=0, record_bytes=64):
    """The task's `of` records with generated payloads, as JSON texts."""
    return [encode_record(task, s, of, payload(seed, task, s, record_bytes)) for s in range(of)]


def per_task_document(task, records):
    """The per-task layout's document for these record texts, with its newline."""
    return '{"task":%d,"count":%d,"records":[%s]}\n' % (task, len(records), ",".join(records))


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def append_task(path, task, of, seed=0, record_bytes=64, fsync=False):
    """Appends the task's records to the shared file, one per line, in one
    write(2) on an O_APPEND descriptor (continued if the kernel writes less)."""
    data = "".join(r + "\n" for r in task_records(task, of, seed, record_bytes)).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        _write_all(fd, data)
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


def write_task_file(out_dir, task, of, seed=0, record_bytes=64, atomic=True, fsync=True):
    """Writes task-<T>.json. atomic: a temp file in out_dir, fsync, rename over
    the final name, fsync the directory (a crash leaves no partial document
    at the final name, perhaps a .tmp file beside it); otherwise straight to
    the final name. fsync=False leaves out both fsyncs (tempfile + os.replace
    as most code writes it): safe when a process dies, not when power fails."""
    data = per_task_document(task, task_records(task, of, seed, record_bytes)).encode("ascii")
    final = os.path.join(out_dir, "task-%d.json" % task)
    target = os.path.join(out_dir, ".task-%d.json.tmp-%d" % (task, os.getpid())) if atomic else final
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        _write_all(fd, data)
        if atomic and fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
    if atomic:
        os.replace(target, final)
    if atomic and fsync:
        dfd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def ack(task, ack_file=None):
    """Acknowledges a committed task: one write of "<task>\\n" appended to
    $CRASHBENCH_ACK_FILE (nothing when there is none)."""
    path = ack_file if ack_file is not None else os.environ.get("CRASHBENCH_ACK_FILE", "")
    if not path:
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        _write_all(fd, b"%d\n" % task)
    finally:
        os.close(fd)


Workload = namedtuple("Workload", "out_dir tasks records_per_task record_bytes workers seed")


def workload(environ=None):
    """The workload crashbench gives a subject, from CRASHBENCH_* variables."""
    env = os.environ if environ is None else environ

    def number(name, default):
        return int(env.get("CRASHBENCH_" + name, default))
    return Workload(env.get("CRASHBENCH_OUT_DIR", "."), number("TASKS", 4),
                    number("RECORDS_PER_TASK", 4), number("RECORD_BYTES", 64),
                    number("WORKERS", 1), number("SEED", 0))


def _main(argv):
    w = workload()
    p = argparse.ArgumentParser(description="Write records in crashbench's record contract.")
    sub = p.add_subparsers(dest="cmd", required=True)
    rec = sub.add_parser("record", help="print one record")
    for name in ("task", "seq", "of"):
        rec.add_argument(name, type=int)
    rec.add_argument("--payload", help="the payload text (default: generated)")
    wr = sub.add_parser("write", help="write a whole workload, acknowledging each task")
    wr.add_argument("layout", choices=["shared", "per-task"])
    wr.add_argument("out_dir", nargs="?", default=w.out_dir)
    wr.add_argument("--tasks", type=int, default=w.tasks)
    wr.add_argument("--records", type=int, default=w.records_per_task)
    wr.add_argument("--direct", action="store_true", help="per-task: no temp file and rename")
    wr.add_argument("--no-fsync", action="store_true",
                    help="per-task: temp file and rename without fsync of the file or directory")
    for q in (rec, wr):
        q.add_argument("--seed", type=int, default=w.seed)
        q.add_argument("--bytes", type=int, default=w.record_bytes)
    a = p.parse_args(argv)
    if a.cmd == "record":
        text = a.payload if a.payload is not None else payload(a.seed, a.task, a.seq, a.bytes)
        print(encode_record(a.task, a.seq, a.of, text))
        return 0
    for task in range(a.tasks):
        if a.layout == "shared":
            append_task(os.path.join(a.out_dir, "records.jsonl"), task, a.records, a.seed, a.bytes)
        else:
            write_task_file(a.out_dir, task, a.records, a.seed, a.bytes, atomic=not a.direct,
                            fsync=not a.no_fsync)
        ack(task)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus (tests/fuzz/corpus/<target>/) from the
project's own files: scenarios/*.json, results/baseline.json cut down to a few
scenarios and trials, and records of tests/verify/testdata. Run it again when
those formats change; the output is committed (a few KB a file)."""
import json
import pathlib
import shutil

root = pathlib.Path(__file__).resolve().parents[2]
corpus = root / "tests/fuzz/corpus"


def write(target, name, text):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text)


# Scenario parser: every scenario file, and a few shapes the files do not use.
for f in sorted((root / "scenarios").glob("*.json")):
    write("scenarios", f.name, f.read_text())
write("scenarios", "minimal.json", '{"name":"m","strategy":"naive"}\n')
write("scenarios", "options.json", json.dumps(
    {"name": "o", "strategy": "queue-writer", "options": {"ack": "on-write"},
     "fault": {"kind": "sigkill", "target": "writer",
               "trigger": {"point": "mid-record", "occurrence": 2}},
     "workload": {"tasks": 4, "records_per_task": 2, "record_bytes": 64},
     "expect": {"forbid": ["duplicate"], "show": ["torn"]}}))
write("scenarios", "after.json", json.dumps(
    [{"name": "a", "strategy": "locked-append", "fault": {"kind": "abort",
      "trigger": {"after_records": 10}}, "on_worker_death": "retry-task"},
     {"name": "b", "strategy": "per-task-file", "fault": {"kind": "eio",
      "trigger": {"after_ms": 5}}, "resume": "skip-existing", "start_method": "spawn"}]))

# Results reader: the baseline cut to a few scenarios of few trials.
baseline = json.loads((root / "results/baseline.json").read_text())


def cut(indices, trials=2, details=2):
    doc = {k: v for k, v in baseline.items() if k != "scenarios"}
    doc["context"] = {k: v for k, v in doc["context"].items() if k != "limits"}
    doc["scenarios"] = []
    for i in indices:
        s = dict(baseline["scenarios"][i])
        s["trials"] = []
        for t in baseline["scenarios"][i]["trials"][:trials]:
            t = dict(t)
            t["details"] = t.get("details", [])[:details]
            t["processes"] = t.get("processes", [])[:2]
            s["trials"].append(t)
        doc["scenarios"].append(s)
    return json.dumps(doc, indent=1) + "\n"


write("results", "naive-none.json", cut([0]))
write("results", "torn-and-hang.json", cut([11, 19], trials=1))
write("results", "per-task-and-orphans.json", cut([21, 41, 69], trials=1, details=1))
failed = json.loads(cut([20], trials=1))
failed["scenarios"][0]["trials"][0]["anomalies"] = {"torn": 1}
failed["scenarios"][0]["trials"][0]["error"] = "worker 3 exited 139"
failed["scenarios"][0]["summary"]["expectation"] = "failed"
failed["interrupted"] = True
write("results", "failed-interrupted.json", json.dumps(failed) + "\n")

# Verifier: records of a real shared-handle run.
lines = (root / "tests/verify/testdata/shared-handle-a.jsonl").read_text().splitlines(True)
task0 = [l for l in lines if l.startswith('{"task":0,')][:16]
write("verify", "shared-complete.txt", "s t=2 r=16 a=0,1\n" + "".join(task0))
write("verify", "shared-torn.txt",
      "s t=1 a=0\n" + "".join(task0[:3]) + task0[3][:70] + task0[4] + task0[5] + task0[5])
write("verify", "shared-interleaved.txt", "s\n" + "".join(lines[345:352]))
write("verify", "shared-no-options.txt", "s\n" + "".join(task0[:4]))
recs = [l.rstrip("\n") for l in task0[:4]]
doc0 = '{"task":0,"count":4,"records":[' + ",".join(recs) + "]}"
write("verify", "per-task.txt",
      "p t=3 r=4 a=0,2\n=== task-0.json\n" + doc0 + "\n=== task-1.json\n" + doc0[:200] +
      "\n=== task-2.json.tmp\n" + doc0 + "\n=== notes.txt\nx\n")
write("verify", "per-task-one.txt", "p\n" + doc0 + "\n")

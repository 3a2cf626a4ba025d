#!/usr/bin/python3
"""The peer's own checks (ctest bench/peer_test): its verifier finds damage
it is shown, and a short run of real trials is clean (atomic rename under
kill -9 never leaves a torn or lost acknowledged task)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import peer  # noqa: E402


class Verifier(unittest.TestCase):
    def setUp(self):
        self.args = peer.parse_args(["--tasks", "4", "--records", "3", "--bytes", "32"])
        self.dir = tempfile.mkdtemp(prefix="peer-test-")
        for task in range(4):
            peer.write_task(self.dir, task, self.args)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def path(self, task):
        return os.path.join(self.dir, "task-%d.json" % task)

    def test_whole_output_is_clean(self):
        self.assertEqual(peer.verify(self.dir, {0, 1, 2, 3}, self.args), {})

    def test_a_cut_file_is_torn(self):
        with open(self.path(1), "r+b") as f:
            f.truncate(40)
        self.assertEqual(peer.verify(self.dir, {0, 1, 2, 3}, self.args), {"torn": 1})

    def test_a_changed_payload_fails_its_crc(self):
        with open(self.path(2), "rb") as f:
            doc = json.loads(f.read())
        doc["records"][1]["payload"] = "x" + doc["records"][1]["payload"][1:]
        with open(self.path(2), "w") as f:
            json.dump(doc, f)
        counts = peer.verify(self.dir, {0, 1, 2, 3}, self.args)
        self.assertEqual(counts.get("corrupt"), 1)

    def test_a_missing_task_is_lost_when_acknowledged_only(self):
        os.unlink(self.path(3))
        self.assertEqual(peer.verify(self.dir, {0, 1, 2, 3}, self.args), {"lost-acked": 1})
        self.assertEqual(peer.verify(self.dir, {0, 1, 2}, self.args), {"lost-unacked": 1})

    def test_a_temp_file_is_an_orphan(self):
        open(self.path(0) + ".tmp.77", "w").close()
        self.assertEqual(peer.verify(self.dir, {0, 1, 2, 3}, self.args), {"orphan-temp": 1})


class Run(unittest.TestCase):
    def test_kill_trials_show_no_violation(self):
        scratch = tempfile.mkdtemp(prefix="peer-run-")
        try:
            done = subprocess.run([sys.executable, os.path.join(HERE, "peer.py"), "--trials", "3",
                                   "--tasks", "8", "--records", "2", "--scratch", scratch],
                                  stdout=subprocess.PIPE, text=True, check=False)
            self.assertEqual(done.returncode, 0, done.stdout)
            result = json.loads(done.stdout)
            self.assertEqual(result["trials"], 3)
            self.assertEqual(result["trials_with_violations"], 0)
            self.assertEqual(os.listdir(scratch), [])  # every trial's directory removed
        finally:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    unittest.main()

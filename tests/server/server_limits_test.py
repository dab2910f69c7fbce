#!/usr/bin/env python3
"""End-to-end tests of what `rampart server` bounds per user: browser sessions, lockouts, and
what a workflow's own output can make the engine do.

    server_limits_test.py /path/to/rampart [unittest args]

Runs its own server with small limits (--max-sessions-per-user 3 --max-sessions 7
--auth-failure-limit 5), so that the limits are reached in a few requests, and checks them from
two client addresses (127.0.0.1 and 127.0.0.2 both reach a loopback server on Linux).
"""

import json
import os
import subprocess
import sys
import unittest

import http_probes
import server_api_test
from server_api_test import Server, call, wait_finished


def login(token):
    r = call("POST", "/api/v1/session", token)
    return r.headers["Set-Cookie"].split(";")[0] if r.status_code == 200 else r


def session_alive(cookie):
    return call("GET", "/api/v1/session", headers={"Cookie": cookie}).status_code == 200


class ServerLimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        server_api_test.SERVER = Server(["--max-sessions-per-user", "3", "--max-sessions", "7",
                                         "--auth-failure-limit", "5", "--auth-lockout", "120"])
        cls.server = server_api_test.SERVER
        cls.viewer = cls.server.token("vera", "viewer", "team-a")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_sessions_are_capped_per_user_and_in_all(self):
        # One login more than the cap ends the user's oldest session; the others live on.
        cookies = [login(self.viewer) for _ in range(4)]
        self.assertFalse(session_alive(cookies[0]))
        self.assertTrue(all(session_alive(c) for c in cookies[1:]))
        # Logging in in a loop does not grow the server: still 3 for this user.
        for _ in range(50):
            login(self.viewer)
        self.assertFalse(any(session_alive(c) for c in cookies))
        # 3 (vera) + 3 (sam) + 1 (ada) fill the 7; the next login anyone makes is refused.
        sam = self.server.token("sam", "viewer", "team-a")
        ada = self.server.token("ada", "viewer", "team-a")
        for token in (sam, sam, sam, ada):
            self.assertIsInstance(login(token), str)
        refused = login(ada)
        self.assertEqual(refused.status_code, 429, refused.text)
        self.assertIn("--max-sessions", refused.json()["message"])
        self.assertEqual(refused.headers["Cache-Control"], "no-store")

    def test_a_stranger_guessing_a_token_id_cannot_lock_its_owner_out(self):
        token_id = self.viewer.split("_")[1]
        stranger = "127.0.0.2"
        for i in range(8):
            guess = f"rampart_{token_id}_{i:064x}"
            http_probes.call_from(self.server.url, stranger, "GET", "/api/v1/info", guess)
        # The stranger is locked out, even with the real token...
        r = http_probes.call_from(self.server.url, stranger, "GET", "/api/v1/info", self.viewer)
        self.assertEqual(r.status_code, 429, r.text)
        # ...and the owner, on another address, is not.
        self.assertEqual(call("GET", "/api/v1/info", self.viewer).status_code, 200)
        out = subprocess.run(["curl", "-sk", "--interface", "127.0.0.1", "-o", "/dev/null", "-w", "%{http_code}",
                              "-H", "Authorization: Bearer " + self.viewer, self.server.url + "/api/v1/info"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout, "200")

    def test_a_step_printing_deeply_nested_json_fails_its_workflow_not_the_server(self):
        # A step's result is parsed as JSON (for withParam and outputs); 100,000 nested arrays
        # used to overflow the engine thread's stack, which took the whole server down.
        author = self.server.token("ada-author", "author", "team-a")
        wf = {"metadata": {"generateName": "deep-output-"},
              "spec": {"entrypoint": "main", "templates": [
                  {"name": "main", "steps": [[{"name": "gen", "template": "gen"}],
                                             [{"name": "use", "template": "echo", "withParam": "{{steps.gen.outputs.result}}",
                                               "arguments": {"parameters": [{"name": "x", "value": "{{item}}"}]}}]]},
                  {"name": "gen", "script": {"image": "python:3", "command": ["python3"],
                                             "source": 'print("[" * 100000 + "]" * 100000)'}},
                  {"name": "echo", "inputs": {"parameters": [{"name": "x"}]},
                   "container": {"image": "busybox", "command": ["echo", "{{inputs.parameters.x}}"]}}]}}
        r = call("POST", "/api/v1/workflows/team-a", author, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        done = wait_finished(author, "team-a", r.json()["metadata"]["name"])
        self.assertIn(done["status"]["phase"], ("Failed", "Error"))
        self.assertIn("withParam", done["status"].get("message", "") + json.dumps(done["status"].get("nodes", {})))
        self.assertIsNone(self.server.proc.poll(), "the server died")
        self.assertEqual(call("GET", "/api/v1/version", author).status_code, 200)

    def test_a_manifest_that_stalls_the_yaml_parser_is_refused_not_expanded(self):
        # Found by fuzzing: a resource manifest with a stray "," made yaml-cpp create empty
        # documents forever (3.7 GB in 7 s from 600 bytes), through lint-yaml, with a viewer token.
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "..", "..", "fuzz", "corpus", "spec", "manifest-stray-comma.yaml")) as f:
            text = f.read()
        before = http_probes.vm_hwm_kib(self.server.proc.pid)
        r = call("POST", "/api/v1/workflows/team-a/lint-yaml", self.viewer, json={"yaml": text})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertFalse(r.json()["valid"])
        self.assertLess((http_probes.vm_hwm_kib(self.server.proc.pid) - before) / 1024, 100)
        self.assertEqual(call("GET", "/api/v1/version", self.viewer).status_code, 200)

    def test_limit_flags_are_checked(self):
        for flag, value in (("--max-sessions-per-user", "0"), ("--max-sessions", "0"), ("--auth-failure-limit", "0"),
                            ("--max-body-bytes", "10")):
            r = subprocess.run([server_api_test.RAMPART, "server", "--state", "/nonexistent/x", flag, value],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, flag)
            self.assertIn(flag, r.stderr)


if __name__ == "__main__":
    server_api_test.RAMPART = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

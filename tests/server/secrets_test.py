#!/usr/bin/env python3
"""Secrets never leak: end to end through `rampart run` and through the real server.

    secrets_test.py /path/to/rampart [unittest args]

A workflow's steps print Secret values in every form an attacker tried (raw, JSON-escaped by
python's json.dumps, shell-quoted, URL-encoded, base64 whole, wrapped and inside larger blobs,
each line of a PEM-like value, a 2-character value as a token, a value with `"` and `\\`), write
them to output parameters and pass one to the next step. Then every file under the state dir
(the SQLite database's bytes included), every API response and stream, and everything the CLI
printed is searched for each form of each value: none may appear. The values must still reach
the steps (a step checks the passed parameter against its own environment).
"""

import base64
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

import requests
import urllib3
import yaml

urllib3.disable_warnings()  # the server's certificate is self-signed

RAMPART = None

TOKEN = "T0ken-Value-4821"
QUOTED = "pa\"ss\\wo'rd$x-42"
PEM = ("-----BEGIN TEST KEY-----\n"
       "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
       "KUpRKfFLfRYC9AIKjbJTWit+u3j4Xw9vB2c1ZQ==\n"
       "-----END TEST KEY-----\n")
SHORT = "Zq"
VALUES = [TOKEN, QUOTED, PEM]

SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "leak-test"},
          "stringData": {"token": TOKEN, "quoted": QUOTED, "pem": PEM, "short": SHORT}}

LEAK_SCRIPT = r"""set -eu
echo "raw token: $TOKEN"
echo "raw quoted: $QUOTED"
echo "short=$SHORT; [$SHORT]"
echo "$SHORT" >&2
python3 -c 'import json,os;print(json.dumps(os.environ["QUOTED"]))'
python3 -c 'import json,os;print(json.dumps(os.environ["PEM"]))'
python3 -c 'import json,os;print(json.dumps({"s": os.environ["SHORT"]}))'
python3 -c 'import urllib.parse,os;print(urllib.parse.quote(os.environ["QUOTED"], safe=""))'
printf '%q\n' "$QUOTED"
printf '%s' "$TOKEN" | base64
echo "$PEM" | base64
for pad in "" x xx; do printf '%s%s!' "$pad" "$TOKEN" | base64 -w0; echo; done
printf '%s' "$QUOTED" | base64 -w0; echo
echo "$PEM" | while IFS= read -r line; do echo "pem line: $line"; done
cat /secret/pem /secret/token; echo
echo "to stderr: $TOKEN $QUOTED" >&2
printf '%s' "$TOKEN" > /tmp/token
python3 -c 'import json,os;print(json.dumps({"k": os.environ["QUOTED"]}))' > /tmp/json
printf '%s' "$PEM" > /tmp/pem
printf '%s' "$SHORT" > /tmp/short
"""

PASS_SCRIPT = r"""echo "got {{inputs.parameters.v}}"
if [ "{{inputs.parameters.v}}" = "$TOKEN" ]; then echo PASSED-INTACT; fi
"""


def env_from_secret(*keys):
    return [{"name": k.upper(), "valueFrom": {"secretKeyRef": {"name": "leak-test", "key": k}}} for k in keys]


def workflow(name):
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": name},
        "spec": {
            "entrypoint": "main",
            "volumes": [{"name": "creds", "secret": {"secretName": "leak-test"}}],
            "templates": [
                {"name": "main", "steps": [
                    [{"name": "leak", "template": "leak"}],
                    [{"name": "pass", "template": "pass",
                      "arguments": {"parameters": [{"name": "v", "value": "{{steps.leak.outputs.parameters.token}}"}]}}]]},
                {"name": "leak",
                 "outputs": {"parameters": [
                     {"name": "token", "valueFrom": {"path": "/tmp/token"}, "globalName": "leaked"},
                     {"name": "json", "valueFrom": {"path": "/tmp/json"}},
                     {"name": "pem", "valueFrom": {"path": "/tmp/pem"}},
                     {"name": "short", "valueFrom": {"path": "/tmp/short"}}]},
                 "container": {"image": "debian", "command": ["bash", "-c"], "args": [LEAK_SCRIPT],
                               "env": env_from_secret("token", "quoted", "pem", "short"),
                               "volumeMounts": [{"name": "creds", "mountPath": "/secret"}]}},
                {"name": "pass", "inputs": {"parameters": [{"name": "v"}]},
                 "container": {"image": "debian", "command": ["bash", "-c"], "args": [PASS_SCRIPT],
                               "env": env_from_secret("token")}},
            ]}}


def b64(data, urlsafe=False):
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()


def forms(value):
    """Every form of `value` that must never appear (the test's own list, from the issue)."""
    pieces = {value, value.strip()} | {line.strip() for line in value.splitlines() if len(line.strip()) >= 4}
    out = set()
    for c in pieces:
        raw = c.encode()
        out |= {c, json.dumps(c)[1:-1], json.dumps(c, ensure_ascii=False)[1:-1],
                urllib.parse.quote(c, safe=""), urllib.parse.quote(c), urllib.parse.quote_plus(c)}
        for urlsafe in (False, True):
            out |= {b64(raw, urlsafe), b64(raw, urlsafe).rstrip("="), b64(raw + b"\n", urlsafe)}
            # Inside a larger base64 blob, at each of the three byte alignments: the characters
            # fixed by the value alone.
            for offset in range(3):
                encoded = b64(b"\0" * offset + raw, urlsafe)
                first, last = (8 * offset + 5) // 6, 8 * (offset + len(raw)) // 6
                out.add(encoded[first:last])
        wrapped = b64(raw + b"\n").rstrip("=")
        out |= {wrapped[i:i + 76] for i in range(0, len(wrapped) - 76, 76)}  # base64(1) lines but the last
    if any(ch in value for ch in "\"'\\$ "):
        out.add(subprocess.run(["bash", "-c", 'printf %q "$V"'], env={"V": value}, capture_output=True,
                               text=True, check=True).stdout)
    return {f for f in out if len(f) >= 8}


FORMS = sorted(set().union(*(forms(v) for v in VALUES)), key=len)
SHORT_TOKEN = re.compile(r"(?<![A-Za-z0-9\x80-\uffff])" + SHORT + r"(?![A-Za-z0-9\x80-\uffff])")


class SecretsTestCase(unittest.TestCase):
    def assert_no_secret(self, text, where, short_too=True):
        if isinstance(text, bytes):
            for form in FORMS:
                self.assertNotIn(form.encode(), text, f"{where} holds a secret form {form!r}")
            return
        for form in FORMS:
            self.assertNotIn(form, text, f"{where} holds a secret form {form!r}")
        if short_too:
            found = SHORT_TOKEN.search(text)
            self.assertIsNone(found, f"{where} holds the short secret: ...{text[max(0, found.start() - 40):found.end() + 40]!r}..."
                              if found else "")

    def assert_state_dir_clean(self, state, name):
        checked = 0
        for root, _, files in os.walk(state):
            for f in files:
                path = os.path.join(root, f)
                with open(path, "rb") as fh:
                    self.assert_no_secret(fh.read(), path)
                checked += 1
        self.assertGreater(checked, 2)
        # The database's text, row by row: here the short value is looked for too (raw bytes of
        # a database file may hold any two letters by chance).
        db = sqlite3.connect(os.path.join(state, "rampart.db"))
        dump = "\n".join(db.iterdump())
        db.close()
        self.assertIn("[redacted]", dump)
        self.assert_no_secret(dump, "rampart.db rows")
        # Secret volume files lived in the step's scratch dir, which went with the step.
        self.assertFalse(os.path.exists(os.path.join(state, "run", "argo", name)))

    def assert_workflow_ran_with_secrets(self, wf):
        self.assertEqual(wf["status"]["phase"], "Succeeded", json.dumps(wf["status"])[:2000])
        nodes = {n["displayName"]: n for n in wf["status"]["nodes"].values()}
        leak = {p["name"]: p["value"] for p in nodes["leak"]["outputs"]["parameters"]}
        self.assertEqual(leak["token"], "[redacted]")
        self.assertEqual(leak["short"], "[redacted]")
        self.assertIn("[redacted]", leak["json"])
        # The value reached the next step intact within the run; only what was stored is masked.
        self.assertIn("PASSED-INTACT", nodes["pass"]["outputs"]["result"])
        self.assertIn("got [redacted]", nodes["pass"]["outputs"]["result"])


class RunTest(SecretsTestCase):
    def test_rampart_run_leaves_no_secret_anywhere(self):
        work = tempfile.mkdtemp(prefix="rampart-secrets-run-")
        self.addCleanup(shutil.rmtree, work, True)
        state = os.path.join(work, "state")
        secret_file = os.path.join(work, "secret.yaml")
        wf_file = os.path.join(work, "wf.yaml")
        with open(secret_file, "w") as f:
            yaml.safe_dump(SECRET, f)
        with open(wf_file, "w") as f:
            yaml.safe_dump(workflow("leaky-run"), f)
        run = subprocess.run([RAMPART, "run", wf_file, "--secret", secret_file, "--state", state, "-o", "json"],
                             capture_output=True, text=True, timeout=300)
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        wf = json.loads(run.stdout)
        self.assert_workflow_ran_with_secrets(wf)
        self.assert_no_secret(run.stdout, "rampart run -o json")
        self.assert_no_secret(run.stderr, "rampart run's terminal output")
        logs = subprocess.run([RAMPART, "logs", "leaky-run", "--state", state], capture_output=True, text=True,
                              timeout=60, check=True).stdout
        self.assertIn("raw token: [redacted]", logs)
        self.assertIn("short=[redacted]; [[redacted]]", logs)
        self.assertIn("pem line: [redacted]", logs)
        self.assert_no_secret(logs, "rampart logs")
        for args in (["get", "leaky-run"], ["get", "leaky-run", "-o", "yaml"]):
            out = subprocess.run([RAMPART, *args, "--state", state], capture_output=True, text=True, timeout=60, check=True)
            self.assert_no_secret(out.stdout + out.stderr, "rampart " + " ".join(args))
        # The default text output: a line per finished step, then the tree.
        text = subprocess.run([RAMPART, "run", wf_file, "--secret", secret_file, "--state", state, "--name", "leaky-text"],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(text.returncode, 0, text.stderr[-3000:])
        self.assertIn("Succeeded", text.stderr)
        self.assert_no_secret(text.stdout + text.stderr, "rampart run's text output")
        self.assert_state_dir_clean(state, "leaky-run")


class Server:
    def __init__(self, secret_file):
        self.state = tempfile.mkdtemp(prefix="rampart-secrets-server-")
        self.proc = subprocess.Popen(
            [RAMPART, "server", "--state", self.state, "--listen", "127.0.0.1:0", "--secret", secret_file,
             "--threads", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.token = self.proc.stdout.readline().strip()
        deadline = time.time() + 30
        path = os.path.join(self.state, "server.json")
        while not os.path.exists(path):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("server did not start: " + self.proc.stderr.read())
            time.sleep(0.05)
        with open(path) as f:
            self.url = json.load(f)["url"]

    def call(self, method, path, **kwargs):
        headers = kwargs.pop("headers", {})
        headers["Authorization"] = "Bearer " + self.token
        return requests.request(method, self.url + path, headers=headers, verify=False, timeout=60, **kwargs)

    def stop(self):
        """Stops the server; returns what it printed."""
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


class ServerTest(SecretsTestCase):
    def test_server_responses_streams_and_state_hold_no_secret(self):
        work = tempfile.mkdtemp(prefix="rampart-secrets-")
        self.addCleanup(shutil.rmtree, work, True)
        secret_file = os.path.join(work, "secret.yaml")
        with open(secret_file, "w") as f:
            yaml.safe_dump(SECRET, f)
        server = Server(secret_file)
        self.addCleanup(shutil.rmtree, server.state, True)
        try:
            seen = self.exercise(server)
        finally:
            server_output = server.stop()
        self.assert_no_secret(server_output, "the server's own output")
        self.assertIn("PASSED-INTACT", seen)  # the responses checked include the steps' output
        self.assert_state_dir_clean(server.state, "leaky-server")

    def exercise(self, server):
        """Runs the workflow through the API; checks and returns every response body."""
        bodies = []

        def check(text, where):
            self.assert_no_secret(text, where)
            bodies.append(text)

        r = server.call("POST", "/api/v1/workflows/argo", json={"workflow": workflow("leaky-server")})
        self.assertEqual(r.status_code, 200, r.text)
        check(r.text, "the create response")
        with server.call("GET", "/api/v1/workflows/argo/leaky-server/log?logOptions.follow=true", stream=True,
                         headers={"Accept": "text/event-stream"}) as log:
            check("".join(log.iter_content(decode_unicode=True)), "the followed log stream")
        self.assertIn("raw token: [redacted]", bodies[-1])
        deadline = time.time() + 120
        while True:
            r = server.call("GET", "/api/v1/workflows/argo/leaky-server")
            if r.json().get("status", {}).get("phase") in ("Succeeded", "Failed", "Error") or time.time() > deadline:
                break
            time.sleep(0.2)
        check(r.text, "GET workflow")
        self.assert_workflow_ran_with_secrets(r.json())
        for path in ("/api/v1/workflows/argo", "/api/v1/workflows/argo/leaky-server/log",
                     "/api/v1/workflows/argo/leaky-server/log?logOptions.container=main&grep=token",
                     "/api/v1/archived-workflows", "/api/v1/alerts"):
            r = server.call("GET", path)
            self.assertEqual(r.status_code, 200, path + ": " + r.text[:500])
            check(r.text, "GET " + path)
        with server.call("GET", "/api/v1/workflow-events/argo?listOptions.fieldSelector=metadata.name%3Dleaky-server",
                         stream=True) as events:
            for line in events.iter_lines(decode_unicode=True):
                if line.startswith("data: "):
                    check(line, "the workflow event stream")
                    if json.loads(line[6:])["result"]["object"].get("status", {}).get("phase") == "Succeeded":
                        break
        return "\n".join(bodies)


if __name__ == "__main__":
    RAMPART = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

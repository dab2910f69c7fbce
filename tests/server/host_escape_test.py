#!/usr/bin/env python3
"""Security issue 14 end to end: no workflow input reaches the host, and no workflow takes the
server down. Each attack is made through the real server with the least role that could try it.

    host_escape_test.py /path/to/rampart [unittest args]

Covers: volume subPath / claimName / planted-symlink escapes (author), the same through a
WorkflowTemplate parameter (submitter), names that would become paths, recursion and unbounded
loops, terminate of a queued workflow, artifacts across namespaces, expression injection through
parameters (CVE-2021-37914), and the quarantine of a workflow that crashes the engine.
"""

import base64
import ctypes
import io
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest

import harness
from harness import container, workflow

RAMPART = None
SERVER = None


def volume_workflow(volumes, mounts, script, extra_templates=()):
    main = container("main", script, volumeMounts=mounts)
    return workflow([main, *extra_templates], volumes=volumes)


class HostEscapeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        global SERVER
        SERVER = harness.Server(RAMPART, ["--max-running", "1"])
        cls.author = SERVER.token("ada", "author", "team-a")
        cls.submitter = SERVER.token("sam", "submitter", "team-a")
        cls.author_b = SERVER.token("bob", "author", "team-b")
        cls.viewer = SERVER.token("vera", "viewer", "team-a")
        cls.viewer_b = SERVER.token("vic", "viewer", "team-b")
        # A marker only the host can see: no step may ever print it.
        cls.marker = os.path.join(SERVER.state, "host-only-marker")
        with open(cls.marker, "w") as f:
            f.write("HOST-ONLY-CONTENT\n")

    @classmethod
    def tearDownClass(cls):
        SERVER.stop()

    def run_workflow(self, token, ns, wf, timeout=120):
        r = SERVER.create(token, ns, wf)
        self.assertEqual(r.status_code, 200, r.text)
        return SERVER.wait_finished(token, ns, r.json()["metadata"]["name"], timeout)

    def assert_no_host_content(self, wf):
        for node in wf.get("status", {}).get("nodes", {}).values():
            for p in node.get("outputs", {}).get("parameters", []):
                self.assertNotIn("HOST-ONLY", p.get("value", ""))
                self.assertNotIn("root:", p.get("value", ""))

    # --- volumes ---------------------------------------------------------------------------

    def test_absolute_and_dotdot_subpath_are_refused_at_the_api(self):
        for sub in ("/", "/etc", "../../..", "a/../../b"):
            wf = volume_workflow([{"name": "v", "emptyDir": {}}],
                                 [{"name": "v", "mountPath": "/mnt", "subPath": sub}], "cat /mnt/shadow")
            r = SERVER.create(self.author, "team-a", wf)
            self.assertEqual(r.status_code, 400, sub)
            self.assertIn("subPath", r.json()["message"])

    def test_absolute_and_dotdot_claim_names_are_refused_at_the_api(self):
        for claim in ("/", "/etc", "..", "../../..", "Claim", "a/b"):
            wf = volume_workflow([{"name": "v", "persistentVolumeClaim": {"claimName": claim}}],
                                 [{"name": "v", "mountPath": "/mnt"}], "ls /mnt")
            r = SERVER.create(self.author, "team-a", wf)
            self.assertEqual(r.status_code, 400, claim)
            self.assertIn("claimName", r.json()["message"])

    def test_a_symlink_planted_in_a_claim_is_not_followed_by_a_later_mount(self):
        plant = container("plant", f"ln -s / /data/escape; ln -s {SERVER.state} /data/state; echo planted",
                          volumeMounts=[{"name": "data", "mountPath": "/data"}])
        for sub, path in (("escape", "/mnt/etc/shadow"), ("state", "/mnt/host-only-marker")):
            steal = container("steal", f"cat {path} > /tmp/out; cat /tmp/out",
                              volumeMounts=[{"name": "data", "mountPath": "/mnt", "subPath": sub}])
            steal["outputs"] = {"parameters": [{"name": "loot", "valueFrom": {"path": "/tmp/out"}}]}
            main = {"name": "main", "steps": [[{"name": "plant", "template": "plant"}],
                                              [{"name": "steal", "template": "steal"}]]}
            wf = workflow([main, plant, steal], volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "shared"}}])
            done = self.run_workflow(self.author, "team-a", wf)
            self.assertNotEqual(done["status"]["phase"], "Succeeded")
            messages = " ".join(n.get("message", "") for n in done["status"]["nodes"].values())
            self.assertIn("symbolic link", messages)
            self.assert_no_host_content(done)

    def test_output_parameters_are_not_read_through_a_planted_link(self):
        step = container("main", f"ln -s {self.marker} /tmp/out; echo done")
        step["outputs"] = {"parameters": [{"name": "loot", "valueFrom": {"path": "/tmp/out"}}]}
        done = self.run_workflow(self.author, "team-a", workflow([step]))
        self.assertNotEqual(done["status"]["phase"], "Succeeded")
        self.assert_no_host_content(done)

    def test_a_submitter_cannot_escape_through_a_template_parameter(self):
        template = {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
                    "metadata": {"name": "claims"},
                    "spec": {"entrypoint": "main",
                             "arguments": {"parameters": [{"name": "claim", "value": "scratch"},
                                                          {"name": "sub", "value": "x"}]},
                             "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "{{workflow.parameters.claim}}"}}],
                             "templates": [container("main", "cat /mnt/etc/shadow /mnt/host-only-marker || true",
                                                     volumeMounts=[{"name": "v", "mountPath": "/mnt",
                                                                    "subPath": "{{workflow.parameters.sub}}"}])]}}
        r = SERVER.call("POST", "/api/v1/workflow-templates/team-a", self.author, json={"template": template})
        self.assertEqual(r.status_code, 200, r.text)
        for params in (["claim=/"], ["claim=.."], ["claim=../../.."], ["sub=/"], ["sub=../../../.."]):
            r = SERVER.call("POST", "/api/v1/workflows/team-a/submit", self.submitter,
                            json={"resourceKind": "WorkflowTemplate", "resourceName": "claims",
                                  "submitOptions": {"parameters": params}})
            self.assertEqual(r.status_code, 200, r.text)
            done = SERVER.wait_finished(self.submitter, "team-a", r.json()["metadata"]["name"])
            self.assertEqual(done["status"]["phase"], "Error", params)
            messages = " ".join(n.get("message", "") for n in done["status"]["nodes"].values())
            self.assertTrue("claimName" in messages or "subPath" in messages, messages)
            logs = SERVER.call("GET", f"/api/v1/workflows/team-a/{done['metadata']['name']}/log?logOptions.container=main",
                               self.submitter)
            self.assertNotIn("HOST-ONLY", logs.text)
            self.assertNotIn("root:", logs.text)

    # --- names -----------------------------------------------------------------------------

    def test_names_that_would_become_paths_are_refused(self):
        for meta in ({"name": "../../escape"}, {"name": "UPPER"}, {"name": "caf\u00e9"},
                     {"generateName": "../x-"}, {"name": "a/b"}):
            wf = workflow([container("main", "echo hi")])
            wf["metadata"] = meta
            r = SERVER.create(self.author, "team-a", wf)
            self.assertEqual(r.status_code, 400, meta)
        for ns in ("..", "..%2f..", "Team-A"):
            r = SERVER.create(self.author, ns, workflow([container("main", "echo hi")]))
            self.assertTrue(400 <= r.status_code < 500, (ns, r.status_code))
        escaped = os.path.join(os.path.dirname(SERVER.state), "escape")
        self.assertFalse(os.path.exists(escaped))

    def test_rampart_run_refuses_names_that_would_become_paths(self):
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "wf.yaml")
            with open(path, "w") as f:
                f.write("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: ../../outside}\n"
                        "spec:\n  entrypoint: main\n  templates:\n  - name: main\n"
                        "    container: {image: busybox, command: [echo, hi]}\n")
            state = os.path.join(work, "state")
            out = subprocess.run([RAMPART, "run", path, "--state", state], capture_output=True, text=True)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("metadata.name", out.stderr)
            good = os.path.join(work, "good.yaml")
            with open(good, "w") as f:
                f.write(open(path).read().replace("../../outside", "fine"))
            for bad_ns in ("../x", "X"):
                out = subprocess.run([RAMPART, "run", good, "--state", state, "-n", bad_ns],
                                     capture_output=True, text=True)
                self.assertNotEqual(out.returncode, 0)
                self.assertIn("namespace", out.stderr)
            self.assertFalse(os.path.exists(os.path.join(work, "outside")))
            self.assertFalse(os.path.exists(os.path.join(state, "..", "x")))

    # --- bounds ----------------------------------------------------------------------------

    def test_a_template_that_calls_itself_ends_in_error_and_the_server_stays_up(self):
        loop = {"name": "main", "steps": [[{"name": "again", "template": "main"}]]}
        done = self.run_workflow(self.author, "team-a", workflow([loop]))
        self.assertEqual(done["status"]["phase"], "Error")
        self.assertIn("--max-template-depth", done["status"]["message"])
        self.assertTrue(SERVER.alive())

    def test_a_ten_million_item_loop_is_refused_before_it_expands(self):
        before = SERVER.rss_kb()
        main = {"name": "main", "steps": [[{"name": "many", "template": "t", "withSequence": {"count": "10000000"}}]]}
        done = self.run_workflow(self.author, "team-a", workflow([main, container("t", "true")]), timeout=60)
        self.assertEqual(done["status"]["phase"], "Error")
        self.assertIn("--max-nodes", done["status"]["message"])
        self.assertLess(SERVER.rss_kb() - before, 200 * 1024)  # no giant expansion happened
        self.assertTrue(SERVER.alive())

    def test_terminate_ends_a_workflow_waiting_for_its_turn(self):
        # --max-running 1: a sleeping workflow holds the only slot, the next one waits.
        r = SERVER.create(self.author, "team-a", workflow([container("main", "sleep 30")]))
        busy = r.json()["metadata"]["name"]
        deadline = time.time() + 30
        while SERVER.call("GET", f"/api/v1/workflows/team-a/{busy}", self.author).json()["status"].get("phase") != "Running":
            self.assertLess(time.time(), deadline)
            time.sleep(0.1)
        r = SERVER.create(self.author, "team-a", workflow([container("main", "echo never")]))
        queued = r.json()["metadata"]["name"]
        r = SERVER.call("PUT", f"/api/v1/workflows/team-a/{queued}/terminate", self.author, json={})
        self.assertEqual(r.status_code, 200, r.text)
        status = SERVER.call("GET", f"/api/v1/workflows/team-a/{queued}", self.author).json()["status"]
        self.assertEqual(status["phase"], "Failed")
        self.assertIn("Terminate", status["message"])
        SERVER.call("PUT", f"/api/v1/workflows/team-a/{busy}/terminate", self.author, json={})
        SERVER.wait_finished(self.author, "team-a", busy)

    # --- artifacts -------------------------------------------------------------------------

    def test_artifacts_cannot_be_read_or_overwritten_across_namespaces(self):
        save = container("main", "echo team-a-private > /tmp/a")
        save["outputs"] = {"artifacts": [{"name": "a", "path": "/tmp/a", "archive": {"none": {}},
                                          "s3": {"key": "shared/secret.txt"}}]}
        done = self.run_workflow(self.author, "team-a", workflow([save]))
        self.assertEqual(done["status"]["phase"], "Succeeded")
        for key in ("shared/secret.txt", "team-a/shared/secret.txt", "../team-a/shared/secret.txt"):
            read = container("main", "cat /tmp/in")
            read["inputs"] = {"artifacts": [{"name": "in", "path": "/tmp/in", "s3": {"key": key}}]}
            done = self.run_workflow(self.author_b, "team-b", workflow([read]))
            self.assertEqual(done["status"]["phase"], "Error", key)
            overwrite = container("main", "echo team-b-was-here > /tmp/a")
            overwrite["outputs"] = {"artifacts": [{"name": "a", "path": "/tmp/a", "archive": {"none": {}},
                                                   "s3": {"key": key}}]}
            self.run_workflow(self.author_b, "team-b", workflow([overwrite]))
        read = container("main", "cat /tmp/in")
        read["inputs"] = {"artifacts": [{"name": "in", "path": "/tmp/in", "s3": {"key": "shared/secret.txt"}}]}
        read["outputs"] = {"parameters": [{"name": "seen", "valueFrom": {"path": "/tmp/in"}}]}
        done = self.run_workflow(self.author, "team-a", workflow([read]))
        self.assertEqual(done["status"]["phase"], "Succeeded")
        seen = [p["value"] for n in done["status"]["nodes"].values() for p in n.get("outputs", {}).get("parameters", [])]
        self.assertEqual(seen, ["team-a-private"])

    def zipslip(self, script):
        """A step builds a hostile tarball with tar itself and uploads it; the next step loads it
        as an input artifact."""
        upload = container("upload", "mkdir -p /w && cd /w && " + script)
        upload["outputs"] = {"artifacts": [{"name": "evil", "path": "/tmp/evil.tgz", "archive": {"none": {}},
                                            "s3": {"key": "uploads/evil.tgz"}}]}
        unpack = container("unpack", "ls -R /tmp/in")
        unpack["inputs"] = {"artifacts": [{"name": "in", "path": "/tmp/in", "s3": {"key": "uploads/evil.tgz"}}]}
        main = {"name": "main", "steps": [[{"name": "upload", "template": "upload"}],
                                          [{"name": "unpack", "template": "unpack"}]]}
        done = self.run_workflow(self.author, "team-a", workflow([main, upload, unpack]))
        messages = {n["displayName"]: (n["phase"], n.get("message", "")) for n in done["status"]["nodes"].values()}
        self.assertEqual(messages["unpack"][0], "Error", messages)
        self.assertNotEqual(done["status"]["phase"], "Succeeded")
        return messages["unpack"][1]

    def test_zipslip_cve_2025_62156_entries_climbing_out_are_refused(self):
        outside = os.path.join(SERVER.state, "zipslip-written")
        depth = "../" * 12
        message = self.zipslip(f"mkdir -p a/b && echo pwned > a/b/x && cd a/b && "
                               f"tar -czPf /tmp/evil.tgz x {depth}{outside.lstrip('/')} 2>/dev/null; "
                               f"tar -czPf /tmp/evil.tgz --transform 's,^x,{depth}{outside.lstrip('/')},' x")
        self.assertIn("..", message)
        self.assertFalse(os.path.exists(outside))

    def test_zipslip_cve_2025_66626_links_pointing_out_and_setuid_are_refused(self):
        target = os.path.join(SERVER.state, "zipslip-dir")
        os.makedirs(target, exist_ok=True)
        message = self.zipslip(f"mkdir top && ln -s {target} top/out && tar -czf /tmp/evil.tgz top")
        self.assertIn("symbolic link pointing outside", message)
        self.assertEqual(os.listdir(target), [])
        message = self.zipslip("mkdir top && echo '#!/bin/sh' > top/tool && chmod u+s top/tool && tar -czf /tmp/evil.tgz top")
        self.assertIn("setuid", message)

    def html_artifact(self):
        page = "<html><script>fetch('/api/v1/workflows/team-a').then(r=>r.text()).then(alert)</script></html>"
        step = container("main", f"echo \"{page}\" > /tmp/page.html")
        step["outputs"] = {"artifacts": [{"name": "page", "path": "/tmp/page.html", "archive": {"none": {}}}]}
        done = self.run_workflow(self.author, "team-a", workflow([step]))
        self.assertEqual(done["status"]["phase"], "Succeeded")
        node = next(n for n in done["status"]["nodes"].values() if n.get("type") == "Pod")
        return done["metadata"], node["id"]

    def assert_inert_download(self, r):
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn("<script>", r.text)  # served as it is, but never as a page
        self.assertEqual(r.headers["Content-Type"], "application/octet-stream")
        self.assertTrue(r.headers["Content-Disposition"].startswith("attachment"))
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", r.headers["Content-Security-Policy"])
        self.assertEqual(r.headers["Cache-Control"], "no-store")

    def test_cve_2022_29164_html_artifacts_are_served_as_inert_downloads(self):
        meta, node = self.html_artifact()
        name, uid = meta["name"], meta["uid"]
        for path in (f"/artifacts/team-a/{name}/{node}/page", f"/artifacts-by-uid/{uid}/{node}/page",
                     f"/artifact-files/team-a/workflow/{name}/{node}/outputs/page"):
            self.assert_inert_download(SERVER.call("GET", path, self.viewer))
            self.assertEqual(SERVER.call("GET", path).status_code, 401, path)

    def test_cve_2026_23960_artifacts_need_a_role_in_their_namespace(self):
        meta, node = self.html_artifact()
        name, uid = meta["name"], meta["uid"]
        for path in (f"/artifacts/team-a/{name}/{node}/page", f"/artifacts-by-uid/{uid}/{node}/page",
                     f"/input-artifacts-by-uid/{uid}/{node}/page",
                     f"/artifact-files/team-a/workflow/{name}/{node}/outputs/page"):
            r = SERVER.call("GET", path, self.viewer_b)
            self.assertIn(r.status_code, (403, 404), path)
            self.assertNotIn("<script>", r.text)
        r = SERVER.call("GET", f"/artifacts/team-b/{name}/{node}/page", self.viewer_b)
        self.assertEqual(r.status_code, 404)

    # --- expression injection --------------------------------------------------------------

    def test_cve_2021_37914_parameters_are_never_evaluated_again(self):
        # A submitter's parameter value is data: tags inside it are never substituted again.
        echo = {"name": "main", "inputs": {"parameters": [{"name": "msg", "value": "{{workflow.parameters.msg}}"}]},
                "container": {"image": "busybox", "command": ["echo", "{{inputs.parameters.msg}}"]}}
        template = {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": {"name": "echo"},
                    "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "msg", "value": "hi"}]},
                             "templates": [echo]}}
        r = SERVER.call("POST", "/api/v1/workflow-templates/team-a", self.author, json={"template": template})
        self.assertEqual(r.status_code, 200, r.text)
        for injected in ("{{workflow.uid}}", "{{= 6 * 7 }}", "{{workflow.serviceAccountName}}{{workflow.name}}"):
            r = SERVER.call("POST", "/api/v1/workflows/team-a/submit", self.submitter,
                            json={"resourceKind": "WorkflowTemplate", "resourceName": "echo",
                                  "submitOptions": {"parameters": ["msg=" + injected]}})
            self.assertEqual(r.status_code, 200, r.text)
            name = r.json()["metadata"]["name"]
            done = SERVER.wait_finished(self.submitter, "team-a", name)
            results = [n.get("outputs", {}).get("result") for n in done["status"]["nodes"].values()
                       if n.get("type") == "Pod"]
            self.assertEqual(results, [injected], injected)

    # --- quarantine (last: it restarts the server) ------------------------------------------

    def test_z_a_workflow_that_crashes_the_engine_is_quarantined_on_restart(self):
        r = SERVER.create(self.author, "team-a", workflow([container("main", "sleep 60")]))
        name = r.json()["metadata"]["name"]
        deadline = time.time() + 30
        engine_tid = None
        while engine_tid is None:
            self.assertLess(time.time(), deadline, "no engine thread appeared")
            for tid in os.listdir(f"/proc/{SERVER.proc.pid}/task"):
                with open(f"/proc/{SERVER.proc.pid}/task/{tid}/comm") as f:
                    if f.read().strip() == "rampart-engine":
                        engine_tid = int(tid)
            time.sleep(0.05)
        # A crash inside the engine thread, as a bug would cause one.
        libc = ctypes.CDLL(None, use_errno=True)
        sys_tgkill = 234
        self.assertEqual(libc.syscall(sys_tgkill, SERVER.proc.pid, engine_tid, signal.SIGSEGV), 0)
        SERVER.proc.wait(timeout=30)
        self.assertEqual(SERVER.proc.returncode, -signal.SIGSEGV)
        SERVER.start()
        done = SERVER.wait_finished(self.author, "team-a", name, timeout=30)
        self.assertEqual(done["status"]["phase"], "Error")
        self.assertIn("quarantined", done["status"]["message"])
        self.assertTrue(SERVER.alive())


if __name__ == "__main__":
    RAMPART = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

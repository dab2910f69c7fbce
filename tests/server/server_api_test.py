#!/usr/bin/env python3
"""End-to-end tests of `rampart server` with real HTTP clients (Python requests and curl).

    server_api_test.py /path/to/rampart [unittest args]

Starts the real server on a free loopback port with a fresh state dir, creates tokens with the
real CLI, and checks what issue 4 asks: every route refuses a request without credentials,
roles are enforced per namespace (403 / 404), a submitter can submit only from a template, an
author's workflow from Argo's own examples runs to Succeeded, the event stream and logs work,
every write is audited, and bad input gets a 4xx while the server keeps serving.
"""

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import requests
import urllib3
import yaml

import http_probes

urllib3.disable_warnings()  # the server's certificate is self-signed; it is pinned below instead

RAMPART = None
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFORMANCE = os.path.join(SOURCE, "..", "shared", "conformance")
SECRET_VALUE = "S00perS3cretPa55word"


class Server:
    def __init__(self, extra_args=()):
        self.state = tempfile.mkdtemp(prefix="rampart-server-test-")
        secret = os.path.join(SOURCE, "tests", "conformance", "my-secret.yaml")
        self.proc = subprocess.Popen(
            [RAMPART, "server", "--state", self.state, "--listen", "127.0.0.1:0", "--secret", secret,
             "--threads", "2", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.admin = self.proc.stdout.readline().strip()
        deadline = time.time() + 30
        path = os.path.join(self.state, "server.json")
        while not os.path.exists(path):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("server did not start: " + self.proc.stderr.read())
            time.sleep(0.05)
        info = json.load(open(path))
        self.url = info["url"]
        self.fingerprint = info["tls_fingerprint"]
        self.port = int(self.url.rsplit(":", 1)[1])

    def token(self, subject, role, namespace):
        out = subprocess.run([RAMPART, "token", "create", "--state", self.state, "--subject", subject,
                              "--role", role, "-n", namespace, "-o", "json"],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)["token"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.state, ignore_errors=True)


SERVER = None


def call(method, path, token=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = "Bearer " + token
    return requests.request(method, SERVER.url + path, headers=headers, verify=False, timeout=30, **kwargs)


def call_from(address, method, path, token=None, **kwargs):
    return http_probes.call_from(SERVER.url, address, method, path, token, **kwargs)


def raw_request(data):
    return http_probes.raw_request(SERVER.port, data)


def load_yaml(relative):
    with open(os.path.join(CONFORMANCE, relative)) as f:
        return yaml.safe_load(f)


def wait_finished(token, ns, name, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = call("GET", f"/api/v1/workflows/{ns}/{name}", token)
        phase = r.json().get("status", {}).get("phase")
        if phase in ("Succeeded", "Failed", "Error"):
            return r.json()
        time.sleep(0.2)
    raise AssertionError(f"workflow {ns}/{name} did not finish in {timeout}s")


def audit_records():
    out = subprocess.run([RAMPART, "audit", "--state", SERVER.state, "-o", "json", "--limit", "100000"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        global SERVER
        SERVER = Server()
        cls.admin = SERVER.admin
        cls.viewer = SERVER.token("vera", "viewer", "team-a")
        cls.submitter = SERVER.token("sam", "submitter", "team-a")
        cls.author = SERVER.token("ada", "author", "team-a")

    @classmethod
    def tearDownClass(cls):
        SERVER.stop()

    # --- authentication -------------------------------------------------------------------

    def test_admin_token_is_printed_once_and_kept_private(self):
        self.assertTrue(self.admin.startswith("rampart_"), self.admin)
        path = os.path.join(SERVER.state, "admin.token")
        self.assertEqual(open(path).read().strip(), self.admin)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)

    def test_info_without_credentials_is_401_with_curl(self):
        out = subprocess.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", SERVER.url + "/api/v1/info"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout, "401")

    def test_plain_http_is_not_served(self):
        with self.assertRaises(requests.exceptions.RequestException):
            r = requests.get(SERVER.url.replace("https://", "http://") + "/api/v1/info", timeout=5)
            # Should a TLS server ever answer plain HTTP, it must not be with data.
            self.assertNotEqual(r.status_code, 200)
            raise requests.exceptions.ConnectionError("answered")

    def test_every_known_route_needs_credentials(self):
        paths = [
            ("GET", "/api/v1/info"), ("GET", "/api/v1/version"), ("GET", "/api/v1/userinfo"),
            ("GET", "/api/v1/workflows/"), ("GET", "/api/v1/workflows/argo"), ("POST", "/api/v1/workflows/argo"),
            ("POST", "/api/v1/workflows/argo/lint"), ("POST", "/api/v1/workflows/argo/submit"),
            ("GET", "/api/v1/workflows/argo/x"), ("DELETE", "/api/v1/workflows/argo/x"),
            ("PUT", "/api/v1/workflows/argo/x/stop"), ("PUT", "/api/v1/workflows/argo/x/resume"),
            ("GET", "/api/v1/workflows/argo/x/log"), ("GET", "/api/v1/workflow-events/argo"),
            ("GET", "/api/v1/workflow-templates/argo"), ("GET", "/api/v1/cluster-workflow-templates"),
            ("GET", "/api/v1/cron-workflows/argo"), ("GET", "/api/v1/archived-workflows"),
            ("GET", "/api/v1/no-such-route"),
        ]
        for index, (method, path) in enumerate(paths):
            variants = [{}, {"Authorization": "Basic YTpi"}, {"Authorization": "Bearer "}]
            if index < 3:  # wrong tokens count towards the address's lockout, so only a few
                variants.append({"Authorization": "Bearer rampart_nosuchid_nosuchsecret"})
            for headers in variants:
                r = call(method, path, headers=dict(headers), json={} if method != "GET" else None)
                self.assertEqual(r.status_code, 401, f"{method} {path} {headers}: {r.text}")
                self.assertNotIn("argo", r.json().get("message", "").lower().replace("argument", ""))

    def test_responses_carry_security_headers(self):
        r = call("GET", "/api/v1/info", self.admin)
        self.assertEqual(r.status_code, 200)
        self.assertIn("max-age", r.headers["Strict-Transport-Security"])
        self.assertIn("frame-ancestors 'none'", r.headers["Content-Security-Policy"])
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(r.headers["X-Frame-Options"], "DENY")

    def test_userinfo_names_the_subject(self):
        r = call("GET", "/api/v1/userinfo", self.viewer)
        self.assertEqual(r.json()["subject"], "vera")
        self.assertEqual(r.json()["roles"], {"team-a": "viewer"})

    def test_tls_fingerprint_matches_the_served_certificate(self):
        import hashlib
        pem = ssl.get_server_certificate(("127.0.0.1", SERVER.port))
        der = ssl.PEM_cert_to_DER_cert(pem)
        digest = hashlib.sha256(der).hexdigest().upper()
        self.assertEqual(SERVER.fingerprint, "sha256:" + ":".join(digest[i:i + 2] for i in range(0, 64, 2)))

    def test_an_open_event_stream_ends_when_its_token_is_revoked(self):
        token = SERVER.token("streamer", "viewer", "team-a")
        r = requests.get(SERVER.url + "/api/v1/workflow-events/team-a", headers={"Authorization": "Bearer " + token},
                         verify=False, stream=True, timeout=30)
        self.assertEqual(r.status_code, 200)
        subprocess.run([RAMPART, "token", "revoke", "--state", SERVER.state, token.split("_")[1]], check=True,
                       capture_output=True)
        started = time.time()
        for _ in r.iter_content(chunk_size=None):  # returns when the server ends the stream
            if time.time() - started > 25:
                self.fail("the stream went on after its token was revoked")
        self.assertLess(time.time() - started, 25)

    def test_token_cli_lists_without_secrets_and_revocation_locks_out(self):
        token = SERVER.token("tmp-user", "viewer", "team-a")
        self.assertEqual(call("GET", "/api/v1/info", token).status_code, 200)
        token_id = token.split("_")[1]
        listed = subprocess.run([RAMPART, "token", "list", "--state", SERVER.state, "-o", "json"],
                                capture_output=True, text=True, check=True).stdout
        self.assertIn(token_id, listed)
        self.assertNotIn(token.split("_")[2], listed)
        subprocess.run([RAMPART, "token", "revoke", "--state", SERVER.state, token_id], check=True,
                       capture_output=True)
        time.sleep(1.1)  # revocation is seen within a second
        self.assertEqual(call("GET", "/api/v1/info", token).status_code, 401)
        table = subprocess.run([RAMPART, "token", "list", "--state", SERVER.state], capture_output=True, text=True).stdout
        self.assertRegex(table, token_id + r".*revoked")
        bad = subprocess.run([RAMPART, "token", "create", "--state", SERVER.state, "--subject", "x", "--role", "root"],
                             capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("unknown role", bad.stderr)
        for args in (["server"], ["token", "create"], ["role", "bind"], ["audit"]):
            h = subprocess.run([RAMPART] + args + ["--help"], capture_output=True, text=True)
            self.assertEqual(h.returncode, 0, args)
            self.assertIn("--state", h.stdout)

    def test_browser_session_cookie_needs_csrf_for_writes(self):
        r = call("POST", "/api/v1/session", self.author)
        self.assertEqual(r.status_code, 200, r.text)
        cookie_header = r.headers["Set-Cookie"]
        for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
            self.assertIn(attribute, cookie_header)
        cookie = cookie_header.split(";")[0]
        csrf = r.json()["csrfToken"]
        self.assertNotIn(self.author.split("_")[2], r.text)
        jar = {"Cookie": cookie}
        self.assertEqual(call("GET", "/api/v1/workflows/team-a", headers=dict(jar)).status_code, 200)
        self.assertEqual(call("GET", "/api/v1/session", headers=dict(jar)).json()["csrfToken"], csrf)
        wf = load_yaml("examples/hello-world.yaml")
        r = call("POST", "/api/v1/workflows/team-a/lint", headers=dict(jar), json={"workflow": wf})
        self.assertEqual(r.status_code, 403, r.text)
        r = call("POST", "/api/v1/workflows/team-a/lint", headers=dict(jar, **{"X-CSRF-Token": "0" * 64}),
                 json={"workflow": wf})
        self.assertEqual(r.status_code, 403)
        r = call("POST", "/api/v1/workflows/team-a/lint", headers=dict(jar, **{"X-CSRF-Token": csrf}),
                 json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(call("DELETE", "/api/v1/session", headers=dict(jar, **{"X-CSRF-Token": csrf})).status_code, 200)
        self.assertEqual(call("GET", "/api/v1/workflows/team-a", headers=dict(jar)).status_code, 401)
        self.assertEqual(call("GET", "/api/v1/info", headers={"Cookie": "rampart_session=" + "a" * 64}).status_code, 401)

    # --- authorization --------------------------------------------------------------------

    def test_viewer_cannot_submit_and_cannot_see_other_namespaces(self):
        wf = load_yaml("examples/hello-world.yaml")
        r = call("POST", "/api/v1/workflows/team-a", self.viewer, json={"workflow": wf})
        self.assertEqual(r.status_code, 403, r.text)
        self.assertEqual(r.json()["code"], 7)
        for path in ("/api/v1/workflows/team-b", "/api/v1/workflows/argo", "/api/v1/workflow-templates/team-b"):
            r = call("GET", path, self.viewer)
            self.assertEqual(r.status_code, 404, path)
        r = call("GET", "/api/v1/workflows/team-a", self.viewer)
        self.assertEqual(r.status_code, 200)

    def test_listing_all_namespaces_shows_only_visible_ones(self):
        r = call("POST", "/api/v1/workflows/argo", self.admin, json={"workflow": load_yaml("examples/hello-world.yaml")})
        self.assertEqual(r.status_code, 200, r.text)
        name = r.json()["metadata"]["name"]
        wait_finished(self.admin, "argo", name)
        everything = call("GET", "/api/v1/workflows/", self.admin).json()["items"]
        self.assertIn(name, [w["metadata"]["name"] for w in everything])
        for w in call("GET", "/api/v1/workflows/", self.viewer).json()["items"]:
            self.assertEqual(w["metadata"]["namespace"], "team-a")

    def test_archive_is_queryable_by_label_and_start_time(self):
        wf = load_yaml("examples/hello-world.yaml")
        wf["metadata"]["labels"] = {"archive-test": "yes"}
        before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 2))
        r = call("POST", "/api/v1/workflows/argo", self.admin, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        name = r.json()["metadata"]["name"]
        wait_finished(self.admin, "argo", name)
        after = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))

        def archived(selector):
            r = call("GET", "/api/v1/archived-workflows?listOptions.labelSelector=archive-test%3Dyes"
                     "&listOptions.fieldSelector=" + selector, self.admin)
            self.assertEqual(r.status_code, 200, r.text)
            return [w["metadata"]["name"] for w in r.json()["items"]]

        self.assertEqual(archived("metadata.namespace=argo,spec.startedAt>" + before), [name])
        self.assertEqual(archived("spec.startedAt>" + before + ",spec.startedAt<" + after), [name])
        self.assertEqual(archived("spec.startedAt>" + after), [])
        self.assertEqual(archived("spec.startedAt<" + before), [])
        self.assertEqual(archived("metadata.name=" + name), [name])
        self.assertEqual(archived("metadata.namespace=team-a"), [])
        r = call("GET", "/api/v1/archived-workflows?listOptions.fieldSelector=spec.startedAt>yesterday", self.admin)
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("RFC3339", r.json()["message"])
        r = call("GET", "/api/v1/archived-workflows?listOptions.fieldSelector=status.phase=Failed", self.admin)
        self.assertEqual(r.status_code, 400, r.text)

    def test_a_workflow_picks_one_of_the_servers_executors_by_annotation(self):
        # This server offers only the process executor: asking for another is refused up front.
        wf = load_yaml("examples/hello-world.yaml")
        wf["metadata"]["annotations"] = {"rampart.io/executor": "container"}
        r = call("POST", "/api/v1/workflows/argo", self.admin, json={"workflow": wf})
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("it offers: process", r.json()["message"])
        wf["metadata"]["annotations"] = {"rampart.io/executor": "process"}
        r = call("POST", "/api/v1/workflows/argo", self.admin, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(wait_finished(self.admin, "argo", r.json()["metadata"]["name"])["status"]["phase"], "Succeeded")

    def test_a_server_offering_two_executors_runs_each_workflow_on_the_one_it_asks_for(self):
        # process first (the default), container second. The container executor pulls busybox
        # from its registry, which this machine cannot reach: the same workflow succeeds through
        # processes and fails naming the pull when it asks for containers.
        other = Server(extra_args=("--executor", "process,container", "--registry-mirror", "docker.io=127.0.0.1:9"))
        try:
            def run(annotations):
                wf = load_yaml("examples/hello-world.yaml")
                wf["metadata"]["annotations"] = annotations
                r = requests.post(other.url + "/api/v1/workflows/argo", json={"workflow": wf}, verify=False, timeout=30,
                                  headers={"Authorization": "Bearer " + other.admin})
                self.assertEqual(r.status_code, 200, r.text)
                name = r.json()["metadata"]["name"]
                deadline = time.time() + 120
                while time.time() < deadline:
                    got = requests.get(other.url + "/api/v1/workflows/argo/" + name, verify=False, timeout=30,
                                       headers={"Authorization": "Bearer " + other.admin}).json()
                    if got.get("status", {}).get("phase") in ("Succeeded", "Failed", "Error"):
                        return got
                    time.sleep(0.2)
                self.fail("workflow did not finish")

            self.assertEqual(run({})["status"]["phase"], "Succeeded")
            in_container = run({"rampart.io/executor": "container"})
            self.assertNotEqual(in_container["status"]["phase"], "Succeeded")
            messages = " ".join(n.get("message", "") for n in in_container["status"].get("nodes", {}).values())
            self.assertIn("127.0.0.1:9", messages)
        finally:
            other.stop()

    def test_submitter_can_only_submit_from_a_template(self):
        wf = load_yaml("examples/hello-world.yaml")
        r = call("POST", "/api/v1/workflows/team-a", self.submitter, json={"workflow": wf})
        self.assertEqual(r.status_code, 403, r.text)
        r = call("POST", "/api/v1/workflow-templates/team-a", self.submitter,
                 json={"template": {"metadata": {"name": "sneaky"}, "spec": wf["spec"]}})
        self.assertEqual(r.status_code, 403, r.text)
        template = {"metadata": {"name": "greeter"},
                    "spec": {"entrypoint": "main",
                             "arguments": {"parameters": [{"name": "who", "value": "world"}]},
                             "templates": [{"name": "main", "container": {
                                 "image": "busybox", "command": ["echo", "hello {{workflow.parameters.who}}"]}}]}}
        r = call("POST", "/api/v1/workflow-templates/team-a", self.author, json={"template": template})
        self.assertEqual(r.status_code, 200, r.text)
        r = call("POST", "/api/v1/workflows/team-a/submit", self.submitter,
                 json={"resourceKind": "WorkflowTemplate", "resourceName": "greeter",
                       "submitOptions": {"parameters": ["who=sam"]}})
        self.assertEqual(r.status_code, 200, r.text)
        name = r.json()["metadata"]["name"]
        self.assertTrue(name.startswith("greeter-"))
        done = wait_finished(self.submitter, "team-a", name)
        self.assertEqual(done["status"]["phase"], "Succeeded")
        log = call("GET", f"/api/v1/workflows/team-a/{name}/log", self.viewer)
        lines = [json.loads(l)["result"]["content"] for l in log.text.splitlines() if l]
        self.assertIn("hello sam", lines)
        r = call("POST", "/api/v1/workflows/team-a/submit", self.submitter,
                 json={"resourceKind": "WorkflowTemplate", "resourceName": "no-such-template"})
        self.assertEqual(r.status_code, 404)

    # --- running workflows ----------------------------------------------------------------

    def test_author_runs_a_conformance_workflow_and_events_stream_node_updates(self):
        wf = load_yaml("examples/dag-diamond.yaml")
        wf["metadata"] = {"name": "diamond-events"}
        # Each step lingers a little, so that the stream (polled every 250 ms) sees the DAG unfold.
        echo = next(t for t in wf["spec"]["templates"] if t["name"] == "echo")
        echo["container"]["command"] = ["sh", "-c", "sleep 0.4; echo {{inputs.parameters.message}}"]
        events = []
        ready = threading.Event()

        def listen():
            with call("GET", "/api/v1/workflow-events/team-a?listOptions.fieldSelector=metadata.name%3Ddiamond-events",
                      self.viewer, stream=True) as r:
                self.assertEqual(r.headers["Content-Type"], "text/event-stream")
                ready.set()
                for line in r.iter_lines(decode_unicode=True):
                    if not line or not line.startswith("data: "):
                        continue
                    event = json.loads(line[6:])["result"]
                    events.append(event)
                    if event["object"].get("status", {}).get("phase") in ("Succeeded", "Failed", "Error"):
                        return

        t = threading.Thread(target=listen, daemon=True)
        t.start()
        ready.wait(10)
        r = call("POST", "/api/v1/workflows/team-a", self.author, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        done = wait_finished(self.author, "team-a", "diamond-events")
        self.assertEqual(done["status"]["phase"], "Succeeded")
        t.join(30)
        self.assertFalse(t.is_alive(), "the event stream did not deliver the final state")
        self.assertEqual(events[0]["type"], "ADDED")
        self.assertEqual(events[-1]["object"]["status"]["phase"], "Succeeded")
        node_counts = [len(e["object"].get("status", {}).get("nodes", {})) for e in events]
        self.assertGreater(max(node_counts), 1)
        self.assertGreater(len(events), 2, "expected intermediate node updates")
        displays = {n["displayName"] for n in done["status"]["nodes"].values()}
        self.assertTrue({"A", "B", "C", "D"} <= displays, displays)

    def test_logs_follow_streams_until_the_end_and_secrets_are_redacted(self):
        wf = load_yaml("examples/secrets.yaml")
        r = call("POST", "/api/v1/workflows/team-a", self.author, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        name = r.json()["metadata"]["name"]
        with call("GET", f"/api/v1/workflows/team-a/{name}/log?logOptions.follow=true", self.viewer,
                  stream=True, headers={"Accept": "text/event-stream"}) as log:
            body = "".join(chunk for chunk in log.iter_content(decode_unicode=True))
        self.assertIn("secret from env: [redacted]", body)
        self.assertNotIn(SECRET_VALUE, body)
        done = wait_finished(self.viewer, "team-a", name)
        self.assertEqual(done["status"]["phase"], "Succeeded")
        self.assertNotIn(SECRET_VALUE, json.dumps(done))

    def test_stop_and_delete_and_lint(self):
        wf = {"metadata": {"name": "sleepy"},
              "spec": {"entrypoint": "main", "templates": [
                  {"name": "main", "steps": [[{"name": "nap", "template": "nap"}], [{"name": "after", "template": "nap"}]]},
                  {"name": "nap", "container": {"image": "busybox", "command": ["sleep", "30"]}}]}}
        r = call("POST", "/api/v1/workflows/team-a/lint", self.viewer, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        bad = json.loads(json.dumps(wf))
        bad["spec"]["entrypoint"] = "nope"
        r = call("POST", "/api/v1/workflows/team-a/lint", self.viewer, json={"workflow": bad})
        self.assertEqual(r.status_code, 400)
        self.assertIn("nope", r.json()["message"])
        r = call("POST", "/api/v1/workflows/team-a", self.author, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(call("DELETE", "/api/v1/workflows/team-a/sleepy", self.submitter).status_code, 409)
        self.assertEqual(call("PUT", "/api/v1/workflows/team-a/sleepy/stop", self.viewer).status_code, 403)
        r = call("PUT", "/api/v1/workflows/team-a/sleepy/terminate", self.submitter)
        self.assertEqual(r.status_code, 200, r.text)
        done = wait_finished(self.viewer, "team-a", "sleepy", timeout=60)
        self.assertEqual(done["status"]["phase"], "Failed")
        self.assertEqual(call("DELETE", "/api/v1/workflows/team-a/sleepy", self.submitter).status_code, 200)
        self.assertEqual(call("GET", "/api/v1/workflows/team-a/sleepy", self.viewer).status_code, 404)

    def test_list_with_label_selector_fields_and_pagination(self):
        names = []
        for i in range(3):
            wf = load_yaml("examples/hello-world.yaml")
            wf["metadata"] = {"name": f"paged-{i}", "labels": {"batch": "paged", "index": str(i)}}
            r = call("POST", "/api/v1/workflows/team-a", self.author, json={"workflow": wf})
            self.assertEqual(r.status_code, 200, r.text)
            names.append(f"paged-{i}")
        for n in names:
            wait_finished(self.author, "team-a", n)
        r = call("GET", "/api/v1/workflows/team-a?listOptions.labelSelector=batch%3Dpaged,index!%3D1"
                        "&fields=items.metadata.name,items.status.phase", self.viewer)
        items = r.json()["items"]
        self.assertEqual([i["metadata"]["name"] for i in items], ["paged-0", "paged-2"])
        self.assertEqual(set(items[0].keys()), {"metadata", "status"})
        self.assertEqual(set(items[0]["status"].keys()), {"phase"})
        # Nodes come with the list unless the projection leaves them out.
        full = call("GET", "/api/v1/workflows/team-a?listOptions.labelSelector=batch%3Dpaged", self.viewer).json()
        self.assertTrue(all(i["status"].get("nodes") for i in full["items"]))
        slim = call("GET", "/api/v1/workflows/team-a?listOptions.labelSelector=batch%3Dpaged"
                           "&fields=-items.status.nodes", self.viewer).json()
        self.assertEqual(len(slim["items"]), 3)
        self.assertTrue(all("nodes" not in i["status"] and i["status"]["phase"] for i in slim["items"]))
        page = call("GET", "/api/v1/workflows/team-a?listOptions.labelSelector=batch%3Dpaged&listOptions.limit=2", self.viewer).json()
        self.assertEqual(len(page["items"]), 2)
        cont = page["metadata"]["continue"]
        rest = call("GET", "/api/v1/workflows/team-a?listOptions.labelSelector=batch%3Dpaged&listOptions.limit=2"
                           "&listOptions.continue=" + requests.utils.quote(cont, safe=""), self.viewer).json()
        self.assertEqual([i["metadata"]["name"] for i in rest["items"]], ["paged-2"])
        r = call("GET", "/api/v1/workflows/team-a?listOptions.labelSelector=in%20(", self.viewer)
        self.assertEqual(r.status_code, 400)

    # --- audit ------------------------------------------------------------------------------

    def test_writes_and_denials_are_audited(self):
        wf = load_yaml("examples/hello-world.yaml")
        wf["metadata"] = {"name": "audited-one"}
        r = call("POST", "/api/v1/workflows/team-a", self.author, json={"workflow": wf})
        self.assertEqual(r.status_code, 200, r.text)
        call("POST", "/api/v1/workflows/team-a", self.viewer, json={"workflow": wf})
        call("GET", "/api/v1/workflows/secret-ns", self.viewer)
        records = audit_records()
        def find(**want):
            return [a for a in records if all(a.get(k) == v for k, v in want.items())]
        self.assertTrue(find(subject="ada", method="POST", object="team-a/audited-one", decision="allowed"), records[-5:])
        self.assertTrue(find(subject="vera", method="POST", decision="denied", status=403))
        self.assertTrue(find(subject="vera", method="GET", decision="denied", status=404))
        self.assertTrue(find(subject="", decision="unauthenticated"))
        for a in records:
            self.assertNotIn("rampart_", json.dumps(a))
        lines = open(os.path.join(SERVER.state, "audit.jsonl")).read().splitlines()
        self.assertGreaterEqual(len(lines), len(find(subject="ada")))
        self.assertNotIn(self.admin, "".join(lines))

    # --- bad input --------------------------------------------------------------------------

    def test_bad_bodies_get_4xx(self):
        base = "/api/v1/workflows/team-a"
        r = call("POST", base, self.author, data="{not json", headers={"Content-Type": "application/json"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["code"], 3)
        r = call("POST", base, self.author, data="<xml/>", headers={"Content-Type": "application/xml"})
        self.assertEqual(r.status_code, 415)
        r = call("POST", base, self.author, data=b'{"workflow": {"metadata": {"name": "\xff\xfe"}}}',
                 headers={"Content-Type": "application/json"})
        self.assertEqual(r.status_code, 400)
        r = call("POST", base, self.author, data=b"x" * (10 * 1024 * 1024), headers={"Content-Type": "application/json"})
        self.assertEqual(r.status_code, 413)
        r = call("POST", base, self.author, json={"workflow": {"metadata": {"name": "x"}, "spec": {"bogus": 1}}})
        self.assertEqual(r.status_code, 400)
        self.assertIn("bogus", r.json()["message"])
        r = call("POST", base, self.author, json=[1, 2])
        self.assertEqual(r.status_code, 400)

    def test_path_traversal_in_names_is_rejected(self):
        for path in ("/api/v1/workflows/team-a/..%2F..%2Fetc%2Fpasswd", "/api/v1/workflows/team-a/%2e%2e",
                     "/api/v1/workflow-templates/team-a/..", "/api/v1/workflows/team-a/a%00b",
                     "/api/v1/workflows/..%2fteam-a/x"):
            r = call("GET", path, self.admin)
            self.assertIn(r.status_code, (400, 404), path)
            self.assertNotIn("root:", r.text)

    def test_a_thousand_headers_get_431(self):
        headers = {f"X-H{i}": "v" * 10 for i in range(1000)}
        r = call("GET", "/api/v1/info", self.admin, headers=headers)
        self.assertEqual(r.status_code, 431)

    def test_slowloris_clients_do_not_stop_others(self):
        socks = []
        for _ in range(20):
            raw = socket.create_connection(("127.0.0.1", SERVER.port), timeout=5)
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(raw, server_hostname="localhost")
            s.send(b"GET /api/v1/info HTTP/1.1\r\nHost: x\r\n")  # and never finish the header
            socks.append(s)
        for _ in range(5):
            r = call("GET", "/api/v1/info", self.admin)
            self.assertEqual(r.status_code, 200)
        for s in socks:
            s.close()

    def test_garbage_bytes_and_aborted_tls_do_not_hurt(self):
        for payload in (b"\x16\x03\x01\x00\xff" + os.urandom(300), b"GET / HTTP/1.1\r\n\r\n", os.urandom(64)):
            s = socket.create_connection(("127.0.0.1", SERVER.port), timeout=5)
            s.sendall(payload)
            s.close()
        self.assertEqual(call("GET", "/api/v1/version", self.admin).status_code, 200)
        self.assertIsNone(SERVER.proc.poll())


    def test_deeply_nested_bodies_get_400_and_the_server_stays_up_and_small(self):
        # The review's crash: 200,000 nested arrays (400 KB) from a viewer overflowed the stack;
        # 20,000 (40 KB) made an 800 MB string. Parsing now stops at level 129.
        before = http_probes.vm_hwm_kib(SERVER.proc.pid)
        routes = [(self.viewer, "POST", "/api/v1/workflows/team-a/lint", "workflow"),
                  (self.viewer, "POST", "/api/v1/workflow-templates/team-a/lint", "template"),
                  (self.viewer, "POST", "/api/v1/cron-workflows/team-a/lint", "cronWorkflow"),
                  (self.viewer, "POST", "/api/v1/workflows/team-a/lint-yaml", "yaml"),
                  (self.author, "POST", "/api/v1/workflows/team-a", "workflow"),
                  (self.author, "PUT", "/api/v1/workflow-templates/team-a/deep", "template"),
                  (self.submitter, "POST", "/api/v1/workflows/team-a/submit", "submitOptions")]
        for depth in (200_000, 20_000):
            for token, method, path, key in routes:
                r = call(method, path, token, data=http_probes.nested_body(key, depth), headers={"Content-Type": "application/json"})
                self.assertEqual(r.status_code, 400, f"{method} {path} {depth}: {r.text[:200]}")
                self.assertIn("deeper than 128 levels", r.json()["message"])
                self.assertIsNone(SERVER.proc.poll(), "the server died")
        self.assertEqual(call("GET", "/api/v1/version", self.viewer).status_code, 200)
        grown_mib = (http_probes.vm_hwm_kib(SERVER.proc.pid) - before) / 1024
        self.assertLess(grown_mib, 100, f"peak memory grew by {grown_mib:.0f} MiB")

    def test_limits_answer_413_and_431_naming_the_limit(self):
        r = call("POST", "/api/v1/workflows/team-a/lint", self.viewer, data=b"{" + b" " * (1024 * 1024) + b"}",
                 headers={"Content-Type": "application/json"})
        self.assertEqual(r.status_code, 413)
        self.assertIn("1048576 bytes", r.json()["message"])
        self.assertIn("--max-body-bytes", r.json()["message"])
        r = call("GET", "/api/v1/info", self.viewer, headers={"X-Big": "v" * 20000})
        self.assertEqual(r.status_code, 431)
        self.assertIn("16384 bytes", r.json()["message"])

    def test_every_answer_is_no_store(self):
        answers = {
            "200": call("GET", "/api/v1/info", self.viewer),
            "401": call("GET", "/api/v1/info"),
            "403": call("POST", "/api/v1/workflows/team-a", self.viewer, json={"workflow": {}}),
            "404": call("GET", "/api/v1/workflows/team-b", self.viewer),
            "400": call("POST", "/api/v1/workflows/team-a/lint", self.viewer, data="{", headers={"Content-Type": "application/json"}),
            "413": call("POST", "/api/v1/workflows/team-a/lint", self.viewer, data=b"x" * (2 << 20)),
            "431": call("GET", "/api/v1/info", self.viewer, headers={"X-Big": "v" * 20000}),
        }
        with requests.get(SERVER.url + "/api/v1/workflow-events/team-a", headers={"Authorization": "Bearer " + self.viewer},
                          verify=False, stream=True, timeout=30) as stream:
            answers["event stream"] = stream
        with requests.get(SERVER.url + "/api/v1/workflows/team-a/none/log?logOptions.follow=true",
                          headers={"Authorization": "Bearer " + self.viewer}, verify=False, stream=True, timeout=30) as logs:
            answers["log stream"] = logs
        for what, r in answers.items():
            self.assertEqual(r.headers.get("Cache-Control"), "no-store", what)  # exactly one, not no-cache
            self.assertEqual(r.headers.get("Pragma"), "no-cache", what)

    # --- auth bypasses named after Argo's advisories ------------------------------------

    def test_cve_2024_53862_archived_workflows_need_a_role_in_their_namespace(self):
        # Argo served archived workflows to fake tokens, and to any valid token whatever its
        # namespace, through both the workflow and the archive routes.
        r = call("POST", "/api/v1/workflows/argo", self.admin, json={"workflow": load_yaml("examples/hello-world.yaml")})
        self.assertEqual(r.status_code, 200, r.text)
        name, uid = r.json()["metadata"]["name"], r.json()["metadata"]["uid"]
        wait_finished(self.admin, "argo", name)
        self.assertEqual(call("GET", f"/api/v1/archived-workflows/{uid}", self.admin).status_code, 200)
        for i, path in enumerate((f"/api/v1/archived-workflows/{uid}", f"/api/v1/workflows/argo/{name}")):
            r = call("GET", path, self.viewer)  # a real token, bound only to team-a
            self.assertEqual(r.status_code, 404, path)
            self.assertNotIn(name, r.text)
            for fake in ("nothing", self.viewer[:25] + "0" * 64):
                # From other addresses: guesses count towards the address's lockout.
                r = call_from(f"127.0.3.{i + 1}", "GET", path, fake)
                self.assertEqual(r.status_code, 401, f"{path} with {fake[:12]}")
        self.assertEqual(call("DELETE", f"/api/v1/archived-workflows/{uid}", self.viewer).status_code, 404)
        for query in ("?namespace=argo", "", "?listOptions.fieldSelector=metadata.namespace=argo"):
            r = call("GET", "/api/v1/archived-workflows" + query, self.viewer)
            self.assertEqual(r.status_code, 200, r.text)
            self.assertNotIn(name, r.text)
        self.assertEqual(call("GET", f"/api/v1/archived-workflows/{uid}", self.admin).status_code, 200)

    def test_cve_2026_28229_templates_and_cached_lists_need_a_valid_token_and_a_role(self):
        # Argo answered template reads from its informer cache with the server's own rights, so
        # "Authorization: Bearer nothing" leaked templates and the secrets written into them.
        leak = "c3VwZXJzZWNyZXQ-leak"
        template = {"metadata": {"name": "leaky"},
                    "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {
                        "image": "busybox", "command": ["echo"], "env": [{"name": "PASSWORD", "value": leak}]}}]}}
        self.assertEqual(call("POST", "/api/v1/workflow-templates/argo", self.admin, json={"template": template}).status_code, 200)
        self.assertIn(leak, call("GET", "/api/v1/workflow-templates/argo/leaky", self.admin).text)  # warm every cache
        for i, path in enumerate(("/api/v1/workflow-templates/argo/leaky", "/api/v1/workflow-templates/argo",
                                  "/api/v1/workflow-templates/", "/api/v1/workflows/", "/api/v1/cluster-workflow-templates")):
            for fake in ("nothing", self.admin[:25] + "0" * 64):
                r = call_from(f"127.0.4.{i + 1}", "GET", path, fake)
                self.assertEqual(r.status_code, 401, f"{path} with {fake[:12]}")
                self.assertNotIn(leak, r.text)
            self.assertNotIn(leak, call("GET", path, self.viewer).text, path)
        self.assertEqual(call("GET", "/api/v1/workflow-templates/argo/leaky", self.viewer).status_code, 404)
        # The list cache is per caller: the admin's answer for a URL is not the viewer's.
        for _ in range(4):  # each server thread has its own cache: warm them all
            call("GET", "/api/v1/workflows/?fields=items.metadata.namespace", self.admin)
        for _ in range(4):
            r = call("GET", "/api/v1/workflows/?fields=items.metadata.namespace", self.viewer)
            self.assertEqual({w["metadata"]["namespace"] for w in r.json()["items"]} - {"team-a"}, set())

    def test_path_tricks_never_reach_a_handler_without_authentication(self):
        tricks = ["/api/v1/../api/v1/workflows/argo", "/api/v1/%2e%2e/api/v1/workflows/argo",
                  "/api/v1/%2E%2E/v1/info", "//api/v1/workflows/argo", "/api/v1//workflows/argo",
                  "/api/v1/workflows/argo/", "/API/v1/workflows/argo", "/Api/V1/info", "/./api/v1/info",
                  "/api/./v1/info", "/%61pi/v1/info", "/api/v1/info;x=1", "/api/v1/info%00", "/api%2fv1/info",
                  "/api/v1/workflows/argo%2f..%2f..%2fteam-a", "/api/v1/info?x=../../", "/api\\v1\\info"]
        for path in tricks:
            for method in ("GET", "POST", "DELETE"):
                status, headers, body = raw_request(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                                                    "Connection: close\r\n\r\n".encode())
                page = headers.get("content-type", [""])[0].startswith("text/html")  # the dashboard, no data
                self.assertTrue(status in (400, 401, 404, 405) or (status == 200 and page), f"{method} {path}: {status}")
                self.assertNotIn(b"hello-world", body, f"{method} {path}")
                self.assertNotIn(b'"version"', body, f"{method} {path}")

    def test_zz_repeated_bad_tokens_are_rate_limited(self):
        codes = [call("GET", "/api/v1/info", headers={"Authorization": "Bearer rampart_guess_" + str(i)}).status_code
                 for i in range(15)]
        self.assertEqual(codes[0], 401)
        self.assertEqual(codes[-1], 429)
        # Even a valid token is refused from a locked-out address: guessing must not pay off.
        self.assertEqual(call("GET", "/api/v1/info", self.admin).status_code, 429)


if __name__ == "__main__":
    RAMPART = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

"""A real `rampart server` for end-to-end tests: started on a free loopback port with a fresh
state dir, tokens made with the real CLI, requests with Python's requests library."""

import json
import os
import shutil
import subprocess
import tempfile
import time

import requests
import urllib3

urllib3.disable_warnings()  # the server's certificate is self-signed

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFORMANCE = os.path.join(SOURCE, "..", "shared", "conformance")
FINISHED = ("Succeeded", "Failed", "Error")


class Server:
    def __init__(self, rampart, extra_args=(), state=None):
        self.rampart = rampart
        self.extra_args = list(extra_args)
        self.state = state or tempfile.mkdtemp(prefix="rampart-e2e-")
        self.proc = None
        self.start()

    def start(self):
        info_path = os.path.join(self.state, "server.json")
        if os.path.exists(info_path):
            os.remove(info_path)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        # The log goes to a file: a pipe nobody reads would stall the server once it fills.
        self.log_path = os.path.join(self.state, "server-stderr.log")
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                [self.rampart, "server", "--state", self.state, "--listen", "127.0.0.1:0", "--threads", "2",
                 *self.extra_args],
                stdout=subprocess.PIPE, stderr=log, text=True)
        # The admin token is printed once, when the state dir is new (a restart prints nothing).
        if not getattr(self, "admin", ""):
            self.admin = self.proc.stdout.readline().strip()
        deadline = time.time() + 30
        while not os.path.exists(info_path):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("server did not start: " + open(self.log_path).read()[-4000:])
            time.sleep(0.05)
        info = json.load(open(info_path))
        self.url = info["url"]

    def token(self, subject, role, namespace):
        out = subprocess.run([self.rampart, "token", "create", "--state", self.state, "--subject", subject,
                              "--role", role, "-n", namespace, "-o", "json"],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)["token"]

    def call(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = "Bearer " + token
        return requests.request(method, self.url + path, headers=headers, verify=False,
                                timeout=kwargs.pop("timeout", 30), **kwargs)

    def wait_finished(self, token, ns, name, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.call("GET", f"/api/v1/workflows/{ns}/{name}", token)
            if r.status_code == 200 and r.json().get("status", {}).get("phase") in FINISHED:
                return r.json()
            time.sleep(0.1)
        raise AssertionError(f"workflow {ns}/{name} did not finish in {timeout}s")

    def create(self, token, ns, workflow):
        return self.call("POST", f"/api/v1/workflows/{ns}", token, json={"workflow": workflow})

    def alive(self):
        return self.proc.poll() is None and self.call("GET", "/api/v1/version", self.admin).status_code == 200

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self, remove=True):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if remove:
            shutil.rmtree(self.state, ignore_errors=True)


def workflow(templates, entrypoint="main", name=None, **spec):
    meta = {"name": name} if name else {"generateName": "e2e-"}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": meta,
            "spec": {"entrypoint": entrypoint, "templates": templates, **spec}}


def container(name, script, **extra):
    return {"name": name, "container": {"image": "busybox", "command": ["sh", "-c", script], **extra}}

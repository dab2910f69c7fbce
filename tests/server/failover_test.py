#!/usr/bin/env python3
"""Two `rampart server`s on one PostgreSQL database: when one dies, the other finishes its work.

    failover_test.py /path/to/rampart

Needs RAMPART_TEST_POSTGRES (scripts/postgres start; scripts/test sets it when run as root);
skipped (77) without it, except in CI, where that is a failure. The test gets a schema of its own
in that database and drops it afterwards.

What it checks, with real servers, real sandboxed steps and SIGKILL:
  1. Server A takes 20 workflows, each a short step and then a long one (longer than the lease
     TTL, so A must renew its leases or B would steal them).
  2. While every long step runs on A, A is killed with SIGKILL (no clean shutdown, no release).
  3. B adopts every one of them within 30 s of the kill, and all 20 end Succeeded; the steps
     A was running are run again on B, and only those.
  4. No step ever runs on both servers at once: a sampler reads /proc every 20 ms and records, for
     each step's marker, which server's process tree runs it. A's steps die with A
     (--die-with-parent), so B's copy of a step may only start after A's is gone.
  5. The short first steps, finished on A, are not run again on B (the engine resumes).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import random
import shutil

import requests
import urllib3

urllib3.disable_warnings()  # self-signed certificates; the test talks to loopback only

WORKFLOWS = 20
LEASE_TTL = 4  # seconds; the long step runs longer than this
LONG_STEP = 25  # seconds
TAKEOVER_LIMIT = 30  # seconds, what the issue asks for


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def psql(url, sql):
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], check=True,
                   capture_output=True, text=True)


class Server:
    def __init__(self, rampart, db, name):
        self.name = name
        self.state = tempfile.mkdtemp(prefix="rampart-failover-%s-" % name)
        self.log = open(os.path.join(self.state, "server.log"), "w+")
        self.proc = subprocess.Popen(
            [rampart, "server", "--state", self.state, "--listen", "127.0.0.1:0", "--db", db,
             "--lease-ttl", str(LEASE_TTL), "--max-running", str(WORKFLOWS), "--parallelism", str(2 * WORKFLOWS),
             "--threads", "2"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.token = self.proc.stdout.readline().strip()
        path = os.path.join(self.state, "server.json")
        deadline = time.time() + 30
        while not os.path.exists(path):
            if time.time() > deadline or self.proc.poll() is not None:
                fail("server %s did not start:\n%s" % (name, self.logs()))
            time.sleep(0.05)
        self.url = json.load(open(path))["url"]

    def logs(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-4000:]

    def call(self, method, path, **kwargs):
        return requests.request(method, self.url + path, headers={"Authorization": "Bearer " + self.token},
                                verify=False, timeout=30, **kwargs)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.state, ignore_errors=True)


def workflow(index):
    """A short step, then a long one. Each step's shell has a marker as its $0 so that /proc shows
    which step of which workflow a process is."""
    def step(name, seconds):
        return {"name": name, "container": {
            "image": "busybox", "command": ["sh", "-c", "sleep %d" % seconds, "failover-wf%02d-%s" % (index, name)]}}
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": "failover-%02d" % index},
        "spec": {"entrypoint": "main", "templates": [
            {"name": "main", "steps": [[{"name": "short", "template": "short"}], [{"name": "long", "template": "long"}]]},
            step("short", 1), step("long", LONG_STEP)]},
    }


class Sampler(threading.Thread):
    """Every 20 ms: which server's process tree runs each marked step. Records every start (the
    first sample a server runs a marker) and any sample where two servers run the same one."""

    def __init__(self, servers):
        super().__init__(daemon=True)
        self.servers = servers  # pid -> name
        self.running = {}  # marker -> set of server names seen in the last sample
        self.starts = []  # (time, marker, server)
        self.overlaps = []
        self.stop_flag = False

    def sample(self):
        parents, markers = {}, {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % pid) as f:
                    stat = f.read()
                parents[int(pid)] = int(stat[stat.rindex(")") + 2:].split()[1])
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    args = f.read().split(b"\0")
            except OSError:
                continue
            for arg in args:
                if arg.startswith(b"failover-wf"):
                    markers[int(pid)] = arg.decode()
        now = {}
        for pid, marker in markers.items():
            ancestor, hops = pid, 0
            while ancestor not in self.servers and ancestor > 1 and hops < 64:
                ancestor, hops = parents.get(ancestor, 0), hops + 1
            if ancestor in self.servers:
                now.setdefault(marker, set()).add(self.servers[ancestor])
        stamp = time.time()
        for marker, names in now.items():
            for name in names - self.running.get(marker, set()):
                self.starts.append((stamp, marker, name))
            if len(names) > 1:
                self.overlaps.append((stamp, marker, sorted(names)))
        self.running = now

    def run(self):
        while not self.stop_flag:
            self.sample()
            time.sleep(0.02)


def main():
    rampart = os.path.abspath(sys.argv[1])
    base = os.environ.get("RAMPART_TEST_POSTGRES", "")
    if not base:
        if os.environ.get("CI") == "true":
            fail("RAMPART_TEST_POSTGRES is not set in CI")
        print("SKIP: RAMPART_TEST_POSTGRES is not set: run scripts/postgres start (scripts/test does)")
        return 77
    schema = "failover_%d_%d" % (os.getpid(), random.randrange(1 << 30))
    psql(base, "CREATE SCHEMA " + schema)
    db = base + ("&" if "?" in base else "?") + "options=-csearch_path%3D" + schema
    a = b = None
    try:
        a = Server(rampart, db, "A")
        b = Server(rampart, db, "B")
        sampler = Sampler({a.proc.pid: "A", b.proc.pid: "B"})
        sampler.start()

        started = time.time()
        for i in range(WORKFLOWS):
            r = a.call("POST", "/api/v1/workflows/default", json={"workflow": workflow(i)})
            if r.status_code != 200:
                fail("submit %d: %d %s" % (i, r.status_code, r.text))

        # Kill A once every long step runs there (and no step has ever run on B).
        deadline = time.time() + 120
        longs = {"failover-wf%02d-long" % i for i in range(WORKFLOWS)}
        last_seen = None
        while not longs <= {m for m, names in sampler.running.items() if "A" in names}:
            seen = sorted(longs - {m for m, names in sampler.running.items() if "A" in names})
            if os.environ.get("FAILOVER_DEBUG") and seen != last_seen:
                print(round(time.time() - started, 2), "missing", seen, flush=True)
                last_seen = seen
            if time.time() > deadline:
                fail("the long steps did not all run on A at once: starts %s\n%s" % (
                    sorted((round(t - started, 1), m) for t, m, _ in sampler.starts), a.logs()))
            time.sleep(0.05)
        # Past the lease TTL at least once, so that A has had to renew.
        time.sleep(LEASE_TTL + 1)
        if any(name == "B" for _, _, name in sampler.starts):
            fail("B ran a step while A was alive and renewing its leases: %s" % sampler.starts)
        interrupted = {m for m, names in sampler.running.items() if "A" in names and m.endswith("-long")}
        killed_at = time.time()
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        if len(interrupted) < WORKFLOWS // 2:
            fail("only %d long steps were running on A when it was killed" % len(interrupted))
        print("killed A with %d long steps running on it" % len(interrupted), flush=True)

        # B finishes all of them.
        deadline = killed_at + TAKEOVER_LIMIT + LONG_STEP + 30
        phases = {}
        while time.time() < deadline:
            r = b.call("GET", "/api/v1/workflows/default?listOptions.limit=100")
            items = r.json().get("items") or []
            phases = {wf["metadata"]["name"]: wf.get("status", {}).get("phase", "") for wf in items}
            if len(phases) == WORKFLOWS and all(p in ("Succeeded", "Failed", "Error") for p in phases.values()):
                break
            time.sleep(0.5)
        sampler.stop_flag = True
        sampler.join()
        not_done = {n: p for n, p in phases.items() if p != "Succeeded"}
        if len(phases) != WORKFLOWS or not_done:
            fail("after A died, B did not finish every workflow: %s\nB's log:\n%s" % (not_done or phases, b.logs()))

        if sampler.overlaps:
            fail("steps ran on both servers at once: %s" % sampler.overlaps[:5])
        b_starts = {marker: t for t, marker, name in sampler.starts if name == "B"}
        missing = interrupted - set(b_starts)
        if missing:
            fail("B did not run these interrupted steps again: %s" % sorted(missing))
        reruns = [m for m in b_starts if m not in interrupted]
        if reruns:
            fail("steps that had finished on A ran again on B: %s" % reruns)
        slowest = max(b_starts[m] for m in interrupted) - killed_at
        if slowest > TAKEOVER_LIMIT:
            fail("the last workflow was taken over %.1f s after the kill (limit %d s)" % (slowest, TAKEOVER_LIMIT))
        print("B took over all %d workflows, the last %.1f s after A died (lease TTL %d s); no step ran twice at once"
              % (WORKFLOWS, slowest, LEASE_TTL), flush=True)

        # The finished workflow on B shows both steps, the first one done by A before it died.
        r = b.call("GET", "/api/v1/workflows/default/failover-00")
        nodes = r.json()["status"]["nodes"]
        names = sorted(n.get("displayName", "") for n in nodes.values() if n.get("type") == "Pod")
        if names != ["long", "short"] or any(n["phase"] != "Succeeded" for n in nodes.values()):
            fail("unexpected nodes of failover-00: %s" % json.dumps(nodes)[:2000])
        print("PASS", flush=True)
        return 0
    finally:
        for server in (a, b):
            if server is not None:
                server.stop()
        try:
            psql(base, "DROP SCHEMA %s CASCADE" % schema)
        except subprocess.CalledProcessError:
            pass


if __name__ == "__main__":
    sys.exit(main())

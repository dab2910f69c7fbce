#!/usr/bin/env python3
"""Scale-out benchmark: N single-step workflows through two `rampart server`s sharing one
PostgreSQL database, beside the same N through one server on its embedded SQLite store.

    bench/scaleout.py [-n 10000] [--max-running 16] [--clients 4] [-b build/rampart] [-o json]

Each configuration gets fresh state dirs (and a fresh schema in PostgreSQL); the workflows are
submitted over HTTPS by --clients threads, spread round-robin over the servers, and the clock runs
from the first submission until every workflow is finished. Prints workflows/s of each and the
ratio against the single SQLite server, which is the baseline measured in the same run.

PostgreSQL: $RAMPART_TEST_POSTGRES, else the loopback server of scripts/postgres (started when
this runs as root). Both servers run on this machine, so with few cores the second server adds
database round trips rather than CPU: the number says what sharing costs here, not what a second
machine would add.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import requests
import urllib3

urllib3.disable_warnings()  # loopback, self-signed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FINISHED = ("Succeeded", "Failed", "Error")
WORKFLOW = {"metadata": {"generateName": "scale-"}, "spec": {"entrypoint": "main", "templates": [
    {"name": "main", "container": {"image": "busybox", "command": ["true"]}}]}}


def postgres_url():
    url = os.environ.get("RAMPART_TEST_POSTGRES")
    if url:
        return url
    out = subprocess.run([os.path.join(ROOT, "scripts", "postgres"), "start"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench/scaleout.py: no PostgreSQL: set RAMPART_TEST_POSTGRES or run as root\n" + out.stderr)
    return out.stdout.strip().split("=", 1)[1]


def psql(url, sql):
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], check=True, capture_output=True)


class Server:
    def __init__(self, rampart, db, max_running):
        self.state = tempfile.mkdtemp(prefix="rampart-scaleout-")
        args = [rampart, "server", "--state", self.state, "--listen", "127.0.0.1:0", "--max-running", str(max_running),
                "--threads", "2"]
        if db:
            args += ["--db", db]
        self.log = open(os.path.join(self.state, "server.log"), "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.token = self.proc.stdout.readline().strip()
        path = os.path.join(self.state, "server.json")
        for _ in range(300):
            if os.path.exists(path):
                break
            if self.proc.poll() is not None:
                sys.exit("server did not start; see " + self.log.name)
            time.sleep(0.1)
        self.url = json.load(open(path))["url"]

    def session(self):
        s = requests.Session()
        s.trust_env = False
        s.verify = False
        s.headers["Authorization"] = "Bearer " + self.token
        return s

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.state, ignore_errors=True)


def measure(label, servers, count, clients, quiet):
    """Submits `count` workflows across `servers`; returns seconds until all are finished."""
    submitted = [0]
    lock = threading.Lock()
    errors = []

    def submit(worker):
        sessions = [s.session() for s in servers]
        urls = [s.url for s in servers]
        i = worker
        while i < count:
            k = i % len(servers)
            r = sessions[k].post(urls[k] + "/api/v1/workflows/bench", json={"workflow": WORKFLOW})
            if r.status_code != 200:
                errors.append("%d %s" % (r.status_code, r.text[:200]))
                return
            with lock:
                submitted[0] += 1
            i += clients

    start = time.time()
    threads = [threading.Thread(target=submit, args=(w,)) for w in range(clients)]
    for t in threads:
        t.start()
    watcher = servers[0].session()
    done, failed = 0, 0
    while True:
        time.sleep(2)
        if errors:
            sys.exit("%s: submission failed: %s" % (label, errors[0]))
        items = watcher.get(servers[0].url + "/api/v1/workflows/bench?fields=items.status.phase",
                            timeout=120).json().get("items") or []
        phases = [i.get("status", {}).get("phase", "") for i in items]
        done = sum(1 for p in phases if p in FINISHED)
        failed = sum(1 for p in phases if p in FINISHED and p != "Succeeded")
        if not quiet:
            print("\r  %s: submitted %d/%d, finished %d (%.0f s)" % (label, submitted[0], count, done, time.time() - start),
                  end="", file=sys.stderr, flush=True)
        if done >= count:
            break
    elapsed = time.time() - start
    for t in threads:
        t.join()
    if not quiet:
        print(file=sys.stderr)
    if failed:
        sys.exit("%s: %d workflows did not succeed" % (label, failed))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10000, help="workflows per configuration (default 10000)")
    parser.add_argument("--max-running", type=int, default=16, help="each server's --max-running")
    parser.add_argument("--clients", type=int, default=4, help="submitting threads")
    parser.add_argument("-b", default=os.path.join(ROOT, "build", "rampart"), help="the rampart binary")
    parser.add_argument("-o", choices=["text", "json"], default="text")
    args = parser.parse_args()
    if args.n < 1 or args.clients < 1 or args.max_running < 1:
        parser.error("-n, --clients and --max-running must be positive")
    rampart = os.path.abspath(args.b)
    base = postgres_url()
    schema = "scaleout_%d_%d" % (os.getpid(), random.randrange(1 << 30))
    psql(base, "CREATE SCHEMA " + schema)
    pg = base + ("&" if "?" in base else "?") + "options=-csearch_path%3D" + schema
    quiet = args.o == "json"
    results = {}
    try:
        single = Server(rampart, "", args.max_running)
        try:
            results["sqlite_1_server"] = measure("1 server, SQLite", [single], args.n, args.clients, quiet)
        finally:
            single.stop()
        pair = [Server(rampart, pg, args.max_running), Server(rampart, pg, args.max_running)]
        try:
            results["postgres_2_servers"] = measure("2 servers, PostgreSQL", pair, args.n, args.clients, quiet)
        finally:
            for s in pair:
                s.stop()
    finally:
        psql(base, "DROP SCHEMA %s CASCADE" % schema)

    rates = {k: args.n / v for k, v in results.items()}
    ratio = rates["postgres_2_servers"] / rates["sqlite_1_server"]
    if args.o == "json":
        print(json.dumps({"workflows": args.n, "cores": os.cpu_count(), "max_running": args.max_running,
                          "seconds": results, "workflows_per_second": rates, "ratio": ratio}))
        return
    print("%d single-step workflows, %d cores, --max-running %d per server" % (args.n, os.cpu_count(), args.max_running))
    print("  1 server,  SQLite     : %7.1f s  %6.1f workflows/s  (baseline)" % (results["sqlite_1_server"], rates["sqlite_1_server"]))
    print("  2 servers, PostgreSQL : %7.1f s  %6.1f workflows/s  x%.2f" % (results["postgres_2_servers"], rates["postgres_2_servers"], ratio))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A FAKE Kubernetes API server for kube_client_test.cpp -- not Kubernetes. It speaks just the
few paths the kubernetes executor uses, over HTTPS with a given certificate, and checks the
bearer token. Pods it is given "run" by themselves: shortly after creation a watch sees the main
container terminate with exit code N when the main container's first argument is "exit=N"
(default 0; "exit=hang" never ends), and the logs it returns are canned (main: "hello from
main\\n"; the collector: every output file reads "out"). It also answers test-only paths:
  /fake/watch-split  a watch whose two events arrive in pieces, then a BOOKMARK, then 410 Gone
  /fake/requests     what it was asked, as JSON lines (method, path, has the token)

Usage: fake_api_server.py CERT KEY TOKEN   (prints the port on stdout, serves until killed)
"""
import base64
import os
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

CERT, KEY, TOKEN = sys.argv[1:4]
lock = threading.Lock()
changed = threading.Condition(lock)
pods = {}        # name -> pod
secrets = {}
events = []      # (version, type, pod)
requests_seen = []
version = [100]


def record(kind, pod):
    version[0] += 1
    pod = json.loads(json.dumps(pod))
    pod["metadata"]["resourceVersion"] = str(version[0])
    events.append((version[0], kind, pod))
    changed.notify_all()


def run_pod(name):
    time.sleep(0.3)
    with lock:
        pod = pods.get(name)
        if not pod:
            return
        args = pod["spec"]["initContainers"][0].get("args", [])
        exit_arg = args[0][5:] if args and args[0].startswith("exit=") else "0"
        if exit_arg == "hang":  # never finishes: waits to be deleted
            pod["status"] = {"phase": "Pending", "initContainerStatuses": [{"name": "main", "state": {"running": {}}}]}
            record("MODIFIED", pod)
            return
        code = int(exit_arg)
        pod["status"] = {
            "phase": "Succeeded" if code == 0 else "Failed",
            "initContainerStatuses": [{"name": "main", "state": {"terminated": {"exitCode": code, "reason": "Completed" if code == 0 else "Error"}}}],
            "containerStatuses": [{"name": "rampart-outputs", "state": {"terminated": {"exitCode": 0}} if code == 0 else {"waiting": {}}}],
        }
        record("MODIFIED", pod)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode() if not isinstance(body, (bytes, str)) else (body.encode() if isinstance(body, str) else body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def chunk(self, data):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def authorized(self):
        ok = self.headers.get("Authorization") == f"Bearer {TOKEN}"
        with lock:
            requests_seen.append({"method": self.command, "path": self.path, "token": ok})
        if not ok:
            self.reply(401, {"kind": "Status", "code": 401, "message": "Unauthorized"})
        return ok

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return json.loads(self.rfile.read(n) or b"{}")

    def do_POST(self):
        if not self.authorized():
            return
        obj = self.body()
        name = obj["metadata"]["name"]
        with lock:
            store = pods if self.path.endswith("/pods") else secrets
            if name in store:
                return self.reply(409, {"kind": "Status", "code": 409, "message": f"{name} already exists"})
            store[name] = obj
            if store is pods:
                record("ADDED", obj)
        if store is pods:
            threading.Thread(target=run_pod, args=(name,), daemon=True).start()
        self.reply(201, obj)

    def do_DELETE(self):
        if not self.authorized():
            return
        name = urlparse(self.path).path.rsplit("/", 1)[1]
        with lock:
            store = pods if "/pods/" in self.path else secrets
            obj = store.pop(name, None)
            if obj and store is pods:
                record("DELETED", obj)
        self.reply(200 if obj else 404, {"kind": "Status", "code": 200 if obj else 404})

    def do_PATCH(self):
        if not self.authorized():
            return
        patch = self.body()
        name = urlparse(self.path).path.rsplit("/", 1)[1]
        with lock:
            pod = pods.get(name)
            if pod:
                pod["metadata"].setdefault("labels", {}).update(patch.get("metadata", {}).get("labels", {}))
        self.reply(200 if pod else 404, pod or {"kind": "Status", "code": 404})

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/fake/requests":
            with lock:
                return self.reply(200, "\n".join(json.dumps(r) for r in requests_seen))
        if not self.authorized():
            return
        if url.path == "/fake/watch-split":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            added = json.dumps({"type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "a", "resourceVersion": "7"}}})
            for piece in (added[:10], added[10:] + "\n" + '{"type":"BOOKM', 'ARK","object":{"metadata":{"resourceVersion":"9"}}}\n'):
                self.chunk(piece.encode())
                time.sleep(0.05)
            self.chunk(b'{"type":"ERROR","object":{"kind":"Status","code":410,"message":"too old resource version"}}\n')
            self.chunk(b"")
            return
        if url.path.endswith("/log"):
            name = url.path.split("/")[-2]
            container = query.get("container", [""])[0]
            with lock:
                pod = pods.get(name)
            if not pod:
                return self.reply(404, {"kind": "Status", "code": 404, "message": "not found"})
            if container == "main":
                return self.reply(200, "hello from main\n")
            output = b"out"
            frames = "".join(
                f"@@rampart-output 1 {i} file {len(output)} -\n{base64.b64encode(output).decode()}\n@@rampart-end {i}\n"
                for i in range(len(pod["spec"]["containers"][0]["args"]) - 2))
            return self.reply(200, frames)
        if url.path.endswith("/pods") and "watch" not in query:
            with lock:
                return self.reply(200, {"kind": "PodList", "metadata": {"resourceVersion": str(version[0])}, "items": list(pods.values())})
        if url.path.endswith("/pods"):
            since = int(query.get("resourceVersion", ["0"])[0] or 0)
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            deadline = time.time() + float(query.get("timeoutSeconds", ["30"])[0])
            sent = since
            try:
                while time.time() < deadline:
                    with lock:
                        pending = [e for e in events if e[0] > sent]
                        if not pending:
                            changed.wait(timeout=0.5)
                            continue
                    for v, kind, pod in pending:
                        self.chunk((json.dumps({"type": kind, "object": pod}) + "\n").encode())
                        sent = v
                self.chunk(b"")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        self.reply(404, {"kind": "Status", "code": 404, "message": "the fake API server does not know " + url.path})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CERT, KEY)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], os.getpid(), flush=True)
server.serve_forever()

"""Client-side helpers for the server's end-to-end tests: requests from other loopback addresses,
raw bytes without client-side normalisation, hostile bodies, and the server's peak memory."""

import socket
import ssl

import requests
import requests.adapters


class SourceAddress(requests.adapters.HTTPAdapter):
    """Connects from a chosen loopback address (127.0.0.0/8 all reach the server on Linux)."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def call_from(url, address, method, path, token=None, **kwargs):
    """A request from another client address, whose failed token checks count against it, not 127.0.0.1."""
    with requests.Session() as session:
        session.mount("https://", SourceAddress(address))
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = "Bearer " + token
        return session.request(method, url + path, headers=headers, verify=False, timeout=30, **kwargs)


def raw_request(port, data):
    """Sends bytes as they are (no client-side path normalisation); returns (status, headers, body)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30),
                         server_hostname="localhost") as s:
        s.sendall(data)
        answer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return int(lines[0].split()[1]), headers, body


def nested_body(key, depth):
    """The review's attack: {key: {"metadata": ..., "spec": [[[...]]]}} nesting `depth` arrays."""
    return ('{"%s": {"metadata": {"name": "x"}, "spec": ' % key + "[" * depth + "]" * depth + "}}").encode()


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")

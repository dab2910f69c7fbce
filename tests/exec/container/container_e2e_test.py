#!/usr/bin/env python3
"""The container executor end to end: a real OCI registry on loopback (Debian's docker-registry),
images built from Debian packages and pushed there (scripts/test-images), and `rampart run
--executor container` running steps in crun containers.

    container_e2e_test.py /path/to/rampart [--conformance]

Proves the isolation the executor promises (no host loopback, memory and pids limits, deadlines,
privileged steps refused, credentials for private registries), that nothing is left behind,
also after the engine is SIGKILLed, and, with --conformance, runs every tier A row of the
conformance corpus through containers.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # bcrypt for the registry's htpasswd file (libxcrypt)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CORPUS = os.path.join(ROOT, "..", "shared", "conformance")
RAMPART = None
CONFORMANCE = False


class Env:
    pass


E = Env()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_registry(directory, auth=None):
    port = free_port()
    os.makedirs(directory, exist_ok=True)
    config = os.path.join(directory, "config.yml")
    lines = ["version: 0.1", "log:", "  level: error", "  accesslog: {disabled: true}",
             "storage:", "  filesystem:", f"    rootdirectory: {directory}/data",
             "http:", f"  addr: 127.0.0.1:{port}"]
    if auth:
        user, password = auth
        htpasswd = os.path.join(directory, "htpasswd")
        with open(htpasswd, "w") as f:
            f.write(f"{user}:{crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))}\n")
        # Basic auth is only offered over TLS: a self-signed certificate (skopeo is told not to
        # verify loopback registries, as Docker does).
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "1", "-subj", "/CN=localhost", "-keyout", f"{directory}/key.pem",
                        "-out", f"{directory}/cert.pem"], check=True, capture_output=True)
        lines += ["  tls:", f"    certificate: {directory}/cert.pem", f"    key: {directory}/key.pem",
                  "auth:", "  htpasswd:", "    realm: rampart-test", f"    path: {htpasswd}"]
    with open(config, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(directory, "log"), "w") as log:
        proc = subprocess.Popen(["docker-registry", "serve", config], stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("docker-registry did not start: " + open(os.path.join(directory, "log")).read())


def container_args():
    return ["--executor", "container", "--registry-mirror", f"docker.io={E.registry}", "--image-cache", E.cache]


def run(yaml_text, state=None, extra=(), timeout=180, name="wf"):
    path = os.path.join(E.tmp, name + ".yaml")
    with open(path, "w") as f:
        f.write(yaml_text)
    cmd = [RAMPART, "run", path, "--state", state or E.state, "-o", "json"] + container_args() + list(extra)
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as engine:
        E.engine_pids.add(engine.pid)
        try:
            stdout, stderr = engine.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            engine.kill()
            raise
    proc = subprocess.CompletedProcess(cmd, engine.returncode, stdout, stderr)
    try:
        wf = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"rampart run printed no workflow (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return wf, proc


def nodes(wf):
    return [n for n in wf["status"]["nodes"].values() if n.get("type") == "Pod"]


def single_pod(wf):
    pods = nodes(wf)
    assert len(pods) == 1, pods
    return pods[0]


def workflow(name, container, template_extra="", spec_extra=""):
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{name: {name}}}
spec:
  entrypoint: main{spec_extra}
  templates:
  - name: main{template_extra}
    container: {container}
"""


def crun_list(state):
    root = os.path.join(state, "containers", "crun")
    if not os.path.isdir(root):
        return []
    out = subprocess.run(["crun", "--root", root, "list", "-q"], capture_output=True, text=True)
    return [line for line in out.stdout.split() if line]


def overlay_mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[4].startswith(path)]


def stale_cgroups(pids):
    """rampart-<pid>-<n> groups of the given engine pids whose process is gone. Only this suite's
    engines count: other tests SIGKILL engines of their own while this one runs."""
    found = []
    for hierarchy in ("/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        for dirpath, dirnames, _ in os.walk(hierarchy):
            if dirpath.count("/") > 9:
                dirnames[:] = []
                continue
            for d in dirnames:
                if d.startswith("rampart-"):
                    pid = d.split("-")[1]
                    if pid.isdigit() and int(pid) in pids and not os.path.exists(f"/proc/{pid}"):
                        found.append(os.path.join(dirpath, d))
    return found


def setUpModule():
    E.engine_pids = set()
    E.tmp = tempfile.mkdtemp(prefix="rampart-container-e2e-")
    E.state = os.path.join(E.tmp, "state")
    E.cache = os.path.join(E.tmp, "image-cache")
    E.registry_proc, E.registry = start_registry(os.path.join(E.tmp, "registry"))
    subprocess.run([os.path.join(ROOT, "scripts", "test-images"), E.registry,
                    os.path.join(ROOT, "build", "test-images")], check=True)


def tearDownModule():
    E.registry_proc.kill()
    E.registry_proc.wait()
    shutil.rmtree(E.tmp, ignore_errors=True)


class ContainerExecutorTest(unittest.TestCase):
    def test_a_step_runs_in_its_image_and_returns_its_output(self):
        wf, proc = run(workflow("hello", "{image: busybox, command: [sh, -c, 'cat /etc/os-release; echo hi > /tmp/out; hostname']}",
                                template_extra="\n    outputs: {parameters: [{name: out, valueFrom: {path: /tmp/out}}]}"))
        self.assertEqual(wf["status"]["phase"], "Succeeded", proc.stderr)
        pod = single_pod(wf)
        self.assertIn("rampart test image", pod["outputs"]["result"])  # the image's file, not the host's
        self.assertEqual(pod["outputs"]["parameters"][0]["value"], "hi")

    def test_script_templates_and_python_run(self):
        wf, proc = run("""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: script}
spec:
  entrypoint: main
  templates:
  - name: main
    script:
      image: python:alpine3.23
      command: [python]
      source: |
        import os, json
        print(json.dumps({"uid": os.getuid(), "pid1": os.getpid() == 1}))
""")
        self.assertEqual(wf["status"]["phase"], "Succeeded", proc.stderr)
        result = json.loads(single_pod(wf)["outputs"]["result"])
        self.assertEqual(result["uid"], 0)
        self.assertTrue(result["pid1"], "the step is PID 1 of its own PID namespace")

    def test_a_step_cannot_reach_a_loopback_port_of_the_host(self):
        accepted = []
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        port = server.getsockname()[1]

        def accept():
            server.settimeout(15)
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                pass
        t = threading.Thread(target=accept)
        t.start()
        code = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=3); print('CONNECTED')"
        wf, proc = run(workflow("no-net", "{image: python:alpine3.23, command: [python, -c, \"%s\"]}" % code))
        server.close()
        t.join()
        self.assertEqual(wf["status"]["phase"], "Failed", proc.stderr)
        self.assertEqual(accepted, [])
        self.assertNotIn("CONNECTED", single_pod(wf)["outputs"].get("result", ""))

    def test_a_memory_limit_oom_kills_a_hog_with_exit_137(self):
        hog = "b = b'x' * (512 * 1024 * 1024); print(len(b))"
        wf, proc = run(workflow("hog", "{image: python:alpine3.23, command: [python, -c, \"%s\"], resources: {limits: {memory: 64Mi}}}" % hog))
        self.assertEqual(wf["status"]["phase"], "Failed", proc.stderr)
        pod = single_pod(wf)
        self.assertEqual(pod["outputs"]["exitCode"], "137")
        self.assertIn("OOMKilled", pod["message"])

    def test_the_pids_limit_stops_a_fork_bomb(self):
        bomb = "f() { f | f & }; f; sleep 3; echo survived"
        wf, proc = run(workflow("bomb", "{image: busybox, command: [sh, -c, '%s']}" % bomb,
                                template_extra="\n    activeDeadlineSeconds: 8"), timeout=120)
        self.assertIn(wf["status"]["phase"], ("Failed", "Succeeded"), proc.stderr)
        logs = subprocess.run([RAMPART, "logs", "bomb", "--state", E.state], capture_output=True, text=True)
        self.assertRegex(logs.stdout + logs.stderr, r"can't fork|Resource temporarily unavailable")
        self.assertEqual(crun_list(E.state), [])

    def test_a_deadline_kills_a_sleeping_container_within_2s(self):
        wf, proc = run(workflow("sleeper", "{image: busybox, command: [sleep, 1d]}",
                                template_extra="\n    activeDeadlineSeconds: 1"), timeout=60)
        self.assertEqual(wf["status"]["phase"], "Failed", proc.stderr)
        pod = single_pod(wf)
        self.assertIn("deadline", pod["message"])
        started = time.strptime(pod["startedAt"], "%Y-%m-%dT%H:%M:%SZ")
        finished = time.strptime(pod["finishedAt"], "%Y-%m-%dT%H:%M:%SZ")
        # One-second timestamps: deadline (1 s) + the 2 s allowed + 1 s of rounding.
        self.assertLessEqual(time.mktime(finished) - time.mktime(started), 4)

    def test_a_privileged_step_is_refused_with_a_clear_message(self):
        # The admission policy (on by default) would refuse it first; this is the executor's own refusal.
        wf, proc = run(workflow("priv", "{image: busybox, command: [id], securityContext: {privileged: true}}"), extra=["--no-policy"])
        self.assertEqual(wf["status"]["phase"], "Error", proc.stderr)
        self.assertIn("privileged containers are refused", single_pod(wf)["message"])

    def test_steps_have_no_capabilities_and_a_read_only_root_when_asked(self):
        wf, proc = run(workflow("caps", "{image: busybox, command: [sh, -c, 'grep CapEff /proc/self/status; touch /x || echo read-only; mount -t tmpfs none /mnt || echo no-mount'], securityContext: {readOnlyRootFilesystem: true}}"))
        self.assertEqual(wf["status"]["phase"], "Succeeded", proc.stderr)
        out = single_pod(wf)["outputs"]["result"]
        self.assertIn("CapEff:\t0000000000000000", out)
        self.assertIn("read-only", out)
        self.assertIn("no-mount", out)

    def test_an_image_that_does_not_exist_is_a_clear_error(self):
        wf, proc = run(workflow("missing", "{image: 'nosuch/image:1', command: ['true']}"))
        self.assertEqual(wf["status"]["phase"], "Error", proc.stderr)
        self.assertIn("ErrImagePull", single_pod(wf)["message"])

    def test_private_registries_need_the_pull_secret_and_never_show_it(self):
        password = "s3cret-pull-password-1234"
        proc, private = start_registry(os.path.join(E.tmp, "private-registry"), auth=("puller", password))
        try:
            authfile = os.path.join(E.tmp, "push-auth.json")
            import base64
            token = base64.b64encode(f"puller:{password}".encode()).decode()
            with open(authfile, "w") as f:
                json.dump({"auths": {private: {"auth": token}}}, f)
            subprocess.run(["skopeo", "copy", "--quiet", "--insecure-policy", "--dest-tls-verify=false",
                            "--dest-authfile", authfile,
                            f"oci:{os.path.join(ROOT, 'build', 'test-images', 'oci')}:img0",
                            f"docker://{private}/team/tool:1"], check=True)
            image = f"{private}/team/tool:1"
            anonymous, p1 = run(workflow("private-anon", "{image: '%s', command: [echo, pulled]}" % image))
            self.assertEqual(anonymous["status"]["phase"], "Error", p1.stderr)
            self.assertIn("ErrImagePull", single_pod(anonymous)["message"])

            secret = os.path.join(E.tmp, "pull-secret.yaml")
            with open(secret, "w") as f:
                f.write("apiVersion: v1\nkind: Secret\nmetadata: {name: regcred}\ntype: kubernetes.io/dockerconfigjson\n"
                        "stringData:\n  .dockerconfigjson: '%s'\n" % json.dumps({"auths": {private: {"auth": token}}}))
            wf, p2 = run(workflow("private", "{image: '%s', command: [echo, pulled]}" % image,
                                  spec_extra="\n  imagePullSecrets: [{name: regcred}]"), extra=["--secret", secret])
            self.assertEqual(wf["status"]["phase"], "Succeeded", p2.stderr)
            self.assertEqual(single_pod(wf)["outputs"]["result"], "pulled")
            for text in (p1.stdout, p1.stderr, p2.stdout, p2.stderr):
                self.assertNotIn(password, text)
                self.assertNotIn(token, text)
        finally:
            proc.kill()
            proc.wait()

    def test_sidecars_share_the_pods_loopback_and_stop_with_the_main_container(self):
        wf, proc = run("""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: sidecar}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: python:alpine3.23
      command: [python, -c]
      args:
      - |
        import time, urllib.request
        for _ in range(200):
            try:
                print(urllib.request.urlopen("http://127.0.0.1:8000/hello.txt", timeout=1).read().decode().strip())
                break
            except OSError:
                time.sleep(0.1)
    sidecars:
    - name: web
      image: python:alpine3.23
      command: [sh, -c, "mkdir -p /srv && echo hello-from-sidecar > /srv/hello.txt && cd /srv && exec python -m http.server 8000"]
""", timeout=120)
        self.assertEqual(wf["status"]["phase"], "Succeeded", proc.stderr)
        self.assertEqual(single_pod(wf)["outputs"]["result"], "hello-from-sidecar")
        self.assertEqual(crun_list(E.state), [], "the sidecar, which never exits, was stopped")
        self.assertEqual([m for m in overlay_mounts_under(E.state) if "netns" in m], [])

    def test_zz_a_killed_engine_leaves_nothing_behind_after_the_next_start(self):
        state = os.path.join(E.tmp, "killed-state")
        path = os.path.join(E.tmp, "long.yaml")
        with open(path, "w") as f:
            f.write(workflow("long", "{image: busybox, command: [sleep, 1d]}"))
        engine = subprocess.Popen([RAMPART, "run", path, "--state", state, "-o", "json"] + container_args(),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        E.engine_pids.add(engine.pid)
        deadline = time.time() + 60
        while time.time() < deadline and not crun_list(state):
            time.sleep(0.1)
        self.assertTrue(crun_list(state), "the container never started")
        time.sleep(0.5)
        engine.send_signal(signal.SIGKILL)
        engine.communicate()
        self.assertTrue(crun_list(state), "the container outlives a SIGKILLed engine until the next start")
        wf, proc = run(workflow("next", "{image: busybox, command: ['true']}"), state=state)
        self.assertEqual(wf["status"]["phase"], "Succeeded", proc.stderr)
        self.assertEqual(crun_list(state), [])
        self.assertEqual(overlay_mounts_under(state), [])

    def test_zz_nothing_is_left_after_the_suite(self):
        self.assertEqual(crun_list(E.state), [])
        self.assertEqual(overlay_mounts_under(E.tmp), [])
        self.assertEqual(stale_cgroups(E.engine_pids), [])

    def test_zzz_tier_a_conformance_rows_pass_in_containers(self):
        if not CONFORMANCE:
            self.skipTest("--conformance not given (CI runs it as its own stage)")
        proc = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "conformance"), CORPUS, "--rampart", RAMPART,
                               "--tier", "A", "--jobs", "4"] + ["--extra-arg=" + a for a in container_args()],
                              capture_output=True, text=True, timeout=1500)
        print(proc.stdout[-3000:])
        self.assertEqual(proc.returncode, 0, proc.stdout[-4000:] + proc.stderr[-2000:])
        self.assertRegex(proc.stdout, r"\n71 passed, 0 failed")


if __name__ == "__main__":
    RAMPART = os.path.abspath(sys.argv.pop(1))
    if "--conformance" in sys.argv:
        sys.argv.remove("--conformance")
        CONFORMANCE = True
    missing = [t for t in ("crun", "skopeo", "umoci", "docker-registry") if not shutil.which(t)]
    if missing or os.geteuid() != 0:
        why = f"missing {', '.join(missing)}" if missing else "not root"
        if os.environ.get("CI") == "true":
            print(f"container tests cannot run in CI: {why}")
            sys.exit(1)
        print(f"SKIP: container tests need root and crun, skopeo, umoci, docker-registry ({why})")
        sys.exit(0)
    unittest.main(verbosity=2)

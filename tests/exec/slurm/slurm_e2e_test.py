#!/usr/bin/env python3
"""The Slurm executor end to end on a real cluster: scripts/slurm-cluster's controller and two
slurmd (node1, node2, each in its own network namespace), and `rampart run --executor slurm`.

    slurm_e2e_test.py /path/to/rampart [--conformance]

Uses a cluster that is already up (CI may start one), otherwise starts one and stops it at the
end. Exits 77 (skipped) without Slurm or root, except with CI=true, where that is a failure.
With --conformance it also runs every tier A row of the conformance corpus through Slurm.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CORPUS = os.path.join(ROOT, "..", "shared", "conformance")
CLUSTER = os.path.join(ROOT, "scripts", "slurm-cluster")
CLUSTER_DIR = os.environ.get("RAMPART_SLURM_DIR", "/tmp/rampart-slurm")
RAMPART = None
CONFORMANCE = False


class Env:
    pass


E = Env()
# Slurm lists finished jobs for MinJobAge (5 min): workflow names carry this run's suffix so
# that an earlier run's jobs are never counted.
E.suffix = os.urandom(3).hex()


def uniq(name):
    return f"{name}-{E.suffix}"


def run(yaml_text, name, extra=(), timeout=180):
    path = os.path.join(E.tmp, name + ".yaml")
    with open(path, "w") as f:
        f.write(yaml_text)
    cmd = [RAMPART, "run", path, "--state", E.state, "-o", "json", "--executor", "slurm"] + list(extra)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    try:
        wf = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"rampart run printed no workflow (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return wf, proc


def pods(wf):
    return [n for n in wf["status"]["nodes"].values() if n.get("type") == "Pod"]


def jobs_of(workflow):
    """Slurm's view of the workflow's jobs (finished ones stay listed for MinJobAge):
    [(job id, name, state, node)], found by the comment the executor gives every job."""
    out = subprocess.run(["squeue", "--noheader", "--states=all", "--format=%i|%j|%T|%N|%k"],
                         capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        job_id, name, state, node, comment = line.split("|", 4)
        if comment.endswith(f"of workflow argo/{workflow}"):
            found.append((job_id, name, state, node))
    return found


def settled_jobs_of(workflow, seconds=20):
    """jobs_of once Slurm has finished winding the jobs down: the engine learns a step ended from
    the node's result file, which may come before Slurm leaves COMPLETING."""
    deadline = time.time() + seconds
    while True:
        jobs = jobs_of(workflow)
        if time.time() > deadline or not [j for j in jobs if j[2] in ("PENDING", "RUNNING", "COMPLETING")]:
            return jobs
        time.sleep(0.2)


def workflow(name, container, template_extra=""):
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{name: {name}}}
spec:
  entrypoint: main
  templates:
  - name: main{template_extra}
    container: {container}
"""


def setUpModule():
    E.tmp = tempfile.mkdtemp(prefix="rampart-slurm-e2e-")
    E.state = os.path.join(E.tmp, "state")
    os.environ["SLURM_CONF"] = os.path.join(CLUSTER_DIR, "slurm.conf")
    E.started_cluster = subprocess.run([CLUSTER, "status", CLUSTER_DIR], capture_output=True).returncode != 0
    if E.started_cluster:
        subprocess.run([CLUSTER, "start", CLUSTER_DIR], check=True, stdout=subprocess.DEVNULL)


def tearDownModule():
    if E.started_cluster:
        subprocess.run([CLUSTER, "stop", CLUSTER_DIR], check=False, stdout=subprocess.DEVNULL)
    shutil.rmtree(E.tmp, ignore_errors=True)


class SlurmExecutor(unittest.TestCase):
    def test_hello_world_runs_as_a_slurm_job(self):
        with open(os.path.join(ROOT, "examples", "hello-world.yaml")) as f:
            hello = f.read().replace("generateName: hello-world-", "name: " + uniq("slurm-hello"))
        wf, proc = run(hello, uniq("slurm-hello"))
        self.assertEqual(wf["status"]["phase"], "Succeeded", proc.stderr)
        logs = subprocess.run([RAMPART, "logs", uniq("slurm-hello"), "--state", E.state], capture_output=True, text=True)
        self.assertIn("hello world", logs.stdout)
        jobs = settled_jobs_of(uniq("slurm-hello"))
        self.assertEqual(len(jobs), 1, jobs)
        self.assertTrue(jobs[0][1].startswith("rampart-slurm-hello"), jobs)
        self.assertEqual(jobs[0][2], "COMPLETED")

    def test_outputs_and_results_travel_between_steps(self):
        wf, proc = run("""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: NAME}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make}
    - - name: use
        template: use
        arguments:
          parameters:
          - {name: result, value: "{{steps.make.outputs.result}}"}
          - {name: file, value: "{{steps.make.outputs.parameters.file}}"}
  - name: make
    container: {image: busybox, command: [sh, -c, "echo from-file > /tmp/out.txt; echo forty-two"]}
    outputs:
      parameters:
      - name: file
        valueFrom: {path: /tmp/out.txt}
  - name: use
    inputs:
      parameters: [{name: result}, {name: file}]
    container: {image: busybox, command: [sh, -c, "test '{{inputs.parameters.result}}' = forty-two && test '{{inputs.parameters.file}}' = from-file && echo ok"]}
""".replace("NAME", uniq("slurm-outputs")), uniq("slurm-outputs"))
        self.assertEqual(wf["status"]["phase"], "Succeeded", json.dumps(wf["status"], indent=1)[-3000:])
        make = [n for n in pods(wf) if n["displayName"] == "make"][0]
        self.assertEqual(make["outputs"]["result"], "forty-two")

    def test_a_failing_step_reports_its_exit_code(self):
        wf, _ = run(workflow(uniq("slurm-fails"), '{image: busybox, command: [sh, -c, "echo bad >&2; exit 3"]}'), uniq("slurm-fails"))
        self.assertEqual(wf["status"]["phase"], "Failed")
        pod = pods(wf)[0]
        self.assertIn("exit code 3", pod["message"])
        self.assertEqual([j[2] for j in settled_jobs_of(uniq("slurm-fails"))], ["FAILED"])  # the job carries the exit code

    def test_a_deadline_cancels_the_job(self):
        started = time.time()
        wf, _ = run(workflow(uniq("slurm-deadline"), "{image: busybox, command: [sleep, '120']}",
                             "\n    activeDeadlineSeconds: 2"), uniq("slurm-deadline"), timeout=90)
        self.assertEqual(wf["status"]["phase"], "Failed")
        self.assertLess(time.time() - started, 30)
        self.assertNotIn("exit code", pods(wf)[0]["message"])  # the engine's deadline, not scancel's signal
        jobs = settled_jobs_of(uniq("slurm-deadline"))
        self.assertEqual(len(jobs), 1, jobs)
        self.assertEqual(jobs[0][2], "CANCELLED", jobs)

    def test_terminate_cancels_the_running_job(self):
        path = os.path.join(E.tmp, "slurm-terminate.yaml")
        with open(path, "w") as f:
            f.write(workflow(uniq("slurm-terminate"), "{image: busybox, command: [sleep, '300']}"))
        proc = subprocess.Popen([RAMPART, "run", path, "--state", E.state, "-o", "json", "--executor", "slurm"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for _ in range(300):
                if [j for j in jobs_of(uniq("slurm-terminate")) if j[2] == "RUNNING"]:
                    break
                time.sleep(0.1)
            else:
                self.fail("the job never ran: " + str(jobs_of(uniq("slurm-terminate"))))
            subprocess.run([RAMPART, "terminate", uniq("slurm-terminate"), "--state", E.state], check=True,
                           capture_output=True)
            out, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
        wf = json.loads(out)
        self.assertEqual(wf["status"]["phase"], "Failed", err)
        self.assertEqual([j[2] for j in settled_jobs_of(uniq("slurm-terminate"))], ["CANCELLED"])

    def test_steps_land_on_both_nodes(self):
        parallel = "\n".join(f"      - {{name: s{i}, template: nap}}" for i in range(4))
        wf, proc = run(f"""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{name: {uniq("slurm-spread")}}}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    -
{parallel}
  - name: nap
    container: {{image: busybox, command: [sleep, '2']}}
""", uniq("slurm-spread"))
        self.assertEqual(wf["status"]["phase"], "Succeeded", proc.stderr)
        nodes = {j[3] for j in jobs_of(uniq("slurm-spread"))}
        self.assertEqual(nodes, {"node1", "node2"})

    def test_secrets_stay_off_slurms_command_lines(self):
        wf, _ = run(workflow(uniq("slurm-secret"), "{image: busybox, command: [sh, -c, 'test \"$TOKEN\" = s3cr3t-value'], "
                                             "env: [{name: TOKEN, value: s3cr3t-value}]}"), uniq("slurm-secret"))
        self.assertEqual(wf["status"]["phase"], "Succeeded")
        job_id = jobs_of(uniq("slurm-secret"))[0][0]
        shown = subprocess.run(["scontrol", "show", "job", job_id], capture_output=True, text=True).stdout
        self.assertNotIn("s3cr3t-value", shown)

    def test_zzz_tier_a_conformance_rows_pass_through_slurm(self):
        if not CONFORMANCE:
            self.skipTest("--conformance not given (CI runs it as its own stage)")
        started = time.time()
        proc = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "conformance"), CORPUS, "--rampart", RAMPART,
                               "--tier", "A", "--jobs", "4", "--extra-arg=--executor=slurm"],
                              capture_output=True, text=True, timeout=1500)
        print(proc.stdout[-3000:])
        print(f"tier A through Slurm: {time.time() - started:.0f} s")
        self.assertEqual(proc.returncode, 0, proc.stdout[-4000:] + proc.stderr[-2000:])
        self.assertRegex(proc.stdout, r"\n71 passed, 0 failed")


if __name__ == "__main__":
    RAMPART = os.path.abspath(sys.argv.pop(1))
    if "--conformance" in sys.argv:
        sys.argv.remove("--conformance")
        CONFORMANCE = True
    missing = [t for t in ("munged", "slurmctld", "slurmd", "sbatch", "squeue") if not shutil.which(t)]
    if missing or os.geteuid() != 0:
        why = f"missing {', '.join(missing)} (scripts/setup installs slurm-wlm and munge)" if missing else "not root"
        if os.environ.get("CI") == "true":
            print(f"slurm tests cannot run in CI: {why}")
            sys.exit(1)
        print(f"SKIP: slurm tests need root and a Slurm installation: {why}")
        sys.exit(77)
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)

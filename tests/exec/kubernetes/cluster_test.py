#!/usr/bin/env python3
"""The kubernetes executor against a real cluster (kind, k3s, or any other).

Runs only when RAMPART_TEST_KUBECONFIG names a kubeconfig; otherwise exits 77 (ctest: skipped)
saying so. The kubeconfig's user needs the Role in docs/kubernetes.md in the namespace given by
RAMPART_TEST_NAMESPACE (default: the context's). Images come from the cluster's registries:
busybox (steps and the output collector) unless RAMPART_TEST_IMAGE / RAMPART_TEST_HELPER_IMAGE
say otherwise (for air-gapped clusters: `kind load docker-image busybox:1.36`).

Cases: hello world; an output parameter and a result passed to a second step; a failing step
(exit 3); a step past its deadline; `rampart terminate` of a running workflow. (That no Pod or
Secret is left behind is not checked here yet: `kubectl get pods,secrets -l
app.kubernetes.io/managed-by=rampart` after the run shows it.)
"""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

RAMPART = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "..", "build", "rampart")
KUBECONFIG = os.environ.get("RAMPART_TEST_KUBECONFIG", "")
IMAGE = os.environ.get("RAMPART_TEST_IMAGE", "busybox:1.36")
HELPER = os.environ.get("RAMPART_TEST_HELPER_IMAGE", "busybox:1.36")
NAMESPACE = os.environ.get("RAMPART_TEST_NAMESPACE", "")

WORKFLOWS = {
    "hello": ("Succeeded", f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {{name: k8s-hello}}
        spec:
          entrypoint: main
          podGC: {{strategy: OnPodCompletion}}
          templates:
          - name: main
            container: {{image: "{IMAGE}", command: [echo], args: ["hello from a pod"]}}
        """),
    "outputs": ("Succeeded", f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {{name: k8s-outputs}}
        spec:
          entrypoint: main
          podGC: {{strategy: OnPodSuccess}}
          templates:
          - name: main
            steps:
            - - name: make
                template: make
            - - name: use
                template: use
                arguments:
                  parameters:
                  - {{name: p, value: "{{{{steps.make.outputs.parameters.word}}}}"}}
                  - {{name: r, value: "{{{{steps.make.outputs.result}}}}"}}
          - name: make
            container:
              image: "{IMAGE}"
              command: [sh, -c, "echo -n kubernetes > /tmp/word.txt; echo result-line"]
            outputs:
              parameters:
              - name: word
                valueFrom: {{path: /tmp/word.txt}}
          - name: use
            inputs:
              parameters: [{{name: p}}, {{name: r}}]
            container:
              image: "{IMAGE}"
              command: [sh, -c, 'test "{{{{inputs.parameters.p}}}}" = kubernetes && test "{{{{inputs.parameters.r}}}}" = result-line']
        """),
    "failing": ("Failed", f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {{name: k8s-failing}}
        spec:
          entrypoint: main
          podGC: {{strategy: OnPodCompletion}}
          templates:
          - name: main
            container: {{image: "{IMAGE}", command: [sh, -c, "echo failing; exit 3"]}}
        """),
    "deadline": ("Failed", f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {{name: k8s-deadline}}
        spec:
          entrypoint: main
          templates:
          - name: main
            activeDeadlineSeconds: 5
            container: {{image: "{IMAGE}", command: [sleep, "600"]}}
        """),
}

TERMINATE = f"""
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata: {{name: k8s-terminate}}
    spec:
      entrypoint: main
      templates:
      - name: main
        container: {{image: "{IMAGE}", command: [sleep, "600"]}}
    """


def executor_args():
    args = ["--executor", "kubernetes", "--kubeconfig", KUBECONFIG, "--kube-helper-image", HELPER]
    if NAMESPACE:
        args += ["--kube-namespace", NAMESPACE]
    return args


def run(state, name, text, timeout=300):
    path = os.path.join(state, name + ".yaml")
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    proc = subprocess.run([RAMPART, "run", path, "--state", state, "-o", "json"] + executor_args(),
                          capture_output=True, text=True, timeout=timeout)
    try:
        return json.loads(proc.stdout), proc.stderr
    except json.JSONDecodeError:
        return None, proc.stderr


def main():
    if not KUBECONFIG:
        print("SKIP: set RAMPART_TEST_KUBECONFIG to a kubeconfig to run the kubernetes executor against a real "
              "cluster (see docs/kubernetes.md: kind, k3s or any cluster)")
        return 77
    if not os.path.exists(KUBECONFIG):
        print(f"RAMPART_TEST_KUBECONFIG={KUBECONFIG} does not exist")
        return 1
    failures = []
    with tempfile.TemporaryDirectory(prefix="rampart-k8s-") as state:
        for name, (expected, text) in WORKFLOWS.items():
            started = time.time()
            wf, stderr = run(state, name, text)
            phase = (wf or {}).get("status", {}).get("phase", "NoResult")
            ok = phase == expected
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {phase} (expected {expected}) {time.time() - started:.1f}s", flush=True)
            if not ok:
                failures.append(name)
                print(stderr[-2000:])
            if name == "hello" and ok:
                logs = subprocess.run([RAMPART, "logs", "k8s-hello", "--state", state], capture_output=True, text=True)
                if "hello from a pod" not in logs.stdout:
                    failures.append("hello logs")
                    print("FAIL hello: the step's log lacks its output:\n" + logs.stdout[-500:])

        # terminate: start, wait until the step runs, terminate from a second process.
        path = os.path.join(state, "terminate.yaml")
        with open(path, "w") as f:
            f.write(textwrap.dedent(TERMINATE))
        proc = subprocess.Popen([RAMPART, "run", path, "--state", state, "-o", "json"] + executor_args(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(15)
        subprocess.run([RAMPART, "terminate", "k8s-terminate", "--state", state], capture_output=True, text=True)
        try:
            out, err = proc.communicate(timeout=120)
            phase = json.loads(out).get("status", {}).get("phase", "NoPhase")
        except (subprocess.TimeoutExpired, json.JSONDecodeError):
            proc.kill()
            phase, err = "NoResult", ""
        ok = phase in ("Failed", "Error")
        print(f"{'ok  ' if ok else 'FAIL'} terminate: {phase}", flush=True)
        if not ok:
            failures.append("terminate")
            print(err[-2000:])
    print(f"{len(WORKFLOWS) + 1 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

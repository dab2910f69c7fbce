#!/usr/bin/env python3
"""Print the bubblewrap command line rampart runs for a step, as a template for the baselines.

    bwrap_line.py RAMPART WORKDIR

bench/run.sh compares rampart's bubblewrap steps with make and fork/exec running the same bwrap
command line. That line is taken from rampart itself, so it cannot drift from what the process
executor does: a one-step workflow (`sleep 60`) is started with --sandbox bwrap, the bwrap
process rampart started is found under /proc, its argv is read, and the run is stopped.

Printed, one argument per line: that argv with the step's own directories made into
WORKDIR/steps/{}/rootfs and WORKDIR/steps/{}/tmp ("{}" stands for the step: make's $@, forkexec's
step number), --json-status-fd dropped (no engine reads it; fd 3 is not open under make) and the
command after "--" replaced by `true`. Exits non-zero with the reason when no line was found.

Also written: WORKDIR/mount-points, the directories bwrap mounts on inside the step's root (usr,
etc, proc, ...), one per line. rampart reuses a step's directories, so its bwrap finds them there;
run.sh makes them in each baseline step's root beforehand, so that make and fork/exec do not pay
for making them either.
"""
import os
import signal
import subprocess
import sys
import time

WORKFLOW = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: bwrap-line
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [sleep, "60"]
"""


def children(pid):
    """Pids whose parent is pid (every thread of pid counts as the parent)."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return found


def find_bwrap(pid, deadline):
    while time.monotonic() < deadline:
        for child in children(pid):
            try:
                with open(f"/proc/{child}/cmdline", "rb") as f:
                    argv = [a.decode() for a in f.read().split(b"\0")[:-1]]
            except OSError:
                continue
            if argv and os.path.basename(argv[0]) == "bwrap" and "--" in argv:
                return argv
        time.sleep(0.02)  # polling /proc: nothing signals a grandchild's exec to us
    return None


def template(argv, workdir):
    out, i = [], 0
    steps = os.path.join(workdir, "steps", "{}")
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return out + ["--", "true"]
        if a == "--json-status-fd":
            i += 2
            continue
        if a == "--bind" and i + 2 < len(argv) and argv[i + 2] in ("/", "/tmp"):
            own = "rootfs" if argv[i + 2] == "/" else "tmp"
            out += ["--bind", os.path.join(steps, own), argv[i + 2]]
            i += 3
            continue
        out.append(a)
        i += 1
    raise SystemExit("bwrap_line.py: rampart's bwrap line has no '--'")


def mount_points(argv):
    """Destinations mounted in the root that no other mount of the line contains."""
    takes_two = {"--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try", "--dev-bind-try"}
    takes_one = {"--dev", "--proc", "--tmpfs", "--mqueue", "--dir"}
    dests, i = [], 0
    while i < len(argv) and argv[i] != "--":
        if argv[i] in takes_two and i + 2 < len(argv):
            dests.append(argv[i + 2])
            i += 3
        elif argv[i] in takes_one and i + 1 < len(argv):
            dests.append(argv[i + 1])
            i += 2
        else:
            i += 1
    dests = [d for d in dests if d != "/"]
    return [d.lstrip("/") for d in dests if not any(d.startswith(o + "/") for o in dests if o != d)]


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    rampart, workdir = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(workdir, exist_ok=True)
    wf = os.path.join(workdir, "bwrap-line.yaml")
    with open(wf, "w") as f:
        f.write(WORKFLOW)
    run = subprocess.Popen([rampart, "run", wf, "--state", os.path.join(workdir, "bwrap-line-state"),
                            "--sandbox", "bwrap", "-o", "name"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        argv = find_bwrap(run.pid, time.monotonic() + 30)
    finally:
        run.send_signal(signal.SIGTERM)
        _, err = run.communicate(timeout=60)
    if not argv:
        raise SystemExit("bwrap_line.py: rampart started no bwrap step within 30 s:\n" + err.decode()[-2000:])
    with open(os.path.join(workdir, "mount-points"), "w") as f:
        f.write("".join(d + "\n" for d in mount_points(argv)))
    print("\n".join(template(argv, workdir)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Crash/resume test for rampart: SIGKILL `rampart run` (and sometimes `rampart resume`) at
random moments and check that `rampart resume` finishes the workflow correctly.

    crash_resume_test.py /path/to/rampart [--iterations N] [--seed S] [--sandbox bwrap|none]
                                         [--kills-per-run K] [--keep] [--verbose]

The workflow is a 50-task DAG (10 layers x 5 tasks). Task k of layer L depends on one or two
tasks of layer L-1 and receives their output parameters as inputs; it appends
"<task> <nonce>" to a shared log in a persistentVolumeClaim, sleeps 0-0.2 s, and writes its
output parameter v = (31*in1 + 17*in2 + salt) mod 1000003, which the test also computes.

What the engine promises, and what is checked:
  * the workflow ends Succeeded, every task node is Succeeded once, and every task's output
    parameter equals the value computed from the DAG;
  * a task whose completion was persisted is never run again: for every kill, the tasks stored
    as Succeeded just after the kill (read with `get -o json`, before `resume`) do not appear in
    the log again after that point;
  * only tasks that were in flight (stored, not completed) at a kill may run again: a task
    appears in the log at most 1 + (number of kills at which it was stored and not completed);
  * every task appears in the log at least once;
  * no step program keeps running after the engine is killed (bwrap --die-with-parent); an idle
    sandbox process left behind is a warning (an error with --strict-leftovers).

Python 3 standard library only. Exit 0 on success, 1 with a message on a violation.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

LAYERS = 10
WIDTH = 5
MOD = 1000003
SALT_MUL = 7919


def task_name(layer, k):
    return f"l{layer}t{k}"


def make_dag(rng):
    """Return (tasks, deps) where deps[name] = [dep names], one or two from the layer before."""
    tasks, deps = [], {}
    for layer in range(LAYERS):
        for k in range(WIDTH):
            name = task_name(layer, k)
            tasks.append(name)
            if layer == 0:
                deps[name] = []
            else:
                n = rng.choice([1, 2])
                deps[name] = sorted(rng.sample([task_name(layer - 1, j) for j in range(WIDTH)], n))
    return tasks, deps


def salt(name):
    layer, k = name[1:].split("t")
    return (int(layer) * WIDTH + int(k)) * SALT_MUL % MOD


def expected_values(tasks, deps):
    val = {}
    for name in tasks:  # tasks are in topological order
        ins = [val[d] for d in deps[name]] + [0, 0]
        in1, in2 = (ins[0], ins[1]) if deps[name] else (salt(name) % 1000, 0)
        val[name] = (31 * in1 + 17 * in2 + salt(name)) % MOD
    return val


def workflow_yaml(wf_name, tasks, deps, rng):
    """Workflow as JSON (valid YAML), so no YAML library is needed."""
    dag_tasks = []
    for name in tasks:
        d = deps[name]
        if not d:
            in1, in2 = str(salt(name) % 1000), "0"
        else:
            in1 = "{{tasks.%s.outputs.parameters.v}}" % d[0]
            in2 = "{{tasks.%s.outputs.parameters.v}}" % d[1] if len(d) > 1 else "0"
        t = {
            "name": name,
            "template": "step",
            "arguments": {"parameters": [
                {"name": "task", "value": name},
                {"name": "in1", "value": in1},
                {"name": "in2", "value": in2},
                {"name": "salt", "value": str(salt(name))},
                {"name": "sleep", "value": "%.3f" % rng.uniform(0, 0.2)},
            ]},
        }
        if d:
            t["depends"] = " && ".join(d)
        dag_tasks.append(t)
    script = (
        'echo "{{inputs.parameters.task}} $(cat /proc/sys/kernel/random/uuid)" >> /out/log; '
        "sleep {{inputs.parameters.sleep}}; "
        "echo $(( (31 * {{inputs.parameters.in1}} + 17 * {{inputs.parameters.in2}}"
        " + {{inputs.parameters.salt}}) % " + str(MOD) + " )) > /tmp/v"
    )
    wf = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": wf_name},
        "spec": {
            "entrypoint": "main",
            "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "crashlog"}}],
            "templates": [
                {"name": "main", "dag": {"tasks": dag_tasks}},
                {
                    "name": "step",
                    "inputs": {"parameters": [{"name": n} for n in
                                              ("task", "in1", "in2", "salt", "sleep")]},
                    "outputs": {"parameters": [{"name": "v", "valueFrom": {"path": "/tmp/v"}}]},
                    "container": {
                        "image": "busybox",
                        "command": ["sh", "-c"],
                        "args": [script],
                        "volumeMounts": [{"name": "v", "mountPath": "/out"}],
                    },
                },
            ],
        },
    }
    return json.dumps(wf, indent=1)


class Failure(Exception):
    pass


class Runner:
    def __init__(self, binary, state, sandbox, verbose):
        self.binary, self.state, self.sandbox, self.verbose = binary, state, sandbox, verbose
        self.log_path = os.path.join(state, "volumes", "argo", "crashlog", "log")

    def start(self, args):
        cmd = [self.binary] + args + ["--state", self.state, "--sandbox", self.sandbox, "-o", "name"]
        if self.verbose:
            print("    $", " ".join(cmd), flush=True)
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True)

    def get(self, name):
        """The stored workflow as a dict, or None if it is not stored."""
        p = subprocess.run([self.binary, "get", name, "--state", self.state, "-o", "json"],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            if "not found" in p.stderr:
                return None
            raise Failure(f"`rampart get {name}` failed ({p.returncode}): {p.stderr.strip()}")
        return json.loads(p.stdout)

    def log_lines(self):
        try:
            with open(self.log_path) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for ln in lines:
            parts = ln.split()
            if len(parts) != 2:
                raise Failure(f"malformed log line {ln!r} in {self.log_path}")
            out.append(parts[0])
        return out

    def leftover_steps(self):
        """PIDs of processes (other than the engine) whose command line names this state dir."""
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read().decode(errors="replace")
            except OSError:
                continue
            if self.state in cmdline and not cmdline.startswith(self.binary):
                found.append((int(pid), cmdline.replace("\0", " ")[:200]))
        return found


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def describe(pid):
    """pid, parent, state and kernel wait channel of a process, for reports."""
    info = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Name", "State", "PPid", "NSpid"):
                    info[k] = " ".join(v.split())
        with open(f"/proc/{pid}/wchan") as f:
            info["wchan"] = f.read().strip()
    except OSError:
        return f"pid {pid} (gone)"
    return (f"pid {pid} {info.get('Name')} state {info.get('State')} ppid {info.get('PPid')} "
            f"nspid {info.get('NSpid')} wchan {info.get('wchan')} children {children_of(pid)}")


def task_nodes(wf):
    """{task display name: node} for the Pod nodes of the stored workflow."""
    nodes = (wf.get("status") or {}).get("nodes") or {}
    out = {}
    for node in nodes.values():
        if node.get("type") == "Pod":
            name = node.get("displayName")
            if name in out:
                raise Failure(f"task {name} has two Pod nodes: {out[name].get('id')} and {node.get('id')}")
            out[name] = node
    return out


def kill_engine(proc):
    """SIGKILL only the engine process (not its group): a crash of rampart itself."""
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def cleanup_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def iteration(it, args, rng, binary, base, stats, kill_fraction, full_time):
    state = os.path.join(base, f"it{it:02d}")
    os.makedirs(state)
    r = Runner(binary, state, args.sandbox, args.verbose)
    tasks, deps = make_dag(rng)
    expect = expected_values(tasks, deps)
    wf_name = f"crash-{it:02d}"
    wf_file = os.path.join(state, "wf.yaml")
    with open(wf_file, "w") as f:
        f.write(workflow_yaml(wf_name, tasks, deps, rng))

    # Kill plan: the first kill at kill_fraction of a full run; sometimes the resume is killed too.
    # With --kills-per-run K the one run is killed K times (run, then K-1 resumes), each after a
    # random part of a full run's time, before a last resume is let finish.
    kills_planned = [kill_fraction * full_time]
    if args.kills_per_run > 0:
        kills_planned = [rng.uniform(0.01, 0.08) * full_time for _ in range(args.kills_per_run)]
    elif rng.random() < 0.35:
        kills_planned.append(rng.uniform(0.0, 0.6) * full_time)
    in_flight_at_kill = {t: 0 for t in tasks}
    completed_sets = []  # (log length at kill, set of tasks stored Succeeded at that kill)
    events = []
    started_in_db = False
    leftovers_seen = set()
    attempt = 0
    budget = 120 + sum(kills_planned)
    deadline = time.monotonic() + budget
    while True:
        if time.monotonic() > deadline:
            raise Failure(f"{wf_name}: did not finish within {budget:.0f} s")
        if started_in_db:
            proc = r.start(["resume", wf_name])
        else:
            proc = r.start(["run", wf_file])
        delay = kills_planned[attempt] if attempt < len(kills_planned) else None
        killed = False
        try:
            if delay is not None:
                try:
                    proc.wait(timeout=delay)
                except subprocess.TimeoutExpired:
                    kill_engine(proc)
                    killed = True
            proc.wait(timeout=120)
        finally:
            out, err = proc.communicate()
            cleanup_group(proc)  # only if something is left; reported below first
        verb = "resume" if started_in_db else "run"
        attempt += 1
        if not killed:
            events.append(f"{verb} exited {proc.returncode}")
            if proc.returncode != 0:
                raise Failure(f"{wf_name}: `rampart {verb}` exited {proc.returncode}: "
                              f"{err.decode(errors='replace').strip()}")
            break
        # Just after a kill: no step may survive the engine (bwrap --die-with-parent).
        t0 = time.monotonic()
        left = r.leftover_steps()
        while left and time.monotonic() - t0 < 2.0:
            time.sleep(0.05)
            left = r.leftover_steps()
        if left:
            running = [(pid, kids) for pid, _ in left if (kids := children_of(pid))]
            msg = (f"{wf_name}: {len(left)} sandbox process(es) outlived the SIGKILLed engine by 2 s: "
                   + "; ".join(describe(pid) for pid, _ in left))
            if running or args.strict_leftovers:
                raise Failure(msg + (f" (still running step processes: {running})" if running else ""))
            print("    WARNING: " + msg, flush=True)
            stats["leftovers"] += len(left)
            leftovers_seen.update(pid for pid, _ in left)
        log_now = r.log_lines()
        wf = r.get(wf_name)
        if wf is None:
            if started_in_db:
                raise Failure(f"{wf_name}: the workflow disappeared from the store after a kill")
            if log_now:
                # Steps ran although the workflow was never stored: nothing could resume them.
                raise Failure(f"{wf_name}: killed before the workflow was stored, yet steps ran: "
                              f"{sorted(set(log_now))}")
            events.append(f"{verb} killed at {delay:.2f}s before the workflow was stored -> run again")
            stats["kills_before_store"] += 1
            continue
        started_in_db = True
        nodes = task_nodes(wf)
        done = {n for n, node in nodes.items() if node.get("phase") == "Succeeded"}
        not_done = {n for n, node in nodes.items() if node.get("phase") != "Succeeded"}
        bad = {n: nodes[n].get("phase") for n in not_done
               if nodes[n].get("phase") in ("Failed", "Error", "Skipped", "Omitted")}
        if bad:
            raise Failure(f"{wf_name}: tasks stored with a failure phase after a kill: {bad}")
        for n in not_done:
            in_flight_at_kill[n] += 1
        # Tasks that ran without being stored at all would be a durability problem too.
        unstored_ran = set(log_now) - set(nodes)
        if unstored_ran:
            raise Failure(f"{wf_name}: tasks ran but have no stored node after the kill: "
                          f"{sorted(unstored_ran)}")
        completed_sets.append((len(log_now), done))
        stats["kills"] += 1
        events.append(f"{verb} killed at {delay:.2f}s: {len(done)} done, "
                      f"{len(not_done)} in flight, {wf.get('status', {}).get('phase')}")

    # Leftovers from kills: does the engine clean them up when it starts again?
    still = [pid for pid, _ in r.leftover_steps() if pid in leftovers_seen]
    if still:
        print(f"    WARNING: {wf_name}: {len(still)} leftover sandbox process(es) still alive after the "
              f"workflow finished (not cleaned up by resume): {still}; killing them", flush=True)
        stats["leftovers_not_cleaned"] += len(still)
        for pid in still:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # Final checks.
    wf = r.get(wf_name)
    if wf is None:
        raise Failure(f"{wf_name}: not stored after a successful run")
    phase = wf.get("status", {}).get("phase")
    if phase != "Succeeded":
        raise Failure(f"{wf_name}: phase {phase}, expected Succeeded")
    nodes = task_nodes(wf)
    if set(nodes) != set(tasks):
        raise Failure(f"{wf_name}: task nodes differ: missing {sorted(set(tasks) - set(nodes))}, "
                      f"extra {sorted(set(nodes) - set(tasks))}")
    for n in tasks:
        node = nodes[n]
        if node.get("phase") != "Succeeded":
            raise Failure(f"{wf_name}: task {n} is {node.get('phase')}")
        params = {p["name"]: p.get("value") for p in (node.get("outputs") or {}).get("parameters") or []}
        if params.get("v") != str(expect[n]):
            raise Failure(f"{wf_name}: task {n} output v={params.get('v')!r}, expected {expect[n]} "
                          f"(deps {deps[n]})")
    log = r.log_lines()
    counts = {t: log.count(t) for t in tasks}
    unknown = set(log) - set(tasks)
    if unknown:
        raise Failure(f"{wf_name}: unknown tasks in log: {sorted(unknown)}")
    never = [t for t in tasks if counts[t] == 0]
    if never:
        raise Failure(f"{wf_name}: tasks never ran (not in the log): {never}")
    for log_len, done in completed_sets:
        again = sorted(set(log[log_len:]) & done)
        if again:
            raise Failure(f"{wf_name}: tasks whose completion was stored before a kill ran again: "
                          f"{again}")
    for t in tasks:
        if counts[t] > 1 + in_flight_at_kill[t]:
            raise Failure(f"{wf_name}: task {t} ran {counts[t]} times but was in flight at only "
                          f"{in_flight_at_kill[t]} kill(s)")
    reran = sorted(t for t in tasks if counts[t] > 1)
    stats["reruns"] += sum(counts[t] - 1 for t in reran)
    stats["max_runs"] = max(stats["max_runs"], max(counts.values()))
    stats["in_flight"] += sum(in_flight_at_kill.values())
    print(f"[{it + 1:2d}/{args.iterations}] {wf_name} kill@{kill_fraction:4.2f}: "
          + "; ".join(events) + f" | re-run: {len(reran)} task(s) {reran if reran else ''}",
          flush=True)
    if not args.keep:
        shutil.rmtree(state, ignore_errors=True)


def kill_leftovers(base):
    """SIGKILL processes this test started that are still around (their command lines name base)."""
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if base.encode() in f.read():
                        os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--iterations", type=int, default=24)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--sandbox", default="bwrap", choices=["bwrap", "none"])
    ap.add_argument("--kills-per-run", type=int, default=0,
                    help="kill each workflow's engine this many times before letting it finish")
    ap.add_argument("--keep", action="store_true", help="keep the state directories")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--strict-leftovers", action="store_true",
                    help="fail (instead of warning) when an idle sandbox process outlives a killed engine")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"FAIL: {binary} is not an executable", file=sys.stderr)
        return 1
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    print(f"crash_resume_test: binary {binary}, seed {seed} (rerun with --seed {seed}), "
          f"{args.iterations} iterations, sandbox {args.sandbox}", flush=True)
    base = tempfile.mkdtemp(prefix="rampart-crash-")
    stats = {"kills": 0, "kills_before_store": 0, "reruns": 0, "max_runs": 0, "in_flight": 0,
             "leftovers": 0, "leftovers_not_cleaned": 0}
    try:
        # Calibrate: one run without a kill gives the time scale for the kill points.
        state = os.path.join(base, "calibrate")
        os.makedirs(state)
        r = Runner(binary, state, args.sandbox, args.verbose)
        tasks, deps = make_dag(rng)
        with open(os.path.join(state, "wf.yaml"), "w") as f:
            f.write(workflow_yaml("calibrate", tasks, deps, rng))
        t0 = time.monotonic()
        p = r.start(["run", os.path.join(state, "wf.yaml")])
        _, err = p.communicate(timeout=180)
        full_time = time.monotonic() - t0
        if p.returncode != 0:
            raise Failure(f"calibration run exited {p.returncode}: {err.decode(errors='replace').strip()}")
        print(f"calibration: an unkilled run takes {full_time:.2f} s", flush=True)
        shutil.rmtree(state, ignore_errors=True)

        # Kill points as fractions of a full run: very early, very late, and random in between.
        fixed = [0.0, 0.005, 0.02, 0.05, 0.95, 0.99, 1.0]
        fractions = fixed + [rng.uniform(0.05, 0.95) for _ in range(max(0, args.iterations - len(fixed)))]
        fractions = fractions[:args.iterations]
        rng.shuffle(fractions)
        for it, frac in enumerate(fractions):
            iteration(it, args, rng, binary, base, stats, frac, full_time)
    except Failure as e:
        kill_leftovers(base)
        print(f"FAIL: {e}", file=sys.stderr)
        print(f"state kept under {base} (seed {seed})", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired as e:
        kill_leftovers(base)
        print(f"FAIL: timeout: {e}", file=sys.stderr)
        print(f"state kept under {base} (seed {seed})", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    print(f"PASS: {args.iterations} iterations, {stats['kills']} kills after the workflow was stored "
          f"(+{stats['kills_before_store']} before), {stats['in_flight']} task(s) in flight at kills, "
          f"{stats['reruns']} re-run(s), at most {stats['max_runs']} run(s) of one task", flush=True)
    if stats["leftovers"]:
        print(f"WARNING: {stats['leftovers']} idle sandbox process(es) outlived a killed engine, "
              f"{stats['leftovers_not_cleaned']} of them not cleaned up by the next engine "
              f"(rerun with --strict-leftovers to fail on this)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

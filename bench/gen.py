#!/usr/bin/env python3
"""Generate the benchmark workloads of bench/run.sh as an Argo Workflow (for rampart), a
Makefile and a Snakefile with the same graph.

    gen.py WORKLOAD OUTDIR [--scale F]

WORKLOAD is one of
    w1   1,000 independent steps      (steps template, withSequence count N, parallelism 2)
    w2   a chain of 200 steps         (DAG, each task depends on the one before)
    w3   a 20 x 50 lattice            (DAG, 20 layers of 50; task (l,k) depends on
                                       (l-1,k) and (l-1,(k+1) mod 50))
    w4   10,000 independent steps     (like w1)
    w5   100,000 independent steps    (like w1; rampart needs --max-nodes above 100,000)
    w6   20,000 independent steps     (like w1 but without spec.parallelism: the engine's own
                                       --parallelism decides how many run at once)
--scale multiplies the step count (for quick trial runs). Every step runs `true`.

Writes OUTDIR/wf.yaml, OUTDIR/Makefile (the recipe is $(CMD), default `true`, so
`make CMD='bwrap ... true'` runs the sandboxed command line), OUTDIR/Snakefile (the recipe is
`true` followed by `touch {output}`, since snakemake tracks files) and OUTDIR/meta (steps=N,
width=W: the widest level, used for the fork/exec baseline's parallelism).
"""
import json
import os
import sys


def graph(workload, scale):
    """Return (kind, deps): kind 'independent' or 'dag'; deps = {task: [deps]} in topological order."""
    sizes = {"w1": 1000, "w4": 10000, "w5": 100000, "w6": 20000}
    if workload in sizes:
        n = max(1, int(sizes[workload] * scale))
        return "independent", {f"t{i}": [] for i in range(n)}, 2
    if workload == "w2":
        n = max(2, int(200 * scale))
        return "dag", {f"c{i}": ([f"c{i-1}"] if i else []) for i in range(n)}, 1
    if workload == "w3":
        layers, width = max(2, int(20 * scale)), 50
        deps = {}
        for l in range(layers):
            for k in range(width):
                deps[f"l{l}k{k}"] = [] if l == 0 else [f"l{l-1}k{k}", f"l{l-1}k{(k+1) % width}"]
        return "dag", deps, 2
    raise SystemExit(f"unknown workload {workload!r}")


def argo(workload, kind, deps):
    step = {"name": "t", "container": {"image": "busybox", "command": ["true"]}}
    if kind == "independent":
        main = {"name": "main", "steps": [[{"name": "t", "template": "t",
                                            "withSequence": {"count": str(len(deps))}}]]}
    else:
        tasks = []
        for name, d in deps.items():
            t = {"name": name, "template": "t"}
            if d:
                t["depends"] = " && ".join(d)
            tasks.append(t)
        main = {"name": "main", "dag": {"tasks": tasks}}
    wf = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
          "metadata": {"generateName": f"bench-{workload}-"},
          "spec": {"entrypoint": "main", "parallelism": 2, "templates": [main, step]}}
    if workload == "w6":
        del wf["spec"]["parallelism"]
    return json.dumps(wf, indent=1) + "\n"  # JSON is YAML


def makefile(deps):
    names = list(deps)
    out = ["CMD ?= true", "", ".PHONY: all " + " ".join(names), "all: " + " ".join(names), ""]
    for name, d in deps.items():
        out.append(f"{name}: {' '.join(d)}\n\t@$(CMD)")
    return "\n".join(out) + "\n"


def snakefile(kind, deps):
    names = list(deps)
    if kind == "independent":
        return (f"N = {len(names)}\n"
                "rule all:\n    input: expand('o/t{i}', i=range(N))\n"
                "rule t:\n    output: 'o/t{i}'\n    shell: 'true; touch {output}'\n")
    # Explicit dependency table, one wildcard rule.
    table = json.dumps({n: [f"o/{x}" for x in d] for n, d in deps.items()})
    return (f"DEPS = {table}\n"
            "rule all:\n    input: [f'o/{n}' for n in DEPS]\n"
            "rule t:\n    input: lambda w: DEPS[w.task]\n    output: 'o/{task}'\n"
            "    shell: 'true; touch {output}'\n")


def main():
    args = sys.argv[1:]
    scale = 1.0
    if "--scale" in args:
        i = args.index("--scale")
        scale = float(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        raise SystemExit(__doc__)
    workload, outdir = args
    kind, deps, width = graph(workload, scale)
    os.makedirs(outdir, exist_ok=True)
    files = {"wf.yaml": argo(workload, kind, deps), "Makefile": makefile(deps),
             "Snakefile": snakefile(kind, deps),
             "meta": f"steps={len(deps)}\nwidth={width}\n"}
    for fn, text in files.items():
        with open(os.path.join(outdir, fn), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

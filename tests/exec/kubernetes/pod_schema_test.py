#!/usr/bin/env python3
"""Real Pod manifests of real workflows, checked against the Kubernetes schema, without a cluster.

Runs every tier A row of ../shared/conformance through `rampart run` (the process executor runs
the steps) with --emit-pod-manifests, so each step also yields the Pod the kubernetes executor
would create; then schema/validate.mjs checks every Pod against the Kubernetes OpenAPI schema
(kubernetes-models, pinned in schema/package-lock.json), strictly (no unknown fields), and for
rampart's least-privilege defaults. Fails if any Pod is invalid, if the kubernetes executor would
refuse a step for a reason not in KNOWN_REFUSALS, or if no Pod was produced at all.

Usage: pod_schema_test.py RAMPART [--corpus DIR] [--only SUBSTRING] [--jobs N]
Skips (exit 77) when node or schema/node_modules is missing: run scripts/setup-k8s-schema.
"""
import argparse
import concurrent.futures
import importlib.machinery
import os
import shutil
import subprocess
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SCHEMA = os.path.join(HERE, "schema")
# Steps the kubernetes executor refuses by design, each documented in docs/kubernetes.md under
# "What does not work": they yield no Pod, are listed, and do not fail the test. Any other
# refusal does.
KNOWN_REFUSALS = [
    "is directly under /, which the kubernetes executor cannot collect",
]


def load_conformance_runner():
    path = os.path.join(ROOT, "scripts", "conformance")
    loader = importlib.machinery.SourceFileLoader("conformance", path)
    module = types.ModuleType(loader.name)
    module.__file__ = path
    loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rampart")
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "conformance"))
    parser.add_argument("--only", default="")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    if shutil.which("node") is None or not os.path.isdir(os.path.join(SCHEMA, "node_modules", "kubernetes-models")):
        print("SKIP: needs node and tests/exec/kubernetes/schema/node_modules (run scripts/setup-k8s-schema)")
        return 77
    conformance = load_conformance_runner()
    rows = []
    with open(os.path.join(args.corpus, "expected.tsv")) as f:
        for line in f.read().splitlines()[1:]:
            if line.strip():
                path, phase, tier = line.split("\t")[:3]
                if tier == "A" and args.only in path:
                    rows.append((path, phase))
    with tempfile.TemporaryDirectory(prefix="rampart-pod-schema-") as tmp:
        manifests = os.path.join(tmp, "manifests")

        def run(i, path, phase):
            out = os.path.join(manifests, f"{i:03d}-" + os.path.basename(path).replace(".yaml", ""))
            row_args = types.SimpleNamespace(rampart=args.rampart, timeout=90,
                                             extra_arg=["--emit-pod-manifests", out])
            return out, conformance.run_row_allowing_flakes(row_args, args.corpus, path, phase, os.path.join(tmp, f"state-{i}"))

        refused = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run, i, path, phase) for i, (path, phase) in enumerate(rows)]
            for future in futures:
                out, (path, expected, phase, seconds, message) = future.result()
                pods = [f for f in os.listdir(out) if f.endswith(".json")] if os.path.isdir(out) else []
                refusals = [f for f in os.listdir(out) if f.endswith(".refused.txt")] if os.path.isdir(out) else []
                note = "" if phase == expected else f" (ran to {phase}, expected {expected}: not this test's concern)"
                print(f"{path}: {len(pods)} pods{note}", flush=True)
                for r in refusals:
                    with open(os.path.join(out, r)) as f:
                        refused.append(f"{path}: {r}: {f.read().strip()}")
        result = subprocess.run(["node", os.path.join(SCHEMA, "validate.mjs"), manifests], cwd=SCHEMA)
        known = [r for r in refused if any(reason in r for reason in KNOWN_REFUSALS)]
        unexpected = [r for r in refused if r not in known]
        for r in known:
            print("REFUSED (known limitation, docs/kubernetes.md) " + r)
        for r in unexpected:
            print("REFUSED " + r)
        print(f"{len(refused)} steps the kubernetes executor would refuse, {len(unexpected)} unexpectedly")
        return 1 if result.returncode != 0 or unexpected else 0


if __name__ == "__main__":
    sys.exit(main())

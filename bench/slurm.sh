#!/usr/bin/env bash
# Per-step overhead of the Slurm executor against the process executor: a workflow of N
# sequential `true` steps through each, the same binary, the same machine. Starts the test
# cluster (scripts/slurm-cluster) unless one is up, and stops it again if it started it.
#
#   bench/slurm.sh [STEPS]          (default 20; needs root and build/rampart)
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-20}"
work=$(mktemp -d)
dir=${RAMPART_SLURM_DIR:-/tmp/rampart-slurm}
export SLURM_CONF=$dir/slurm.conf
started=0
if ! scripts/slurm-cluster status "$dir" >/dev/null 2>&1; then
  scripts/slurm-cluster start "$dir" >/dev/null
  started=1
fi
trap '[[ $started == 1 ]] && scripts/slurm-cluster stop "$dir" >/dev/null; rm -rf "$work"' EXIT

{
  echo "apiVersion: argoproj.io/v1alpha1"
  echo "kind: Workflow"
  echo "metadata: {generateName: bench-}"
  echo "spec:"
  echo "  entrypoint: main"
  echo "  templates:"
  echo "  - name: main"
  echo "    steps:"
  for i in $(seq "$steps"); do echo "    - - {name: s$i, template: t}"; done
  echo "  - name: t"
  echo "    container: {image: busybox, command: ['true']}"
} >"$work/wf.yaml"

seconds() {  # executor -> wall seconds of one run
  local t0 t1
  t0=$(date +%s.%N)
  build/rampart run "$work/wf.yaml" --state "$work/state-$1" --executor "$1" -o json >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}
process=$(seconds process)
slurm=$(seconds slurm)
awk -v n="$steps" -v p="$process" -v s="$slurm" 'BEGIN {
  printf "steps: %d\nprocess executor: %.2f s (%.0f ms/step)\nslurm executor:   %.2f s (%.0f ms/step)\n", n, p, p * 1000 / n, s, s * 1000 / n
  printf "slurm/process ratio: %.1f, overhead per step: %.0f ms\n", s / p, (s - p) * 1000 / n
}'

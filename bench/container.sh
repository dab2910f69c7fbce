#!/usr/bin/env bash
# Container step latency: rampart's container executor against bare `crun run`, same machine,
# same image, same process (bench/container_bench.cpp). Starts a registry on loopback and pushes
# the test images first. Needs root (crun, overlay mounts, cgroups).
#
#   bench/container.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-50}"
cmake --build build --target container_bench >/dev/null
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port}
YAML
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
scripts/test-images "127.0.0.1:$port" build/test-images >/dev/null
build/bench/container_bench "127.0.0.1:$port" "$work/state" "$runs"

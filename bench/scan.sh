#!/usr/bin/env bash
# Scans 1,000 loopback targets (open Argo fixtures, hanging listeners, closed ports) with
# concurrency 100 and prints the elapsed time and its ratio to 3 x the per-request timeout.
# Hanging targets each hold a slot for one timeout, so H hanging targets need at least
# ceil(H / concurrency) x timeout: the default mix (450 open, 100 hanging, 450 closed) needs at
# least 1 x; 400,200,400 needs at least 2 x, and more than 200 hanging cannot fit in 3 x at all.
# Usage: bench/scan.sh [BINARY] [OPEN,HANGING,CLOSED] [TIMEOUT_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/rampart}
mix=${2:-450,100,450}
timeout=${3:-2}
concurrency=100
tmp=$(mktemp -d)
trap 'kill "$fixture" 2>/dev/null || true; wait "$fixture" 2>/dev/null || true; rm -rf "$tmp"' EXIT

mkfifo "$tmp/hold"
python3 tests/scan/fixtures/argo_fixture.py --many "$mix" <"$tmp/hold" >"$tmp/ports.json" &
fixture=$!
exec 3>"$tmp/hold"  # the fixture runs while this stays open
for _ in $(seq 100); do [[ -s "$tmp/ports.json" ]] && break; sleep 0.1; done
python3 - "$tmp/ports.json" >"$tmp/targets.txt" <<'PY'
import json, random, sys
ports = json.load(open(sys.argv[1]))
targets = ["127.0.0.1:%d" % p for kind in ("open", "hanging", "closed") for p in ports[kind]]  # loopback only
random.Random(8).shuffle(targets)  # mixed, the same order every run
print("\n".join(targets))
PY
n=$(wc -l <"$tmp/targets.txt")
start=$(date +%s.%N)
set +e
/usr/bin/time -f "  scanner cpu: user %Us sys %Ss, max rss %MkB" "$bin" scan -f "$tmp/targets.txt" --concurrency "$concurrency" --timeout "${timeout}s" --no-progress -o json >"$tmp/report.json"
rc=$?
set -e
end=$(date +%s.%N)
python3 - "$tmp/report.json" "$start" "$end" "$timeout" "$n" "$concurrency" "$rc" <<'PY'
import collections, json, sys
report = json.load(open(sys.argv[1]))
start, end, timeout = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
n, concurrency, rc = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
statuses = collections.Counter(e["status"] for t in report["targets"] for e in t["endpoints"])
elapsed = end - start
bound = 3 * timeout
print("scan bench: %d loopback targets, concurrency %d, timeout %.1fs" % (n, concurrency, timeout))
hanging = statuses.get("timeout", 0)
print("  lower bound from hanging targets: %.1fs" % (-(-hanging // concurrency) * timeout))
print("  statuses: " + ", ".join("%s %d" % kv for kv in sorted(statuses.items())))
print("  elapsed %.2fs (scanner's own clock %.2fs); 3 x timeout = %.1fs; ratio %.2f; exit code %d"
      % (elapsed, report["summary"]["elapsed_ms"] / 1000, bound, elapsed / bound, rc))
print("  " + ("PASS: within 3 x the timeout" if elapsed <= bound else "FAIL: over 3 x the timeout"))
sys.exit(0 if elapsed <= bound else 1)
PY

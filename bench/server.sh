#!/usr/bin/env bash
# Server benchmark: wrk on loopback against `rampart server` and, in the same run, nginx serving
# a static file of the same size over TLS with the same certificate.
#
#   bench/server.sh [-b RAMPART] [-n WORKFLOWS] [-c CONNECTIONS] [-d SECONDS]
#
# Measures authenticated GET /api/v1/workflows/bench (the list of N stored workflows, default
# 1,000) and GET /api/v1/info; prints requests/s and p99 latency of each beside nginx's, and the
# ratio. Needs: wrk, nginx (Debian: wrk nginx-light), python3-requests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rampart="$root/build/rampart"
count=1000
connections=64
duration=10
while getopts "b:n:c:d:h" opt; do
  case $opt in
    b) rampart=$OPTARG ;;
    n) count=$OPTARG ;;
    c) connections=$OPTARG ;;
    d) duration=$OPTARG ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
done
work=$(mktemp -d /tmp/rampart-bench-server-XXXXXX)
chmod 755 "$work"
cleanup() {
  [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null || true
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$rampart" server --state "$work/state" --listen 127.0.0.1:0 --max-running 2 >"$work/token" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do [[ -f "$work/state/server.json" ]] && break; sleep 0.1; done
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$work/state/server.json")
token=$(head -1 "$work/token")

echo "storing $count workflows (each one step) ..." >&2
python3 - "$url" "$token" "$count" <<'PY'
import sys, time, requests, urllib3
urllib3.disable_warnings()
url, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = requests.Session()
s.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False
s.verify = False
s.headers["Authorization"] = "Bearer " + token
wf = {"metadata": {"generateName": "bench-"}, "spec": {"entrypoint": "main", "templates": [
    {"name": "main", "container": {"image": "busybox", "command": ["true"]}}]}}
for i in range(count):
    r = s.post(url + "/api/v1/workflows/bench", json={"workflow": wf})
    r.raise_for_status()
    if i % 100 == 99:
        print(f"  submitted {i + 1}/{count}", file=sys.stderr)
while True:
    items = s.get(url + "/api/v1/workflows/bench?fields=items.status.phase").json()["items"]
    done = sum(1 for i in items if i.get("status", {}).get("phase") in ("Succeeded", "Failed", "Error"))
    print(f"\r  finished {done}/{count}", end="", file=sys.stderr)
    if done == count:
        print(file=sys.stderr)
        break
    time.sleep(1)
PY

mkdir -p "$work/www"
curl -sk -H "Authorization: Bearer $token" "$url/api/v1/workflows/bench" >"$work/www/list.json"
curl -sk -H "Authorization: Bearer $token" "$url/api/v1/info" >"$work/www/info.json"
list_bytes=$(stat -c %s "$work/www/list.json")
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
daemon on;
worker_processes $(nproc);
pid $work/nginx.pid;
error_log $work/nginx-error.log;
user root;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/state/tls.crt;
    ssl_certificate_key $work/state/tls.key;
    root $work/www;
    default_type application/json;
  }
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf"

# wrk prints "Requests/sec: N" and, with --latency, a "99%" line.
measure() {
  local out
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -H "Authorization: Bearer $token" "$1")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$rps $p99"
}
echo "wrk: $connections connections, ${duration}s each; list body $list_bytes bytes" >&2
printf '%-34s %12s %10s %12s %10s %8s\n' "request" "rampart r/s" "p99" "nginx r/s" "p99" "ratio"
for pair in "workflows-list:/api/v1/workflows/bench:/list.json" "info:/api/v1/info:/info.json"; do
  IFS=: read -r label path file <<<"$pair"
  read -r r_rps r_p99 < <(measure "$url$path")
  read -r n_rps n_p99 < <(measure "https://127.0.0.1:$nginx_port$file")
  ratio=$(python3 -c "print(f'{float(\"$r_rps\")/float(\"$n_rps\"):.2f}')")
  printf '%-34s %12s %10s %12s %10s %8s\n' "$label ($count wf)" "$r_rps" "$r_p99" "$n_rps" "$n_p99" "$ratio"
done
echo "target: ratio >= 0.30, rampart p99 < 10ms at 64 connections" >&2

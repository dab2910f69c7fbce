#!/usr/bin/env bash
# rampart benchmarks: the same step graphs run by rampart (bwrap and none sandboxes), make -j2
# (bare `true` and the sandboxed command line), snakemake -j2, and a bare fork/exec loop.
#
#   bench/run.sh [-b RAMPART] [-w "w1 w2 w3 w4"] [-s SCALE] [-t TIMEOUT] [-T SNAKEMAKE_TIMEOUT]
#                [-k] [-o RESULTS.md] [-x]
#
#   -b  the rampart binary (default: build-bench/rampart, else build/rampart)
#   -w  workloads (default all four; see bench/gen.py)
#   -s  scale the step counts (e.g. 0.1 for a quick trial)
#   -t  timeout in seconds for every runner but snakemake (default 900)
#   -T  timeout for snakemake (default 120); a run that times out is reported as ">Ns"
#   -k  keep the work directory
#   -o  also write the table to this file
#   -x  also run the engine's scaling checks (rampart --sandbox none only, scaled by -s too):
#       a 20x50 lattice against a 40x50 one (time ratio), 10,000 and 100,000 independent steps
#       (peak RSS), and a 20,000-step loop without spec.parallelism (must succeed)
#
# Needs: bwrap, make, snakemake, cc, /usr/bin/time (Debian: bubblewrap make snakemake gcc time).
# Every runner runs at most 2 steps at a time (rampart: spec.parallelism 2); the chain (w2) is
# sequential by nature, so its fork/exec baseline runs 1 at a time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rampart=""
workloads="w1 w2 w3 w4"
scale=1
timeout_s=900
snake_timeout=120
keep=0
scaling=0
results=""
while getopts "b:w:s:t:T:ko:xh" opt; do
  case $opt in
    b) rampart=$OPTARG ;;
    w) workloads=$OPTARG ;;
    s) scale=$OPTARG ;;
    t) timeout_s=$OPTARG ;;
    T) snake_timeout=$OPTARG ;;
    k) keep=1 ;;
    o) results=$OPTARG ;;
    x) scaling=1 ;;
    *) sed -n '2,21p' "$0"; exit 2 ;;
  esac
done
if [[ -z $rampart ]]; then
  for c in "$root/build-bench/rampart" "$root/build/rampart"; do
    [[ -x $c ]] && { rampart=$c; break; }
  done
fi
[[ -x $rampart ]] || { echo "run.sh: no rampart binary (give -b)" >&2; exit 2; }
rampart=$(realpath "$rampart")
for tool in bwrap make snakemake cc /usr/bin/time timeout python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install bubblewrap make snakemake gcc time)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/rampart-bench.XXXXXX)
cleanup() { if [[ $keep == 1 ]]; then echo "work dir kept: $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

cc -O2 -o "$work/forkexec" "$here/forkexec.c"
# The sandboxed command line make and fork/exec run: the one rampart runs for a step, taken from
# a live rampart step (bench/bwrap_line.py), each step with directories of its own as in rampart.
# "{}" in it stands for the step: make's target ($@), forkexec's step number.
mapfile -t BWRAP_LINE < <(python3 "$here/bwrap_line.py" "$rampart" "$work/bwrap")
[[ ${#BWRAP_LINE[@]} -gt 2 ]] || { echo "run.sh: could not take rampart's bwrap command line" >&2; exit 1; }
BWRAP_MAKE=${BWRAP_LINE[*]//\{\}/\$@}
# fresh_step_dirs NAME...: a root and a tmp for each step, the root holding the directories bwrap
# mounts on, as a root rampart reuses does (bwrap will not make a link where one is, so roots are
# never shared).
fresh_step_dirs() {
  rm -rf "$work/bwrap/steps"
  python3 - "$work/bwrap/steps" "$work/bwrap/mount-points" "$@" <<'PY'
import os, sys
points = open(sys.argv[2]).read().split()
for name in sys.argv[3:]:
    os.makedirs(os.path.join(sys.argv[1], name, "tmp"))
    for point in points:
        os.makedirs(os.path.join(sys.argv[1], name, "rootfs", point))
PY
}

# measure NAME TIMEOUT CMD...: runs CMD in the current directory, appends
# "workload steps name secs rss_kb status"
# to $rows. status: ok, timeout, fail(rc).
measure() {
  local name=$1 limit=$2; shift 2
  local tf="$work/time.$$" rc=0 t0 t1 secs rss status
  t0=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$tf" timeout -s KILL "$limit" "$@" >"$work/out.log" 2>&1 || rc=$?
  t1=$EPOCHREALTIME
  secs=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
  rss=$(grep -E '^[0-9]+$' "$tf" | tail -1 || true)
  if [[ $rc == 0 ]]; then status=ok
  elif [[ $rc == 137 || $rc == 124 ]] || grep -q "signal 9" "$tf"; then status=timeout
  else status="fail($rc)"; echo "  $name failed ($rc):" >&2; tail -5 "$work/out.log" >&2
  fi
  printf '%s %s %s %s %s %s\n' "$wl" "$steps" "$name" "$secs" "${rss:-0}" "$status" >>"$rows"
  printf '  %-16s %9ss  rss %7s kB  %s\n' "$name" "$secs" "${rss:-?}" "$status" >&2
}

rows="$work/rows"
: >"$rows"
echo "rampart: $rampart  ($("$rampart" version 2>/dev/null | head -1))" >&2
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for wl in $workloads; do
  d="$work/$wl"
  python3 "$here/gen.py" "$wl" "$d" --scale "$scale"
  # shellcheck disable=SC1091
  source "$d/meta"
  echo "$wl: $steps steps" >&2
  cd "$d"
  measure rampart-bwrap "$timeout_s" "$rampart" run wf.yaml --state "$d/state-bwrap" --sandbox bwrap -o name
  measure rampart-none "$timeout_s" "$rampart" run wf.yaml --state "$d/state-none" --sandbox none -o name
  measure make-true "$timeout_s" make -s -j2 -f Makefile
  # shellcheck disable=SC2046
  fresh_step_dirs $(sed -n 's/^\([A-Za-z0-9_]*\):.*/\1/p' Makefile | grep -v '^all$')
  measure make-bwrap "$timeout_s" make -s -j2 -f Makefile "CMD=$BWRAP_MAKE"
  rm -rf o .snakemake
  measure snakemake "$snake_timeout" snakemake -j2 --quiet -s Snakefile -d "$d"
  measure forkexec-true "$timeout_s" "$work/forkexec" "$steps" "$width" true
  # shellcheck disable=SC2046
  fresh_step_dirs $(seq 0 $((steps - 1)))
  measure forkexec-bwrap "$timeout_s" "$work/forkexec" "$steps" "$width" "${BWRAP_LINE[@]}"
  rm -rf "$work/bwrap/steps"
  rm -rf "$d/state-bwrap" "$d/state-none" "$d/o" "$d/.snakemake"
  cd "$work"
done

# The table: ratios compare with the runner that runs the same command line (true or bwrap).
python3 - "$rows" >"$work/table.md" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
data, order = {}, []
for wl, steps, name, secs, rss, status in rows:
    data[(wl, name)] = (int(steps), float(secs), int(rss), status)
    order.append((wl, name))
names = {"w1": "W1 independent", "w2": "W2 chain", "w3": "W3 lattice", "w4": "W4 independent"}
def secs_of(wl, runner):
    d = data.get((wl, runner))
    return d[1] if d and d[3] == "ok" else None
def ratio(secs, wl, other_runner):
    d = data.get((wl, other_runner))
    if secs is None or d is None:
        return ""
    if d[3] == "timeout":  # the other runner needed more than its timeout: an upper bound
        return f"<{secs / d[1]:.2f}"
    return f"{secs / d[1]:.2f}" if d[3] == "ok" else ""
print("| workload | steps | runner | seconds | steps/s | vs make -j2 (same cmd) | vs snakemake | vs fork/exec (same cmd) | peak RSS |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
for wl, runner in order:
    steps, secs, rss, status = data[(wl, runner)]
    cmd = "bwrap" if runner.endswith("bwrap") else "true"
    s = secs_of(wl, runner)
    text = f"{secs:.2f}" if status == "ok" else (f">{secs:.0f}" if status == "timeout" else status)
    sps = f"{steps / s:.0f}" if s else ""
    print(f"| {names.get(wl, wl)} | {steps} | {runner} | {text} | {sps} | "
          f"{ratio(s, wl, 'make-' + cmd)} | {ratio(s, wl, 'snakemake')} | "
          f"{ratio(s, wl, 'forkexec-' + cmd)} | {f'{rss / 1024:.1f} MB' if s else ''} |")
PY
# Scaling checks: rampart against itself, in the same run.
scaling_rows="$work/scaling"
: >"$scaling_rows"
if [[ $scaling == 1 ]]; then
  run_none() {  # run_none WORKLOAD SCALE [EXTRA ARGS...]: one rampart --sandbox none run
    local w=$1 s=$2; shift 2
    local d="$work/scale-$w-$s" rows_before
    python3 "$here/gen.py" "$w" "$d" --scale "$s"
    # shellcheck disable=SC1091
    source "$d/meta"
    cd "$d"
    wl="$w x$s" rows_before=$rows rows=$scaling_rows
    measure rampart-none "$timeout_s" "$rampart" run wf.yaml --state "$d/state" --sandbox none -o name "$@"
    rows=$rows_before
    cd "$work"
    rm -rf "$d"
  }
  echo "scaling checks" >&2
  run_none w3 "$scale"
  run_none w3 "$(python3 -c "print(2 * $scale)")"
  run_none w4 "$scale"
  run_none w5 "$scale" --max-nodes 200000
  run_none w6 "$scale"
fi
python3 - "$scaling_rows" >"$work/scaling.md" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
if rows:
    # wl is "w3 x0.2": two words
    data = [(f"{r[0]} {r[1]}", int(r[2]), r[3], float(r[4]), int(r[5]), r[6]) for r in rows]
    print("| check | steps | seconds | peak RSS | status |")
    print("|---|---:|---:|---:|---|")
    for wl, steps, name, secs, rss, status in data:
        print(f"| {wl} | {steps} | {secs:.2f} | {rss / 1024:.1f} MB | {status} |")
    lattice = [d for d in data if d[0].startswith("w3 ")]
    if len(lattice) == 2 and all(d[5] == "ok" for d in lattice):
        print(f"\nLattice twice as big: {lattice[1][3] / lattice[0][3]:.2f}x the time "
              f"({lattice[0][1]} -> {lattice[1][1]} steps).")
PY

echo
echo "rampart $("$rampart" version 2>/dev/null | head -1); $(nproc) cores; load at end $(cut -d' ' -f1-3 /proc/loadavg); scale $scale"
cat "$work/table.md"
if [[ -s $work/scaling.md ]]; then echo; cat "$work/scaling.md"; fi
if [[ -n $results ]]; then cat "$work/table.md" > "$results"; if [[ -s $work/scaling.md ]]; then { echo; cat "$work/scaling.md"; } >>"$results"; fi; fi

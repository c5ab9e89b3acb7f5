#!/usr/bin/env bash
# Failure capture (capture --on-exit), whole processes (needs root):
#  1. armed on a loaded object, waiting on its loader's pidfd for IDLE_S
#     seconds: the CPU it costs while it waits (user+system / wall);
#  2. the loader killed: event_to_capture_us (from seeing the exit to the
#     capture's start, as the report says) and the wall time from the kill to
#     the written report;
#  3. the same with --keep-last 100 --interval-ms 100 and with a condition
#     polled every 10 ms: what sampling costs while armed.
#   bench/on_exit_bench.sh [BUILD_DIR]      Environment: IDLE_S (default 10)
set -euo pipefail
build=${1:-build}
idle=${IDLE_S:-10}
cli=$build/scxsnap
obj=$build/tests/bpf/types.bpf.o
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"; kill $(jobs -p) 2>/dev/null || true' EXIT
if [ "$(id -u)" != 0 ]; then
  echo "(failure-capture benchmark skipped: needs root to load BPF objects)"
  exit 0
fi

run() {  # label, extra flags...
  local label=$1
  shift
  exec 3< <(exec sleep 100000 2>/dev/null)
  local sleeper=$!
  "$build/bench/bpf_hold" "$obj" <&3 >"$scratch/hold.out" &
  local hp=$!
  until grep -q ready "$scratch/hold.out" 2>/dev/null; do sleep 0.05; done
  /usr/bin/time -f "%e %U %S %M" -o "$scratch/t" "$cli" capture -q --on-exit --obj types \
    --wait-pid "$hp" "$@" -o "$scratch/f.json" &
  local sp=$!
  sleep "$idle"
  local t0
  t0=$(date +%s%N)
  kill "$hp"
  wait "$sp"
  local t1
  t1=$(date +%s%N)
  exec 3<&-
  kill "$sleeper" 2>/dev/null || true
  read -r wall user sys rss <"$scratch/t"
  local us
  us=$(python3 - "$scratch/f.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["late"] if d.get("schema") == "dual" else d
print(r["capture"]["trigger"]["event_to_capture_us"])
PY
)
  printf "%-46s armed %5.1f s: %6.3f%% of one CPU, %5.1f MiB; event->capture %5s us, kill->file %6.1f ms\n" \
    "$label" "$wall" "$(echo "($user + $sys) * 100 / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
    "$us" "$(echo "($t1 - $t0) / 1000000" | bc -l)"
}

echo "== capture --on-exit --obj types --wait-pid PID (types.bpf.o: 5 maps), ${idle} s armed"
run "pidfd only"
run "--keep-last 100 --interval-ms 100" --keep-last 100 --interval-ms 100
run "--until (polled every 10 ms)" --until 'each(var:nr_dispatched).at_least(1000000)'

#!/usr/bin/env bash
# Whole processes, the way a user runs them: wall time, user+system CPU and
# peak RSS of each command (median of REPS runs), with the ratios against
# the peers measured in the same run. Needs root for the live parts.
#   bench/process_bench.sh [BUILD_DIR]
# Environment: REPS (default 5), ENTRIES (hash entries, default 200000),
#              BENCH_DIR (scratch space, default a temporary directory).
set -euo pipefail
build=${1:-build}
reps=${REPS:-5}
entries=${ENTRIES:-200000}
scratch=${BENCH_DIR:-$(mktemp -d)}
holders=()
cleanup() {
  for h in "${holders[@]}"; do kill "$h" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT
cli=$build/scxsnap
bpf=$build/tests/bpf

# median of REPS runs of a command: "wall_s cpu_s peak_rss_kb"
measure() {
  for _ in $(seq "$reps"); do
    /usr/bin/time -f "%e %U %S %M" -o "$scratch/t" "$@" >/dev/null 2>"$scratch/err" ||
      { cat "$scratch/err" >&2; exit 1; }
    awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$scratch/t"
  done | sort -n | awk -v n="$reps" 'NR == int((n + 1) / 2)'
}
row() {  # name, measurement
  read -r w c m <<<"$2"
  printf "%-44s %8.3f s wall %8.3f s cpu %8.1f MiB\n" "$1" "$w" "$c" "$(echo "$m / 1024" | bc -l)"
}
ratio() { echo "$1 $2" | awk '{ split($0, a, " "); printf "%.2f", a[1] / a[2] }'; }

if [ "$(id -u)" = 0 ]; then
  echo "== a ${entries}-entry hash (64-byte values), whole processes, median of $reps"
  exec 3< <(sleep 100000)
  coproc HOLD { exec "$build/bench/capture_bench" --hold "$bpf/bench.bpf.o" "$entries" <&3; }
  holders+=("$HOLD_PID")
  read -r id <&"${HOLD[0]}"
  native=$(measure "$cli" capture --map-id "$id" -o "$scratch/h.scxsnap")
  json=$(measure "$cli" capture --map-id "$id" -o /dev/null)
  raw=$(measure "$build/bench/batch_read" "$id")
  bpftool=$(measure sh -c "bpftool -j map dump id $id > /dev/null")
  row "scxsnap capture -o F.scxsnap (native)" "$native"
  row "scxsnap capture -o /dev/null (JSON)" "$json"
  row "raw BPF_MAP_LOOKUP_BATCH reader" "$raw"
  row "bpftool -j map dump" "$bpftool"
  nw=${native%% *} jw=${json%% *} rw=${raw%% *} bw=${bpftool%% *}
  echo "native: $(ratio "$nw" "$rw")x the raw reader, $(ratio "$bw" "$nw")x faster than bpftool"
  echo "JSON:   $(ratio "$jw" "$rw")x the raw reader, $(ratio "$bw" "$jw")x faster than bpftool"
  exec 3<&-
  kill "$HOLD_PID" 2>/dev/null || true

  echo
  echo "== watch of a small scheduler-shaped set (struct_ops cc, demo attached, maps): CPU per sample"
  exec 4< <(sleep 100000)
  "$build/bench/bpf_hold" "$bpf/cc.bpf.o" "$bpf/maps.bpf.o" <&4 >/dev/null &
  holders+=("$!")
  "$build/bench/bpf_hold" --attach "$bpf/demo.bpf.o" <&4 >/dev/null &
  holders+=("$!")
  sleep 1
  sel=(--obj cc --obj demo --obj maps)
  maps=$("$cli" capture "${sel[@]}" -o "$scratch/sel.json" 2>&1 | sed -n 's/.*captured \([0-9]*\) maps.*/\1/p')
  for spec in "10 300" "1 1000"; do
    read -r ms count <<<"$spec"
    w=$(measure "$cli" watch "${sel[@]}" --interval-ms "$ms" --count "$count" -o "$scratch/w.jsonl")
    read -r wall cpu rss <<<"$w"
    printf "watch --interval-ms %-3s --count %-5s (%s maps): %.3f ms CPU per sample, %.1f%% of one CPU, %.1f MiB\n" \
      "$ms" "$count" "$maps" "$(echo "$cpu * 1000 / $count" | bc -l)" "$(echo "$cpu * 100 / $wall" | bc -l)" \
      "$(echo "$rss / 1024" | bc -l)"
  done
  exec 4<&-
  echo
fi

echo "== convert of a 224 MB capture, against Python's json.load of the same file"
"$build/bench/report_load_bench" gen "$scratch/r.json" 160000 >/dev/null
size=$(stat -c %s "$scratch/r.json")
conv=$(measure "$cli" convert "$scratch/r.json" "$scratch/out.json")
py=$(measure python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$scratch/r.json")
row "scxsnap convert ($((size / 1000000)) MB)" "$conv"
row "python3 json.load" "$py"
echo "convert: $(echo "$size / 1000000 / ${conv%% *}" | bc -l | xargs printf "%.0f") MB/s, $(ratio "${py%% *}" "${conv%% *}")x faster than json.load"

#!/usr/bin/env bash
# Runs the benchmarks and prints ratios against the peers measured in the same run.
#   bench/run_benchmarks.sh [BUILD_DIR]
# Environment: ENTRIES (hash entries in the synthetic report, default 400000),
#              BENCH_DIR (scratch space, default a temporary directory).
set -euo pipefail
build=${1:-build}
entries=${ENTRIES:-400000}
scratch=${BENCH_DIR:-$(mktemp -d)}
trap 'rm -rf "$scratch"' EXIT
tool=$build/bench/report_load_bench

echo "== report load/write: synthetic report with $entries hash entries + 8 per-CPU maps x 256 CPUs"
"$tool" gen "$scratch/report.json" "$entries"
size=$(stat -c %s "$scratch/report.json")
echo "file size: $((size / 1000000)) MB"
ours=$("$tool" scxsnap "$scratch/report.json")
theirs=$("$tool" nlohmann "$scratch/report.json")
write=$("$tool" write "$scratch/report.json")
echo "$ours"
echo "$theirs"
echo "$write"
awk -v o="$ours" -v t="$theirs" -v s="$size" 'BEGIN {
  split(o, a, " "); split(t, b, " ");
  printf "load: scxsnap %.0f ms, nlohmann::json %.0f ms -> %.1fx faster\n", a[2], b[2], b[2] / a[2];
  printf "peak RSS: scxsnap %.2fx the file size, nlohmann::json %.2fx\n", a[4] * 1024 / s, b[4] * 1024 / s;
}'

echo
echo "== convert (read, validate, write): the same report, and a 224 MB one"
"$tool" gen "$scratch/report224.json" $((entries * 2 / 5))
for f in report report224; do
  fsize=$(stat -c %s "$scratch/$f.json")
  ours=$("$tool" convert "$scratch/$f.json" "$scratch/out.json")
  cmp -s "$scratch/$f.json" "$scratch/out.json" || { echo "convert output differs from its input"; exit 1; }
  theirs=$("$tool" nlohmann-convert "$scratch/$f.json" "$scratch/out.json")
  awk -v o="$ours" -v t="$theirs" -v s="$fsize" 'BEGIN {
    split(o, a, " "); split(t, b, " ");
    printf "%d MB: scxsnap %.0f ms (%.0f MB/s, peak RSS %.0f MiB), nlohmann::json %.0f ms (%.0f MB/s, %.0f MiB) -> %.1fx faster\n",
      s / 1e6, a[2], s / 1e3 / a[2], a[4] / 1024, b[2], s / 1e3 / b[2], b[4] / 1024, b[2] / a[2];
  }'
done
rm -f "$scratch/report224.json" "$scratch/out.json"

echo
echo "== Snapshot API (google-benchmark)"
"$build/bench/snapshot_bench" --benchmark_min_time=0.2 2>/dev/null

echo
echo "== BTF rendering (google-benchmark)"
"$build/bench/btf_render_bench" --benchmark_min_time=0.3 2>/dev/null

if [ "$(id -u)" = 0 ]; then
  echo
  echo "== live capture: 200,000-entry hash, against bpftool and raw batch reads"
  bpf=$build/tests/bpf
  "$build/bench/capture_bench" "$bpf/bench.bpf.o" 200000 5 "$bpf/types.bpf.o" "$bpf/maps.bpf.o" "$bpf/cc.bpf.o"
  echo
  echo "== capture at production scale (136 MiB .bss, 130+ maps), against bpftool"
  "$(dirname "$0")/scale_bench.sh" "$build"
  echo
  echo "== arena capture: scx-shaped 4 GiB arena, 16 MiB and 256 MiB allocated, against the owner's own copy"
  "$build/bench/arena_bench" 4096 5
  "$build/bench/arena_bench" 65536 3
else
  echo "(capture benchmark skipped: needs root to load BPF objects)"
fi

echo
echo "== whole processes, as users run them (capture, watch, convert)"
"$(dirname "$0")/process_bench.sh" "$build"

echo
echo "== failure capture (capture --on-exit): idle cost, trigger latency"
"$(dirname "$0")/on_exit_bench.sh" "$build"
echo
bash "$(dirname "$0")/python_bench.sh" "$build"
echo
bash "$(dirname "$0")/serve_bench.sh" "$build"

echo
echo "== state over time: check input and diff"
"$build/bench/series_bench" 1000 100 1000000

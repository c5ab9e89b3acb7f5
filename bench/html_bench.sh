#!/usr/bin/env bash
# The HTML report of a long series: time and size of `scxsnap report`, and
# the time headless Chromium takes to open the page and run its script
# (minus the time it takes to open an empty page, i.e. browser start-up).
#   bench/html_bench.sh [BUILD_DIR] [SAMPLES] [MAPS] [CPUS]
set -euo pipefail
build=${1:-build}
samples=${2:-1000}
maps=${3:-100}
cpus=${4:-64}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$build/bench/series_gen" "$samples" "$maps" "$cpus" "$scratch/series.jsonl"
echo "series: $samples samples x $maps objects (8 globals each) + 4 per-CPU maps x $cpus CPUs," \
  "$(($(stat -c %s "$scratch/series.jsonl") / 1000000)) MB"
t0=$(date +%s.%N)
"$build/scxsnap" report "$scratch/series.jsonl" -o "$scratch/page.html" \
  --expect 'nondecreasing(var:nr_0)' --expect 'each(var:load_0).at_most(100)'
t1=$(date +%s.%N)
echo '<!DOCTYPE html><html><body>empty</body></html>' >"$scratch/empty.html"
open_ms() {
  local a b
  a=$(date +%s.%N)
  chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$scratch/profile" --dump-dom "file://$1" >"$scratch/dom" 2>/dev/null
  b=$(date +%s.%N)
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", (b - a) * 1000 }'
}
open_ms "$scratch/empty.html" >/dev/null  # warm the profile and the page cache
base=$(open_ms "$scratch/empty.html")
page=$(open_ms "$scratch/page.html")
grep -q 'data-ready="1"' "$scratch/dom" || { echo "the page's script did not finish"; exit 1; }
plots=$(grep -o '<svg class="plot"' "$scratch/dom" | wc -l)
heats=$(grep -o 'data-drawn="1"' "$scratch/dom" | wc -l)
awk -v a="$t0" -v b="$t1" -v s="$(stat -c %s "$scratch/page.html")" -v base="$base" -v page="$page" \
  -v plots="$plots" -v heats="$heats" 'BEGIN {
    printf "scxsnap report: %.2f s, page %.1f MB (%d plots, %d heat maps)\n", b - a, s / 1e6, plots, heats;
    printf "chromium: empty page %d ms, this page %d ms -> opens in %d ms\n", base, page, page - base }'

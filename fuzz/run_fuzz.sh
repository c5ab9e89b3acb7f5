#!/usr/bin/env bash
# Build the fuzz targets with clang-16 + libFuzzer (ASan + UBSan) and run
# each for N seconds on its seed corpus; any crash, leak or abort fails.
#   fuzz/run_fuzz.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$root/build-fuzz}
# A tree configured with SCXSNAP_FUZZ already (make asan's) is used as it is.
if ! grep -q '^SCXSNAP_FUZZ:BOOL=ON$' "$out/CMakeCache.txt" 2>/dev/null; then
  cmake -S "$root" -B "$out" -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_C_COMPILER=clang-16 \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DCMAKE_UNITY_BUILD="${UNITY:-ON}" -DSCXSNAP_FUZZ=ON -DSCXSNAP_BUILD_TESTS=OFF \
    -DSCXSNAP_BUILD_BENCH=OFF -DSCXSNAP_BUILD_TOOLS=OFF >/dev/null
fi
targets=$(sed -n 's/^set(SCXSNAP_FUZZ_TARGETS \(.*\))$/\1/p' "$root/fuzz/CMakeLists.txt")
cmake --build "$out" -j "$(nproc)" --target $(for t in $targets; do echo "${t}_fuzz"; done) >/dev/null
# One target: N seconds on its corpus; its log kept, its summary printed.
run_one() {
  local t=$1 work=$out/corpus-$1 rc=0
  mkdir -p "$work"
  "$out/fuzz/${t}_fuzz" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 "$work" "$root/fuzz/corpus/$t" > "$out/$t.log" 2>&1 || rc=$?
  echo "== $t: ${secs}s"
  grep -E "^stat::number_of_executed_units|^SUMMARY|ERROR" "$out/$t.log" || true
  if [ $rc -ne 0 ]; then tail -40 "$out/$t.log" >&2; echo "fuzz target $t failed" >&2; fi
  return $rc
}
# As many at once as there are cores.
jobs_max=$(nproc)
failed=0
running=0
for t in $targets; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs_max" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
[ "$failed" = 0 ] || exit 1
echo "fuzz ok: $targets"

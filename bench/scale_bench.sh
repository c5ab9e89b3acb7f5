#!/usr/bin/env bash
# Capture at production scale against bpftool, in one run (needs root):
#  1. one ~136 MiB .bss (tests/bpf/scale.bpf.c): scxsnap capture vs
#     `bpftool -j map dump` of the same map: wall time, peak RSS, output size;
#  2. the whole host with every test object loaded (scale, types, maps, cc,
#     bench: 130+ maps): scxsnap capture vs bpftool dumping each map in turn.
#   bench/scale_bench.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
bpf=$build/tests/bpf
probe=$build/tests/rss_probe
scx=$build/scxsnap
scratch=$(mktemp -d)
coproc HOLD { "$build/bench/bpf_hold" "$bpf/scale.bpf.o" "$bpf/types.bpf.o" "$bpf/maps.bpf.o" \
  "$bpf/cc.bpf.o" "$bpf/bench.bpf.o"; }
hold_pid=$HOLD_PID
# Ending bpf_hold unloads the objects (the kernel frees them with its fds).
trap 'kill "$hold_pid" 2>/dev/null; wait "$hold_pid" 2>/dev/null; rm -rf "$scratch"' EXIT
read -r ready <&"${HOLD[0]}"
[ "$ready" = ready ] || { echo "bpf_hold failed"; exit 1; }

# run NAME OUT CMD...: wall seconds, peak RSS (MiB) and size of OUT (MiB);
# the command's stdout also goes to OUT (bpftool) unless it writes OUT itself.
run() {
  local name=$1 out=$2
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  "$probe" "$scratch/rss" "$@" >>"$out" 2>"$scratch/err" || { cat "$scratch/err"; return 1; }
  t1=$(date +%s.%N)
  local size=0
  [ -f "$out" ] && size=$(stat -c %s "$out")
  awk -v n="$name" -v a="$t0" -v b="$t1" -v r="$(cat "$scratch/rss")" -v s="$size" \
    'BEGIN { printf "%-34s %8.2f s %9.1f MiB RSS %10.1f MiB out\n", n, b - a, r / 1024, s / 1048576 }'
  echo "$t0 $t1 $(cat "$scratch/rss")" >"$scratch/last"
}
secs() { awk '{ print $2 - $1 }' "$scratch/last"; }

bss_id=$(bpftool map show | awk -F: '/name scale.bss/ { print $1; exit }')
echo "== one 136 MiB .bss (map id $bss_id)"
run "scxsnap capture (default budget)" "$scratch/scx.out" "$scx" capture -q --map-id "$bss_id" -o "$scratch/scx.out"
a=$(secs)
run "scxsnap capture --max-value-bytes 0" "$scratch/scx-all.out" "$scx" capture -q --map-id "$bss_id" \
  --max-value-bytes 0 -o "$scratch/scx-all.out"
c=$(secs)
run "bpftool -j map dump" "$scratch/bpftool.out" /usr/sbin/bpftool -j map dump id "$bss_id"
b=$(secs)
awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN {
  printf "-> scxsnap %.1fx faster than bpftool (%.1fx rendering everything)\n", b / a, b / c }'
# convert streams: the whole rendering back through the reader and writer.
run "scxsnap convert (all of it)" "$scratch/conv.out" "$scx" convert "$scratch/scx-all.out" "$scratch/conv.out"
awk -v t="$(secs)" -v s="$(stat -c %s "$scratch/scx-all.out")" \
  'BEGIN { printf "-> convert %.0f MB/s\n", s / 1e6 / t }'
cmp -s "$scratch/scx-all.out" "$scratch/conv.out" || { echo "convert output differs from its input"; exit 1; }
rm -f "$scratch/conv.out" "$scratch/bpftool.out" "$scratch/scx-all.out"

# Native snapshots of the same .bss: raw bytes + BTF, against the raw read
# itself; `var` of one global; convert to the JSON a direct capture writes.
native_bss() {
  local label=$1
  local raw
  "$build/bench/bss_read" "$bss_id" >"$scratch/raw"
  sed 's/^/  /' "$scratch/raw"
  raw=$(awk '{ print $(NF-1) }' "$scratch/raw")
  rm -f "$scratch/bss.scxsnap"
  run "scxsnap capture --format native" "$scratch/bss.scxsnap" "$scx" capture -q --map-id "$bss_id" \
    -o "$scratch/bss.scxsnap"
  local n
  n=$(secs)
  awk -v n="$n" -v r="$raw" -v l="$label" 'BEGIN { printf "-> %s: native capture %.2fx the raw read\n", l, n / r }'
  run "scxsnap var (one global)" "$scratch/var.out" "$scx" var "$scratch/bss.scxsnap" tail_counter
  awk -v t="$(secs)" 'BEGIN { printf "-> var on the native snapshot: %.0f ms (whole process)\n", t * 1000 }'
  run "scxsnap convert native -> JSON" "$scratch/nconv.out" "$scx" convert "$scratch/bss.scxsnap" \
    "$scratch/nconv.out"
  rm -f "$scratch/nconv.out" "$scratch/var.out"
}
echo
echo "== native snapshot of the .bss as loaded (zeros, as most of a real .bss is)"
native_bss zeros
"$build/bench/bss_read" "$bss_id" fill >/dev/null
echo "== native snapshot of the .bss filled with counter-like values"
native_bss filled
run "scxsnap capture (JSON, filled)" "$scratch/scx-filled.out" "$scx" capture -q --map-id "$bss_id" \
  -o "$scratch/scx-filled.out"
rm -f "$scratch/scx-filled.out"

echo
nmaps=$(bpftool map show | grep -c '^[0-9]*:')
echo "== whole host: $nmaps maps"
run "scxsnap capture (whole host)" "$scratch/host.out" "$scx" capture -q -o "$scratch/host.out"
a=$(secs)
t0=$(date +%s.%N)
for id in $(bpftool map show | awk -F: '/^[0-9]+:/ { print $1 }'); do
  /usr/sbin/bpftool -j map dump id "$id" >>"$scratch/host-bpftool.out" 2>/dev/null || true
done
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v s="$(stat -c %s "$scratch/host-bpftool.out")" \
  'BEGIN { printf "%-34s %8.2f s %24.1f MiB out\n", "bpftool -j map dump, each map", b - a, s / 1048576 }'
awk -v a="$a" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "-> scxsnap %.1fx faster than bpftool\n", (t1 - t0) / a }'

# How soon a capture stops when asked (these were wall-clock checks in the
# tests once; a machine's load is not a test's business): the whole .bss
# with no budget would take minutes to render.
echo
echo "== stopping inside one huge value (the .bss, no render budget)"
t0=$(date +%s.%N)
"$scx" capture -q --map-id "$bss_id" --max-value-bytes 0 --deadline-ms 200 -o "$scratch/deadline.out"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "--deadline-ms 200: the process ended after %.0f ms (%.2fx the deadline)\n", (b - a) * 1000, (b - a) / 0.2 }'
"$scx" capture -q --map-id "$bss_id" --max-value-bytes 0 -o "$scratch/sigint.out" &
cap=$!
for _ in $(seq 500); do  # signal once it is well into the value
  tmp=$(find "$scratch" -maxdepth 1 -name '.sigint.out.tmp*' -size +16M | head -1)
  [ -n "$tmp" ] && break
  sleep 0.005
done
t0=$(date +%s.%N)
kill -INT "$cap"
rc=0
wait "$cap" || rc=$?
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v rc="$rc" 'BEGIN { printf "SIGINT: exit %d after %.0f ms, the report complete and marked truncated\n", rc, (b - a) * 1000 }'
rm -f "$scratch/deadline.out" "$scratch/sigint.out"

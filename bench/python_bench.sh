#!/usr/bin/env bash
# The Python module against the C++ library and against Python's json, in
# one run (median of REPS):
#  1. loading a 224 MB capture: scxsnap.load() in python3 vs the C++ load
#     (report_load_bench), wall time and peak RSS of each process;
#  2. a 200,000-entry hash map walked in Python, one field of every entry:
#     scxsnap.load + map iteration vs json.load + a dict walk of the same file.
#   bench/python_bench.sh [BUILD_DIR]     Environment: REPS (default 3)
set -euo pipefail
build=${1:-build}
reps=${REPS:-3}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ ! -d "$build/python/scxsnap" ]; then
  echo "(Python benchmark skipped: $build has no Python module)"
  exit 0
fi
export PYTHONPATH=$build/python
py=/usr/bin/python3
median() { sort -n | awk -v n="$reps" '{ a[NR] = $0 } END { print a[int((n + 1) / 2)] }'; }
# "seconds peak_rss_kb" of a command, median by time.
measure() {
  for _ in $(seq "$reps"); do
    /usr/bin/time -f "%e %M" -o "$scratch/t" "$@" >/dev/null
    cat "$scratch/t"
  done | median
}

"$build/bench/report_load_bench" gen "$scratch/r.json" 160000 >/dev/null
size=$(stat -c %s "$scratch/r.json")
echo "== load a $((size / 1000000)) MB capture (whole processes, median of $reps)"
cpp=$(measure "$build/bench/report_load_bench" scxsnap "$scratch/r.json")
pyl=$(measure $py -c 'import scxsnap, sys; scxsnap.load(sys.argv[1])' "$scratch/r.json")
imp=$(measure $py -c 'import scxsnap')
read -r cw cm <<<"$cpp"
read -r pw pm <<<"$pyl"
read -r iw im <<<"$imp"
printf "C++ load (report_load_bench)      %6.2f s  %7.1f MiB\n" "$cw" "$(echo "$cm / 1024" | bc -l)"
printf "python3: scxsnap.load             %6.2f s  %7.1f MiB (import alone: %.2f s, %.1f MiB)\n" \
  "$pw" "$(echo "$pm / 1024" | bc -l)" "$iw" "$(echo "$im / 1024" | bc -l)"
printf "python/C++: time %.2fx, peak RSS %.2fx (less the interpreter: %.2fx)\n" \
  "$(echo "$pw / $cw" | bc -l)" "$(echo "$pm / $cm" | bc -l)" "$(echo "($pm - $im) / $cm" | bc -l)"

echo
echo "== walk a 200000-entry hash in Python: pid of every entry (load included)"
"$build/bench/report_load_bench" gen "$scratch/h.json" 200000 >/dev/null
walk_ours=$(measure $py -c '
import scxsnap, sys
m = scxsnap.load(sys.argv[1]).map("task_ctx_map")
total = sum(e.get("pid").value for e in m)
assert len(m) == 200000' "$scratch/h.json")
walk_json=$(measure $py -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = next(m for m in d["maps"] if m["name"] == "task_ctx_map")
total = 0
for e in m["entries"]:
    for mem in e["value"]["members"]:
        if mem["name"] == "pid":
            total += mem["value"]["value"]
assert len(m["entries"]) == 200000' "$scratch/h.json")
read -r ow om <<<"$walk_ours"
read -r jw jm <<<"$walk_json"
printf "scxsnap.load + iteration          %6.2f s  %7.1f MiB\n" "$ow" "$(echo "$om / 1024" | bc -l)"
printf "json.load + dict walk             %6.2f s  %7.1f MiB\n" "$jw" "$(echo "$jm / 1024" | bc -l)"
printf "scxsnap is %.1fx faster, in %.2fx the memory\n" "$(echo "$jw / $ow" | bc -l)" "$(echo "$om / $jm" | bc -l)"

#!/usr/bin/env bash
# A plain `cmake` configure (what a distribution or a user runs) is portable:
# no -march anywhere; tuning comes only when asked (-DSCXSNAP_MARCH=...).
set -euo pipefail
src=$1 dir=$2
rm -rf "$dir"
cmake -S "$src" -B "$dir" -DSCXSNAP_BUILD_TESTS=OFF -DSCXSNAP_BUILD_BENCH=OFF >/dev/null
test -s "$dir/compile_commands.json"
if grep -q -- '-march' "$dir/compile_commands.json"; then
  echo "default build is host-tuned:"; grep -o -- '-march=[^ "]*' "$dir/compile_commands.json" | sort -u
  exit 1
fi
cmake -S "$src" -B "$dir" -DSCXSNAP_MARCH=haswell >/dev/null
grep -q -- '-march=haswell' "$dir/compile_commands.json"
rm -rf "$dir"
echo portable

#!/usr/bin/env bash
# Build the fuzz targets with clang-16 + libFuzzer and run each for N seconds.
#   fuzz/run_fuzz.sh [SECONDS]
# clang below 19 cannot see libstdc++'s <expected> unless __cpp_concepts is
# forced (see the style reference); the define is for this profile only.
set -euo pipefail
secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build-fuzz
mkdir -p "$out"
flags=(-std=c++2b -O1 -g -fsanitize=fuzzer,address,undefined -D__cpp_concepts=202002L
       -Wno-builtin-macro-redefined -I"$root/include" -I"$root/src" -DSCXSNAP_VERSION=\"fuzz\")
libs=(-lsimdjson -lfmt -lbpf -lelf -lz)
shopt -s nullglob
for target in "$root"/fuzz/*_fuzz.cpp; do
  name=$(basename "$target" .cpp)
  corpus_seed=$root/fuzz/corpus/${name%_fuzz}
  echo "== building $name"
  clang++-16 "${flags[@]}" "$target" "$root"/src/report/*.cpp "$root"/src/btf/*.cpp "$root"/src/snapshot/*.cpp "${libs[@]}" -o "$out/$name"
  work=$out/corpus-$name
  mkdir -p "$work"
  echo "== running $name for ${secs}s"
  "$out/$name" -max_total_time="$secs" -max_len=65536 -timeout=10 "$work" "$corpus_seed"
done

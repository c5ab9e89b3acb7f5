#!/usr/bin/env bash
# The layers' arrows, checked on every #include: a layer uses
# only itself and the layers below it, and libbpf stays behind btf and capture.
#   report <- snapshot <- series;  report <- btf <- native <- capture
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
# The arrows and the public headers' layers are docs/ARCHITECTURE.md's
# tables (between its <!-- arrows --> and <!-- headers --> markers), so the
# page and the code cannot drift apart.
doc="$root/docs/ARCHITECTURE.md"
[ -f "$doc" ] || { echo "$doc: missing (the layers are read from it)"; exit 1; }
table() {  # marker: the rows "| a | b |" between <!-- marker... --> and <!-- /marker -->
  awk -v m="$1" '
    index($0, "<!-- " m) == 1 { on = 1; next }
    index($0, "<!-- /" m) == 1 { on = 0 }
    on && /^\| / && !/^\|---/ { split($0, f, "|"); a = f[2]; b = f[3]
      gsub(/^ +| +$/, "", a); gsub(/^ +| +$/, "", b); print a "\t" b }' "$doc" | tail -n +2
}
declare -A may=() public=()
while IFS=$'\t' read -r layer uses; do may[$layer]=$uses; done < <(table arrows)
while IFS=$'\t' read -r header layer; do public[$header]=$layer; done < <(table headers)
[ ${#may[@]} -gt 0 ] && [ ${#public[@]} -gt 0 ] || { echo "$doc: no arrows or headers table"; exit 1; }
bad=0
check() {  # file layer
  local file=$1 layer=$2 inc target
  while read -r inc; do
    case $inc in
      scxsnap/*) target=${public[$(basename "${inc%.hpp}")]:-}
                 if [ -z "$target" ]; then echo "$file: unknown public header $inc"; bad=1; continue; fi ;;
      */*) target=${inc%%/*} ;;
      *) target=$layer ;;
    esac
    if [[ " ${may[$layer]} " != *" $target "* ]]; then
      echo "$file ($layer) includes $inc ($target): against the arrows"
      bad=1
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
  if [[ $layer != btf && $layer != native && $layer != capture && $layer != trigger ]] && grep -qE '^#include <(bpf|linux)/' "$file"; then
    echo "$file ($layer) includes libbpf or kernel headers"
    bad=1
  fi
}
n=0
for layer in "${!may[@]}"; do
  for f in "$root"/src/$layer/*.cpp "$root"/src/$layer/*.hpp "$root"/src/$layer/*/*.cpp "$root"/src/$layer/*/*.hpp; do
    [ -e "$f" ] || continue
    check "$f" "$layer"; n=$((n + 1))
  done
done
for f in "$root"/include/scxsnap/*.hpp; do
  stem=$(basename "$f" .hpp)
  [ "$stem" = scxsnap ] && continue  # the umbrella header
  layer=${public[$stem]:-}
  if [ -z "$layer" ]; then echo "$f: public header in no layer (add it to docs/ARCHITECTURE.md)"; bad=1; continue; fi
  check "$f" "$layer"; n=$((n + 1))
done
[ $bad -eq 0 ] && echo "layers ok: $n files"
exit $bad

#!/usr/bin/env bash
# The layers' arrows, checked on every #include: a layer uses
# only itself and the layers below it, and libbpf stays behind btf and capture.
#   report <- snapshot <- series;  report <- btf <- native <- capture
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
declare -A may=(
  [report]="report"
  [snapshot]="snapshot report"
  [series]="series snapshot report"
  [btf]="btf report"
  [native]="native btf report"
  [capture]="capture native btf report"
)
# The layer each public header belongs to.
declare -A public=(
  [export]=report [result]=report [json_value]=report [rendered_value]=report
  [report]=report [dump_file]=report [objects]=report [output_file]=report [version]=report
  [snapshot]=snapshot [snapshot_error]=snapshot
  [series]=series [sample_series]=series [expect]=series [bridge]=series [diff]=series
  [btf_render]=btf [native]=native [capture]=capture
)
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
  if [[ $layer != btf && $layer != native && $layer != capture ]] && grep -qE '^#include <(bpf|linux)/' "$file"; then
    echo "$file ($layer) includes libbpf or kernel headers"
    bad=1
  fi
}
n=0
for layer in "${!may[@]}"; do
  for f in "$root"/src/$layer/*.cpp "$root"/src/$layer/*.hpp; do
    [ -e "$f" ] || continue
    check "$f" "$layer"; n=$((n + 1))
  done
done
for f in "$root"/include/scxsnap/*.hpp; do
  stem=$(basename "$f" .hpp)
  [ "$stem" = scxsnap ] && continue  # the umbrella header
  layer=${public[$stem]:-}
  if [ -z "$layer" ]; then echo "$f: public header in no layer (add it to tests/layer_check.sh)"; bad=1; continue; fi
  check "$f" "$layer"; n=$((n + 1))
done
[ $bad -eq 0 ] && echo "layers ok: $n files"
exit $bad

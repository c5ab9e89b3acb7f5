#!/usr/bin/env bash
# gen_man.sh HELP2MAN CLI OUT: the man page, generated from the CLI's own
# --help (every subcommand's help becomes a section), so it never drifts.
set -euo pipefail
help2man=$1 cli=$2 out=$3
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
{
  echo "[DESCRIPTION]"
  echo "scxsnap captures the state of BPF schedulers (sched_ext) from a live kernel:"
  echo "every map value rendered through BTF, the globals of each object, per-CPU"
  echo "slots and the scheduler context, as JSON compatible with ktstr; and reads,"
  echo "compares and checks such reports and series of them."
  for sub in capture show var map convert watch check diff; do
    echo "[COMMAND: ${sub^^}]"
    # Roff: backslashes are escapes, a leading dot or quote a request.
    "$cli" "$sub" --help | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" |
      sed -e '1s/^/.nf\n/' -e '$s/$/\n.fi/'
  done
  echo "[EXIT STATUS]"
  echo "0 success; 1 the thing asked for is absent; 2 bad usage or a bad input file;"
  echo "3 no permission or missing kernel support; 4 check: inconclusive only;"
  echo "5 internal error or out of memory; 130/143 capture stopped by SIGINT/SIGTERM."
  echo "[SEE ALSO]"
  echo "bpftool(8). The README at https://github.com/ (scxsnap) documents the JSON format."
} >"$inc"
"$help2man" --no-info --no-discard-stderr --section 1 \
  --name "snapshots of BPF scheduler state" --include "$inc" --output "$out" "$cli"

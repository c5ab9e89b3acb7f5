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
  # Every subcommand the CLI lists (a test checks the page has them all).
  subs=$("$cli" --help | sed -n '/^Subcommands:/,$p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
  for sub in $subs; do
    echo "[COMMAND: ${sub^^}]"
    # Roff: backslashes are escapes, a leading dot or quote a request.
    "$cli" "$sub" --help | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" |
      sed -e '1s/^/.nf\n/' -e '$s/$/\n.fi/'
  done
  echo "[EXIT STATUS]"
  echo "0 success; 1 the thing asked for is absent, check: an assertion failed,"
  echo "diff: the inputs differ; 2 bad usage or a bad input file; 3 no permission or"
  echo "missing kernel support; 4 check: inconclusive only; 5 internal error or out of"
  echo "memory; 130/143 capture or watch stopped by SIGINT/SIGTERM (what was written is"
  echo "complete)."
  echo "[SEE ALSO]"
  echo "bpftool(8), bpf(2). The README.md and docs/FORMAT.md of the scxsnap source"
  echo "document the JSON format, the native snapshot format and the C++ API."
} >"$inc"
"$help2man" --no-info --no-discard-stderr --section 1 \
  --name "snapshots of BPF scheduler state" --include "$inc" --output "$out" "$cli"

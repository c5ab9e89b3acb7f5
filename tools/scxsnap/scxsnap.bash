# bash completion for scxsnap (installed as
# share/bash-completion/completions/scxsnap). A test keeps the flags here
# equal to each subcommand's --help.
_scxsnap() {
  local cur prev words cword
  _init_completion || return
  local subcommands="capture show var map convert watch check diff report metrics serve"
  local sub="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      capture|show|var|map|convert|watch|check|diff|report|metrics|serve) sub=${words[i]}; break ;;
    esac
  done
  if [[ -z $sub ]]; then
    COMPREPLY=($(compgen -W "$subcommands --help --version" -- "$cur"))
    return
  fi
  local capture_flags="--map --obj --map-id --max-entries --deadline-ms --max-value-bytes
    --max-array-elements --enable-stats --all-progs --pid --cgroup --active-obj"
  local flags
  case $sub in
    capture) flags="-o --output --format --pretty -q --quiet --record-kernel --replay-kernel --on-exit --wait-pid --until --until-fails --poll-ms --timeout-s --keep-last --interval-ms --early-ms $capture_flags" ;;
    watch) flags="-o --output --format --interval-ms --count --duration-s $capture_flags" ;;
    show) flags="--json" ;;
    var) flags="--live --obj --map-id --path --json --raw --early" ;;
    map) flags="--map-id --obj --cpu --at --path --sum --json --raw --early" ;;
    convert) flags="--pretty" ;;
    check) flags="--expect --format --max-failures" ;;
    diff) flags="--from --to --map --json --html" ;;
    report) flags="-o --output --expect --only-expected --max-entries --early" ;;
    metrics) flags="-o --output --select --per-cpu --max-series --from --replay-kernel $capture_flags" ;;
    serve) flags="--listen --socket-mode --token-file --no-token --threads --timeout-s --snapshots-per-minute --replay-kernel --select --per-cpu --max-series -q --quiet $capture_flags" ;;
  esac
  case $prev in
    -o|--output|--html|--record-kernel|--replay-kernel|--token-file) _filedir; return ;;
    --socket-mode) COMPREPLY=($(compgen -W "0600 0660" -- "$cur")); return ;;
    --format)
      if [[ $sub == watch ]]; then COMPREPLY=($(compgen -W "jsonl native" -- "$cur"))
      elif [[ $sub == check ]]; then COMPREPLY=($(compgen -W "text json junit" -- "$cur"))
      else COMPREPLY=($(compgen -W "json native" -- "$cur")); fi
      return ;;
    --cgroup) COMPREPLY=($(compgen -d -- "/sys/fs/cgroup/${cur#/sys/fs/cgroup/}")); return ;;
    --pid) COMPREPLY=($(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur")); return ;;
    --map|--obj|--map-id|--max-entries|--deadline-ms|--max-value-bytes|--max-array-elements|\
    --active-obj|--interval-ms|--count|--duration-s|--path|--sum|--cpu|--at|--expect|--from|--to|\
    --max-failures|--select|--max-series|--listen|--threads|--timeout-s|--snapshots-per-minute)
      return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags -h --help" -- "$cur"))
  else
    _filedir '@(json|jsonl|scxsnap)'
  fi
}
complete -F _scxsnap scxsnap

#!/usr/bin/env bash
# Install the build tree into a staging prefix, build the consumer against it
# with find_package(scxsnap) and with pkg-config, and run both.
set -euo pipefail
build_dir=$1
src_dir=$(cd "$(dirname "$0")" && pwd)
stage=$build_dir/consumer-stage
rm -rf "$stage" "$build_dir/consumer-build"
cmake --install "$build_dir" --prefix "$stage" >/dev/null
# The installed CLI starts with no environment tweaks (RUNPATH).
env -u LD_LIBRARY_PATH "$stage/bin/scxsnap" --version
cmake -S "$src_dir" -B "$build_dir/consumer-build" -DCMAKE_PREFIX_PATH="$stage" >/dev/null
cmake --build "$build_dir/consumer-build" >/dev/null
LD_LIBRARY_PATH="$stage/lib:${LD_LIBRARY_PATH:-}" "$build_dir/consumer-build/consumer"
libdir=$(find "$stage" -name scxsnap.pc -printf '%h\n' | head -1)
PKG_CONFIG_PATH=$libdir c++ ${CXXFLAGS:-} "$src_dir/main.cpp" -o "$build_dir/consumer-build/consumer-pc" \
  $(PKG_CONFIG_PATH=$libdir pkg-config --define-prefix --cflags --libs scxsnap) ${LDFLAGS:-}
LD_LIBRARY_PATH="$(dirname "$libdir"):${LD_LIBRARY_PATH:-}" "$build_dir/consumer-build/consumer-pc"
# The man page (when help2man was there) and the bash completion are installed.
test -f "$stage/share/bash-completion/completions/scxsnap"
bash -n "$stage/share/bash-completion/completions/scxsnap"
if grep -q '^HELP2MAN:FILEPATH=/' "$build_dir/CMakeCache.txt"; then
  grep -q '^\.SH "COMMAND: CAPTURE"' "$stage/share/man/man1/scxsnap.1"
fi
# ... and completes: "scxsnap var F --r<TAB>" offers --raw.
if [ -f /usr/share/bash-completion/bash_completion ]; then
  got=$(bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"
    COMP_WORDS=(scxsnap var f.json --r); COMP_CWORD=3; COMP_LINE="scxsnap var f.json --r"
    COMP_POINT=${#COMP_LINE}; _scxsnap; echo "${COMPREPLY[@]}"' _ "$stage/share/bash-completion/completions/scxsnap")
  test "$got" = "--raw"
fi

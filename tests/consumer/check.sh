#!/usr/bin/env bash
# Install the build tree into a staging prefix and use it as a downstream
# project would: the installed CLI runs, find_package(scxsnap) with and
# without COMPONENTS, pkg-config for each library, a core-only program that
# needs no libbpf, and the exported symbols.
set -euo pipefail
build_dir=$1
src_dir=$(cd "$(dirname "$0")" && pwd)
stage=$build_dir/consumer-stage
out=$build_dir/consumer-build
rm -rf "$stage" "$out"
cmake --install "$build_dir" --prefix "$stage" >/dev/null
fail() { echo "FAIL: $*" >&2; exit 1; }

# The installed CLI starts with no environment tweaks (RUNPATH).
env -u LD_LIBRARY_PATH "$stage/bin/scxsnap" --version

# CMake: scxsnap::core alone, and scxsnap::scxsnap (both libraries).
cmake -S "$src_dir" -B "$out" -DCMAKE_PREFIX_PATH="$stage" >/dev/null
cmake --build "$out" >/dev/null
libdir=$(dirname "$(find "$stage" -name libscxsnap_core.so -print -quit)")
LD_LIBRARY_PATH="$libdir:${LD_LIBRARY_PATH:-}" "$out/consumer_core"
LD_LIBRARY_PATH="$libdir:${LD_LIBRARY_PATH:-}" "$out/consumer"
LD_LIBRARY_PATH="$libdir:${LD_LIBRARY_PATH:-}" "$out/consumer_html"
# The html program needs core and html, never capture or libbpf.
needed=$(readelf -d "$out/consumer_html" | grep NEEDED || true)
grep -q 'libscxsnap_html' <<<"$needed" || fail "consumer_html does not link libscxsnap_html"
! grep -qE 'libscxsnap_capture|libbpf' <<<"$needed" || fail "consumer_html links capture/libbpf: $needed"
# The core-only program links neither libscxsnap_capture nor libbpf.
needed=$(readelf -d "$out/consumer_core" | grep NEEDED || true)
grep -q 'libscxsnap_core' <<<"$needed" || fail "consumer_core does not link libscxsnap_core"
! grep -qE 'libscxsnap_capture|libbpf' <<<"$needed" || fail "consumer_core links capture/libbpf: $needed"

# pkg-config: no flags forced on consumers beyond -I/-L/-l (the C++ standard
# is the consumer's choice; the headers need C++23).
export PKG_CONFIG_PATH=$libdir/pkgconfig
for pc in scxsnap scxsnap-core scxsnap-capture scxsnap-html; do
  flags=$(pkg-config --define-variable=prefix="$stage" --cflags --libs "$pc")
  echo "$pc: $flags"
  ! grep -q -- '-std' <<<"$flags" || fail "$pc forces a language standard"
done
c++ -std=c++2b ${CXXFLAGS:-} "$src_dir/main.cpp" -o "$out/consumer-pc-core" \
  $(pkg-config --define-variable=prefix="$stage" --cflags --libs scxsnap-core) ${LDFLAGS:-}
LD_LIBRARY_PATH="$libdir:${LD_LIBRARY_PATH:-}" "$out/consumer-pc-core"
c++ -std=c++2b ${CXXFLAGS:-} -DCONSUMER_WITH_CAPTURE "$src_dir/main.cpp" -o "$out/consumer-pc" \
  $(pkg-config --define-variable=prefix="$stage" --cflags --libs scxsnap) ${LDFLAGS:-}
LD_LIBRARY_PATH="$libdir:${LD_LIBRARY_PATH:-}" "$out/consumer-pc"

# The libraries: core needs no libbpf; only the scxsnap namespace is
# exported, none of its internal namespaces.
core_needed=$(readelf -d "$libdir/libscxsnap_core.so" | grep NEEDED)
! grep -qE 'libbpf|libelf|libz' <<<"$core_needed" || fail "libscxsnap_core needs: $core_needed"
html_needed=$(readelf -d "$libdir/libscxsnap_html.so" | grep NEEDED)
! grep -qE 'libbpf|libelf|libscxsnap_capture' <<<"$html_needed" || fail "libscxsnap_html needs: $html_needed"
for lib in libscxsnap_core.so libscxsnap_capture.so libscxsnap_html.so; do
  syms=$(nm -D --defined-only -C "$libdir/$lib" | awk '{$1=""; $2=""; sub(/^  /, ""); print}')
  internal=$(grep -E '(^|[^a-z_])(detail|btf_plan|capture_detail)::' <<<"$syms" || true)
  [ -z "$internal" ] || fail "$lib exports internals: $(head -3 <<<"$internal")"
  other=$(grep -vE '^(scxsnap::|typeinfo (name )?for scxsnap::|vtable for scxsnap::|SCXSNAP_0$)' <<<"$syms" || true)
  [ -z "$other" ] || fail "$lib exports outside scxsnap: $(head -3 <<<"$other")"
  echo "$lib: $(wc -l <<<"$syms") exported symbols, all in scxsnap"
done
# No internal header is installed.
for h in "$stage"/include/scxsnap/*.hpp; do
  ! grep -qE 'split_percpu|hex_bytes|InternedString|namespace detail' "$h" || fail "internal API in $h"
done

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
echo "consumer checks passed"

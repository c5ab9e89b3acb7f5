#!/usr/bin/env bash
# Build the Debian package as `make package` does (Release, prefix /usr),
# unpack it into a scratch root with dpkg -x and use it from there: the
# binary runs with no environment tweaks, Depends names the runtime
# libraries, and the headers, CMake and pkg-config files build a program.
#   tests/package_check.sh SOURCE_DIR WORK_DIR [TREE]
# With TREE (a build tree configured with CMAKE_INSTALL_PREFIX=/usr and no
# -march, as CI's is), the package is cut from it instead of a tree of its own.
set -euo pipefail
src=$1
work=$2
tree=${3:-}
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
if [ -n "$tree" ]; then
  grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr$' "$tree/CMakeCache.txt" || fail "$tree is not configured for prefix /usr"
  ! grep -q -- '-march' "$tree/compile_commands.json" || fail "$tree is host-tuned (-march): not a package's tree"
  (cd "$tree" && cpack -G DEB -B "$work/build" >/dev/null)
else
  # -Werror here (not in `make package`): the Release build with the project's
  # defaults is warning-free.
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DSCXSNAP_BUILD_TESTS=OFF -DSCXSNAP_BUILD_BENCH=OFF -DSCXSNAP_WERROR=ON >/dev/null
  cmake --build "$work/build" -j "$(nproc)" >/dev/null
  (cd "$work/build" && cpack -G DEB >/dev/null)
fi
deb=$(ls "$work"/build/scxsnap_*.deb)
echo "package: $(basename "$deb")"

# Control fields: Depends from dpkg-shlibdeps, with the runtime libraries.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libbpf libsimdjson libfmt libstdc++6 libc6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
! grep -qE -- '-dev\b' <<<"$depends" || fail "Depends names a -dev package"
[ "$(dpkg-deb -f "$deb" Version)" = "$(sed -n 's/^project(scxsnap VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")" ] ||
  fail "package version differs from the project's"

# Contents.
root=$work/root
dpkg -x "$deb" "$root"
multiarch=$(gcc -print-multiarch)
for f in usr/bin/scxsnap usr/lib/$multiarch/libscxsnap_core.so.0 usr/lib/$multiarch/libscxsnap_capture.so.0 \
         usr/lib/$multiarch/libscxsnap_html.so.0 usr/lib/$multiarch/pkgconfig/scxsnap-html.pc \
         usr/lib/$multiarch/libscxsnap_core.so usr/include/scxsnap/scxsnap.hpp usr/include/scxsnap/version.hpp \
         usr/lib/$multiarch/cmake/scxsnap/scxsnapConfig.cmake usr/lib/$multiarch/pkgconfig/scxsnap-core.pc \
         usr/lib/$multiarch/pkgconfig/scxsnap.pc usr/share/bash-completion/completions/scxsnap \
         usr/lib/systemd/system/scxsnap-serve.service; do
  [ -e "$root/$f" ] || fail "the package lacks /$f"
done

# The service unit parses (systemd-analyze, where there is one): no unknown
# or invalid setting. Its ExecStart and man page are the installed ones.
if command -v systemd-analyze >/dev/null; then
  unit_log=$(systemd-analyze verify "$root/usr/lib/systemd/system/scxsnap-serve.service" 2>&1 || true)
  ! grep -Ei 'unknown|invalid|failed to parse|ignoring' <<<"$unit_log" || fail "the service unit: $unit_log"
fi

# The binary runs from the scratch root with no environment tweaks.
env -u LD_LIBRARY_PATH "$root/usr/bin/scxsnap" --version
env -u LD_LIBRARY_PATH "$root/usr/bin/scxsnap" show "$src/examples/dump.json" | grep -q "active object: scx_demo"
[ "$(env -u LD_LIBRARY_PATH "$root/usr/bin/scxsnap" var "$src/examples/dump.json" nr_dispatched)" = 907 ] || fail "var from the package"

# The Python module (where the tree built it) imports from the package with
# Debian's python3 and nothing but PYTHONPATH set: its libraries through its
# RUNPATH.
site=$root/usr/lib/python3/dist-packages
if [ -d "$site/scxsnap" ]; then
  out=$(env -u LD_LIBRARY_PATH PYTHONPATH="$site" /usr/bin/python3 -c \
    'import scxsnap, sys; print(scxsnap.__file__); print(scxsnap.load(sys.argv[1]).var("nr_dispatched").value)' \
    "$src/examples/dump.json")
  grep -q "^$site/scxsnap/__init__.py$" <<<"$out" || fail "python3 imported scxsnap from elsewhere: $out"
  [ "$(tail -1 <<<"$out")" = 907 ] || fail "the packaged Python module read $out"
  echo "python module: imported from the package"
fi

# A program builds against the unpacked package: CMake and pkg-config.
cmake -S "$src/tests/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$root/usr" >/dev/null
cmake --build "$work/consumer" >/dev/null
LD_LIBRARY_PATH="$root/usr/lib/$multiarch" "$work/consumer/consumer"
pc_dir=$root/usr/lib/$multiarch/pkgconfig
c++ -std=c++2b "$src/tests/consumer/main.cpp" -o "$work/consumer-pc" \
  $(PKG_CONFIG_PATH=$pc_dir pkg-config --define-variable=prefix="$root/usr" --cflags --libs scxsnap-core)
LD_LIBRARY_PATH="$root/usr/lib/$multiarch" "$work/consumer-pc"
echo "package ok"

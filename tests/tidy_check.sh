#!/usr/bin/env bash
# clang-tidy (the .clang-tidy profile) over translation units of the library
# and the CLI, using BUILD_DIR's compile_commands.json.
#   tests/tidy_check.sh BUILD_DIR            every .cpp under src/ and tools/
#   tests/tidy_check.sh BUILD_DIR REV        only those changed since REV
# clang-16 needs __cpp_concepts forced to see libstdc++'s <expected>; libbpf's LIBBPF_OPTS
# (a compound literal in a statement expression) is its documented idiom.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
base=${2:-}
tidy=$(command -v run-clang-tidy-16 || true)
[ -n "$tidy" ] || { echo "run-clang-tidy-16 not found (apt-get install clang-tidy-16)" >&2; exit 1; }
cd "$root"
if [ -n "$base" ]; then
  files=$(git diff --name-only --diff-filter=AM "$base" -- 'src/*.cpp' 'tools/*.cpp' 2>/dev/null || true)
else
  files=$(git ls-files 'src/*.cpp' 'tools/*.cpp')
fi
if [ -z "$files" ]; then echo "tidy: no C++ sources changed since ${base:-the start}"; exit 0; fi
echo "tidy: $(wc -w <<<"$files") file(s)"
# Every file must have its own compile command (a unity build's database has
# none): a file tidy cannot see must not pass as clean.
for f in $files; do
  grep -q "\"file\": \"$root/$f\"" "$build/compile_commands.json" ||
    { echo "tidy: no compile command for $f in $build/compile_commands.json" >&2; exit 1; }
done
regex="^$root/($(tr '\n' ' ' <<<"$files" | sed 's/ *$//; s/\./\\./g; s/ /|/g'))\$"
"$tidy" -quiet -p "$build" -j "$(nproc)" -extra-arg=-std=c++2b -extra-arg=-U__cpp_concepts -extra-arg=-D__cpp_concepts=202002L \
  -extra-arg=-Wno-builtin-macro-redefined -extra-arg=-Wno-macro-redefined \
  -extra-arg=-Wno-unknown-warning-option -extra-arg=-Wno-c99-extensions \
  -extra-arg=-Wno-gnu-statement-expression-from-macro-expansion "$regex" > "$build/tidy.log" 2>&1 || {
  grep -E "(error|warning): " "$build/tidy.log" | sort -u >&2
  echo "tidy: findings above (full log: $build/tidy.log)" >&2
  exit 1
}
echo "tidy ok"

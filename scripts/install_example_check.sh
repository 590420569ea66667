#!/usr/bin/env bash
# Checks CoDA-Halide as a library, the way an outside project uses it: installs
# the build into a temporary prefix, builds apps/examples/explain_one against
# that prefix only (find_package(coda CONFIG REQUIRED)), and runs it on a small
# random checkpoint, expecting a PNG. Takes well under a minute on a built tree.
#
# usage: scripts/install_example_check.sh [BUILD_DIR]
#   BUILD_DIR: a configured and built tree (ctest passes its own). Without it,
#   ./build is configured and built first.
# For a cross build (e.g. aarch64), ctest sets CODA_TOOLCHAIN (the toolchain
# file the example is built with) and CODA_EMULATOR (how its programs run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [[ $# -ge 1 ]]; then
    build=$(cd "$1" && pwd)
else
    build=$root/build
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
    cmake --build "$build" -j "$(nproc)"
fi
inputs_tool=$build/tests/example_inputs
if [[ ! -x $inputs_tool ]]; then
    echo "install check: $inputs_tool is missing (a build with BUILD_TESTING=ON makes it)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/coda_install_check.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

echo "== install into $prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
test -f "$prefix/lib/cmake/coda/codaConfig.cmake"
test -f "$prefix/include/coda/coda.h"
# The package must not point back into the source or build tree.
if grep -rlF -e "$root/" -e "$build/" "$prefix/lib/cmake/coda"; then
    echo "install check: the installed package refers to the source or build tree (files above)" >&2
    exit 1
fi

echo "== build apps/examples/explain_one against the prefix"
target_args=(-DCMAKE_PREFIX_PATH="$prefix" ${CXX:+-DCMAKE_CXX_COMPILER="$CXX"})
if [[ -n ${CODA_TOOLCHAIN:-} ]]; then
    # A cross toolchain re-roots CMAKE_PREFIX_PATH: name the package directly.
    target_args=(-DCMAKE_TOOLCHAIN_FILE="$CODA_TOOLCHAIN" -Dcoda_DIR="$prefix/lib/cmake/coda")
fi
read -r -a emulator <<< "${CODA_EMULATOR:-}"
cmake -S "$root/apps/examples/explain_one" -B "$work/example" -DCMAKE_BUILD_TYPE=Release \
    "${target_args[@]}" > "$work/example_configure.log" ||
    { cat "$work/example_configure.log"; exit 1; }
cmake --build "$work/example" > "$work/example_build.log" ||
    { cat "$work/example_build.log"; exit 1; }

echo "== run it"
${emulator[@]+"${emulator[@]}"} "$inputs_tool" "$work/inputs"
${emulator[@]+"${emulator[@]}"} "$work/example/explain_one" "$work/inputs/model.safetensors" \
    "$work/inputs/image.png" "$work/explanation.png"
# A PNG file starts with \x89PNG.
if [[ ! -s $work/explanation.png || $(head -c 4 "$work/explanation.png" | tail -c 3) != PNG ]]; then
    echo "install check: explain_one wrote no PNG" >&2
    exit 1
fi
echo "install check passed"

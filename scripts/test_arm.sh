#!/usr/bin/env bash
# Cross-builds the aarch64 layer libraries and tests with the generators of
# the host build in ./build, and runs the tests under qemu-aarch64.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-arm -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" \
      -Dcoda_halide-halide_generators_ROOT="$PWD/build"
cmake --build build-arm -j "$(nproc)"
ctest --test-dir build-arm --output-on-failure -j "$(nproc)"

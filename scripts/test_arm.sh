#!/usr/bin/env bash
# Cross-builds CoDA-Halide for aarch64 (layer libraries, runtime, the coda app
# and every test) with the generators of the host build in ./build, and runs
# the tests under qemu-aarch64. One of them, install_example_check, installs
# the aarch64 build into a temporary prefix, builds apps/examples/explain_one
# against it with the cross toolchain and runs it under qemu.
# zlib, libpng, nlohmann-json and CLI11 for aarch64 come from the private
# sysroot scripts/arm_sysroot.sh makes (./build-sysroot-aarch64).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/arm_sysroot.sh
cmake -S . -B build-arm -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" \
      -Dcoda_halide-halide_generators_ROOT="$PWD/build" -DCODA_LAYER_ONLY=OFF
cmake --build build-arm -j "$(nproc)"
# A timeout, so that an emulator that hangs fails the run instead of stalling it.
ctest --test-dir build-arm --output-on-failure -j "$(nproc)" --timeout 600

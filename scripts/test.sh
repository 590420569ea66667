#!/usr/bin/env bash
# The test command: installs what is missing, configures, builds, runs every
# test on x86 (each x86 variant this CPU supports, and the GPU schedules on
# OpenCL/PoCL), then cross-builds for aarch64 and runs the layer tests under qemu.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)"
./scripts/test_arm.sh

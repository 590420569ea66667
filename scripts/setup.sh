#!/usr/bin/env bash
# Installs every system package the project needs (Debian 12). Safe to re-run:
# it only calls apt when something is missing.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libhalide14-0-dev           # Halide 14 + LLVM 14: the pipeline compiler
  libgtest-dev libbenchmark-dev
  zlib1g-dev                  # reads the gzipped IDX files of Fashion-MNIST
  libpng-dev                  # writes contribution maps as PNG
  nlohmann-json3-dev          # parses and writes the JSON header of safetensors checkpoints
  dataset-fashion-mnist       # the real data of the demo
  g++-aarch64-linux-gnu       # cross-builds the ARM (aarch64) libraries and tests
  qemu-user-static            # runs the aarch64 tests on this x86 machine
  pocl-opencl-icd             # an OpenCL device on the CPU: runs the GPU schedules in tests
  ocl-icd-libopencl1
  ocl-icd-opencl-dev          # libOpenCL.so, the name Halide's OpenCL runtime opens
  libcli11-dev                # the coda command line: sub-commands, GNU long options, --help
  clang-format
  python3                     # runs the benchmark report (benchmarks/report.py) and its test
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# zlib, libpng, nlohmann-json and CLI11 for the aarch64 cross build, unpacked
# into a private sysroot (no arm64 package is installed into the system).
"$(dirname "$0")/arm_sysroot.sh"

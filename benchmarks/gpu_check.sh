#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: builds, runs the golden and gradient tests
# on the GPU (CUDA libraries) and prints the layer benchmark table for the GPU
# next to the CPU. Meant to finish in under 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ldconfig -p | grep -q libcuda.so.1; then
    echo "gpu_check: no NVIDIA driver (libcuda.so.1) on this machine" >&2
    exit 1
fi
[ -d build ] || ./scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCODA_GPU_LIBS=ON
cmake --build build -j "$(nproc)" --target golden_layer_test gradient_test property_test layer_benchmark
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
for t in golden_layer_test gradient_test property_test; do
    CODA_DEVICE=cuda "./build/tests/$t" --gtest_brief=1
done
CODA_DEVICE=cuda ./build/benchmarks/layer_benchmark --benchmark_filter='batch:64' --benchmark_min_time=0.2

// CUDA tuning of the GPU schedules (schedules/cuda/README.md); OpenCL uses it too.
// Knobs: {threads_x, threads_y, channels, param_threads}.
// Timed with tools/autotune --family cuda (Halide JIT, benchmarks/gpu_check.sh) on an
// NVIDIA H200, driver 580.159.04, target x86-64-linux-avx-avx2-cuda-cuda_capability_61-f16c-
// fma-sse41, 2026-11-27, model configs/cifar10_9l_s.cfg. Objective: ms/img summed over the 9
// layers at batch 64, device-resident. The device time lent ran out before the full search of
// backward and contribution (README.md); assembled by hand from these runs:
// forward: --passes forward --batches 64 --reps 5 (the full grid: 17 tunings)
//   best  {8, 8, 2, 8}: 0.410 ms/img; start {16, 8, 4, 16}: 0.490 ms/img
// contribution: --passes contribution and --evaluate, --reps 3 (6 of 17 tunings)
//   best  {8, 8, 8, 16}: 0.250 ms/img; start {16, 8, 4, 16}: 0.440 ms/img
//   batch 64, ms/img per layer: 0.009 0.022 0.023 0.042 0.042 0.025 0.043 0.043 0.002
// backward: --passes backward and --evaluate, --reps 3 (5 of 17 tunings)
//   best  {8, 8, 8, 16}: 4.166 ms/img; start {16, 8, 4, 16}: 4.451 ms/img
//   batch 64, ms/img per layer: 0.477 0.676 0.394 0.622 0.623 0.294 0.522 0.521 0.037
#pragma once

#include "coda_layer_schedule.h"

namespace coda::cuda {
constexpr GpuTunings kTunings{{8, 8, 2, 8}, {8, 8, 8, 16}, {8, 8, 8, 16}};
}  // namespace coda::cuda

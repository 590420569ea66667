// CUDA tuning of the GPU schedules (schedules/cuda/README.md); OpenCL uses it too.
// Knobs: {threads_x, threads_y, channels, param_threads}.
// Chosen by heuristics, not timed: 128-thread blocks over positions, 4 output
// channels per thread in the reductions, 16 x 16 parameter tiles.
#pragma once

#include "coda_layer_schedule.h"

namespace coda::cuda {
constexpr GpuTunings kTunings{{16, 8, 4, 16}, {16, 8, 4, 16}, {16, 8, 4, 16}};
}  // namespace coda::cuda

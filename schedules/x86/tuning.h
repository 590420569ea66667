// x86 tuning of the CPU schedules (AVX2/AVX-512, also valid for SSE4).
// Vectors of 8 floats: on Zen 4 zmm is double-pumped, so ymm reaches the same
// FMA peak (shared/notes/toolchain.md) and fits the 8-wide maps of the late
// layers. Tiles of 8 x 2 positions x 4 channels keep 8 accumulators plus
// their operands within the 16 ymm (32 zmm) registers; 32 channel lanes for
// the reductions over positions. Chosen by hand and measured with
// benchmarks/layer_benchmark on this machine (see README).
#pragma once

#include "coda_layer_schedule.h"

namespace coda::x86 {
constexpr CpuTuning kTuning{8, 2, 4, 32};
}

// x86 tuning of the Winograd forms' CPU schedules
// (schedules/cpu/coda_winograd_cpu_schedule.cpp). Not yet searched by
// tools/autotune: chosen from JIT timings of layer 4 (Cin = O = 32, r = 64,
// 16x16) at batch 64 on AMD EPYC (Zen 4), 2 threads, 2026-11-30, where 4
// vectors of 16 tiles x 4 channels (0.95-0.97 ms/img) beat 2 x 8
// (1.09-1.11), 3 x 8 and 1 x 16; layer 7 (64 channels, 8x8) ran 2 x 8 and
// 4 x 4 alike. Intel hosts use it too.
#pragma once

#include "coda_layer_schedule.h"

namespace coda::x86 {
constexpr WinogradTuning kWinograd{16, 4, 4};
// The Winograd forward's (same schedule file), likewise by hand from JIT
// timings on the same host, 2026-11-30: 4 vectors x 4 ranks ran layer 7 at
// batch 16 in 1.48 ms/img and layer 4 in 1.22, against 1.53 and 1.34 for 2
// vectors x 8 ranks.
constexpr WinogradTuning kWinogradForward{16, 4, 4};
}  // namespace coda::x86

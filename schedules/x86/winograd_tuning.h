// x86 tuning of the Winograd forms' CPU schedules
// (schedules/cpu/coda_winograd_cpu_schedule.cpp), written by tools/autotune
// --tune-winograd: every register tile of 8 to 24 accumulators ({vector,
// tile_vectors, channels}) timed on the layers where the runtime runs the
// form (schedules/contribution_form.h, forward_form.h), ms/img summed over
// those layers and the batches. Intel hosts use it too.
// contribution_winograd (layers of 32 channels 16x16, 64 channels 8x8):
//   run:  2026-11-30 07:07 UTC, AMD EPYC, 2 threads
//   command: tools/autotune --tune-winograd --batches 16,64 --reps 5
//   ms/img (tile_vectors x channels): 2x4 3.957, 2x8 4.228, 3x4 3.619, 3x8 3.824, 4x2 3.714, 4x4
//     3.821, 6x2 4.147, 6x4 4.286, 8x2 3.762
//   confirmed in 5 alternating rounds (medians): start {16, 4, 4} 4.237, search's best {16,
//     3, 4} 4.135
//   best {16, 3, 4}
// forward_winograd (layers of 16 channels 32x32, 32 channels 16x16, 64 channels 8x8):
//   run:  2026-11-30 07:10 UTC, AMD EPYC, 2 threads
//   command: tools/autotune --tune-winograd --batches 16,64 --reps 5
//   ms/img (tile_vectors x channels): 2x4 7.430, 2x8 8.068, 3x4 7.611, 3x8 7.961, 4x2 7.066, 4x4
//     7.232, 6x2 10.394, 6x4 9.486, 8x2 9.915
//   confirmed in 5 alternating rounds (medians): start {16, 4, 4} 6.557, search's best {16,
//     4, 2} 7.068
//   best {16, 4, 4}
#pragma once

#include "coda_layer_schedule.h"

namespace coda::x86 {
constexpr WinogradTuning kWinograd{16, 3, 4};
constexpr WinogradTuning kWinogradForward{16, 4, 4};
}  // namespace coda::x86

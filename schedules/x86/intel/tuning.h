// x86/intel tuning of the CPU schedules (schedules/x86/intel/README.md).
// Searched by tools/autotune on an Intel Xeon in two runs, both stopped before
// they finished; the comments of the two are joined here by hand (the tuner
// writes only its own run's). Run 1 (its header joined from its log): forward
// of every class and contribution of the large and wide maps. Run 2: backward
// of the large maps. Everything else is Zen 4's (schedules/x86/tuning.h).
//   machine: Intel(R) Xeon(R) Processor, 2 threads
//   target:  x86-64-linux-avx-avx2-avx512-avx512_cannonlake-avx512_skylake-f16c-fma-sse41
//   model:   configs/cifar10_9l_s.cfg
// Objective: ms/img summed over the tuned layers at batches 1 64.
// Knobs: {vector, rows, block, lanes, rank_unroll, parallel_rows, rows_per_vector}.
// "start" is Zen 4's tuning, timed in the same run on this machine.
// Run 1: 2026-11-29 03:11-04:57 UTC,
//   tools/autotune --passes forward,contribution --batches 1,64 --reps 3
// forward, large maps:      best {16, 2, 4, 32, 64, true, 1}: 2.495 ms/img
//                           start {16, 4, 4, 32, 32, true, 1}: 3.192 ms/img (1.28x)
// forward, wide maps:       best {16, 8, 2, 32, 64, true, 2}: 8.824 ms/img
//                           start {16, 1, 4, 32, 1, true, 1}: 13.244 ms/img (1.50x)
// forward, narrow maps:     best = start {16, 4, 4, 32, 64, true, 2}: 8.952 ms/img
// forward, pointwise:       best {16, 8, 2, 32, 1, false, 2}: 0.100 ms/img
//                           start {16, 4, 2, 32, 64, true, 2}: 0.156 ms/img (1.55x)
// contribution, large maps: best {16, 4, 8, 32, 4, true, 2}: 2.415 ms/img
//                           start {16, 8, 4, 32, 2, true, 2}: 2.838 ms/img (1.18x)
// contribution, wide maps:  best {16, 4, 2, 32, 2, true, 1}: 7.213 ms/img
//                           start {16, 2, 4, 32, 2, true, 1}: 9.179 ms/img (1.27x)
// Run 2: 2026-11-29 09:03-09:21 UTC, tools/autotune --family x86/intel
//   --passes backward --classes large,wide,narrow --batches 1,64 --reps 3
//   (stopped during the wide search)
// backward, large maps:     best {16, 4, 4, 32, 1, true, 1}: 13.511 ms/img
//                           start {16, 4, 4, 64, 1, true, 1}: 14.679 ms/img (1.09x,
//                           43 candidates; the start read 17.203 earlier in the run)
//   batch 1, ms/img per layer: 2.408 4.676
//   batch 64, ms/img per layer: 2.141 4.287
#pragma once

#include "coda_layer_schedule.h"

namespace coda::x86::intel {
constexpr CpuTunings kLarge{
    {16, 2, 4, 32, 64, true, 1}, {16, 4, 4, 32, 1, true, 1}, {16, 4, 8, 32, 4, true, 2}};
constexpr CpuTunings kWide{
    {16, 8, 2, 32, 64, true, 2}, {16, 4, 4, 64, 1, true, 1}, {16, 4, 2, 32, 2, true, 1}};
constexpr CpuTunings kNarrow{
    {16, 4, 4, 32, 64, true, 2}, {16, 4, 4, 64, 1, true, 2}, {16, 4, 4, 32, 32, true, 2}};
constexpr CpuTunings kPointwise{
    {16, 8, 2, 32, 1, false, 2}, {8, 4, 4, 64, 1, true, 1}, {16, 4, 8, 32, 32, true, 2}};
constexpr FamilyTunings kTunings{kLarge, kWide, kNarrow, kPointwise};
}  // namespace coda::x86::intel

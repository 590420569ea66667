// The machine's measured FMA peak (FLOP/s), the denominator of every "% of
// peak" this suite reports: 12 independent 8-lane FMA chains per thread keep
// both FMA pipes of a core busy (shared/notes/toolchain.md: 233 GFLOP/s on 2
// threads here).
#pragma once

namespace coda::bench {

double measure_fma_peak(int threads, double seconds = 0.3);

}  // namespace coda::bench

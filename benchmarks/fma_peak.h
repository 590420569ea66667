// The machine's measured FMA peak (FLOP/s), the denominator of every "% of
// peak" this suite reports: 12 independent FMA chains per thread keep both
// FMA pipes of a core busy, in AVX2 and, where the CPU has it, AVX-512 (the
// better of the two; shared/notes/toolchain.md: 233 GFLOP/s on 2 threads of
// the AMD hosts, either width). `seconds` is split into trials; the best counts.
#pragma once

namespace coda::bench {

double measure_fma_peak(int threads, double seconds = 0.3);

}  // namespace coda::bench

// Random draws that give the same results with every standard library: the
// std:: distributions and std::shuffle are implementation-defined, while
// std::mt19937_64's raw output is fixed by the standard. Training relies on
// this to resume at any epoch and batch with exactly the same data order.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace coda {

// A uniform integer in [0, n), n > 0 (rejection sampling, no modulo bias).
uint64_t uniform_below(std::mt19937_64 &rng, uint64_t n);

// A uniform random permutation of 0..n-1 (Fisher-Yates).
std::vector<int64_t> random_permutation(int64_t n, std::mt19937_64 &rng);

// A seed derived from (seed, a, b) by SplitMix64 mixing, so that e.g. each
// (epoch, batch) gets its own independent generator.
uint64_t derive_seed(uint64_t seed, uint64_t a, uint64_t b = 0);

}  // namespace coda

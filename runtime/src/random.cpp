#include "coda/random.h"

#include <stdexcept>

namespace coda {

uint64_t uniform_below(std::mt19937_64 &rng, uint64_t n) {
    if (n == 0) {
        throw std::invalid_argument("uniform_below: empty range");
    }
    // Accept only draws below the largest multiple of n.
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r;
    do {
        r = rng();
    } while (r >= limit);
    return r % n;
}

std::vector<int64_t> random_permutation(int64_t n, std::mt19937_64 &rng) {
    std::vector<int64_t> p(n);
    for (int64_t i = 0; i < n; i++) {
        p[i] = i;
    }
    for (int64_t i = n - 1; i > 0; i--) {
        std::swap(p[i], p[uniform_below(rng, i + 1)]);
    }
    return p;
}

namespace {

uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

uint64_t derive_seed(uint64_t seed, uint64_t a, uint64_t b) {
    return splitmix64(splitmix64(splitmix64(seed) ^ a) ^ b);
}

}  // namespace coda

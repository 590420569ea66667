#include "fma_peak.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace coda::bench {

namespace {

constexpr int kChains = 12;
constexpr long kInner = 1 << 16;

// Each returns the FLOPs done; the result feeds a sink so the loop is not
// removed. Two widths, because the peak is the better of them: Zen 4 runs a
// zmm FMA as two halves (no gain over AVX2), Intel's AVX-512 cores have two
// full-width FMA pipes (twice AVX2's FLOPs per cycle).
__attribute__((target("avx2,fma"))) double avx2_fma_chains(long rounds, float *sink) {
    __m256 acc[kChains];
    for (int i = 0; i < kChains; i++) {
        acc[i] = _mm256_set1_ps(float(i));
    }
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (long r = 0; r < rounds * kInner; r++) {
        for (int i = 0; i < kChains; i++) {
            acc[i] = _mm256_fmadd_ps(acc[i], a, b);
        }
    }
    for (int i = 1; i < kChains; i++) {
        acc[0] = _mm256_add_ps(acc[0], acc[i]);
    }
    *sink = _mm256_cvtss_f32(acc[0]);
    return double(rounds) * kInner * kChains * 8 * 2;
}

__attribute__((target("avx512f"))) double avx512_fma_chains(long rounds, float *sink) {
    __m512 acc[kChains];
    for (int i = 0; i < kChains; i++) {
        acc[i] = _mm512_set1_ps(float(i));
    }
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long r = 0; r < rounds * kInner; r++) {
        for (int i = 0; i < kChains; i++) {
            acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        }
    }
    for (int i = 1; i < kChains; i++) {
        acc[0] = _mm512_add_ps(acc[0], acc[i]);
    }
    *sink = _mm512_cvtss_f32(acc[0]);
    return double(rounds) * kInner * kChains * 16 * 2;
}

// FLOP/s of `chains` run on `threads` threads for `seconds`.
double measure(double (*chains)(long, float *), int threads, double seconds) {
    using clock = std::chrono::steady_clock;
    std::atomic<double> flops{0};
    std::vector<float> sinks(threads);
    auto start = clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++) {
        pool.emplace_back([&, t] {
            double done = 0;
            while (std::chrono::duration<double>(clock::now() - start).count() < seconds) {
                done += chains(16, &sinks[t]);
            }
            double cur = flops.load();
            while (!flops.compare_exchange_weak(cur, cur + done)) {
            }
        });
    }
    for (auto &t : pool) {
        t.join();
    }
    return flops / std::chrono::duration<double>(clock::now() - start).count();
}

}  // namespace

double measure_fma_peak(int threads, double seconds) {
    // The best of several short trials per width: on a shared host one
    // trial can land in a slow spell (a single 0.3 s trial once read 165
    // GFLOP/s against 234, and every % of peak of that run 1.42x too high).
    constexpr int kTrials = 4;
    const bool avx512 = __builtin_cpu_supports("avx512f");
    double peak = 0;
    for (int t = 0; t < kTrials; t++) {
        peak = std::max(peak, measure(avx2_fma_chains, threads, seconds / kTrials));
        if (avx512) {
            peak = std::max(peak, measure(avx512_fma_chains, threads, seconds / kTrials));
        }
    }
    return peak;
}

}  // namespace coda::bench

#include "fma_peak.h"

#include <immintrin.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace coda::bench {

namespace {

constexpr int kChains = 12;
constexpr long kInner = 1 << 16;

// Returns FLOPs done; the result feeds a sink so the loop is not removed.
__attribute__((target("avx2,fma"))) double fma_chains(long rounds, float *sink) {
    __m256 acc[kChains];
    for (int i = 0; i < kChains; i++) {
        acc[i] = _mm256_set1_ps(float(i));
    }
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (long r = 0; r < rounds; r++) {
        for (long k = 0; k < kInner; k++) {
            for (int i = 0; i < kChains; i++) {
                acc[i] = _mm256_fmadd_ps(acc[i], a, b);
            }
        }
    }
    __m256 s = acc[0];
    for (int i = 1; i < kChains; i++) {
        s = _mm256_add_ps(s, acc[i]);
    }
    *sink = _mm256_cvtss_f32(s);
    return double(rounds) * kInner * kChains * 8 * 2;
}

}  // namespace

double measure_fma_peak(int threads, double seconds) {
    using clock = std::chrono::steady_clock;
    std::atomic<double> flops{0};
    std::vector<float> sinks(threads);
    auto start = clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++) {
        pool.emplace_back([&, t] {
            double done = 0;
            while (std::chrono::duration<double>(clock::now() - start).count() < seconds) {
                done += fma_chains(16, &sinks[t]);
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

}  // namespace coda::bench

// Each pass of the CoDA layer at the layer shapes of the CIFAR-10 9L-S model
// (spec 2.3), batch 64 (and 1), on HL_NUM_THREADS threads (default 2).
//
// FLOPs are counted the reference's way, per output position (D = Cin*k*k):
//   forward       2rD + 2ODr + OD + 2OD + 2OD + 5O   (conv C, 1x1 conv M + bias,
//                 weighting, norm; 1.85 GFLOP per 32x32 image for the model)
//   backward      2 * (2ODr + 2rD + 4OD)             (spec 3.4, materialised form)
//   contribution  2 * (ODr + 2OD)                    (w rebuilt from z, weighting)
// whatever algorithm computes them, so GFLOP/s compares times. pct_peak is
// against the FMA peak measured at start-up in this same run.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <random>

#include "HalideRuntime.h"
#include "coda/coda_layer.h"
#include "flops.h"
#include "fma_peak.h"

namespace {

using namespace coda;

struct ModelLayer {
    int in, out, rank, k, stride, size;
};

// CIFAR-10 9L-S-CoDA-SQ (6-channel AddInverse input, 32x32).
const ModelLayer kLayers[] = {
    {6, 16, 32, 3, 1, 32},  {16, 16, 32, 3, 1, 32}, {16, 32, 64, 3, 2, 32},
    {32, 32, 64, 3, 1, 16}, {32, 32, 64, 3, 1, 16}, {32, 64, 64, 3, 2, 16},
    {64, 64, 64, 3, 1, 8},  {64, 64, 64, 3, 1, 8},  {64, 10, 64, 1, 1, 8}};

int threads() {
    const char *env = std::getenv("HL_NUM_THREADS");
    return env ? std::atoi(env) : 2;
}

double peak_flops() {
    static double peak = bench::measure_fma_peak(threads());
    return peak;
}

using bench::flops_per_position;
using bench::Pass;

// direct: run the direct form of the forward and contribution passes
// (otherwise the runtime picks per call).
void run_layer(benchmark::State &state, int index, Pass pass, bool direct = false) {
    const ModelLayer &m = kLayers[index];
    const int batch = static_cast<int>(state.range(0));
    LayerConfig cfg;
    cfg.name = "L" + std::to_string(index + 1);
    cfg.in_channels = m.in, cfg.out_channels = m.out, cfg.rank = m.rank;
    cfg.kernel = m.k, cfg.stride = m.stride, cfg.pad = m.k / 2;
    std::mt19937 rng(index);
    std::uniform_real_distribution<float> u(-0.1f, 0.1f);
    auto random = [&](Shape s) {
        Tensor t(s);
        for (float &v : t.values())
            v = u(rng);
        return t;
    };
    LayerParams p{random(cfg.weight_shape()), random(cfg.mix_shape()), random(cfg.bias_shape())};
    Tensor x = random({batch, m.in, m.size, m.size});
    LayerForward f = layer_forward(cfg, p, x);
    Tensor g = random(f.output.shape());
    double seconds = 0;
    // Outside the timed loop.
    set_forward_form(direct ? ForwardForm::direct : ForwardForm::automatic);
    set_contribution_form(direct ? ContributionForm::direct : ContributionForm::automatic);
    for (auto _ : state) {
        auto start = std::chrono::steady_clock::now();
        switch (pass) {
        case Pass::forward:
            benchmark::DoNotOptimize(layer_forward(cfg, p, x));
            break;
        case Pass::backward:
            benchmark::DoNotOptimize(layer_backward(cfg, p, x, f, g));
            break;
        case Pass::contribution:
            benchmark::DoNotOptimize(layer_contribution(cfg, p, f, g, x.shape()));
            break;
        }
        double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        state.SetIterationTime(t);
        seconds += t;
    }
    set_forward_form(ForwardForm::automatic);
    set_contribution_form(ContributionForm::automatic);
    double positions = double(batch) * f.output.dim(2) * f.output.dim(3);
    double flops = positions * flops_per_position(cfg, pass) * state.iterations() / seconds;
    state.counters["GFLOP/s"] = flops * 1e-9;
    state.counters["pct_peak"] = 100.0 * flops / peak_flops();
    state.counters["ms/img"] = 1e3 * seconds / state.iterations() / batch;
}

void register_all() {
    const std::pair<const char *, Pass> passes[] = {{"forward", Pass::forward},
                                                    {"backward", Pass::backward},
                                                    {"contribution", Pass::contribution}};
    auto add = [](const std::string &label, auto run) {
        benchmark::RegisterBenchmark(label.c_str(), run)
            ->Arg(64)
            ->Arg(1)
            ->ArgName("batch")
            ->Unit(benchmark::kMillisecond)
            ->UseManualTime();
    };
    for (auto [name, pass] : passes) {
        for (int i = 0; i < 9; i++) {
            add(std::string(name) + "/L" + std::to_string(i + 1),
                [i, pass = pass](benchmark::State &s) { run_layer(s, i, pass); });
        }
    }
    // The direct forms where the runtime may pick Winograd's (3x3, stride 1),
    // for the ratio between the two in one run.
    for (auto [name, pass] : {passes[0], passes[2]}) {
        for (int i = 0; i < 9; i++) {
            if (kLayers[i].k == 3 && kLayers[i].stride == 1) {
                add(std::string(name) + "_direct/L" + std::to_string(i + 1),
                    [i, pass = pass](benchmark::State &s) { run_layer(s, i, pass, true); });
            }
        }
    }
}

}  // namespace

int main(int argc, char **argv) {
    halide_set_num_threads(threads());
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    std::printf("FMA peak on %d threads: %.1f GFLOP/s\n", threads(), peak_flops() * 1e-9);
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

// The default Fashion-MNIST CoDA-Net (configs/fashion_mnist.cfg) end to end:
// explaining one 28x28 image for all 10 classes, inference, and a training
// step (forward, BCE, backward, Adam), on HL_NUM_THREADS threads (default 2).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "HalideRuntime.h"
#include "coda/loss.h"
#include "coda/model.h"
#include "coda/optimizer.h"

namespace {

using namespace coda;

RunConfig default_config() {
    std::ifstream f(CODA_DEFAULT_CONFIG_FILE);
    std::stringstream s;
    s << f.rdbuf();
    return parse_config(s.str(), CODA_DEFAULT_CONFIG_FILE);
}

Tensor images(int64_t B, const ModelConfig &m) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0, 1);
    Tensor t({B, m.image_channels, m.image_height, m.image_width});
    for (float &v : t.values())
        v = u(rng);
    return t;
}

void BM_ExplainAllClasses(benchmark::State &state) {
    CodaNet net(default_config().model);
    net.init(1);
    Tensor x = images(1, net.config());
    const int K = net.config().num_classes();
    std::vector<int> rows(K, 0), classes(K);
    for (int k = 0; k < K; k++)
        classes[k] = k;
    for (auto _ : state) {
        Trace t = net.forward(x);  // the forward pass is part of explaining
        benchmark::DoNotOptimize(net.explain(t, rows, classes));
    }
}
BENCHMARK(BM_ExplainAllClasses)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Inference(benchmark::State &state) {
    CodaNet net(default_config().model);
    net.init(1);
    Tensor x = images(state.range(0), net.config());
    for (auto _ : state) {
        benchmark::DoNotOptimize(net.forward(x));
    }
    state.counters["img/s"] =
        benchmark::Counter(double(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Inference)->Arg(1)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_TrainingStep(benchmark::State &state) {
    RunConfig c = default_config();
    CodaNet net(c.model);
    net.init(1);
    Adam adam;
    Tensor x = images(state.range(0), net.config());
    std::vector<int> labels(state.range(0));
    for (size_t i = 0; i < labels.size(); i++)
        labels[i] = int(i % 10);
    for (auto _ : state) {
        Trace t = net.forward(x);
        LossValue l = classification_loss(LossKind::bce, t.logits, labels);
        std::vector<LayerGradients> g = net.backward(t, l.d_logits);
        for (size_t i = 0; i < g.size(); i++) {
            adam.update("C" + std::to_string(i), net.params()[i].C, g[i].d_C, 1e-6);
            adam.update("M" + std::to_string(i), net.params()[i].M, g[i].d_M, 1e-6);
            adam.update("b" + std::to_string(i), net.params()[i].b, g[i].d_b, 1e-6);
        }
        adam.finish_step();
    }
    state.counters["img/s"] =
        benchmark::Counter(double(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_TrainingStep)->Arg(64)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char **argv) {
    const char *env = std::getenv("HL_NUM_THREADS");
    halide_set_num_threads(env ? std::atoi(env) : 2);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

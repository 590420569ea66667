// Whole CoDA-Nets end to end, on HL_NUM_THREADS threads (default 2).
//
// The default Fashion-MNIST net (configs/fashion_mnist.cfg): explaining one
// 28x28 image for all 10 classes, inference, and a training step.
//
// The CIFAR-10 9L-S-CoDA-SQ-1000 net (configs/cifar10_9l_s.cfg, spec 2.3),
// randomly initialised (seed 1), on uniform random images (seed 1) with labels
// i % 10, as cifar10/<case>/batch:<B> for B in 1, 16, 64:
//   inference     forward + logits
//   train_step    forward + BCE + backward + Adam
//   explain_one   forward + contribution maps of one class per image (its label)
//   explain_all   forward + contribution maps of all 10 classes per image
// Counters: img/s, ms/img, GFLOP/s counted the reference's way (benchmarks/
// flops.h: forward; forward + backward; forward + one contribution pass per
// explained class), pct_peak against the FMA peak measured at start-up of this
// process (peak_GFLOP/s), and peak_rss_MB: the process's peak resident set
// (VmHWM) at the end of the case. Run one case per process (e.g.
// --benchmark_filter='^cifar10/inference/batch:64$') for that case's own peak.
//
// model_benchmark --write_peer_inputs=DIR writes the CIFAR-10 net's weights
// (DIR/model.safetensors), the images and labels the cases use, and reference
// outputs for the PyTorch peer to check against (DIR/data.safetensors), then
// exits; see benchmarks/torch_peer/. model_benchmark --print_fma_peak prints the
// measured FMA peak as JSON and exits.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

#include "HalideRuntime.h"
#include "coda/checkpoint.h"
#include "coda/loss.h"
#include "coda/model.h"
#include "coda/optimizer.h"
#include "flops.h"
#include "fma_peak.h"

namespace {

using namespace coda;
using bench::Pass;

constexpr uint64_t kSeed = 1;
constexpr int kMaxBatch = 64;
constexpr double kLearningRate = 1e-6;

RunConfig read_config(const char *path) {
    std::ifstream f(path);
    if (!f) {
        throw Error(std::string("cannot read config file ") + path);
    }
    std::stringstream s;
    s << f.rdbuf();
    return parse_config(s.str(), path);
}

RunConfig default_config() {
    return read_config(CODA_DEFAULT_CONFIG_FILE);
}

ModelConfig cifar_config() {
    return read_config(CODA_CIFAR_CONFIG_FILE).model;
}

int threads() {
    const char *env = std::getenv("HL_NUM_THREADS");
    return env ? std::atoi(env) : 2;
}

double peak_flops() {
    static double peak = bench::measure_fma_peak(threads());
    return peak;
}

// Peak resident set size of this process so far, in MB (VmHWM).
double peak_rss_mb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::atof(line.c_str() + 6) / 1024.0;
        }
    }
    return 0;
}

// Uniform [0, 1) images; the first B of the same fixed sequence for every B.
Tensor images(int64_t B, const ModelConfig &m) {
    std::mt19937 rng(kSeed);
    std::uniform_real_distribution<float> u(0, 1);
    Tensor t({B, m.image_channels, m.image_height, m.image_width});
    for (float &v : t.values())
        v = u(rng);
    return t;
}

std::vector<int> labels(int64_t B) {
    std::vector<int> l(B);
    for (int64_t i = 0; i < B; i++)
        l[i] = int(i % 10);
    return l;
}

void train_step(CodaNet &net, Adam &adam, const Tensor &x, const std::vector<int> &y) {
    Trace t = net.forward(x);
    LossValue l = classification_loss(LossKind::bce, t.logits, y);
    std::vector<LayerGradients> g = net.backward(t, l.d_logits);
    for (size_t i = 0; i < g.size(); i++) {
        adam.update("C" + std::to_string(i), net.params()[i].C, g[i].d_C, kLearningRate);
        adam.update("M" + std::to_string(i), net.params()[i].M, g[i].d_M, kLearningRate);
        adam.update("b" + std::to_string(i), net.params()[i].b, g[i].d_b, kLearningRate);
    }
    adam.finish_step();
}

// The (image, class) pairs explained: each image for its label, or for all classes.
std::pair<std::vector<int>, std::vector<int>> explained_pairs(int64_t B, int classes_per_image) {
    std::vector<int> rows, classes;
    std::vector<int> y = labels(B);
    for (int64_t i = 0; i < B; i++) {
        for (int k = 0; k < classes_per_image; k++) {
            rows.push_back(int(i));
            classes.push_back(classes_per_image == 1 ? y[i] : k);
        }
    }
    return {rows, classes};
}

// ---------------------------------------------------------------------------
// Fashion-MNIST (default config)

void BM_ExplainAllClasses(benchmark::State &state) {
    CodaNet net(default_config().model);
    net.init(kSeed);
    Tensor x = images(1, net.config());
    auto [rows, classes] = explained_pairs(1, net.config().num_classes());
    for (auto _ : state) {
        Trace t = net.forward(x);  // the forward pass is part of explaining
        benchmark::DoNotOptimize(net.explain(t, rows, classes));
    }
}
BENCHMARK(BM_ExplainAllClasses)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Inference(benchmark::State &state) {
    CodaNet net(default_config().model);
    net.init(kSeed);
    Tensor x = images(state.range(0), net.config());
    for (auto _ : state) {
        benchmark::DoNotOptimize(net.forward(x));
    }
    state.counters["img/s"] =
        benchmark::Counter(double(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Inference)->Arg(1)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_TrainingStep(benchmark::State &state) {
    CodaNet net(default_config().model);
    net.init(kSeed);
    Adam adam;
    Tensor x = images(state.range(0), net.config());
    std::vector<int> y = labels(state.range(0));
    for (auto _ : state) {
        train_step(net, adam, x, y);
    }
    state.counters["img/s"] =
        benchmark::Counter(double(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_TrainingStep)->Arg(64)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---------------------------------------------------------------------------
// CIFAR-10 9L-S

enum class Case { inference, train_step, explain_one, explain_all };

// Reference FLOPs of one image for a case.
double case_flops_per_image(const ModelConfig &m, Case c) {
    double forward = bench::model_flops_per_image(m, Pass::forward);
    switch (c) {
    case Case::inference:
        return forward;
    case Case::train_step:
        return forward + bench::model_flops_per_image(m, Pass::backward);
    case Case::explain_one:
        return forward + bench::model_flops_per_image(m, Pass::contribution);
    case Case::explain_all:
        return forward + m.num_classes() * bench::model_flops_per_image(m, Pass::contribution);
    }
    return 0;
}

void run_cifar(benchmark::State &state, Case c) {
    const int64_t B = state.range(0);
    CodaNet net(cifar_config());
    net.init(kSeed);
    Adam adam;
    const Tensor x = images(B, net.config());
    const std::vector<int> y = labels(B);
    auto [rows, classes] =
        explained_pairs(B, c == Case::explain_all ? net.config().num_classes() : 1);
    auto step = [&] {
        switch (c) {
        case Case::inference:
            benchmark::DoNotOptimize(net.forward(x).logits);
            break;
        case Case::train_step:
            train_step(net, adam, x, y);
            break;
        case Case::explain_one:
        case Case::explain_all: {
            Trace t = net.forward(x);  // the forward pass is part of explaining
            benchmark::DoNotOptimize(net.explain(t, rows, classes));
            break;
        }
        }
    };
    step();  // warm-up, untimed (first-touch of buffers, Adam's moments), as the peer does
    double seconds = 0;
    for (auto _ : state) {
        auto start = std::chrono::steady_clock::now();
        step();
        double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        state.SetIterationTime(t);
        seconds += t;
    }
    const double per_iteration = seconds / state.iterations();
    const double flops = B * case_flops_per_image(net.config(), c) / per_iteration;
    state.counters["img/s"] = B / per_iteration;
    state.counters["ms/img"] = 1e3 * per_iteration / B;
    state.counters["GFLOP/s"] = flops * 1e-9;
    state.counters["pct_peak"] = 100.0 * flops / peak_flops();
    state.counters["peak_GFLOP/s"] = peak_flops() * 1e-9;
    state.counters["GFLOP/img"] = case_flops_per_image(net.config(), c) * 1e-9;
    state.counters["peak_rss_MB"] = peak_rss_mb();
    state.counters["threads"] = threads();
}

void register_cifar() {
    const std::pair<const char *, Case> cases[] = {{"inference", Case::inference},
                                                   {"train_step", Case::train_step},
                                                   {"explain_one", Case::explain_one},
                                                   {"explain_all", Case::explain_all}};
    for (auto [name, c] : cases) {
        std::string label = std::string("cifar10/") + name;
        benchmark::RegisterBenchmark(label.c_str(), run_cifar, c)
            ->Arg(1)
            ->Arg(16)
            ->Arg(kMaxBatch)
            ->ArgName("batch")
            ->Unit(benchmark::kMillisecond)
            ->UseManualTime();
    }
}

// ---------------------------------------------------------------------------
// Inputs and reference outputs for the PyTorch peer

void write_peer_inputs(const std::string &dir) {
    std::filesystem::create_directories(dir);
    const ModelConfig m = cifar_config();
    CodaNet net(m);
    net.init(kSeed);

    std::map<std::string, Tensor> weights;
    for (size_t i = 0; i < net.params().size(); i++) {
        const std::string p = "layers." + std::to_string(i) + ".";
        weights[p + "C"] = net.params()[i].C;
        weights[p + "M"] = net.params()[i].M;
        weights[p + "b"] = net.params()[i].b;
    }
    RunConfig rc;
    rc.model = m;
    save_checkpoint(dir + "/model.safetensors", weights,
                    {{"config", to_text(rc)}, {"seed", std::to_string(kSeed)}});

    std::map<std::string, Tensor> data;
    const Tensor x = images(kMaxBatch, m);
    const std::vector<int> y = labels(kMaxBatch);
    data["images"] = x;
    Tensor label_tensor({kMaxBatch});
    for (int i = 0; i < kMaxBatch; i++)
        label_tensor[i] = float(y[i]);
    data["labels"] = label_tensor;

    // Logits of the whole batch, and the last layer's output map they are summed from.
    Trace t = net.forward(x);
    data["logits"] = t.logits;
    data["final_map"] = t.layers.back().output;  // before the sum pool

    // Contribution maps (6-channel input x gradient, detached) of the first
    // four images for their labels.
    constexpr int kCheck = 4;
    std::vector<int> rows(kCheck), classes(kCheck);
    for (int i = 0; i < kCheck; i++)
        rows[i] = i, classes[i] = y[i];
    data["contributions"] = net.explain(t, rows, classes).input_contributions;

    // BCE loss and parameter gradients of the first four images.
    Tensor x4({kCheck, m.image_channels, m.image_height, m.image_width},
              Floats(x.data(), x.data() + kCheck * x.size() / kMaxBatch));
    Trace t4 = net.forward(x4);
    LossValue l = classification_loss(LossKind::bce, t4.logits, labels(kCheck));
    std::vector<LayerGradients> g = net.backward(t4, l.d_logits);
    for (size_t i = 0; i < g.size(); i++) {
        const std::string p = "grad.layers." + std::to_string(i) + ".";
        data[p + "C"] = g[i].d_C;
        data[p + "M"] = g[i].d_M;
        data[p + "b"] = g[i].d_b;
    }
    std::ostringstream loss;
    loss.precision(17);
    loss << l.loss;
    save_checkpoint(dir + "/data.safetensors", data,
                    {{"check_images", std::to_string(kCheck)},
                     {"loss", loss.str()},
                     {"learning_rate", std::to_string(kLearningRate)},
                     {"threads", std::to_string(threads())}});
    std::cout << "wrote " << dir << "/model.safetensors and " << dir << "/data.safetensors\n";
}

}  // namespace

int main(int argc, char **argv) {
    halide_set_num_threads(threads());
    const char *flag = "--write_peer_inputs=";
    for (int i = 1; i < argc; i++) {
        if (std::strcmp(argv[i], "--print_fma_peak") == 0) {
            std::printf("{\"threads\": %d, \"fma_peak_gflops\": %.2f}\n", threads(),
                        peak_flops() * 1e-9);
            return 0;
        }
        if (std::strncmp(argv[i], flag, std::strlen(flag)) == 0) {
            try {
                write_peer_inputs(argv[i] + std::strlen(flag));
                return 0;
            } catch (const std::exception &e) {
                std::cerr << "model_benchmark: " << e.what() << "\n";
                return 1;
            }
        }
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    try {
        std::printf("FMA peak on %d threads: %.1f GFLOP/s\n", threads(), peak_flops() * 1e-9);
        register_cifar();
        benchmark::RunSpecifiedBenchmarks();
    } catch (const std::exception &e) {
        std::cerr << "model_benchmark: " << e.what() << "\n";
        return 1;
    }
    benchmark::Shutdown();
    return 0;
}

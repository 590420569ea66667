// The GPU schedules against the CPU schedules at every layer shape of the
// CIFAR-10 9L-S model (spec 2.3), batch 2: the layer tests use small shapes,
// but the GPU tiles (thread blocks of up to 32 x 8 positions, channels per
// thread) only fill up, and run past map and channel edges in every way, at
// the model's 32x32..8x8 maps and 16..64 channels. Runs on the device that
// CODA_DEVICE names (ctest runs it on OpenCL/PoCL; benchmarks/gpu_check.sh on
// CUDA), comparing with the same pass on the CPU.
//
// Tolerance: 1e-4 of the largest magnitude of each result. Both sides are
// float sums of up to D*r = 36864 products in different orders (about 1e-6
// relative); a wrong index or a race changes whole values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "coda/device.h"
#include "coda/model_config.h"
#include "random_layer.h"

namespace coda {
namespace {

// The model's layers with their input map sizes; the config is read from
// CODA_MODEL_CONFIG if set (benchmarks/gpu_check.sh runs this elsewhere).
std::vector<std::pair<LayerConfig, int>> model_layers() {
    const char *env = std::getenv("CODA_MODEL_CONFIG");
    ModelConfig m = load_config(env ? env : CODA_SOURCE_DIR "/configs/cifar10_9l_s.cfg").model;
    std::vector<std::pair<LayerConfig, int>> layers;
    int size = m.encoded_height();
    for (const LayerConfig &c : m.layer_configs()) {
        layers.push_back({c, size});
        size = c.out_size(size);
    }
    return layers;
}

void expect_close(const Tensor &gpu, const Tensor &cpu, const char *what) {
    ASSERT_EQ(gpu.shape(), cpu.shape()) << what;
    double scale = 0, err = 0;
    for (size_t i = 0; i < cpu.values().size(); i++) {
        scale = std::max(scale, double(std::fabs(cpu.values()[i])));
        err = std::max(err, double(std::fabs(gpu.values()[i] - cpu.values()[i])));
    }
    EXPECT_TRUE(std::isfinite(err) && err <= 1e-4 * scale)
        << what << ": max error " << err << " against max magnitude " << scale;
}

class GpuAgreement : public ::testing::TestWithParam<int> {};

TEST_P(GpuAgreement, AllPassesMatchTheCpu) {
    const Device gpu = current_device();
    ASSERT_NE(gpu, Device::cpu) << "run with CODA_DEVICE=opencl or cuda";
    const auto layers = model_layers();
    ASSERT_LT(size_t(GetParam()), layers.size());
    const auto &[cfg, size] = layers[GetParam()];
    std::mt19937 rng(GetParam());
    LayerParams p = testing::random_params(cfg, rng);
    Tensor x = testing::uniform({2, cfg.in_channels, size, size}, 0, 1, rng);
    const int classes = 3;

    auto run = [&](Device d) {
        set_device(d);
        LayerForward f = layer_forward(cfg, p, x);
        std::mt19937 g_rng(7);
        Tensor g = testing::uniform(f.output.shape(), -1, 1, g_rng);
        Shape many = f.output.shape();
        many[0] *= classes;
        Tensor g_classes = testing::uniform(many, -1, 1, g_rng);
        LayerGradients grads = layer_backward(cfg, p, x, f, g);
        Tensor contribution = layer_contribution(cfg, p, f, g_classes, x.shape(), classes);
        return std::make_tuple(f, grads, contribution);
    };
    auto [f_cpu, grads_cpu, contribution_cpu] = run(Device::cpu);
    auto [f_gpu, grads_gpu, contribution_gpu] = run(gpu);
    set_device(gpu);
    expect_close(f_gpu.output, f_cpu.output, "output");
    expect_close(f_gpu.code, f_cpu.code, "code");
    expect_close(f_gpu.norm, f_cpu.norm, "norm");
    expect_close(f_gpu.wnorm, f_cpu.wnorm, "wnorm");
    expect_close(grads_gpu.d_input, grads_cpu.d_input, "d_input");
    expect_close(grads_gpu.d_C, grads_cpu.d_C, "d_C");
    expect_close(grads_gpu.d_M, grads_cpu.d_M, "d_M");
    expect_close(grads_gpu.d_b, grads_cpu.d_b, "d_b");
    expect_close(contribution_gpu, contribution_cpu, "contribution");
}

INSTANTIATE_TEST_SUITE_P(ModelLayers, GpuAgreement, ::testing::Range(0, 9),
                         [](const auto &info) { return "L" + std::to_string(info.param + 1); });

}  // namespace
}  // namespace coda

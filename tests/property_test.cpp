// Properties that hold for any parameters (spec 1.3 and 4.1).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "random_layer.h"
#include "reference_layer.h"

namespace coda {
namespace {

using testing::layer;

struct PropertyCase {
    LayerConfig cfg;
    float weight_scale;  // large values push the squashing norm to its bound
};

class LayerProperty : public ::testing::TestWithParam<PropertyCase> {};

// |y| <= ||w_hat|| ||patch|| <= ||patch|| (Cauchy-Schwarz). Slack: float32
// rounding of the dot product and the norm, relative 1e-5 of ||patch||.
TEST_P(LayerProperty, OutputBoundedByPatchNorm) {
    const LayerConfig &cfg = GetParam().cfg;
    std::mt19937 rng(7);
    LayerParams p = testing::random_params(cfg, rng, GetParam().weight_scale);
    Tensor x = testing::uniform({2, cfg.in_channels, 9, 8}, 0, 1, rng);
    LayerForward f = layer_forward(cfg, p, x);
    reference::Layer l{cfg, 2, 9, 8};
    std::vector<double> xd = reference::to_double(x);
    int Ho = l.out_height(), Wo = l.out_width();
    for (int n = 0; n < 2; n++) {
        for (int oy = 0; oy < Ho; oy++) {
            for (int ox = 0; ox < Wo; ox++) {
                double patch_sq = 0;
                for (int d = 0; d < cfg.patch_len(); d++) {
                    double v = reference::patch_value(l, xd, n, d, oy, ox);
                    patch_sq += v * v;
                }
                double bound = std::sqrt(patch_sq);
                for (int o = 0; o < cfg.out_channels; o++) {
                    double y = f.output[((n * cfg.out_channels + o) * Ho + oy) * Wo + ox];
                    ASSERT_LE(std::fabs(y), bound * (1 + 1e-5) + 1e-7)
                        << "n " << n << " o " << o << " at (" << oy << ", " << ox << ")";
                }
            }
        }
    }
}

// The bound is attained when the weights align with the input: with k = 1,
// C = I and M_o = scale*I, w_o = scale*x and y -> ||x|| as the scale grows.
TEST(LayerBound, AttainedByAlignedWeights) {
    LayerConfig cfg = layer(4, 2, 4, 1, 1, 0);
    LayerParams p{Tensor(cfg.weight_shape()), Tensor(cfg.mix_shape()), Tensor(cfg.bias_shape())};
    const float scale = 100.0f;
    for (int d = 0; d < 4; d++) {
        p.C[d * 4 + d] = 1.0f;
        for (int o = 0; o < 2; o++) {
            p.M[(d * 2 + o) * 4 + d] = scale;
        }
    }
    std::mt19937 rng(5);
    Tensor x = testing::uniform({1, 4, 3, 3}, 0.2f, 1, rng);
    LayerForward f = layer_forward(cfg, p, x);
    for (int pos = 0; pos < 9; pos++) {
        double sq = 0;
        for (int c = 0; c < 4; c++) {
            sq += double(x[c * 9 + pos]) * x[c * 9 + pos];
        }
        for (int o = 0; o < 2; o++) {
            EXPECT_NEAR(f.output[o * 9 + pos], std::sqrt(sq), 1e-3 * std::sqrt(sq));
        }
    }
}

// With w and the norm detached the layer is linear in x, so the contributions
// x * dy/dx of all inputs sum to the output itself, for every output value.
// Slack: float32 sums of D products, 1e-5 of the sum of |contributions|.
TEST_P(LayerProperty, ContributionsSumToOutput) {
    const LayerConfig &cfg = GetParam().cfg;
    std::mt19937 rng(11);
    LayerParams p = testing::random_params(cfg, rng, GetParam().weight_scale);
    Tensor x = testing::uniform({2, cfg.in_channels, 7, 9}, 0, 1, rng);
    LayerForward f = layer_forward(cfg, p, x);
    std::uniform_int_distribution<int64_t> pick(0, f.output.size() - 1);
    for (int trial = 0; trial < 12; trial++) {
        int64_t i = pick(rng);
        Tensor g(f.output.shape(), 0.0f);
        g[i] = 1.0f;
        Tensor gx = layer_contribution(cfg, p, f, g, x.shape());
        double sum = 0, magnitude = 0;
        for (int64_t j = 0; j < x.size(); j++) {
            sum += double(x[j]) * gx[j];
            magnitude += std::fabs(double(x[j]) * gx[j]);
        }
        EXPECT_NEAR(sum, f.output[i], 1e-5 * magnitude + 1e-7) << "output index " << i;
    }
    // All outputs at once: sum over the map equals the sum of the outputs.
    Tensor ones(f.output.shape(), 1.0f);
    Tensor gx = layer_contribution(cfg, p, f, ones, x.shape());
    double sum = 0, magnitude = 0, total = 0;
    for (int64_t j = 0; j < x.size(); j++) {
        sum += double(x[j]) * gx[j];
        magnitude += std::fabs(double(x[j]) * gx[j]);
    }
    for (float y : f.output.values()) {
        total += y;
    }
    EXPECT_NEAR(sum, total, 1e-5 * magnitude + 1e-6);
}

// The pipelines' outputs are allocated without zero-filling (coda/floats.h),
// so every element must be written by the pass. Each pass runs again right
// after NaN-filled tensors of its outputs' shapes were freed (glibc hands
// those blocks to the next allocations of those sizes) and must give the same
// values: a skipped element would keep a NaN (or a value of the first call).
TEST_P(LayerProperty, EveryOutputElementIsWritten) {
    const LayerConfig &cfg = GetParam().cfg;
    std::mt19937 rng(13);
    LayerParams p = testing::random_params(cfg, rng, GetParam().weight_scale);
    Tensor x = testing::uniform({2, cfg.in_channels, 8, 7}, 0, 1, rng);
    auto free_nan_blocks = [](const std::vector<const Tensor *> &like) {
        std::vector<Tensor> nan;
        for (const Tensor *t : like) {
            nan.emplace_back(t->shape(), std::nanf(""));
        }
    };
    LayerForward f = layer_forward(cfg, p, x);
    free_nan_blocks({&f.output, &f.code, &f.norm, &f.wnorm});
    LayerForward again = layer_forward(cfg, p, x);
    EXPECT_EQ(again.output.values(), f.output.values());
    EXPECT_EQ(again.code.values(), f.code.values());
    EXPECT_EQ(again.norm.values(), f.norm.values());
    EXPECT_EQ(again.wnorm.values(), f.wnorm.values());

    Tensor g = testing::uniform(f.output.shape(), -1, 1, rng);
    LayerGradients d = layer_backward(cfg, p, x, f, g);
    free_nan_blocks({&d.d_input, &d.d_C, &d.d_M, &d.d_b});
    LayerGradients d_again = layer_backward(cfg, p, x, f, g);
    EXPECT_EQ(d_again.d_input.values(), d.d_input.values());
    EXPECT_EQ(d_again.d_C.values(), d.d_C.values());
    EXPECT_EQ(d_again.d_M.values(), d.d_M.values());
    EXPECT_EQ(d_again.d_b.values(), d.d_b.values());

    Tensor c = layer_contribution(cfg, p, f, g, x.shape());
    free_nan_blocks({&c});
    EXPECT_EQ(layer_contribution(cfg, p, f, g, x.shape()).values(), c.values());
}

INSTANTIATE_TEST_SUITE_P(Layers, LayerProperty,
                         ::testing::Values(PropertyCase{layer(3, 4, 5, 3, 1, 1), 1},
                                           PropertyCase{layer(3, 4, 5, 3, 1, 1), 50},
                                           PropertyCase{layer(2, 5, 3, 5, 2, 2), 50},
                                           PropertyCase{layer(4, 3, 6, 1, 1, 0), 30},
                                           PropertyCase{layer(3, 4, 5, 3, 2, 1, Norm::l2), 1},
                                           PropertyCase{layer(2, 3, 3, 7, 1, 3, Norm::l2), 20}));

}  // namespace
}  // namespace coda

// The Halide backward and contribution passes against central finite
// differences of the plain double-precision reference layer.
//
// Tolerance: max|halide - fd| / max|fd| <= 1e-5 per tensor, the golden
// README's summary bound. The finite differences are accurate to ~1e-9
// (double, eps 1e-6: O(eps^2) truncation plus 1e-16/eps rounding), so the budget
// is for the float32 pipeline; measured worst case 3.1e-7 over all cases. An
// index or formula mistake gives errors of order 1e-1.
#include <gtest/gtest.h>

#include <cmath>

#include "random_layer.h"
#include "reference_layer.h"

namespace coda {
namespace {

namespace ref = reference;

struct GradCase {
    LayerConfig cfg;
    int batch, height, width;
};

std::ostream &operator<<(std::ostream &os, const GradCase &c) {
    return os << "Cin" << c.cfg.in_channels << "_O" << c.cfg.out_channels << "_r" << c.cfg.rank
              << "_k" << c.cfg.kernel << "_s" << c.cfg.stride << "_p" << c.cfg.pad << "_"
              << to_string(c.cfg.norm) << "_B" << c.batch << "_" << c.height << "x" << c.width;
}

class LayerGradient : public ::testing::TestWithParam<GradCase> {
protected:
    void SetUp() override {
        const GradCase &c = GetParam();
        std::mt19937 rng(1234 + c.cfg.kernel * 7 + c.cfg.stride * 13 + c.height);
        layer = {c.cfg, c.batch, c.height, c.width};
        params = testing::random_params(c.cfg, rng);
        x = testing::uniform({c.batch, c.cfg.in_channels, c.height, c.width}, 0, 1, rng);
        fwd = layer_forward(c.cfg, params, x);
        g = testing::uniform(fwd.output.shape(), -1, 1, rng);
        p = {ref::to_double(params.C), ref::to_double(params.M), ref::to_double(params.b)};
        xd = ref::to_double(x);
        gd = ref::to_double(g);
    }

    // Central differences of L(v) = sum(y * g) over the entries of v (every
    // one for small tensors, an evenly spread sample for large ones; entries
    // not sampled are NaN and skipped by matches()). Under emulation (the ARM
    // tests run in qemu, ~40x slower) the sample is smaller.
    template<typename Loss>
    std::vector<double> finite_differences(std::vector<double> &v, Loss loss) {
        const double eps = 1e-6;
#if defined(__x86_64__)
        const size_t samples = 150;
#else
        const size_t samples = 24;
#endif
        std::vector<double> grad(v.size(), std::nan(""));
        const size_t step = std::max<size_t>(1, v.size() / samples);
        for (size_t i = (v.size() * 7919) % step; i < v.size(); i += step) {
            double keep = v[i];
            v[i] = keep + eps;
            double up = loss();
            v[i] = keep - eps;
            double down = loss();
            v[i] = keep;
            grad[i] = (up - down) / (2 * eps);
        }
        return grad;
    }

    double loss() {
        return ref::weighted_sum(ref::forward(layer, p, xd).y, gd);
    }

    static ::testing::AssertionResult matches(const char *name, const Tensor &actual,
                                              const std::vector<double> &fd) {
        double max_fd = 0, max_err = 0;
        for (size_t i = 0; i < fd.size(); i++) {
            if (std::isnan(fd[i])) {
                continue;
            }
            max_fd = std::max(max_fd, std::fabs(fd[i]));
            max_err = std::max(max_err, std::fabs(actual[i] - fd[i]));
        }
        double rel = max_err / max_fd;
        if (max_fd > 0 && rel <= 1e-5) {
            return ::testing::AssertionSuccess();
        }
        return ::testing::AssertionFailure()
               << name << ": max|a-fd|/max|fd| = " << rel << " (max|fd| = " << max_fd << ")";
    }

    ref::Layer layer;
    LayerParams params;
    Tensor x, g;
    LayerForward fwd;
    ref::Params p;
    std::vector<double> xd, gd;
};

// Both forward forms (Winograd's where it applies: 3x3 kernels at stride 1
// on CPUs; the direct form runs twice elsewhere); golden_layer_test runs the
// other passes on each one's saved results.
TEST_P(LayerGradient, ForwardMatchesReference) {
    ref::Forward f = ref::forward(layer, p, xd);
    for (ForwardForm form : {ForwardForm::direct, ForwardForm::winograd}) {
        set_forward_form(form);
        LayerForward out = layer_forward(layer.cfg, params, x);
        set_forward_form(ForwardForm::automatic);
        SCOPED_TRACE(form == ForwardForm::direct ? "direct form" : "Winograd form");
        EXPECT_TRUE(matches("y", out.output, f.y));
        EXPECT_TRUE(matches("norm", out.norm, f.norm));
        EXPECT_TRUE(matches("wnorm", out.wnorm, f.wnorm));
        // z: the same sum in both forms (each position's patch).
        EXPECT_TRUE(matches("code", out.code, ref::to_double(fwd.code)));
    }
}

// Both backward forms (each class's library of either; GPU devices have only
// the low-rank one).
TEST_P(LayerGradient, BackwardMatchesFiniteDifferences) {
    auto L = [&] { return loss(); };
    std::vector<double> dx = finite_differences(xd, L), dC = finite_differences(p.C, L),
                        dM = finite_differences(p.M, L), db = finite_differences(p.b, L);
    for (BackwardForm form : {BackwardForm::low_rank, BackwardForm::materialized}) {
        set_backward_form(form);
        LayerGradients grads = layer_backward(layer.cfg, params, x, fwd, g);
        set_backward_form(BackwardForm::automatic);
        SCOPED_TRACE(form == BackwardForm::low_rank ? "low-rank form" : "materialised form");
        EXPECT_TRUE(matches("dL/dx", grads.d_input, dx));
        EXPECT_TRUE(matches("dL/dC", grads.d_C, dC));
        EXPECT_TRUE(matches("dL/dM", grads.d_M, dM));
        EXPECT_TRUE(matches("dL/db", grads.d_b, db));
    }
}

// Both contribution forms (Winograd's where it applies: 3x3 kernels at
// stride 1 on CPUs; the direct form runs twice elsewhere).
const std::vector<std::pair<ContributionForm, const char *>> kContributionForms{
    {ContributionForm::direct, "direct form"}, {ContributionForm::winograd, "Winograd form"}};

Tensor contribution_in_form(ContributionForm form, const LayerConfig &cfg, const LayerParams &p,
                            const LayerForward &fwd, const Tensor &g, const Shape &input_shape,
                            int classes = 1) {
    set_contribution_form(form);
    Tensor gx = layer_contribution(cfg, p, fwd, g, input_shape, classes);
    set_contribution_form(ContributionForm::automatic);
    return gx;
}

TEST_P(LayerGradient, ContributionIsDetachedGradient) {
    // Freeze w(x0) and the norms: the layer becomes linear in x.
    std::vector<double> w0 = ref::dynamic_weights(layer, p, xd);
    std::vector<double> n0 = ref::forward(layer, p, xd).norm;
    auto detached = [&] { return ref::weighted_sum(ref::forward(layer, p, xd, &w0, &n0).y, gd); };
    std::vector<double> fd = finite_differences(xd, detached);
    for (auto [form, name] : kContributionForms) {
        SCOPED_TRACE(name);
        Tensor gx = contribution_in_form(form, layer.cfg, params, fwd, g, x.shape());
        EXPECT_TRUE(matches("dLdet/dx", gx, fd));
    }
}

// Several gradients per image (one per explained class, rows n*K + k) in one
// call: each class's rows must be that class's detached gradient.
TEST_P(LayerGradient, ContributionOfSeveralClassesPerImage) {
    const int K = 3;
    std::mt19937 rng(77);
    std::vector<Tensor> per_class;
    Shape rows = g.shape();
    rows[0] *= K;
    Tensor stacked(rows);
    const int64_t row = g.size() / g.dim(0);
    for (int k = 0; k < K; k++) {
        per_class.push_back(testing::uniform(g.shape(), -1, 1, rng));
        for (int64_t n = 0; n < g.dim(0); n++) {
            std::copy_n(per_class[k].values().begin() + n * row, row,
                        stacked.values().begin() + (n * K + k) * row);
        }
    }
    std::vector<Tensor> gx;
    for (auto [form, name] : kContributionForms) {
        gx.push_back(contribution_in_form(form, layer.cfg, params, fwd, stacked, x.shape(), K));
        ASSERT_EQ(gx.back().dim(0), x.dim(0) * K);
    }
    std::vector<double> w0 = ref::dynamic_weights(layer, p, xd);
    std::vector<double> n0 = ref::forward(layer, p, xd).norm;
    const int64_t in_row = x.size() / x.dim(0);
    for (int k = 0; k < K; k++) {
        std::vector<double> gk = ref::to_double(per_class[k]);
        auto detached = [&] {
            return ref::weighted_sum(ref::forward(layer, p, xd, &w0, &n0).y, gk);
        };
        std::vector<double> fd = finite_differences(xd, detached);
        for (size_t f = 0; f < gx.size(); f++) {
            Tensor class_k(x.shape());
            for (int64_t n = 0; n < x.dim(0); n++) {
                std::copy_n(gx[f].values().begin() + (n * K + k) * in_row, in_row,
                            class_k.values().begin() + n * in_row);
            }
            EXPECT_TRUE(matches("dLdet/dx of one class", class_k, fd))
                << "class " << k << ", " << kContributionForms[f].second;
        }
    }
}

using testing::layer;
INSTANTIATE_TEST_SUITE_P(Shapes, LayerGradient,
                         ::testing::Values(GradCase{layer(3, 4, 5, 3, 1, 1), 2, 5, 6},
                                           GradCase{layer(2, 3, 4, 1, 1, 0), 2, 4, 5},
                                           GradCase{layer(3, 2, 3, 5, 1, 2), 1, 6, 5},
                                           GradCase{layer(2, 3, 3, 3, 2, 1), 2, 7, 6},
                                           GradCase{layer(2, 2, 4, 5, 2, 2), 1, 7, 7},
                                           GradCase{layer(4, 3, 6, 3, 1, 0), 1, 6, 6},
                                           GradCase{layer(3, 3, 4, 3, 2, 1, Norm::l2), 2, 6, 7},
                                           GradCase{layer(3, 2, 2, 1, 2, 0, Norm::l2), 2, 5, 5},
                                           GradCase{layer(2, 3, 3, 5, 1, 2, Norm::l2), 1, 5, 4},
                                           // Maps and channel counts that fill whole register tiles
                                           // (8-wide vectors, blocks of 4, 32-lane rank vectors).
                                           GradCase{layer(3, 4, 8, 3, 1, 1), 3, 8, 8},
                                           GradCase{layer(4, 8, 32, 3, 2, 1), 2, 16, 16},
                                           GradCase{layer(8, 12, 36, 3, 1, 1, Norm::l2), 2, 8, 16},
                                           GradCase{layer(16, 10, 32, 1, 1, 0), 2, 8, 8},
                                           // Wide maps (>= 16 columns, the other AOT libraries),
                                           // with partial tiles in x and y.
                                           GradCase{layer(3, 5, 6, 3, 1, 1), 1, 5, 19},
                                           GradCase{layer(4, 3, 8, 3, 2, 1, Norm::l2), 2, 7, 35},
                                           // Large maps (>= 32 columns, a third tuning).
                                           GradCase{layer(3, 5, 6, 3, 1, 1), 1, 4, 37},
                                           GradCase{layer(4, 3, 8, 3, 1, 1, Norm::l2), 2, 3, 33},
                                           // 1x1 kernels (the pointwise libraries: the cases
                                           // above with k = 1 run them too) on a wide map, with
                                           // 10 channels as in a classifier head.
                                           GradCase{layer(5, 10, 8, 1, 1, 0), 2, 6, 21}),
                         [](const ::testing::TestParamInfo<GradCase> &info) {
                             std::ostringstream s;
                             s << info.param;
                             return s.str();
                         });

}  // namespace
}  // namespace coda

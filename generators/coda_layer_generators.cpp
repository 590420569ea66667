// The three AOT pipelines of the CoDA layer, side by side. Each one binds its
// buffers to the shared algorithm (coda_layer_pipelines.h), sets estimates for
// the autoschedulers (CIFAR-10 9L-S layer 4: Cin=O=32, r=64, k=3, 16x16, B=64)
// and hands the Funcs to the schedule of its target family (schedules/).
#include "Halide.h"

#include "coda_layer_pipelines.h"
#include "coda_layer_schedule.h"

namespace {

using namespace Halide;
using coda::LayerShape;
using coda::LayerVars;

constexpr LayerShape kEstimate{32, 32, 64, 3, 1, 1, 16, 64};

// Which tuning the CPU schedules use (see schedules/layer_class.h).
const std::map<std::string, coda::LayerClass> kLayerClassNames = [] {
    std::map<std::string, coda::LayerClass> names;
    for (coda::LayerClass c : coda::kLayerClasses) {
        names[coda::layer_class_name(c)] = c;
    }
    return names;
}();

// Parameter and geometry inputs common to the three passes, and the layer
// class of the tuning.
#define CODA_LAYER_PARAMS                                                                          \
    Input<Buffer<float>> M{"M", 3};                                                                \
    Input<Buffer<float>> b{"b", 2};                                                                \
    Input<int> kernel{"kernel", 3, 1, 15};                                                         \
    Input<int> stride{"stride", 1, 1, 4};                                                          \
    Input<int> pad{"pad", 1, 0, 7};                                                                \
    GeneratorParam<coda::LayerClass> layer_class{"layer_class", coda::LayerClass::wide,            \
                                                 kLayerClassNames};

template<typename In, typename Scalar>
void estimate_layer_params(In &M, In &b, Scalar &kernel, Scalar &stride, Scalar &pad) {
    coda::estimate_M(M, kEstimate);
    coda::estimate_b(b, kEstimate);
    kernel.set_estimate(kEstimate.kernel);
    stride.set_estimate(kEstimate.stride);
    pad.set_estimate(kEstimate.pad);
}

template<typename Buf>
void estimate_activation(Buf &t, int channels) {
    coda::estimate_activation(t, channels, kEstimate.out_size(), kEstimate.batch);
}

class CodaForward : public Generator<CodaForward> {
public:
    Input<Buffer<float>> input{"input", 4};
    Input<Buffer<float>> C{"C", 2};
    CODA_LAYER_PARAMS
    Input<int> norm_kind{"norm_kind", 0, 0, 1};
    Output<Buffer<float>> output{"output", 4};
    Output<Buffer<float>> code{"code", 4};
    Output<Buffer<float>> norm{"norm", 4};
    Output<Buffer<float>> wnorm{"wnorm", 4};

    // The direct form, or Winograd's for 3x3 kernels at stride 1 (CPU
    // targets; see generators/coda_layer_algorithm.h).
    GeneratorParam<bool> winograd{"winograd", false};

    void generate() {
        if (winograd) {
            auto f = build<coda::WinogradForwardFuncs>();
            if (!auto_schedule) {
                coda::schedule_forward(f, v, get_target());
            }
            return;
        }
        auto f = build<coda::ForwardFuncs>();
        if (!auto_schedule) {
            coda::schedule_forward(f, v, get_target(), layer_class);
        }
    }

private:
    LayerVars v;

    template<typename Funcs>
    Funcs build() {
        auto f = coda::forward_pipeline<Funcs>(input, C, M, b, kernel, stride, pad, norm_kind, v);
        output = f.output;
        code = f.code_out;
        norm = f.norm;
        wnorm = f.wnorm;

        estimate_activation(input, kEstimate.in_channels);
        coda::estimate_C(C, kEstimate);
        estimate_layer_params(M, b, kernel, stride, pad);
        norm_kind.set_estimate(0);
        estimate_activation(code, kEstimate.rank);
        for (auto *t : {&output, &norm, &wnorm}) {
            estimate_activation(*t, kEstimate.out_channels);
        }
        return f;
    }
};

class CodaBackward : public Generator<CodaBackward> {
public:
    Input<Buffer<float>> input{"input", 4};
    Input<Buffer<float>> C{"C", 2};
    CODA_LAYER_PARAMS
    Input<int> norm_kind{"norm_kind", 0, 0, 1};
    Input<Buffer<float>> code{"code", 4};
    Input<Buffer<float>> output{"output", 4};
    Input<Buffer<float>> norm{"norm", 4};
    Input<Buffer<float>> wnorm{"wnorm", 4};
    Input<Buffer<float>> d_output{"d_output", 4};
    Output<Buffer<float>> d_input{"d_input", 4};
    Output<Buffer<float>> d_C{"d_C", 2};
    Output<Buffer<float>> d_M{"d_M", 3};
    Output<Buffer<float>> d_b{"d_b", 2};

    // The low-rank form (spec 3.3) or the materialised one (spec 3.2), see
    // generators/coda_layer_algorithm.h.
    GeneratorParam<bool> materialized{"materialized", false};

    void generate() {
        if (materialized) {
            build<coda::MaterializedBackwardFuncs>();
        } else {
            build<coda::BackwardFuncs>();
        }
    }

private:
    LayerVars v;

    template<typename Funcs>
    void build() {
        using Saved = coda::SavedForward<Input<Buffer<float>>>;
        auto f = coda::backward_pipeline<Funcs>(input, C, M, b, kernel, stride, pad, norm_kind,
                                                Saved{code, output, norm, wnorm}, d_output, v);
        d_input = f.fold.d_input;
        d_C = f.d_C;
        d_M = f.d_M;
        d_b = f.d_b;

        estimate_activation(input, kEstimate.in_channels);
        coda::estimate_C(C, kEstimate);
        estimate_layer_params(M, b, kernel, stride, pad);
        norm_kind.set_estimate(0);
        estimate_activation(code, kEstimate.rank);
        for (auto *t : {&output, &norm, &wnorm, &d_output}) {
            estimate_activation(*t, kEstimate.out_channels);
        }
        estimate_activation(d_input, kEstimate.in_channels);
        coda::estimate_C(d_C, kEstimate);
        coda::estimate_M(d_M, kEstimate);
        coda::estimate_b(d_b, kEstimate);

        if (!auto_schedule) {
            coda::schedule_backward(f, v, get_target(), layer_class);
        }
    }
};

class CodaContribution : public Generator<CodaContribution> {
public:
    Input<Buffer<float>> code{"code", 4};
    Input<Buffer<float>> norm{"norm", 4};
    CODA_LAYER_PARAMS
    Input<int> classes{"classes", 1, 1, 4096};  // gradients per image in g_output
    Input<Buffer<float>> g_output{"g_output", 4};
    Output<Buffer<float>> g_input{"g_input", 4};

    // The direct form, or Winograd's for 3x3 kernels at stride 1 (CPU
    // targets; see generators/coda_layer_algorithm.h).
    GeneratorParam<bool> winograd{"winograd", false};

    void generate() {
        if (winograd) {
            auto f = coda::contribution_pipeline<coda::WinogradContributionFuncs>(
                code, norm, M, b, kernel, stride, pad, classes, g_output, v);
            g_input = f.d_input;
            estimate();
            if (!auto_schedule) {
                coda::schedule_contribution(f, v, get_target());
            }
            return;
        }
        auto f = coda::contribution_pipeline<coda::ContributionFuncs>(
            code, norm, M, b, kernel, stride, pad, classes, g_output, v);
        g_input = f.fold.d_input;
        estimate();
        if (!auto_schedule) {
            coda::schedule_contribution(f, v, get_target(), layer_class);
        }
    }

private:
    LayerVars v;

    void estimate() {
        estimate_activation(code, kEstimate.rank);
        estimate_activation(norm, kEstimate.out_channels);
        estimate_layer_params(M, b, kernel, stride, pad);
        classes.set_estimate(1);
        estimate_activation(g_output, kEstimate.out_channels);
        estimate_activation(g_input, kEstimate.in_channels);
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(CodaForward, coda_forward)
HALIDE_REGISTER_GENERATOR(CodaBackward, coda_backward)
HALIDE_REGISTER_GENERATOR(CodaContribution, coda_contribution)

// The three AOT pipelines of the CoDA layer, side by side. Each one binds its
// buffers to the shared algorithm (coda_layer_algorithm.h), sets estimates for
// the autoschedulers (CIFAR-10 9L-S layer 4: Cin=O=32, r=64, k=3, 16x16, B=64)
// and hands the Funcs to the schedule of its target family (schedules/).
#include "Halide.h"

#include "coda_layer_algorithm.h"
#include "coda_layer_schedule.h"

namespace {

using namespace Halide;
using coda::LayerGeometry;
using coda::LayerVars;

constexpr int kEstBatch = 64, kEstSize = 16, kEstIn = 32, kEstOut = 32, kEstRank = 64, kEstK = 3;
constexpr int kEstPatch = kEstIn * kEstK * kEstK;

// Every buffer but x is read through an edge clamp: schedules may then compute
// whole register tiles past the last channel or position, whose extra values
// are dropped (x itself is zero-padded, as the layer defines).
template<typename T>
Func edge(T &buffer) {
    return BoundaryConditions::repeat_edge(buffer);
}

// Parameter and geometry inputs common to the three passes.
#define CODA_LAYER_PARAMS                                                                          \
    Input<Buffer<float>> M{"M", 3};                                                                \
    Input<Buffer<float>> b{"b", 2};                                                                \
    Input<int> kernel{"kernel", 3, 1, 15};                                                         \
    Input<int> stride{"stride", 1, 1, 4};                                                          \
    Input<int> pad{"pad", 1, 0, 7};

template<typename In>
void estimate_layer_params(In &M, In &b) {
    M.set_estimates({{0, kEstRank}, {0, kEstOut}, {0, kEstPatch}});
    b.set_estimates({{0, kEstOut}, {0, kEstPatch}});
}

template<typename Buf>
void estimate_activation(Buf &t, int channels, int size) {
    t.set_estimates({{0, size}, {0, size}, {0, channels}, {0, kEstBatch}});
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

    void generate() {
        // Outputs can't be queried before they are defined: derive their size.
        auto out_size = [&](Expr in) { return (in + 2 * pad - kernel) / stride + 1; };
        LayerGeometry g{kernel,
                        stride,
                        pad,
                        input.dim(2).extent(),
                        M.dim(1).extent(),
                        C.dim(1).extent(),
                        out_size(input.dim(0).extent()),
                        out_size(input.dim(1).extent()),
                        input.dim(3).extent()};
        Func padded = BoundaryConditions::constant_exterior(input, 0.0f);
        auto f = coda::coda_forward(padded, edge(C), edge(M), edge(b), norm_kind, g, v);
        output = f.output;
        code = f.code_out;
        norm = f.norm;
        wnorm = f.wnorm;

        estimate_activation(input, kEstIn, kEstSize);
        C.set_estimates({{0, kEstPatch}, {0, kEstRank}});
        estimate_layer_params(M, b);
        kernel.set_estimate(kEstK);
        stride.set_estimate(1);
        pad.set_estimate(1);
        norm_kind.set_estimate(0);
        estimate_activation(output, kEstOut, kEstSize);
        estimate_activation(code, kEstRank, kEstSize);
        estimate_activation(norm, kEstOut, kEstSize);
        estimate_activation(wnorm, kEstOut, kEstSize);

        if (!auto_schedule) {
            coda::schedule_forward(f, v, get_target());
        }
    }

private:
    LayerVars v;
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

    void generate() {
        LayerGeometry g{kernel,
                        stride,
                        pad,
                        input.dim(2).extent(),
                        M.dim(1).extent(),
                        C.dim(1).extent(),
                        d_output.dim(0).extent(),
                        d_output.dim(1).extent(),
                        d_output.dim(3).extent()};
        Func padded = BoundaryConditions::constant_exterior(input, 0.0f);
        auto f = coda::coda_backward(padded, edge(C), edge(M), edge(b), edge(code), edge(output),
                                     edge(norm), edge(wnorm), edge(d_output), norm_kind, g, v);
        d_input = f.fold.d_input;
        d_C = f.d_C;
        d_M = f.d_M;
        d_b = f.d_b;

        estimate_activation(input, kEstIn, kEstSize);
        C.set_estimates({{0, kEstPatch}, {0, kEstRank}});
        estimate_layer_params(M, b);
        kernel.set_estimate(kEstK);
        stride.set_estimate(1);
        pad.set_estimate(1);
        norm_kind.set_estimate(0);
        estimate_activation(code, kEstRank, kEstSize);
        for (auto *t : {&output, &norm, &wnorm, &d_output}) {
            estimate_activation(*t, kEstOut, kEstSize);
        }
        estimate_activation(d_input, kEstIn, kEstSize);
        d_C.set_estimates({{0, kEstPatch}, {0, kEstRank}});
        d_M.set_estimates({{0, kEstRank}, {0, kEstOut}, {0, kEstPatch}});
        d_b.set_estimates({{0, kEstOut}, {0, kEstPatch}});

        if (!auto_schedule) {
            coda::schedule_backward(f, v, get_target());
        }
    }

private:
    LayerVars v;
};

class CodaContribution : public Generator<CodaContribution> {
public:
    Input<Buffer<float>> code{"code", 4};
    Input<Buffer<float>> norm{"norm", 4};
    CODA_LAYER_PARAMS
    Input<Buffer<float>> g_output{"g_output", 4};
    Output<Buffer<float>> g_input{"g_input", 4};

    void generate() {
        LayerGeometry g{kernel,
                        stride,
                        pad,
                        M.dim(2).extent() / (kernel * kernel),
                        M.dim(1).extent(),
                        code.dim(2).extent(),
                        g_output.dim(0).extent(),
                        g_output.dim(1).extent(),
                        g_output.dim(3).extent()};
        auto f =
            coda::coda_contribution(edge(code), edge(norm), edge(M), edge(b), edge(g_output), g, v);
        g_input = f.fold.d_input;

        estimate_activation(code, kEstRank, kEstSize);
        estimate_activation(norm, kEstOut, kEstSize);
        estimate_layer_params(M, b);
        kernel.set_estimate(kEstK);
        stride.set_estimate(1);
        pad.set_estimate(1);
        estimate_activation(g_output, kEstOut, kEstSize);
        estimate_activation(g_input, kEstIn, kEstSize);

        if (!auto_schedule) {
            coda::schedule_contribution(f, v, get_target());
        }
    }

private:
    LayerVars v;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(CodaForward, coda_forward)
HALIDE_REGISTER_GENERATOR(CodaBackward, coda_backward)
HALIDE_REGISTER_GENERATOR(CodaContribution, coda_contribution)

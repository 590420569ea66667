// Binding of the CoDA layer algorithm to pipeline inputs, shared by the AOT
// generators (Input<Buffer>, Input<int>) and the JIT tools that tune and
// benchmark schedules (ImageParam, Param<int>): both build the very same Funcs.
#pragma once

#include <type_traits>

#include "Halide.h"

#include "coda_layer_algorithm.h"

namespace coda {

// Every buffer but x is read through an edge clamp: schedules may then compute
// whole register tiles past the last channel or position, whose extra values
// are dropped (x itself is zero-padded, as the layer defines).
template<typename Buffer>
Func edge(const Buffer &buffer) {
    return Halide::BoundaryConditions::repeat_edge(buffer);
}

// The output map size of a layer, from its input size.
inline Expr output_size(Expr in, Expr kernel, Expr stride, Expr pad) {
    return (in + 2 * pad - kernel) / stride + 1;
}

// Funcs: ForwardFuncs, or WinogradForwardFuncs (3x3 kernels at stride 1 only).
template<typename Funcs = ForwardFuncs, typename Buffer>
Funcs forward_pipeline(const Buffer &input, const Buffer &C, const Buffer &M, const Buffer &b,
                       Expr kernel, Expr stride, Expr pad, Expr norm_kind, const LayerVars &v) {
    LayerGeometry g{kernel,
                    stride,
                    pad,
                    input.dim(2).extent(),
                    M.dim(1).extent(),
                    C.dim(1).extent(),
                    output_size(input.dim(0).extent(), kernel, stride, pad),
                    output_size(input.dim(1).extent(), kernel, stride, pad),
                    input.dim(3).extent()};
    Func padded = Halide::BoundaryConditions::constant_exterior(input, 0.0f);
    constexpr auto algorithm = [] {
        if constexpr (std::is_same_v<Funcs, WinogradForwardFuncs>) {
            return &coda_forward_winograd;
        } else {
            return &coda_forward;
        }
    }();
    return algorithm(padded, edge(C), edge(M), edge(b), norm_kind, g, v);
}

// Forward results the backward pass reads.
template<typename Buffer>
struct SavedForward {
    const Buffer &code, &output, &norm, &wnorm;
};

// Funcs: BackwardFuncs (low-rank form) or MaterializedBackwardFuncs.
template<typename Funcs, typename Buffer>
Funcs backward_pipeline(const Buffer &input, const Buffer &C, const Buffer &M, const Buffer &b,
                        Expr kernel, Expr stride, Expr pad, Expr norm_kind,
                        const SavedForward<Buffer> &saved, const Buffer &d_output,
                        const LayerVars &v) {
    LayerGeometry g{kernel,
                    stride,
                    pad,
                    input.dim(2).extent(),
                    M.dim(1).extent(),
                    C.dim(1).extent(),
                    d_output.dim(0).extent(),
                    d_output.dim(1).extent(),
                    d_output.dim(3).extent()};
    Func padded = Halide::BoundaryConditions::constant_exterior(input, 0.0f);
    constexpr auto algorithm = [] {
        if constexpr (std::is_same_v<Funcs, MaterializedBackwardFuncs>) {
            return &coda_backward_materialized;
        } else {
            return &coda_backward;
        }
    }();
    return algorithm(padded, edge(C), edge(M), edge(b), edge(saved.code), edge(saved.output),
                     edge(saved.norm), edge(saved.wnorm), edge(d_output), norm_kind, g, v);
}

// Funcs: ContributionFuncs, or WinogradContributionFuncs (3x3 kernels at
// stride 1 only).
template<typename Funcs, typename Buffer>
Funcs contribution_pipeline(const Buffer &code, const Buffer &norm, const Buffer &M,
                            const Buffer &b, Expr kernel, Expr stride, Expr pad, Expr classes,
                            const Buffer &g_output, const LayerVars &v) {
    LayerGeometry g{kernel,
                    stride,
                    pad,
                    M.dim(2).extent() / (kernel * kernel),
                    M.dim(1).extent(),
                    code.dim(2).extent(),
                    g_output.dim(0).extent(),
                    g_output.dim(1).extent(),
                    code.dim(3).extent()};
    constexpr auto algorithm = [] {
        if constexpr (std::is_same_v<Funcs, WinogradContributionFuncs>) {
            return &coda_contribution_winograd;
        } else {
            return &coda_contribution;
        }
    }();
    return algorithm(edge(code), edge(norm), edge(M), edge(b), edge(g_output), classes, g, v);
}

// A layer's sizes, as estimates for the autoschedulers (and the JIT tools).
struct LayerShape {
    int in_channels, out_channels, rank, kernel, stride, pad, in_size, batch;
    int patch_len() const {
        return in_channels * kernel * kernel;
    }
    int out_size() const {
        return (in_size + 2 * pad - kernel) / stride + 1;
    }
};

// Estimates of the buffers of a layer (activations (x, y, c, n), C (d, r),
// M (r, o, d), b (o, d)); works on Input/Output<Buffer>, ImageParam and Func.
template<typename T>
void estimate_activation(T &t, int channels, int size, int batch) {
    t.set_estimates({{0, size}, {0, size}, {0, channels}, {0, batch}});
}
template<typename T>
void estimate_C(T &C, const LayerShape &s) {
    C.set_estimates({{0, s.patch_len()}, {0, s.rank}});
}
template<typename T>
void estimate_M(T &M, const LayerShape &s) {
    M.set_estimates({{0, s.rank}, {0, s.out_channels}, {0, s.patch_len()}});
}
template<typename T>
void estimate_b(T &b, const LayerShape &s) {
    b.set_estimates({{0, s.out_channels}, {0, s.patch_len()}});
}

}  // namespace coda

// The CoDA layer (spec section 1.4) on tensors: thin calls into the three AOT
// Halide pipelines (forward, backward, contribution) with shape checks, and
// Halide errors turned into exceptions that name the layer and the tensor.
//
// Tensors use the reference (PyTorch) shapes:
//   x (B, Cin, H, W)   C (r, Cin, k, k)   M (O*Cin*k*k, r, 1, 1)   b (O*Cin*k*k)
//   y, norm, wnorm (B, O, H', W')   code z (B, r, H', W')
#pragma once

#include <stdexcept>
#include <string>

#include "coda/tensor.h"

namespace coda {

enum class Norm { squash = 0, l2 = 1 };

Norm parse_norm(const std::string &name);  // "squash" | "l2"
std::string to_string(Norm norm);

// Any failure of a CoDA call: bad shapes, bad configuration, pipeline errors.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct LayerConfig {
    std::string name = "coda";
    int in_channels = 0, out_channels = 0, rank = 0;
    int kernel = 3, stride = 1, pad = 1;
    Norm norm = Norm::squash;

    int patch_len() const {
        return in_channels * kernel * kernel;
    }
    // floor((in + 2p - k)/s) + 1; throws if the window does not fit.
    int out_size(int in) const;
    Shape weight_shape() const;  // C
    Shape mix_shape() const;     // M
    Shape bias_shape() const;    // b
    void validate() const;       // throws Error on impossible values
};

struct LayerParams {
    Tensor C, M, b;
};

// What the backward and contribution passes need from the forward pass; the
// dynamic weights themselves are never stored.
struct LayerForward {
    Tensor output;  // y
    Tensor code;    // z = C x_patch
    Tensor norm;    // divisor n (y = w.x / n)
    Tensor wnorm;   // ||w||
};

struct LayerGradients {
    Tensor d_input, d_C, d_M, d_b;
};

LayerForward layer_forward(const LayerConfig &cfg, const LayerParams &p, const Tensor &x);

// The form of layer_forward's CPU pipeline (generators/coda_layer_algorithm.h):
// automatic picks per call (schedules/forward_form.h: Winograd's on 3x3
// stride-1 calls of enough tiles); direct and winograd force one, winograd
// only where it applies (3x3 kernels at stride 1, on CPUs; elsewhere the
// direct form runs). Process-wide.
enum class ForwardForm { automatic, direct, winograd };
void set_forward_form(ForwardForm form);
ForwardForm forward_form();

// Full gradients of a loss L given dL/dy (through the dynamic weights and the norm).
LayerGradients layer_backward(const LayerConfig &cfg, const LayerParams &p, const Tensor &x,
                              const LayerForward &fwd, const Tensor &d_output);

// The form of layer_backward's CPU pipeline (generators/coda_layer_algorithm.h):
// automatic picks per call (schedules/backward_form.h: the materialised form
// on calls up to a measured size per layer class); low_rank and materialized
// force one, the latter on CPUs only (tests, benchmarks). Process-wide.
enum class BackwardForm { automatic, low_rank, materialized };
void set_backward_form(BackwardForm form);
BackwardForm backward_form();

// g pushed back to the input with w and the norm held constant (spec 4.1);
// input_shape is x's shape (B images). g has `classes` rows per image, row
// b*classes + k (one per explained class, shape (B*classes, O, H', W')), and so
// has the result; x * result is the layer's contribution map. In the direct
// form the detached weights are rebuilt once per image, so each extra class
// is cheap; one-class calls of 3x3 stride-1 layers may run Winograd's form
// instead (see ContributionForm).
Tensor layer_contribution(const LayerConfig &cfg, const LayerParams &p, const LayerForward &fwd,
                          const Tensor &g_output, const Shape &input_shape, int classes = 1);

// The form of layer_contribution's CPU pipeline (generators/coda_layer_algorithm.h):
// automatic picks per call (schedules/contribution_form.h); direct and
// winograd force one, winograd only where it applies (3x3 kernels at stride
// 1, on CPUs; elsewhere the direct form runs). Process-wide.
enum class ContributionForm { automatic, direct, winograd };
void set_contribution_form(ContributionForm form);
ContributionForm contribution_form();

}  // namespace coda

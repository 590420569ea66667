// Attribution maps of any CodaNet, computed with the model's own pipelines:
// the CoDA contributions (spec 4.1) and the post-hoc methods the paper
// compares against (spec 5.3): Gradient, Input x Gradient, Integrated
// Gradients, Occlusion and RISE. Every method gives one map (H, W) over the
// RAW image (no input padding) per explained (image, class) pair, so the
// metrics treat all methods alike.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coda/model.h"

namespace coda {

enum class AttributionKind {
    coda,
    gradient,
    input_x_gradient,
    integrated_gradients,
    occlusion,
    rise
};

// How Integrated Gradients samples the path from the baseline: captum's
// default Gauss-Legendre nodes (what the reference ran, n_steps = 20) or
// the equal-weight midpoint rule (the textbook "average of n gradients").
enum class IntegrationRule { gauss_legendre, midpoint };

struct AttributionMethod {
    std::string name;  // as on the command line: "coda", "grad", "occ5", ...
    AttributionKind kind = AttributionKind::coda;
    int steps = 20;  // Integrated Gradients
    IntegrationRule rule = IntegrationRule::gauss_legendre;
    int window = 5, stride = 2;   // Occlusion
    int masks = 6000, cells = 6;  // RISE: masks of cells x cells random cells,
    double keep = 0.1;            // each kept with this probability
    uint64_t seed = 0;            // RISE masks
    int batch = 64;               // images per pipeline call (perturbed copies, IG steps)
};

// One method from its name: coda (alias ours), grad, ixg, intgrad, occ<K>
// (window K, stride 2; occ5 and occ9 are the spec's), rise. Throws Error
// naming the unknown method and listing the known ones.
AttributionMethod parse_attribution_method(const std::string &name);

// A comma-separated list of names, in the given order (duplicates rejected).
std::vector<AttributionMethod> parse_attribution_methods(const std::string &list);

// Maps (N, H, W): map i explains class classes[i] of image images[image_of[i]]
// (images (B, C, H, W) in [0, 1], the model's input size). Pairs of the
// same image share the forward passes.
Tensor attribute(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                 const std::vector<int> &classes, const AttributionMethod &method);

// The pieces, exposed for tests. All take the same (images, image_of,
// classes) and return one row per pair.

// The model's own contributions (spec 4.1), channel-summed, cropped: (N, H, W).
Tensor coda_maps(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                 const std::vector<int> &classes);

// d logit_c / d x of the raw image through the encoding, full (non-detached)
// backward: (N, C, H, W).
Tensor raw_gradients(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                     const std::vector<int> &classes, int batch = 64);

// Integrated Gradients from the black image (N, C, H, W):
// x * sum_k w_k grad(alpha_k x), all steps of an image in one batch.
Tensor integrated_gradients(const CodaNet &net, const Tensor &images,
                            const std::vector<int> &image_of, const std::vector<int> &classes,
                            int steps, IntegrationRule rule, int batch = 64);

// Nodes alpha_k in (0, 1) and weights w_k (sum 1) of a rule with n points.
void integration_points(int n, IntegrationRule rule, std::vector<double> &alphas,
                        std::vector<double> &weights);

// Occlusion (N, H, W): a window x window square centred at (i*stride,
// j*stride), clipped at the borders, is set to 0 in the raw image; the
// logit drop (original - occluded) is shared equally by the window's
// pixels and summed over all windows.
Tensor occlusion_maps(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                      const std::vector<int> &classes, int window, int stride, int batch = 64);

// RISE (N, H, W): sum over masks of sigmoid(logit_c(x * mask)) * mask / (masks * keep).
Tensor rise_maps(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                 const std::vector<int> &classes, const AttributionMethod &method);

// The RISE masks (count, H, W) in [0, 1]: a cells x cells grid of cells kept
// with probability keep, upsampled bilinearly to (cells+1) * ceil(H/cells)
// and cropped at a random shift.
Tensor rise_masks(int count, int height, int width, int cells, double keep, uint64_t seed);

// The forward-pass rows of `rows` (repeats allowed): a trace of those images
// without recomputing anything.
Trace select_trace_rows(const Trace &trace, const std::vector<int> &rows);

}  // namespace coda

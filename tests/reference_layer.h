// A plain, double-precision CoDA layer written for clarity, not speed: the
// independent oracle of the gradient and property tests. It follows spec
// section 1.4 literally and materialises every dynamic weight.
#pragma once

#include <vector>

#include "coda/coda_layer.h"

namespace coda::reference {

struct Layer {
    LayerConfig cfg;
    int batch = 1, height = 1, width = 1;
    int out_height() const {
        return cfg.out_size(height);
    }
    int out_width() const {
        return cfg.out_size(width);
    }
};

// Flat double tensors in the reference (PyTorch) layouts of coda_layer.h.
struct Params {
    std::vector<double> C, M, b;
};

// The patch entry d of output position (oy, ox) of image n; 0 in the padding.
double patch_value(const Layer &l, const std::vector<double> &x, int n, int d, int oy, int ox);

// Dynamic weights w[n][o][d][oy][ox] (materialised: this is the naive oracle).
std::vector<double> dynamic_weights(const Layer &l, const Params &p, const std::vector<double> &x);

struct Forward {
    std::vector<double> y, norm, wnorm;  // (B, O, H', W')
};

// y = w(x).x / norm(w(x)). With frozen weights (and norms), w and n are taken
// from those arguments instead: the layer as a linear map of x (spec 4.1).
Forward forward(const Layer &l, const Params &p, const std::vector<double> &x,
                const std::vector<double> *frozen_weights = nullptr,
                const std::vector<double> *frozen_norm = nullptr);

// sum over outputs of y * g
double weighted_sum(const std::vector<double> &y, const std::vector<double> &g);

std::vector<double> to_double(const Tensor &t);
Tensor to_float(const std::vector<double> &v, const Shape &shape);

}  // namespace coda::reference

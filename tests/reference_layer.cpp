#include "reference_layer.h"

#include <cmath>

namespace coda::reference {

double patch_value(const Layer &l, const std::vector<double> &x, int n, int d, int oy, int ox) {
    const LayerConfig &c = l.cfg;
    int k = c.kernel;
    int ch = d / (k * k), ky = (d / k) % k, kx = d % k;
    int iy = oy * c.stride - c.pad + ky, ix = ox * c.stride - c.pad + kx;
    if (iy < 0 || iy >= l.height || ix < 0 || ix >= l.width) {
        return 0.0;
    }
    return x[((size_t(n) * c.in_channels + ch) * l.height + iy) * l.width + ix];
}

std::vector<double> dynamic_weights(const Layer &l, const Params &p, const std::vector<double> &x) {
    const LayerConfig &c = l.cfg;
    int D = c.patch_len(), O = c.out_channels, R = c.rank;
    int Ho = l.out_height(), Wo = l.out_width();
    std::vector<double> w(size_t(l.batch) * O * D * Ho * Wo);
    std::vector<double> z(R);
    for (int n = 0; n < l.batch; n++) {
        for (int oy = 0; oy < Ho; oy++) {
            for (int ox = 0; ox < Wo; ox++) {
                for (int r = 0; r < R; r++) {  // z = C x_patch
                    z[r] = 0;
                    for (int d = 0; d < D; d++) {
                        z[r] += p.C[size_t(r) * D + d] * patch_value(l, x, n, d, oy, ox);
                    }
                }
                for (int o = 0; o < O; o++) {
                    for (int d = 0; d < D; d++) {  // row j = d*O + o of the 1x1 conv
                        size_t j = size_t(d) * O + o;
                        double v = p.b[j];
                        for (int r = 0; r < R; r++) {
                            v += p.M[j * R + r] * z[r];
                        }
                        w[((((size_t(n) * O + o) * D + d) * Ho + oy) * Wo) + ox] = v;
                    }
                }
            }
        }
    }
    return w;
}

Forward forward(const Layer &l, const Params &p, const std::vector<double> &x,
                const std::vector<double> *frozen_weights, const std::vector<double> *frozen_norm) {
    const LayerConfig &c = l.cfg;
    int D = c.patch_len(), O = c.out_channels;
    int Ho = l.out_height(), Wo = l.out_width();
    std::vector<double> w = frozen_weights ? *frozen_weights : dynamic_weights(l, p, x);
    size_t outputs = size_t(l.batch) * O * Ho * Wo;
    Forward f{std::vector<double>(outputs), std::vector<double>(outputs),
              std::vector<double>(outputs)};
    for (int n = 0; n < l.batch; n++) {
        for (int o = 0; o < O; o++) {
            for (int oy = 0; oy < Ho; oy++) {
                for (int ox = 0; ox < Wo; ox++) {
                    double a = 0, s = 0;
                    for (int d = 0; d < D; d++) {
                        double wd = w[((((size_t(n) * O + o) * D + d) * Ho + oy) * Wo) + ox];
                        a += wd * patch_value(l, x, n, d, oy, ox);
                        s += wd * wd;
                    }
                    double q = std::sqrt(s);
                    double norm = c.norm == Norm::squash ? (1 + s) / q : q;
                    size_t i = ((size_t(n) * O + o) * Ho + oy) * Wo + ox;
                    if (frozen_norm) {
                        norm = (*frozen_norm)[i];
                    }
                    f.y[i] = a / norm;
                    f.norm[i] = norm;
                    f.wnorm[i] = q;
                }
            }
        }
    }
    return f;
}

double weighted_sum(const std::vector<double> &y, const std::vector<double> &g) {
    double s = 0;
    for (size_t i = 0; i < y.size(); i++) {
        s += y[i] * g[i];
    }
    return s;
}

std::vector<double> to_double(const Tensor &t) {
    return std::vector<double>(t.values().begin(), t.values().end());
}

Tensor to_float(const std::vector<double> &v, const Shape &shape) {
    return Tensor(shape, Floats(v.begin(), v.end()));
}

}  // namespace coda::reference

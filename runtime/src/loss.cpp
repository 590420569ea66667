#include "coda/loss.h"

#include <cmath>

namespace coda {

int argmax_row(const Tensor &logits, int64_t row) {
    const int64_t K = logits.dim(1);
    const float *l = logits.data() + row * K;
    return static_cast<int>(std::max_element(l, l + K) - l);
}

LossValue classification_loss(LossKind kind, const Tensor &logits, const std::vector<int> &labels,
                              double scale) {
    const int64_t B = logits.dim(0), K = logits.dim(1);
    if (static_cast<int64_t>(labels.size()) != B) {
        throw Error(std::to_string(labels.size()) + " labels for a batch of " + std::to_string(B));
    }
    LossValue out{0, Tensor(logits.shape()), 0};
    double total = 0;
    for (int64_t b = 0; b < B; b++) {
        if (labels[b] < 0 || labels[b] >= K) {
            throw Error("label " + std::to_string(labels[b]) + " outside 0.." +
                        std::to_string(K - 1));
        }
        out.correct += argmax_row(logits, b) == labels[b];
        const float *l = logits.data() + b * K;
        float *d = out.d_logits.data() + b * K;
        if (kind == LossKind::bce) {
            for (int64_t k = 0; k < K; k++) {
                double z = l[k], t = k == labels[b];
                // max(z,0) - z t + log(1 + exp(-|z|)): stable for any z
                total += std::max(z, 0.0) - z * t + std::log1p(std::exp(-std::fabs(z)));
                double sig = 1 / (1 + std::exp(-z));
                d[k] = static_cast<float>((sig - t) / double(B * K) * scale);
            }
        } else {
            double m = *std::max_element(l, l + K), sum = 0;
            for (int64_t k = 0; k < K; k++) {
                sum += std::exp(l[k] - m);
            }
            total += m + std::log(sum) - l[labels[b]];
            for (int64_t k = 0; k < K; k++) {
                double p = std::exp(l[k] - m) / sum;
                d[k] = static_cast<float>((p - (k == labels[b])) / double(B) * scale);
            }
        }
    }
    out.loss = kind == LossKind::bce ? total / double(B * K) : total / double(B);
    if (!std::isfinite(out.loss)) {
        throw Error("the loss is not finite (diverged training or non-finite logits)");
    }
    return out;
}

}  // namespace coda

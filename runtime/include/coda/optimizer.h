// Adam with PyTorch's defaults (betas 0.9/0.999, eps 1e-8, no weight decay),
// and the learning-rate schedules of the training recipe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "coda/model_config.h"

namespace coda {

class Adam {
public:
    explicit Adam(double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
        : beta1_(beta1), beta2_(beta2), eps_(eps) {
    }

    // One update of `param` (named, so the moments can be saved) with `grad`.
    void update(const std::string &name, Tensor &param, const Tensor &grad, double lr);
    // Call once after all parameters of a step were updated.
    void finish_step() {
        step_++;
    }
    int64_t steps() const {
        return step_;
    }

    // Moments as named tensors "opt.m.<name>", "opt.v.<name>" (for checkpoints).
    std::map<std::string, Tensor> state() const;
    void load_state(const std::map<std::string, Tensor> &tensors, int64_t steps);

private:
    double beta1_, beta2_, eps_;
    int64_t step_ = 0;
    std::map<std::string, Tensor> m_, v_;
};

// Learning rate at a fractional epoch (epoch + batch / batches_per_epoch):
// linear warm-up over warmup_epochs, then "step" (lr * gamma^floor(e / step))
// or "cosine" (from lr down to 0 at the last epoch).
double learning_rate(const TrainConfig &t, double epoch);

}  // namespace coda

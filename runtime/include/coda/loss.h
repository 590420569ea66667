// Classification losses on logits (B, K) with integer labels, and their
// gradients. BCE with logits on one-hot targets, mean over B x K, is the
// reference's loss (spec 2.4); softmax cross-entropy (mean over B) is the option.
#pragma once

#include <vector>

#include "coda/model_config.h"

namespace coda {

struct LossValue {
    double loss = 0;  // mean over the batch (and classes for BCE)
    Tensor d_logits;  // d loss / d logits, times `scale`
    int correct = 0;  // argmax(logits) == label
};

// scale multiplies the gradient (virtual batches: batch / virtual_batch).
LossValue classification_loss(LossKind kind, const Tensor &logits, const std::vector<int> &labels,
                              double scale = 1.0);

int argmax_row(const Tensor &logits, int64_t row);

}  // namespace coda

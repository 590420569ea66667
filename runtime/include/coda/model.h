// A CoDA-Net (spec section 2): input encoding, CoDA layers in sequence, the
// sum over final positions and logits = sum / T + b0. Its three uses are
// side by side: forward (with the trace backward needs), backward (parameter
// gradients from dL/dlogits) and explain (contribution maps, spec 4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coda/model_config.h"

namespace coda {

// Everything a forward pass keeps: the input of every layer (activations[0] is
// the encoded image), each layer's forward results, and the logits (B, K).
struct Trace {
    std::vector<Tensor> activations;
    std::vector<LayerForward> layers;
    Tensor logits;
};

// Contribution maps of chosen (image, class) pairs. maps[l] holds, for the
// input of layer l+1 (maps[0]: the encoded image), the channel-summed
// contributions (N, H_l, W_l); input_contributions is the full (N, C, H, W)
// map of the encoded image. Each map sums to logit - b0 (completeness).
struct Explanation {
    std::vector<Tensor> maps;
    Tensor input_contributions;
    std::vector<int> images, classes;
    std::vector<float> logits;
};

class CodaNet {
public:
    explicit CodaNet(ModelConfig config);

    // PyTorch's default conv init, uniform +-1/sqrt(fan_in), from a seed.
    void init(uint64_t seed);

    const ModelConfig &config() const {
        return config_;
    }
    const std::vector<LayerConfig> &layers() const {
        return layers_;
    }
    std::vector<LayerParams> &params() {
        return params_;
    }
    const std::vector<LayerParams> &params() const {
        return params_;
    }
    int64_t parameter_count() const;

    // Images (B, C, H, W) in [0, 1] as the first layer sees them: padded by
    // input_pad (zeros), then [x, 1-x] if add_inverse (padding stays 0).
    Tensor encode(const Tensor &images) const;

    Trace forward(const Tensor &images) const;
    // Same, from an already encoded input.
    Trace forward_encoded(const Tensor &encoded) const;

    // Parameter gradients given dL/dlogits (B, K); d_input (optional) receives
    // dL/d(encoded input).
    std::vector<LayerGradients> backward(const Trace &trace, const Tensor &d_logits,
                                         Tensor *d_input = nullptr) const;

    // Explains classes[i] of image images[i] of the trace, all pairs in one
    // batched pass through the layers.
    Explanation explain(const Trace &trace, const std::vector<int> &images,
                        const std::vector<int> &classes) const;

private:
    ModelConfig config_;
    std::vector<LayerConfig> layers_;
    std::vector<LayerParams> params_;
};

// Rows `rows` of the batch dimension (dim 0) of t, in that order.
Tensor select_rows(const Tensor &t, const std::vector<int> &rows);

}  // namespace coda

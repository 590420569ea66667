// A CoDA-Net's architecture and training recipe, read from a small text file.
//
// Format: one `key = value` per line, `#` starts a comment. Keys:
//   input        = CxHxW        image size the net sees (after input_pad)
//   input_pad    = P            zeros added on each side of the encoded image
//   add_inverse  = true|false   encode an image x as [x, 1-x] (spec 2.1)
//   norm         = squash|l2
//   temperature  = T            logits = (sum over final positions) / T + bias
//   logit_bias   = b0           default log(0.1/0.9) = -2.1972
//   layer        = out rank kernel stride pad    (one line per CoDA layer, in order)
// Training keys (all optional, command-line options override them):
//   loss = bce|ce, epochs, batch_size, virtual_batch, lr, lr_schedule = step|cosine,
//   lr_step_epochs, lr_gamma, warmup_epochs, crop_pad, flip = true|false, seed
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coda/coda_layer.h"

namespace coda {

struct LayerSpec {
    int out_channels = 0, rank = 0, kernel = 3, stride = 1, pad = 1;
};

struct ModelConfig {
    int image_channels = 1, image_height = 32, image_width = 32;
    int input_pad = 0;
    bool add_inverse = true;
    Norm norm = Norm::squash;
    double temperature = 64.0;
    double logit_bias = -2.1972245773362196;  // log(0.1/0.9): sigmoid = 0.1
    std::vector<LayerSpec> layers;

    int num_classes() const {
        return layers.empty() ? 0 : layers.back().out_channels;
    }
    // Channels and size of the encoded input the first layer sees.
    int encoded_channels() const {
        return image_channels * (add_inverse ? 2 : 1);
    }
    int encoded_height() const {
        return image_height + 2 * input_pad;
    }
    int encoded_width() const {
        return image_width + 2 * input_pad;
    }
    // The layers with their input channels filled in, named L1..Ln; throws
    // Error if any layer does not fit (e.g. the map shrinks to nothing).
    std::vector<LayerConfig> layer_configs() const;
    // Spatial size (H, W) of the last layer's output map.
    std::pair<int, int> final_map_size() const;
};

enum class LossKind { bce, ce };

struct TrainConfig {
    LossKind loss = LossKind::bce;
    int epochs = 10;
    int batch_size = 64;
    int virtual_batch = 64;  // gradients accumulated over virtual_batch / batch_size batches
    double lr = 1e-3;
    std::string lr_schedule = "cosine";  // or "step"
    int lr_step_epochs = 30;
    double lr_gamma = 1.0 / 1.5;
    int warmup_epochs = 0;
    int crop_pad = 0;  // random crop with this much zero padding (0: off)
    bool flip = false;
    uint64_t seed = 1;
};

// Both parts of a config file. `source` names the file in error messages.
struct RunConfig {
    ModelConfig model;
    TrainConfig train;
};
RunConfig parse_config(const std::string &text, const std::string &source);
RunConfig load_config(const std::string &path);
std::string to_text(const RunConfig &config);

}  // namespace coda

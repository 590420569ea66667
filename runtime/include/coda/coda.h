// The embedding API of CoDA-Halide: load a trained CoDA-Net, classify images
// and explain its decisions from any C++17 program. This header is the stable
// surface; the rest of include/coda/ (model.h, trainer.h, ...) is the full
// model API, which may change between versions.
//
// Build (after `cmake --install`, see the README's "Use as a library"):
//
//     find_package(coda CONFIG REQUIRED)
//     target_link_libraries(my_app PRIVATE coda::runtime)
//
// Use:
//
//     #include "coda/coda.h"
//
//     coda::Classifier net = coda::Classifier::load("model.safetensors");
//     coda::Tensor images = net.read_image("shoe.png");      // (1, C, H, W), values in [0, 1]
//     coda::Classification c = net.classify(images);
//     std::string name = net.class_name(c.predicted[0]);
//     coda::Explanations e = net.explain(images);             // the predicted classes
//     // e.maps is (1, H, W): the contribution of every pixel to logit e.logits[0];
//     // it sums to e.logits[0] - net.logit_bias() (completeness).
//
// Images are batches (N, C, H, W) of float32 in [0, 1], row-major (PyTorch's
// NCHW), with C, H, W the model's image_shape(). Classes are 0 .. K-1.
//
// Errors: every failure (missing or corrupt checkpoint, unreadable image,
// wrong shapes, classes out of range, a pipeline error) throws coda::Error, a
// std::runtime_error with a one-line message naming the file or the tensor.
//
// Ownership: a Classifier owns its model (movable, not copyable; a moved-from
// Classifier may only be assigned to or destroyed); results are plain values
// owned by the caller and never alias the model.
//
// Threads: the pipelines run on Halide's thread pool (set its size with
// halide_set_num_threads() from HalideRuntime.h, or HL_NUM_THREADS). The
// const methods only read the model, so one Classifier may serve several
// threads at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "coda/coda_layer.h"  // coda::Error
#include "coda/tensor.h"      // coda::Tensor, coda::Shape

namespace coda {

class CodaNet;

// The result of classify() for a batch of N images and K classes.
struct Classification {
    Tensor logits;  // (N, K)
    // (N, K): what the model was trained for. Models trained with BCE (the
    // default) give independent per-class sigmoid(logit); models trained with
    // cross-entropy give a softmax over the K classes.
    Tensor probabilities;
    std::vector<int> predicted;  // (N): argmax of each row of logits
};

// Contribution maps (spec section 4) of M (image, class) pairs. The maps cover
// the image itself: the model's input padding is cut off (its contributions
// are zero, so nothing is lost).
struct Explanations {
    std::vector<int> images;    // (M): which image of the batch each map explains
    std::vector<int> classes;   // (M): the class it explains
    std::vector<float> logits;  // (M): that class's logit for that image
    // (M, H, W): contribution of each pixel, all channels added. Map i sums to
    // logits[i] - logit_bias() up to float rounding.
    Tensor maps;
    // (M, C, H, W): the same per image channel (for models that encode a pixel
    // x as [x, 1 - x], both parts are added); summed over C it gives maps.
    Tensor channel_maps;
};

class Classifier {
public:
    // Reads a checkpoint written by `coda train` (or coda::save_training).
    static Classifier load(const std::string &checkpoint_path);

    Classifier(Classifier &&) noexcept;
    Classifier &operator=(Classifier &&) noexcept;
    Classifier(const Classifier &) = delete;
    Classifier &operator=(const Classifier &) = delete;
    ~Classifier();

    int num_classes() const;
    Shape image_shape() const;  // (C, H, W) the model expects
    // Names stored in the checkpoint (possibly empty); class_name(k) falls
    // back to the number.
    const std::vector<std::string> &class_names() const;
    std::string class_name(int k) const;
    // b0 of logits = (sum over final positions) / T + b0: the part of every
    // logit that no pixel contributes.
    float logit_bias() const;

    // A PNG file as a batch of one image (1, C, H, W) in [0, 1]. Grey files
    // are replicated for RGB models, RGB files reduced to luma for grey ones;
    // the size must match the model's (no resizing).
    Tensor read_image(const std::string &png_path) const;

    Classification classify(const Tensor &images) const;

    // Explains the predicted class of every image.
    Explanations explain(const Tensor &images) const;
    // Explains classes[i] of image i; classes.size() must equal N.
    Explanations explain(const Tensor &images, const std::vector<int> &classes) const;
    // Explains any (image_indices[i], classes[i]) pairs, e.g. every class of
    // one image, with a single forward pass over the batch. (The explain
    // calls keep every layer's activations of the whole batch: split very
    // large batches; classify() does that itself.)
    Explanations explain_pairs(const Tensor &images, const std::vector<int> &image_indices,
                               const std::vector<int> &classes) const;

    // The underlying model (coda/model.h), for what this API does not cover.
    const CodaNet &net() const;

private:
    struct Impl;
    explicit Classifier(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace coda

// Image classification data sets in memory, and the loaders for the formats
// the demos use. All loaders throw coda::Error with a one-line message that
// names the offending file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coda/tensor.h"

namespace coda {

struct Dataset {
    Tensor images;            // (N, C, H, W), values in [0, 1]
    std::vector<int> labels;  // N labels in [0, num_classes)
    int num_classes = 0;
    std::vector<std::string> class_names;  // num_classes names

    int64_t size() const {
        return static_cast<int64_t>(labels.size());
    }
};

enum class Split { train, test };

// Fashion-MNIST from the gzipped IDX files in dir ({train,t10k}-images-idx3-ubyte.gz
// and {train,t10k}-labels-idx1-ubyte.gz): (N, 1, 28, 28).
Dataset load_fashion_mnist(const std::string &dir, Split split);

// CIFAR-10 binary version in dir (data_batch_1..5.bin or test_batch.bin, and
// optionally batches.meta.txt for the class names): (N, 3, 32, 32).
Dataset load_cifar10(const std::string &dir, Split split);

// One sub-folder of dir per class (sorted names are the class names), each
// holding PNG images of one common size: grayscale images give 1 channel,
// colour ones 3 (alpha is dropped). Hidden entries (".name") are skipped.
Dataset load_image_folder(const std::string &dir);

// Moves round(fraction * N) examples, chosen by seed, out of d into the
// returned data set (e.g. a validation split); both keep their original order.
Dataset split_off(Dataset &d, double fraction, uint64_t seed);

// The image of example `index` as a (C, H, W) tensor (a copy).
Tensor example_image(const Dataset &d, int64_t index);

}  // namespace coda

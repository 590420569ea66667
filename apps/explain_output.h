// Writing explanations of data-set images as PNG files.
#pragma once

#include <string>
#include <vector>

#include "coda/data.h"
#include "coda/model.h"

namespace coda::app {

struct ExplainedImage {
    int64_t index;  // in the data set
    int label, predicted, explained_class;
    std::string panel_path;  // [input | map | overlay]
};

// Explains each image for `classes[i]` (-1: the predicted class): one panel
// PNG per image in out_dir, plus (depth) the maps of every layer's input.
std::vector<ExplainedImage> explain_images(const CodaNet &net, const Dataset &data,
                                           const std::vector<int64_t> &indices,
                                           const std::vector<int> &classes,
                                           const std::string &out_dir, int scale, bool depth);

// One image explained for every class: one row per class in one PNG.
std::string explain_all_classes(const CodaNet &net, const Dataset &data, int64_t index,
                                const std::string &out_dir, int scale, double *seconds);

// The panels of several explained images stacked in one sheet PNG.
void write_sheet(const std::vector<ExplainedImage> &images, const std::string &path);

std::string class_name(const Dataset &data, int c);

}  // namespace coda::app
